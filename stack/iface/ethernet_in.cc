// Ethernet input and output, and ARP (RFC 826).
#include <algorithm>

#include "stack/iface/stack.h"
#include "stack/wire/arp.h"
#include "stack/wire/ethernet.h"

namespace synack::iface {

void Stack::receive(Instant now, std::size_t iface, ConstBytes frame, driver::RxMeta meta) {
  // The trust lasts for this frame only: datagrams the stack loops back to
  // itself from poll are verified (those it loops back while handling this
  // frame are its own, checksummed by itself).
  struct TrustScope {
    bool& flag;
    ~TrustScope() { flag = false; }
  } scope{rx_l4_trusted_};
  rx_l4_trusted_ = meta.l4_checksum_valid;
  ++stats_.eth.rx_frames;
  if (iface >= ifaces_.size() || !ifaces_[iface].up) {
    ++stats_.eth.rx_iface_down;
    return;
  }
  auto eth = wire::EthernetFrame::checked(frame);
  if (!eth) {
    ++stats_.eth.rx_malformed;
    return;
  }
  auto dst = eth->dst();
  if (dst != ifaces_[iface].mac && !dst.is_multicast()) {
    ++stats_.eth.rx_not_for_us;  // flooded unicast for another host
    return;
  }
  if (eth->tag_count() != 0) {
    ++stats_.eth.rx_unknown_type;  // our interfaces are untagged
    return;
  }
  switch (eth->ethertype()) {
    case wire::kEtherTypeArp: receive_arp(now, iface, eth->payload()); break;
    case wire::kEtherTypeIpv4: receive_ipv4(now, iface, eth->payload(), dst.is_multicast()); break;
    default: ++stats_.eth.rx_unknown_type; break;
  }
}

void Stack::send_frame(Instant now, std::size_t iface, wire::MacAddress dst, std::uint16_t ethertype,
                       ConstBytes payload, MutBytes room) {
  wire::EthernetRepr eth{dst, ifaces_[iface].mac, ethertype, std::nullopt, std::nullopt};
  std::size_t len = eth.header_len() + payload.size();
  // Ethernet minimum frame (60 bytes without FCS): pad with zeros.
  std::size_t padded = std::max<std::size_t>(len, kMinFrameLen);
  MutBytes frame;
  if (room.size() >= padded && eth.header_len() == kEthHeaderLen && room.data() + kEthHeaderLen == payload.data()) {
    // The payload already sits behind room for the header: write around it.
    frame = room.first(padded);
    eth.emit(frame.first(kEthHeaderLen), {});
    std::fill(frame.begin() + static_cast<std::ptrdiff_t>(len), frame.end(), std::uint8_t{0});
  } else {
    scratch_.assign(padded, 0);
    eth.emit(MutBytes(scratch_).first(len), payload);
    frame = scratch_;
  }
  if (ifaces_[iface].device->transmit(now, frame)) {
    ++stats_.eth.tx_frames;
  } else {
    ++stats_.eth.tx_refused;
  }
}

void Stack::send_arp(Instant now, std::size_t iface, std::uint16_t op, wire::MacAddress dst_mac,
                     wire::Ipv4Address target_ip, wire::MacAddress target_mac) {
  const auto& itf = ifaces_[iface];
  wire::ArpRepr arp{static_cast<wire::ArpOperation>(op), itf.mac, itf.address.address, target_mac, target_ip};
  std::uint8_t buf[28];
  arp.emit(buf);
  if (op == 1) ++stats_.arp.tx_requests;
  else ++stats_.arp.tx_replies;
  send_frame(now, iface, dst_mac, wire::kEtherTypeArp, buf);
}

void Stack::receive_arp(Instant now, std::size_t iface, ConstBytes payload) {
  auto pkt = wire::ArpPacket::checked(payload);
  if (!pkt) {
    ++stats_.arp.rx_malformed;
    return;
  }
  auto arp = wire::ArpRepr::parse(*pkt);
  if (!arp) {
    ++stats_.arp.rx_unsupported;  // not Ethernet/IPv4
    return;
  }
  const auto& itf = ifaces_[iface];
  bool request = arp->operation == wire::ArpOperation::Request;
  if (request) ++stats_.arp.rx_requests;
  else ++stats_.arp.rx_replies;
  // Never learn multicast/broadcast hardware addresses, our own addresses
  // from someone else (a conflict or a spoof), or sources outside the subnet.
  bool bogus = arp->sender_hw.is_multicast() || arp->sender_hw.is_zero() ||
               arp->sender_ip.is_broadcast() || arp->sender_ip.is_multicast() ||
               (arp->sender_ip == itf.address.address) || !itf.address.contains(arp->sender_ip);
  if (bogus && !arp->sender_ip.is_unspecified()) {
    ++stats_.arp.rx_bogus_sender;
    return;
  }
  bool for_us = arp->target_ip == itf.address.address;
  if (!arp->sender_ip.is_unspecified()) {
    // RFC 826 "merge": update an existing entry; create one only when the
    // packet is aimed at us.
    for (auto& p : arp_.learn(arp->sender_ip, arp->sender_hw, now, for_us))
      send_frame(now, p.iface, arp->sender_hw, wire::kEtherTypeIpv4, p.ip_packet);
  }
  if (request && for_us) send_arp(now, iface, 2, arp->sender_hw, arp->sender_ip, arp->sender_hw);
}

}  // namespace synack::iface

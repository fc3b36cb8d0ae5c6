// IPv4 output: routing, path MTU, fragmentation (RFC 791 §3.2), and the
// hand-off to ARP resolution and the link.
#include "stack/iface/stack.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"

namespace synack::iface {

std::uint16_t Stack::path_mtu(Instant now, std::size_t iface, wire::Ipv4Address dst) const {
  std::uint16_t mtu = std::min(ifaces_[iface].mtu, ifaces_[iface].device->capabilities().mtu);
  if (auto it = pmtu_.find(dst); it != pmtu_.end() && it->second.expires > now) mtu = std::min(mtu, it->second.mtu);
  return mtu;
}

Result<void, SockError> Stack::send_ipv4(Instant now, const OutDatagram& d) {
  std::size_t iface = 0;
  wire::Ipv4Address next_hop = d.dst;
  if (d.dst.is_broadcast()) {
    auto it = std::find_if(ifaces_.begin(), ifaces_.end(), [&](const Interface& i) { return i.address.address == d.src; });
    iface = it == ifaces_.end() ? 0 : static_cast<std::size_t>(it - ifaces_.begin());
    if (ifaces_.empty()) return Err{SockError::NetUnreach};
  } else {
    auto hop = routes_.next_hop(d.dst);
    if (!hop || hop->iface >= ifaces_.size()) {
      ++stats_.ip.no_route;
      return Err{SockError::NetUnreach};
    }
    iface = hop->iface;
    next_hop = hop->address;
  }
  if (!ifaces_[iface].up) return Err{SockError::NetUnreach};
  return output_fragments(now, iface, next_hop, d, next_ident_++);
}

Result<void, SockError> Stack::output_fragments(Instant now, std::size_t iface, wire::Ipv4Address next_hop,
                                                const OutDatagram& d, std::uint16_t ident) {
  constexpr std::size_t kHeader = 20;
  std::size_t mtu = path_mtu(now, iface, d.dst);
  if (kHeader + d.l4.size() > 65535) return Err{SockError::MsgSize};
  wire::Ipv4Repr ip;
  ip.src = d.src;
  ip.dst = d.dst;
  ip.protocol = d.protocol;
  ip.ttl = d.ttl ? d.ttl : cfg_.default_ttl;
  ip.tos = d.tos;
  ip.ident = ident;
  ip.dont_frag = d.dont_frag;
  std::size_t max_chunk = kHeader + d.l4.size() <= mtu ? d.l4.size() : ((mtu - kHeader) & ~std::size_t{7});
  if (max_chunk < d.l4.size()) {
    if (d.dont_frag) {
      ++stats_.ip.frag_needed;
      return Err{SockError::MsgSize};
    }
    if (max_chunk == 0) return Err{SockError::MsgSize};
    ++stats_.ip.fragmented_datagrams;
  }
  if (max_chunk == d.l4.size() && d.frame.size() >= kFrameHeadroom + d.l4.size() &&
      d.frame.data() + kFrameHeadroom == d.l4.data() && ip.header_len() == kHeader && !is_local_address(d.dst)) {
    // One datagram, built in the caller's frame buffer: the header goes in
    // front of the payload, nothing is copied.
    ip.payload_len = static_cast<std::uint16_t>(d.l4.size());
    MutBytes packet = d.frame.subspan(kEthHeaderLen, kHeader + d.l4.size());
    ip.emit(packet.first(kHeader), {});
    ++stats_.ip.tx_packets;
    link_output(now, iface, next_hop, packet, d.frame);
    return {};
  }
  Bytes packet;
  for (std::size_t off = 0; off < d.l4.size() || off == 0; off += max_chunk) {
    std::size_t n = std::min(max_chunk, d.l4.size() - off);
    ip.frag_offset = static_cast<std::uint16_t>(off);
    ip.more_frags = off + n < d.l4.size();
    ip.payload_len = static_cast<std::uint16_t>(n);
    packet.resize(ip.header_len() + n);
    ip.emit(packet, d.l4.subspan(off, n));
    if (max_chunk < d.l4.size()) ++stats_.ip.fragments_created;
    ++stats_.ip.tx_packets;
    if (is_local_address(d.dst)) {
      receive_ipv4(now, iface, packet, false);  // to ourselves: loop back
    } else {
      link_output(now, iface, next_hop, packet);
    }
    if (n == 0) break;
  }
  return {};
}

void Stack::link_output(Instant now, std::size_t iface, wire::Ipv4Address next_hop, ConstBytes ip_packet,
                        MutBytes room) {
  const auto& itf = ifaces_[iface];
  if (next_hop.is_broadcast() || next_hop == itf.directed_broadcast()) {
    send_frame(now, iface, wire::MacAddress::broadcast(), wire::kEtherTypeIpv4, ip_packet, room);
    return;
  }
  if (auto mac = arp_.lookup(next_hop, now)) {
    send_frame(now, iface, *mac, wire::kEtherTypeIpv4, ip_packet, room);
    return;
  }
  if (!arp_.enqueue(next_hop, PendingPacket{iface, Bytes(ip_packet.begin(), ip_packet.end())}, now)) {
    ++stats_.arp.unresolved_drops;
    report_unreachable(ip_packet);
  }
}

}  // namespace synack::iface

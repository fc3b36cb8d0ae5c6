// IPv4 input (RFC 791, RFC 1122 §3.2.1): validation with every drop counted
// by reason, reassembly, local delivery by protocol, and forwarding
// (RFC 1812) when enabled.
#include "stack/iface/stack.h"
#include "stack/wire/checksum.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"

namespace synack::iface {

namespace {
void count_parse_error(Ipv4Stats& s, wire::ParseError e) {
  switch (e) {
    case wire::ParseError::Truncated: ++s.rx_truncated; break;
    case wire::ParseError::BadVersion: ++s.rx_bad_version; break;
    case wire::ParseError::BadChecksum: ++s.rx_bad_checksum; break;
    case wire::ParseError::BadOption: ++s.rx_bad_options; break;
    default: ++s.rx_bad_length; break;
  }
}
}  // namespace

void Stack::receive_ipv4(Instant now, std::size_t iface, ConstBytes packet, bool link_broadcast) {
  ++stats_.ip.rx_packets;
  auto pkt = wire::Ipv4Packet::checked(packet);
  if (!pkt) return count_parse_error(stats_.ip, pkt.error());
  // The view answers everything below; a Repr is built only to validate
  // options (the common 20-byte header has none), in Ipv4Repr::parse's
  // order: checksum first, then the option list.
  if (!pkt->verify_checksum()) return count_parse_error(stats_.ip, wire::ParseError::BadChecksum);
  if (pkt->header_len() != wire::ipv4_field::kMinHeaderLen) {
    if (auto ip = wire::Ipv4Repr::parse(*pkt, /*verify_checksum=*/false); !ip)
      return count_parse_error(stats_.ip, ip.error());
  }
  const wire::Ipv4Address src = pkt->src(), dst = pkt->dst();
  // One walk over the interfaces answers is_broadcast_for_us(src),
  // is_broadcast_for_us(dst) and is_local_address(dst).
  bool src_bcast = src.is_broadcast(), broadcast = dst.is_broadcast(), local = false;
  for (const Interface& i : ifaces_) {
    local |= i.address.address == dst;
    if (auto directed = i.directed_broadcast()) {
      src_bcast |= *directed == src;
      broadcast |= *directed == dst;
    }
  }
  // RFC 1122 §3.2.1.3: a source that is broadcast or multicast is invalid.
  if (src_bcast || src.is_multicast()) {
    ++stats_.ip.rx_bad_source;
    return;
  }
  if (!broadcast && !local) {
    if (dst.is_multicast()) {
      ++stats_.ip.rx_multicast;  // no group memberships
    } else if (cfg_.forwarding && !link_broadcast) {
      forward(now, pkt->bytes());
    } else {
      ++stats_.ip.rx_not_for_us;
    }
    return;
  }
  (void)iface;
  const std::uint8_t protocol = pkt->protocol();
  if (pkt->more_frags() || pkt->frag_offset() != 0) {
    ++stats_.ip.rx_fragments;
    FragmentKey key{src, dst, protocol, pkt->ident()};
    auto done = reassembly_.add(now, key, pkt->frag_offset(), pkt->more_frags(),
                                pkt->payload(), pkt->header());
    if (!done) return;
    ++stats_.ip.reassembled;
    rx_l4_trusted_ = false;  // the checksum covers fragments no device vouched for
    Bytes whole = done->first_header;
    whole.insert(whole.end(), done->payload.begin(), done->payload.end());
    ConstBytes payload = ConstBytes(whole).subspan(done->first_header.size());
    deliver_local(now, protocol, src, dst, payload, whole, pkt->ttl(), broadcast);
    return;
  }
  deliver_local(now, protocol, src, dst, pkt->payload(), pkt->bytes(), pkt->ttl(), broadcast);
}

void Stack::deliver_local(Instant now, std::uint8_t protocol, wire::Ipv4Address src, wire::Ipv4Address dst,
                          ConstBytes payload, ConstBytes whole_packet, std::uint8_t ttl, bool broadcast) {
  ++stats_.ip.rx_delivered;
  switch (protocol) {
    case wire::kIpProtoIcmp: receive_icmp(now, src, dst, payload, ttl); return;
    case wire::kIpProtoUdp: receive_udp(now, src, dst, payload, whole_packet, broadcast); return;
    case wire::kIpProtoTcp: receive_tcp(now, src, dst, payload, broadcast); return;
    default:
      ++stats_.ip.rx_unknown_protocol;
      if (!broadcast) send_icmp_error(now, wire::kIcmpv4DestUnreachable, 2, 0, whole_packet);
  }
}

// RFC 1812 §5.2/§5.3: decrement TTL, route, fragment or report frag-needed.
void Stack::forward(Instant now, ConstBytes packet) {
  auto pkt = wire::Ipv4Packet::checked(packet);
  if (!pkt) return;
  if (pkt->ttl() <= 1) {
    ++stats_.ip.rx_ttl_exceeded;
    send_icmp_error(now, wire::kIcmpv4TimeExceeded, 0, 0, packet);
    return;
  }
  auto hop = routes_.next_hop(pkt->dst());
  if (!hop || hop->iface >= ifaces_.size() || !ifaces_[hop->iface].up) {
    ++stats_.ip.no_route;
    send_icmp_error(now, wire::kIcmpv4DestUnreachable, 0, 0, packet);
    return;
  }
  std::uint16_t mtu = path_mtu(now, hop->iface, pkt->dst());
  if (packet.size() > mtu) {
    if (pkt->dont_frag()) {
      ++stats_.ip.frag_needed;
      send_icmp_error(now, wire::kIcmpv4DestUnreachable, 4, mtu, packet);  // RFC 1191 §4
      return;
    }
    auto ip = wire::Ipv4Repr::parse(*pkt, false);
    if (!ip) return;
    OutDatagram d{ip->src, ip->dst, ip->protocol, static_cast<std::uint8_t>(ip->ttl - 1), ip->tos, false,
                  pkt->payload()};
    ++stats_.ip.forwarded;
    (void)output_fragments(now, hop->iface, hop->address, d, ip->ident);
    return;
  }
  Bytes copy(packet.begin(), packet.end());
  std::uint16_t old_word = load_be16(copy, 8);  // TTL and protocol
  copy[8] = static_cast<std::uint8_t>(copy[8] - 1);
  std::uint16_t sum = wire::checksum_update16(load_be16(copy, 10), old_word, load_be16(copy, 8));  // RFC 1624
  store_be16(copy, 10, sum);
  ++stats_.ip.forwarded;
  link_output(now, hop->iface, hop->address, copy);
}

}  // namespace synack::iface

// Ethernet/IPv4/{TCP,UDP,ICMP} frames assembled from the wire Reprs, so a
// crafted frame is exactly what the stack's own emitters write (checksums
// and lengths filled). Used by tests and benchmarks that play a peer, the
// fuzz targets and their seed generator.
#pragma once

#include <optional>

#include "stack/base/bytes.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "stack/wire/udp.h"

namespace synack::harness {

struct L2 {
  wire::MacAddress src;
  wire::MacAddress dst;
};

inline Bytes build_ipv4_frame(const L2& l2, wire::Ipv4Repr ip, ConstBytes l4) {
  ip.payload_len = static_cast<std::uint16_t>(l4.size());
  Bytes ipb(ip.buffer_len());
  ip.emit(ipb, l4);
  wire::EthernetRepr eth{l2.dst, l2.src, wire::kEtherTypeIpv4, std::nullopt, std::nullopt};
  Bytes frame(eth.header_len() + ipb.size());
  eth.emit(frame, ipb);
  return frame;
}

inline wire::Ipv4Repr make_ipv4(wire::Ipv4Address src, wire::Ipv4Address dst, std::uint8_t proto) {
  wire::Ipv4Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.protocol = proto;
  ip.ttl = 64;
  ip.dont_frag = true;
  return ip;
}

inline Bytes build_tcp_frame(const L2& l2, wire::Ipv4Address src, wire::Ipv4Address dst,
                             const wire::TcpRepr& t, ConstBytes payload) {
  Bytes seg(t.buffer_len(payload.size()));
  t.emit(seg, payload, src, dst);
  return build_ipv4_frame(l2, make_ipv4(src, dst, wire::kIpProtoTcp), seg);
}

inline Bytes build_udp_frame(const L2& l2, wire::Ipv4Address src, wire::Ipv4Address dst,
                             const wire::UdpRepr& u, ConstBytes payload) {
  Bytes dgram(u.buffer_len(payload.size()));
  u.emit(dgram, payload, src, dst);
  return build_ipv4_frame(l2, make_ipv4(src, dst, wire::kIpProtoUdp), dgram);
}

inline Bytes build_icmp_frame(const L2& l2, wire::Ipv4Address src, wire::Ipv4Address dst,
                              const wire::Icmpv4Repr& m) {
  Bytes msg(m.buffer_len());
  m.emit(msg);
  return build_ipv4_frame(l2, make_ipv4(src, dst, wire::kIpProtoIcmp), msg);
}

}  // namespace synack::harness

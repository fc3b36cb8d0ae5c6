// Frame construction and normalisation for the host-level fuzz targets and
// the seed generator.
//
// build_*_frame() (harness/world/frames.h) assemble Ethernet/IPv4/{TCP,UDP,ICMP}
// frames from the wire Reprs, so scripted frames are exactly what the
// stack's own emitters write.
//
// normalize_frame() is the "checksum and length fixer" of fuzz_host_frames.
// Random mutations almost never keep a checksum valid, so without it nearly
// every mutated frame dies in ipv4_in or tcp_in and TCP state is never
// reached. It parses the frame loosely and, in place:
//   - skips up to two VLAN tags; leaves non-IPv4 frames (ARP, ...) untouched;
//   - leaves IPv4 headers with a version other than 4, IHL < 5, or a header
//     longer than the frame untouched (those paths stay reachable);
//   - sets the IPv4 total length to the bytes present (capped at 65535) and
//     recomputes the header checksum;
//   - for an unfragmented datagram (MF clear, offset 0): TCP with a data
//     offset that fits gets its checksum recomputed; UDP gets its length set
//     to the bytes present and its checksum recomputed (0 is sent as 0xffff);
//     ICMP gets its checksum recomputed. Fragments keep their L4 bytes as is.
// Callers that want malformed lengths and checksums to reach the stack feed
// the frame raw instead (fuzz_host_frames does so for records whose length
// word has its top bit set).
#pragma once

#include <algorithm>
#include <cstdint>

#include "fuzz/common/check.h"
#include "harness/world/frames.h"
#include "stack/base/bytes.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "stack/wire/udp.h"

namespace synack::fuzz {

using harness::build_icmp_frame;
using harness::build_ipv4_frame;
using harness::build_tcp_frame;
using harness::build_udp_frame;
using harness::L2;
using harness::make_ipv4;

// See the file comment. Never reads or writes outside `frame`.
FUZZ_NO_COVERAGE inline void normalize_frame(MutBytes frame) {
  namespace ef = wire::ethernet_field;
  namespace f4 = wire::ipv4_field;
  if (frame.size() < ef::kHeaderLen) return;
  std::size_t off = ef::kEtherType;
  for (std::size_t tags = 0; tags < ef::kMaxTags && off + 2 <= frame.size() &&
                             wire::is_vlan_tpid(load_be16(frame, off));
       ++tags)
    off += ef::kTagLen;
  if (off + 2 > frame.size() || load_be16(frame, off) != wire::kEtherTypeIpv4) return;
  MutBytes ip = frame.subspan(off + 2);
  if (ip.size() < f4::kMinHeaderLen || (ip[0] >> 4) != 4) return;
  std::size_t hl = static_cast<std::size_t>(ip[0] & 0x0fu) * 4;
  if (hl < f4::kMinHeaderLen || hl > ip.size()) return;
  std::size_t total = std::min<std::size_t>(ip.size(), wire::kIpv4MaxTotalLen);
  ip = ip.first(total);
  store_be16(ip, f4::kTotalLen, static_cast<std::uint16_t>(total));
  store_be16(ip, f4::kChecksum, 0);
  store_be16(ip, f4::kChecksum, wire::checksum(ip.first(hl)));
  std::uint16_t ff = load_be16(ip, f4::kFlagsFrag);
  if ((ff & (f4::kFlagMf | f4::kFragOffsetMask)) != 0) return;
  wire::Ipv4Address src{load_be32(ip, f4::kSrc)}, dst{load_be32(ip, f4::kDst)};
  MutBytes l4 = ip.subspan(hl);
  std::uint8_t proto = ip[f4::kProtocol];
  auto pseudo = wire::pseudo_header_sum(src, dst, proto, static_cast<std::uint32_t>(l4.size()));
  if (proto == wire::kIpProtoTcp && l4.size() >= wire::tcp_field::kMinHeaderLen) {
    std::size_t doff = static_cast<std::size_t>(l4[wire::tcp_field::kDataOffset] >> 4) * 4;
    if (doff < wire::tcp_field::kMinHeaderLen || doff > l4.size()) return;
    store_be16(l4, wire::tcp_field::kChecksum, 0);
    store_be16(l4, wire::tcp_field::kChecksum, wire::checksum(l4, pseudo));
  } else if (proto == wire::kIpProtoUdp && l4.size() >= wire::udp_field::kHeaderLen) {
    store_be16(l4, wire::udp_field::kLength, static_cast<std::uint16_t>(l4.size()));
    store_be16(l4, wire::udp_field::kChecksum, 0);
    std::uint16_t c = wire::checksum(l4, pseudo);
    store_be16(l4, wire::udp_field::kChecksum, c == 0 ? 0xffff : c);
  } else if (proto == wire::kIpProtoIcmp && l4.size() >= wire::icmpv4_field::kHeaderLen) {
    store_be16(l4, wire::icmpv4_field::kChecksum, 0);
    store_be16(l4, wire::icmpv4_field::kChecksum, wire::checksum(l4));
  }
}

}  // namespace synack::fuzz

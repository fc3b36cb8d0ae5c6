#include "stack/wire/tcp.h"

#include <cstring>
#include <functional>

#include "stack/base/assert.h"
#include "stack/wire/checksum.h"

namespace synack::wire {

namespace {
constexpr std::uint8_t kProtocolTcp = 6;  // IANA protocol number (RFC 9293)

struct FlagName {
  std::uint16_t bit;
  char c;
};
constexpr FlagName kFlagNames[] = {{kTcpFin, 'F'}, {kTcpSyn, 'S'}, {kTcpRst, 'R'},
                                   {kTcpPsh, 'P'}, {kTcpAck, '.'}, {kTcpUrg, 'U'},
                                   {kTcpEce, 'E'}, {kTcpCwr, 'W'}, {kTcpAe, 'e'}};
}  // namespace

std::string tcp_flags_to_string(std::uint16_t flags) {
  std::string s;
  for (const FlagName& n : kFlagNames) {
    if ((flags & n.bit) != 0) s += n.c;
  }
  return s.empty() ? std::string("none") : s;
}

namespace {

// Whether two byte ranges share any byte (std::less orders pointers into
// different objects too: the payload may or may not sit in the output buffer).
bool overlaps(ConstBytes a, ConstBytes b) noexcept {
  if (a.empty() || b.empty()) return false;
  const std::less<const std::uint8_t*> lt;
  return lt(a.data(), b.data() + b.size()) && lt(b.data(), a.data() + a.size());
}

}  // namespace

bool TcpPacket::verify_checksum(Ipv4Address src, Ipv4Address dst) const noexcept {
  const std::uint64_t pseudo = pseudo_header_sum(src, dst, kProtocolTcp, static_cast<std::uint32_t>(b_.size()));
  return checksum_fold(checksum_partial(b_, pseudo)) == 0xffff;
}

void TcpRepr::emit(MutBytes out, ConstBytes payload, Ipv4Address src, Ipv4Address dst) const noexcept {
  const std::size_t hlen = header_len();
  SYNACK_ASSERT(out.size() == hlen + payload.size());
  store_be16(out, tcp_field::kSrcPort, src_port);
  store_be16(out, tcp_field::kDstPort, dst_port);
  store_be32(out, tcp_field::kSeq, seq.raw());
  store_be32(out, tcp_field::kAck, ack.raw());
  out[tcp_field::kDataOffset] = static_cast<std::uint8_t>(((hlen / 4) << 4) | ((flags >> 8) & 0x01));
  out[tcp_field::kFlags] = static_cast<std::uint8_t>(flags);
  store_be16(out, tcp_field::kWindow, window);
  store_be16(out, tcp_field::kChecksum, 0);
  store_be16(out, tcp_field::kUrgent, urgent);
  options.emit(out.subspan(tcp_field::kOptions, hlen - tcp_field::kMinHeaderLen));
  const std::uint64_t pseudo = pseudo_header_sum(src, dst, kProtocolTcp, static_cast<std::uint32_t>(out.size()));
  MutBytes body = out.subspan(hlen);
  std::uint64_t sum = checksum_partial(out.first(hlen), pseudo);  // hlen is a multiple of 4: sums chain
  if (!overlaps(body, payload)) {
    sum = checksum_copy(body, payload, sum);  // one pass: copied and summed
  } else {
    if (payload.data() != body.data()) std::memmove(body.data(), payload.data(), payload.size());
    sum = checksum_partial(body, sum);
  }
  store_be16(out, tcp_field::kChecksum, static_cast<std::uint16_t>(~checksum_fold(sum)));
}

}  // namespace synack::wire

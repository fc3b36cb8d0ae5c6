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

// The options as emitted (a multiple of 4 bytes, at most 40, zero padded):
// a few adds inline, where a call to the general loop costs more than the
// list itself, summed as native 32-bit words.
std::uint64_t options_sum(ConstBytes o) noexcept {
  std::uint64_t native = 0;
  for (std::size_t i = 0; i < o.size(); i += 4) {
    std::uint32_t w;
    std::memcpy(&w, o.data() + i, 4);
    native += w;
  }
  return checksum_fold_native(native);
}

}  // namespace

bool TcpPacket::verify_checksum(Ipv4Address src, Ipv4Address dst) const noexcept {
  const std::uint64_t pseudo = pseudo_header_sum(src, dst, kProtocolTcp, static_cast<std::uint32_t>(b_.size()));
  return checksum_fold(checksum_partial(b_, pseudo)) == 0xffff;
}

void TcpRepr::emit(MutBytes out, ConstBytes payload, Ipv4Address src, Ipv4Address dst) const noexcept {
  const std::size_t hlen = header_len();
  SYNACK_ASSERT(out.size() == hlen + payload.size());
  // Data offset, the AE bit and the eight other flags as one 16-bit word
  // (the three reserved bits zero).
  const auto offset_flags = static_cast<std::uint16_t>(((hlen / 4) << 12) | (flags & kTcpFlagsMask));
  store_be16(out, tcp_field::kSrcPort, src_port);
  store_be16(out, tcp_field::kDstPort, dst_port);
  store_be32(out, tcp_field::kSeq, seq.raw());
  store_be32(out, tcp_field::kAck, ack.raw());
  store_be16(out, tcp_field::kDataOffset, offset_flags);
  store_be16(out, tcp_field::kWindow, window);
  store_be16(out, tcp_field::kChecksum, 0);
  store_be16(out, tcp_field::kUrgent, urgent);
  const MutBytes opts = out.subspan(tcp_field::kOptions, hlen - tcp_field::kMinHeaderLen);
  options.emit(opts);
  // The header's share of the sum from the values just written, not read
  // back from the buffer: each 32-bit value counts as its two 16-bit words
  // once folded (2^16 = 1 in one's-complement arithmetic, RFC 1071 §2(A)).
  std::uint64_t sum = pseudo_header_sum(src, dst, kProtocolTcp, static_cast<std::uint32_t>(out.size()));
  sum += std::uint64_t{src_port} + dst_port + seq.raw() + ack.raw() + offset_flags + window + urgent;
  sum += options_sum(opts);
  if (!payload.empty()) {
    MutBytes body = out.subspan(hlen);
    if (!overlaps(body, payload)) {
      sum = checksum_copy(body, payload, sum);  // one pass: copied and summed
    } else {
      if (payload.data() != body.data()) std::memmove(body.data(), payload.data(), payload.size());
      sum = checksum_partial(body, sum);
    }
  }
  store_be16(out, tcp_field::kChecksum, static_cast<std::uint16_t>(~checksum_fold(sum)));
}

}  // namespace synack::wire

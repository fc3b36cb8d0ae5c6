#include "stack/wire/tcp.h"

#include <cstring>

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

ParseResult<TcpPacket> TcpPacket::checked(ConstBytes b) noexcept {
  if (b.size() < tcp_field::kMinHeaderLen) return Err{ParseError::Truncated};
  const std::size_t header_len = std::size_t{static_cast<std::uint8_t>(b[tcp_field::kDataOffset] >> 4)} * 4;
  // RFC 9293 §3.1: the data offset counts 32-bit words and the fixed header
  // alone is five of them.
  if (header_len < tcp_field::kMinHeaderLen) return Err{ParseError::BadLength};
  if (header_len > b.size()) return Err{ParseError::Truncated};
  return TcpPacket(b);
}

bool TcpPacket::verify_checksum(Ipv4Address src, Ipv4Address dst) const noexcept {
  const std::uint64_t pseudo = pseudo_header_sum(src, dst, kProtocolTcp, static_cast<std::uint32_t>(b_.size()));
  return checksum_fold(checksum_partial(b_, pseudo)) == 0xffff;
}

ParseResult<TcpRepr> TcpRepr::parse(const TcpPacket& p, Ipv4Address src, Ipv4Address dst,
                                    bool verify_checksum) noexcept {
  if (verify_checksum && !p.verify_checksum(src, dst)) return Err{ParseError::BadChecksum};
  auto options = TcpOptions::parse(p.options());
  if (!options) return Err{options.error()};
  return TcpRepr{.src_port = p.src_port(),
                 .dst_port = p.dst_port(),
                 .seq = p.seq(),
                 .ack = p.ack(),
                 .flags = p.flags(),
                 .window = p.window(),
                 .urgent = p.urgent(),
                 .options = *options};
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
  std::uint8_t* body = out.data() + hlen;
  if (!payload.empty() && payload.data() != body) std::memmove(body, payload.data(), payload.size());
  const std::uint64_t pseudo = pseudo_header_sum(src, dst, kProtocolTcp, static_cast<std::uint32_t>(out.size()));
  store_be16(out, tcp_field::kChecksum, checksum(out, pseudo));
}

}  // namespace synack::wire

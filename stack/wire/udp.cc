#include "stack/wire/udp.h"

#include <cstring>

#include "stack/base/assert.h"
#include "stack/wire/checksum.h"

namespace synack::wire {

namespace {
constexpr std::uint8_t kProtocolUdp = 17;  // IANA protocol number (RFC 768)
}  // namespace

ParseResult<UdpPacket> UdpPacket::checked(ConstBytes b) noexcept {
  if (b.size() < udp_field::kHeaderLen) return Err{ParseError::Truncated};
  const std::size_t len = load_be16(b, udp_field::kLength);
  // RFC 768: "Length is the length in octets of this user datagram including
  // this header and the data. (This means the minimum value of the length is
  // eight.)"
  if (len < udp_field::kHeaderLen) return Err{ParseError::BadLength};
  if (len > b.size()) return Err{ParseError::Truncated};
  return UdpPacket(b.first(len));
}

bool UdpPacket::verify_checksum(Ipv4Address src, Ipv4Address dst) const noexcept {
  if (checksum() == 0) return true;  // transmitter generated no checksum
  const std::uint64_t pseudo = pseudo_header_sum(src, dst, kProtocolUdp, length());
  return checksum_fold(checksum_partial(b_, pseudo)) == 0xffff;
}

ParseResult<UdpRepr> UdpRepr::parse(const UdpPacket& p, Ipv4Address src, Ipv4Address dst,
                                    bool verify_checksum) noexcept {
  if (verify_checksum && !p.verify_checksum(src, dst)) return Err{ParseError::BadChecksum};
  return UdpRepr{.src_port = p.src_port(), .dst_port = p.dst_port()};
}

void UdpRepr::emit(MutBytes out, ConstBytes payload, Ipv4Address src, Ipv4Address dst) const noexcept {
  SYNACK_ASSERT(out.size() == header_len() + payload.size());
  SYNACK_ASSERT(out.size() <= 0xffff);
  const auto len = static_cast<std::uint16_t>(out.size());
  store_be16(out, udp_field::kSrcPort, src_port);
  store_be16(out, udp_field::kDstPort, dst_port);
  store_be16(out, udp_field::kLength, len);
  store_be16(out, udp_field::kChecksum, 0);
  // The payload may already sit in place (built in the same buffer): skip the copy then.
  std::uint8_t* body = out.data() + udp_field::kHeaderLen;
  if (!payload.empty() && payload.data() != body) std::memmove(body, payload.data(), payload.size());
  std::uint16_t sum = checksum(out, pseudo_header_sum(src, dst, kProtocolUdp, len));
  // RFC 768: "If the computed checksum is zero, it is transmitted as all ones";
  // a zero field would mean "no checksum".
  if (sum == 0) sum = 0xffff;
  store_be16(out, udp_field::kChecksum, sum);
}

}  // namespace synack::wire

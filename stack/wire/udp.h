// UDP (RFC 768): a read-only view over a datagram and a value Repr.
// Contract (see error.h): UdpPacket::checked() is the only length check; after
// it succeeds every accessor stays in bounds and payload() is trimmed to the
// length field (bytes past it, e.g. Ethernet padding, are ignored).
// A checksum field of 0 means "no checksum" (RFC 768: "An all zero transmitted
// checksum value means that the transmitter generated no checksum"), so it
// always verifies. emit() always computes one and sends a computed 0 as 0xffff.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stack/base/bytes.h"
#include "stack/wire/address.h"
#include "stack/wire/error.h"

namespace synack::wire {

namespace udp_field {
inline constexpr std::size_t kSrcPort = 0;
inline constexpr std::size_t kDstPort = 2;
inline constexpr std::size_t kLength = 4;
inline constexpr std::size_t kChecksum = 6;
inline constexpr std::size_t kHeaderLen = 8;
}  // namespace udp_field

class UdpPacket {
 public:
  // Truncated if fewer than 8 bytes; BadLength if the length field is below 8;
  // Truncated if the length field exceeds the buffer.
  static ParseResult<UdpPacket> checked(ConstBytes b) noexcept;

  std::uint16_t src_port() const noexcept { return load_be16(b_, udp_field::kSrcPort); }
  std::uint16_t dst_port() const noexcept { return load_be16(b_, udp_field::kDstPort); }
  std::uint16_t length() const noexcept { return load_be16(b_, udp_field::kLength); }
  std::uint16_t checksum() const noexcept { return load_be16(b_, udp_field::kChecksum); }
  static constexpr std::size_t header_len() noexcept { return udp_field::kHeaderLen; }
  // Header plus payload, trimmed to the length field.
  ConstBytes bytes() const noexcept { return b_; }
  ConstBytes payload() const noexcept { return b_.subspan(udp_field::kHeaderLen); }

  // True if the checksum field is 0 (none sent) or the sum over the IPv4
  // pseudo header and the datagram verifies.
  bool verify_checksum(Ipv4Address src, Ipv4Address dst) const noexcept;

 private:
  explicit UdpPacket(ConstBytes b) noexcept : b_(b) {}
  ConstBytes b_;
};

struct UdpRepr {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;

  // BadChecksum if verify_checksum and the checksum does not verify.
  static ParseResult<UdpRepr> parse(const UdpPacket& p, Ipv4Address src, Ipv4Address dst,
                                    bool verify_checksum = true) noexcept;
  static constexpr std::size_t header_len() noexcept { return udp_field::kHeaderLen; }
  std::size_t buffer_len(std::size_t payload_len) const noexcept { return header_len() + payload_len; }
  // out.size() must equal header_len() + payload.size() (<= 65535).
  void emit(MutBytes out, ConstBytes payload, Ipv4Address src, Ipv4Address dst) const noexcept;

  bool operator==(const UdpRepr&) const = default;
};

}  // namespace synack::wire

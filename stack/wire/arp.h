// ARP (RFC 826) for Ethernet and IPv4, the only pairing synack speaks.
//
// Contract: ArpPacket::checked() is the only length check. It returns
//   Truncated    if fewer than the 8 fixed bytes, or fewer than 28 bytes;
//   Unsupported  if hardware type != 1 (Ethernet), protocol type != 0x0800,
//                hlen != 6 or plen != 4 (RFC 826 allows others; we do not
//                resolve them, so they are well-formed but not ours).
// Bytes after the 28-byte packet (Ethernet padding) are ignored.
// ArpRepr::parse returns Unsupported for operations other than request (1)
// and reply (2) (RARP 3/4 and InARP 8/9 are not handled).
#pragma once

#include <cstddef>
#include <cstdint>

#include "stack/base/bytes.h"
#include "stack/wire/address.h"
#include "stack/wire/error.h"

namespace synack::wire {

constexpr std::uint16_t kArpHardwareEthernet = 1;

namespace arp_field {
constexpr std::size_t kHardwareType = 0;
constexpr std::size_t kProtocolType = 2;
constexpr std::size_t kHardwareLen = 4;
constexpr std::size_t kProtocolLen = 5;
constexpr std::size_t kOperation = 6;
constexpr std::size_t kFixedLen = 8;
constexpr std::size_t kSenderHw = 8;
constexpr std::size_t kSenderIp = 14;
constexpr std::size_t kTargetHw = 18;
constexpr std::size_t kTargetIp = 24;
constexpr std::size_t kHeaderLen = 28;
}  // namespace arp_field

enum class ArpOperation : std::uint16_t { Request = 1, Reply = 2 };

// Read-only view of an Ethernet/IPv4 ARP packet.
class ArpPacket {
 public:
  static ParseResult<ArpPacket> checked(ConstBytes b) noexcept;

  std::uint16_t hardware_type() const noexcept;
  std::uint16_t protocol_type() const noexcept;
  std::uint8_t hardware_len() const noexcept;
  std::uint8_t protocol_len() const noexcept;
  std::uint16_t operation() const noexcept;  // raw value
  MacAddress sender_hw() const noexcept;
  Ipv4Address sender_ip() const noexcept;
  MacAddress target_hw() const noexcept;
  Ipv4Address target_ip() const noexcept;
  std::size_t header_len() const noexcept { return arp_field::kHeaderLen; }
  ConstBytes bytes() const noexcept { return b_.first(arp_field::kHeaderLen); }

 private:
  explicit ArpPacket(ConstBytes b) noexcept : b_(b) {}
  ConstBytes b_;
};

struct ArpRepr {
  ArpOperation operation = ArpOperation::Request;
  MacAddress sender_hw;
  Ipv4Address sender_ip;
  MacAddress target_hw;  // zero in requests (RFC 826 "don't care")
  Ipv4Address target_ip;

  static ParseResult<ArpRepr> parse(const ArpPacket& p) noexcept;
  std::size_t header_len() const noexcept { return arp_field::kHeaderLen; }
  std::size_t buffer_len() const noexcept { return arp_field::kHeaderLen; }
  // ARP has no payload: out.size() == 28.
  void emit(MutBytes out) const noexcept;
  bool operator==(const ArpRepr&) const = default;
};

}  // namespace synack::wire

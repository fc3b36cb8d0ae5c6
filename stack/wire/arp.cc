#include "stack/wire/arp.h"

#include <algorithm>

#include "stack/base/assert.h"
#include "stack/wire/ethernet.h"

namespace synack::wire {
namespace {

using namespace arp_field;

}  // namespace

ParseResult<ArpPacket> ArpPacket::checked(ConstBytes b) noexcept {
  if (b.size() < kFixedLen) return Err{ParseError::Truncated};
  // RFC 826: ar$hrd, ar$pro, ar$hln, ar$pln decide the layout of the rest.
  if (load_be16(b, kHardwareType) != kArpHardwareEthernet ||
      load_be16(b, kProtocolType) != kEtherTypeIpv4 || b[kHardwareLen] != 6 || b[kProtocolLen] != 4) {
    return Err{ParseError::Unsupported};
  }
  if (b.size() < kHeaderLen) return Err{ParseError::Truncated};
  return ArpPacket(b);
}

std::uint16_t ArpPacket::hardware_type() const noexcept { return load_be16(b_, kHardwareType); }
std::uint16_t ArpPacket::protocol_type() const noexcept { return load_be16(b_, kProtocolType); }
std::uint8_t ArpPacket::hardware_len() const noexcept { return b_[kHardwareLen]; }
std::uint8_t ArpPacket::protocol_len() const noexcept { return b_[kProtocolLen]; }
std::uint16_t ArpPacket::operation() const noexcept { return load_be16(b_, kOperation); }
MacAddress ArpPacket::sender_hw() const noexcept { return load_mac(b_, kSenderHw); }
Ipv4Address ArpPacket::sender_ip() const noexcept { return {load_be32(b_, kSenderIp)}; }
MacAddress ArpPacket::target_hw() const noexcept { return load_mac(b_, kTargetHw); }
Ipv4Address ArpPacket::target_ip() const noexcept { return {load_be32(b_, kTargetIp)}; }

ParseResult<ArpRepr> ArpRepr::parse(const ArpPacket& p) noexcept {
  std::uint16_t op = p.operation();
  if (op != static_cast<std::uint16_t>(ArpOperation::Request) &&
      op != static_cast<std::uint16_t>(ArpOperation::Reply)) {
    return Err{ParseError::Unsupported};
  }
  return ArpRepr{static_cast<ArpOperation>(op), p.sender_hw(), p.sender_ip(), p.target_hw(),
                 p.target_ip()};
}

void ArpRepr::emit(MutBytes out) const noexcept {
  SYNACK_ASSERT(out.size() == kHeaderLen);
  store_be16(out, kHardwareType, kArpHardwareEthernet);
  store_be16(out, kProtocolType, kEtherTypeIpv4);
  out[kHardwareLen] = 6;
  out[kProtocolLen] = 4;
  store_be16(out, kOperation, static_cast<std::uint16_t>(operation));
  store_mac(out, kSenderHw, sender_hw);
  store_be32(out, kSenderIp, sender_ip.value);
  store_mac(out, kTargetHw, target_hw);
  store_be32(out, kTargetIp, target_ip.value);
}

}  // namespace synack::wire

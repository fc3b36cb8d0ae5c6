#include "stack/wire/icmpv4.h"

#include <algorithm>

#include "stack/base/assert.h"
#include "stack/wire/checksum.h"

namespace synack::wire {
namespace {

using namespace icmpv4_field;

// Maps (type, code, rest) to a typed message when the code is one we name.
Icmpv4Message decode(std::uint8_t type, std::uint8_t code, std::uint32_t rest) noexcept {
  auto hi16 = static_cast<std::uint16_t>(rest >> 16);
  auto lo16 = static_cast<std::uint16_t>(rest);
  switch (type) {
    case kIcmpv4EchoRequest:
      if (code == 0) return Icmpv4EchoRequest{hi16, lo16};
      break;
    case kIcmpv4EchoReply:
      if (code == 0) return Icmpv4EchoReply{hi16, lo16};
      break;
    case kIcmpv4DestUnreachable:
      if (code <= 15) return Icmpv4DestUnreachable{static_cast<Icmpv4UnreachableCode>(code), lo16};
      break;
    case kIcmpv4TimeExceeded:
      if (code <= 1) return Icmpv4TimeExceeded{static_cast<Icmpv4TimeExceededCode>(code)};
      break;
    case kIcmpv4ParamProblem:
      if (code <= kIcmpv4ParamBadLength) return Icmpv4ParamProblem{code, static_cast<std::uint8_t>(rest >> 24)};
      break;
    case kIcmpv4Redirect:
      if (code <= 3) return Icmpv4RedirectMsg{static_cast<Icmpv4RedirectCode>(code), Ipv4Address{rest}};
      break;
    default:
      break;
  }
  return Icmpv4Other{type, code, rest};
}

struct Fields {
  std::uint8_t type, code;
  std::uint32_t rest;
};

Fields encode(const Icmpv4Message& m) noexcept {
  struct Visitor {
    Fields operator()(const Icmpv4EchoRequest& e) const {
      return {kIcmpv4EchoRequest, 0, (std::uint32_t{e.ident} << 16) | e.seq};
    }
    Fields operator()(const Icmpv4EchoReply& e) const {
      return {kIcmpv4EchoReply, 0, (std::uint32_t{e.ident} << 16) | e.seq};
    }
    Fields operator()(const Icmpv4DestUnreachable& u) const {
      return {kIcmpv4DestUnreachable, static_cast<std::uint8_t>(u.code), u.next_hop_mtu};
    }
    Fields operator()(const Icmpv4TimeExceeded& t) const {
      return {kIcmpv4TimeExceeded, static_cast<std::uint8_t>(t.code), 0};
    }
    Fields operator()(const Icmpv4ParamProblem& p) const {
      return {kIcmpv4ParamProblem, p.code, std::uint32_t{p.pointer} << 24};
    }
    Fields operator()(const Icmpv4RedirectMsg& r) const {
      return {kIcmpv4Redirect, static_cast<std::uint8_t>(r.code), r.gateway.value};
    }
    Fields operator()(const Icmpv4Other& o) const { return {o.type, o.code, o.rest}; }
  };
  return std::visit(Visitor{}, m);
}

}  // namespace

ParseResult<Icmpv4Packet> Icmpv4Packet::checked(ConstBytes b) noexcept {
  if (b.size() < kHeaderLen) return Err{ParseError::Truncated};
  return Icmpv4Packet(b);
}

bool Icmpv4Packet::verify_checksum() const noexcept { return wire::checksum(b_) == 0; }

ParseResult<Icmpv4Repr> Icmpv4Repr::parse(const Icmpv4Packet& p, bool verify_checksum) noexcept {
  if (verify_checksum && !p.verify_checksum()) return Err{ParseError::BadChecksum};
  return Icmpv4Repr{decode(p.type(), p.code(), p.rest_of_header()), p.data()};
}

std::uint8_t Icmpv4Repr::type() const noexcept { return encode(message).type; }
std::uint8_t Icmpv4Repr::code() const noexcept { return encode(message).code; }
std::uint32_t Icmpv4Repr::rest_of_header() const noexcept { return encode(message).rest; }

bool Icmpv4Repr::is_error() const noexcept {
  switch (type()) {
    case kIcmpv4DestUnreachable:
    case kIcmpv4SourceQuench:
    case kIcmpv4Redirect:
    case kIcmpv4TimeExceeded:
    case kIcmpv4ParamProblem:
      return true;
    default:
      return false;
  }
}

ParseResult<Ipv4Packet> Icmpv4Repr::quoted_ipv4() const noexcept {
  if (!is_error()) return Err{ParseError::Unsupported};
  return Ipv4Packet::checked_quoted(data);
}

void Icmpv4Repr::emit(MutBytes out, ConstBytes payload) const noexcept {
  SYNACK_ASSERT(out.size() == kHeaderLen + payload.size());
  Fields f = encode(message);
  out[kType] = f.type;
  out[kCode] = f.code;
  store_be16(out, kChecksum, 0);
  store_be32(out, kRest, f.rest);
  std::copy(payload.begin(), payload.end(), out.begin() + kHeaderLen);
  store_be16(out, kChecksum, checksum(out));
}

bool Icmpv4Repr::operator==(const Icmpv4Repr& o) const noexcept {
  return message == o.message && std::ranges::equal(data, o.data);
}

}  // namespace synack::wire

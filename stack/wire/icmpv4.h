// ICMPv4 (RFC 792; RFC 1191 for the next-hop MTU; RFC 1812 §4.3.2.3 for
// longer quotes).
//
// Contract: Icmpv4Packet::checked() only needs the 8-byte header (Truncated
// otherwise); the view spans the whole ICMP message, i.e. the IPv4 payload.
// Icmpv4Repr::parse() returns BadChecksum when asked to verify; it never
// rejects a type or code. A message is mapped to a typed struct only when its
// code is one we name (echo: 0; unreachable: 0..15; time exceeded: 0..1;
// parameter problem: 0..2; redirect: 0..3); anything else, including source
// quench (type 4, deprecated by RFC 6633), becomes Icmpv4Other with the raw
// type, code and rest-of-header word, so nothing is lost.
// Unused bits of the rest-of-header word of typed errors are ignored on
// parse and written as zero on emit (RFC 4884 extension lengths are not
// supported). For destination unreachable the low 16 bits are kept as
// next_hop_mtu whatever the code (RFC 1191 gives them meaning for code 4).
// Repr::data borrows the bytes after the header: the echo payload, or the
// quoted original datagram of an error message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <variant>

#include "stack/base/bytes.h"
#include "stack/wire/address.h"
#include "stack/wire/error.h"
#include "stack/wire/ipv4.h"

namespace synack::wire {

// Message types (RFC 792).
constexpr std::uint8_t kIcmpv4EchoReply = 0;
constexpr std::uint8_t kIcmpv4DestUnreachable = 3;
constexpr std::uint8_t kIcmpv4SourceQuench = 4;
constexpr std::uint8_t kIcmpv4Redirect = 5;
constexpr std::uint8_t kIcmpv4EchoRequest = 8;
constexpr std::uint8_t kIcmpv4TimeExceeded = 11;
constexpr std::uint8_t kIcmpv4ParamProblem = 12;

// Destination unreachable codes (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1).
enum class Icmpv4UnreachableCode : std::uint8_t {
  NetUnreachable = 0,
  HostUnreachable = 1,
  ProtocolUnreachable = 2,
  PortUnreachable = 3,
  FragNeeded = 4,  // DF set; next-hop MTU in the low 16 bits (RFC 1191 §4)
  SourceRouteFailed = 5,
  DestNetUnknown = 6,
  DestHostUnknown = 7,
  SourceHostIsolated = 8,
  NetProhibited = 9,
  HostProhibited = 10,
  NetUnreachableForTos = 11,
  HostUnreachableForTos = 12,
  CommProhibited = 13,
  HostPrecedenceViolation = 14,
  PrecedenceCutoff = 15,
};
enum class Icmpv4TimeExceededCode : std::uint8_t { TtlExceeded = 0, FragReassembly = 1 };
enum class Icmpv4RedirectCode : std::uint8_t { Net = 0, Host = 1, TosNet = 2, TosHost = 3 };
// Parameter problem codes: 0 pointer indicates the error, 1 missing a
// required option (RFC 1108), 2 bad length (RFC 1812 §5.2.7.3).
constexpr std::uint8_t kIcmpv4ParamPointer = 0;
constexpr std::uint8_t kIcmpv4ParamMissingOption = 1;
constexpr std::uint8_t kIcmpv4ParamBadLength = 2;

namespace icmpv4_field {
constexpr std::size_t kType = 0;
constexpr std::size_t kCode = 1;
constexpr std::size_t kChecksum = 2;
constexpr std::size_t kRest = 4;      // rest-of-header word
constexpr std::size_t kIdent = 4;     // echo
constexpr std::size_t kSeq = 6;       // echo
constexpr std::size_t kPointer = 4;   // parameter problem
constexpr std::size_t kGateway = 4;   // redirect
constexpr std::size_t kMtu = 6;       // unreachable, frag needed
constexpr std::size_t kHeaderLen = 8;
}  // namespace icmpv4_field

// Read-only view of an ICMPv4 message.
class Icmpv4Packet {
 public:
  static ParseResult<Icmpv4Packet> checked(ConstBytes b) noexcept;

  std::uint8_t type() const noexcept { return b_[icmpv4_field::kType]; }
  std::uint8_t code() const noexcept { return b_[icmpv4_field::kCode]; }
  std::uint16_t checksum() const noexcept { return load_be16(b_, icmpv4_field::kChecksum); }
  std::uint32_t rest_of_header() const noexcept { return load_be32(b_, icmpv4_field::kRest); }
  std::uint16_t echo_ident() const noexcept { return load_be16(b_, icmpv4_field::kIdent); }
  std::uint16_t echo_seq() const noexcept { return load_be16(b_, icmpv4_field::kSeq); }
  std::uint8_t pointer() const noexcept { return b_[icmpv4_field::kPointer]; }
  Ipv4Address gateway() const noexcept { return {load_be32(b_, icmpv4_field::kGateway)}; }
  std::uint16_t next_hop_mtu() const noexcept { return load_be16(b_, icmpv4_field::kMtu); }
  std::size_t header_len() const noexcept { return icmpv4_field::kHeaderLen; }
  ConstBytes data() const noexcept { return b_.subspan(icmpv4_field::kHeaderLen); }
  ConstBytes bytes() const noexcept { return b_; }
  // The checksum covers the whole message (RFC 792).
  bool verify_checksum() const noexcept;

 private:
  explicit Icmpv4Packet(ConstBytes b) noexcept : b_(b) {}
  ConstBytes b_;
};

struct Icmpv4EchoRequest {
  std::uint16_t ident = 0;
  std::uint16_t seq = 0;
  bool operator==(const Icmpv4EchoRequest&) const = default;
};
struct Icmpv4EchoReply {
  std::uint16_t ident = 0;
  std::uint16_t seq = 0;
  bool operator==(const Icmpv4EchoReply&) const = default;
};
struct Icmpv4DestUnreachable {
  Icmpv4UnreachableCode code = Icmpv4UnreachableCode::PortUnreachable;
  std::uint16_t next_hop_mtu = 0;  // meaningful for FragNeeded; otherwise 0
  bool operator==(const Icmpv4DestUnreachable&) const = default;
};
struct Icmpv4TimeExceeded {
  Icmpv4TimeExceededCode code = Icmpv4TimeExceededCode::TtlExceeded;
  bool operator==(const Icmpv4TimeExceeded&) const = default;
};
struct Icmpv4ParamProblem {
  std::uint8_t code = kIcmpv4ParamPointer;
  std::uint8_t pointer = 0;  // octet of the quoted header where the error was found
  bool operator==(const Icmpv4ParamProblem&) const = default;
};
struct Icmpv4RedirectMsg {
  Icmpv4RedirectCode code = Icmpv4RedirectCode::Host;
  Ipv4Address gateway;
  bool operator==(const Icmpv4RedirectMsg&) const = default;
};
// Any other type, or a named type with a code we do not name. It must not
// hold a (type, code) pair that has a typed struct above, or it parses back
// as that struct.
struct Icmpv4Other {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint32_t rest = 0;
  bool operator==(const Icmpv4Other&) const = default;
};

using Icmpv4Message = std::variant<Icmpv4EchoRequest, Icmpv4EchoReply, Icmpv4DestUnreachable,
                                   Icmpv4TimeExceeded, Icmpv4ParamProblem, Icmpv4RedirectMsg,
                                   Icmpv4Other>;

struct Icmpv4Repr {
  Icmpv4Message message;
  ConstBytes data;  // borrowed: echo payload or quoted datagram

  static ParseResult<Icmpv4Repr> parse(const Icmpv4Packet& p, bool verify_checksum = true) noexcept;
  std::uint8_t type() const noexcept;
  std::uint8_t code() const noexcept;
  std::uint32_t rest_of_header() const noexcept;
  // Error messages quote the offending datagram: unreachable, time exceeded,
  // parameter problem, redirect, and source quench.
  bool is_error() const noexcept;
  // The quoted datagram (header complete, payload possibly cut short);
  // Unsupported for messages that are not errors.
  ParseResult<Ipv4Packet> quoted_ipv4() const noexcept;

  std::size_t header_len() const noexcept { return icmpv4_field::kHeaderLen; }
  std::size_t buffer_len() const noexcept { return icmpv4_field::kHeaderLen + data.size(); }
  // out.size() == 8 + payload.size(); the checksum covers header + payload.
  void emit(MutBytes out, ConstBytes payload) const noexcept;
  // Same with payload = data.
  void emit(MutBytes out) const noexcept { emit(out, data); }
  // Compares data by content.
  bool operator==(const Icmpv4Repr& o) const noexcept;
};

}  // namespace synack::wire

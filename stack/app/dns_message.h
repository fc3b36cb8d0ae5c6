// DNS messages (RFC 1035 §4): the header, questions and resource records,
// domain names with message compression (§4.1.4), parsing and emitting.
//
// Contract:
// - DnsMessage::parse() accepts any bytes and never asserts or throws: bad
//   input gives a DnsError naming the reason. A compression pointer must point
//   before the run of labels it ends (so each jump lands strictly lower
//   than the last and no loop can be built), a name may follow at most
//   kMaxPointerJumps pointers, a name's wire form is at most 255 bytes
//   and a label at most 63 (§2.3.4). Trailing bytes after the last record are
//   an error, so every message has one wire form up to compression.
// - A and CNAME RDATA are decoded; every other type is kept as the raw RDATA
//   bytes. Raw RDATA of types that embed names (NS, PTR, MX, SOA, ...) may
//   hold compression pointers relative to the original message: they are
//   opaque here and re-emitted verbatim, so parse(emit(m)) == m holds even
//   though such bytes are only meaningful inside the original message.
// - DnsName holds labels as raw bytes (a label may contain '.'); it can only
//   be built valid, so emitting a message fails only on counts or RDATA
//   lengths that do not fit their 16-bit fields.
// - Names compare case-sensitively with ==; same_name() is the DNS
//   comparison (ASCII case-insensitive, RFC 4343).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stack/base/bytes.h"
#include "stack/base/result.h"
#include "stack/wire/address.h"

namespace synack::app {

enum class DnsError : std::uint8_t {
  Truncated,      // the message ends inside a field
  BadPointer,     // compression pointer forwards or outside the message
  PointerLoop,    // pointer to itself, or more than kMaxPointerJumps jumps
  LabelTooLong,   // label over 63 bytes (text input)
  EmptyLabel,     // "a..b" or a leading dot (text input)
  NameTooLong,    // wire form over 255 bytes
  BadLabelType,   // label type bits 01 or 10 (RFC 6891 / obsolete RFC 2673)
  BadCounts,      // the section counts cannot fit in the remaining bytes
  BadRdata,       // A RDATA not 4 bytes, CNAME RDATA not exactly one name
  TrailingBytes,  // bytes left after the last record
  TooLarge,       // emitting: a count or RDATA length does not fit 16 bits
};

std::string_view to_string(DnsError e) noexcept;

// RFC 1035 §3.2.2 / §3.2.4 and later registries (only those we name).
namespace dns_type {
constexpr std::uint16_t kA = 1;
constexpr std::uint16_t kNs = 2;
constexpr std::uint16_t kCname = 5;
constexpr std::uint16_t kSoa = 6;
constexpr std::uint16_t kPtr = 12;
constexpr std::uint16_t kMx = 15;
constexpr std::uint16_t kTxt = 16;
constexpr std::uint16_t kAaaa = 28;
constexpr std::uint16_t kAny = 255;  // QTYPE only
}  // namespace dns_type
constexpr std::uint16_t kDnsClassIn = 1;

// RFC 1035 §4.1.1 RCODE values.
namespace dns_rcode {
constexpr std::uint8_t kNoError = 0;
constexpr std::uint8_t kFormErr = 1;
constexpr std::uint8_t kServFail = 2;
constexpr std::uint8_t kNxDomain = 3;
constexpr std::uint8_t kNotImp = 4;
constexpr std::uint8_t kRefused = 5;
}  // namespace dns_rcode

constexpr std::size_t kDnsHeaderLen = 12;
constexpr std::size_t kMaxNameLen = 255;   // RFC 1035 §2.3.4, wire form
constexpr std::size_t kMaxLabelLen = 63;   // RFC 1035 §2.3.4
constexpr int kMaxPointerJumps = 64;       // a name has at most 127 labels; no sane encoder chains this far
constexpr std::size_t kMaxUdpMessage = 512;  // RFC 1035 §4.2.1 without EDNS

class DnsName {
 public:
  DnsName() = default;  // the root
  // Dotted text ("www.example.com", a trailing dot allowed; "." or "" is the
  // root). No escapes: a label cannot hold '.' when built from text.
  static Result<DnsName, DnsError> from_text(std::string_view text);
  static Result<DnsName, DnsError> from_labels(std::vector<std::string> labels);

  const std::vector<std::string>& labels() const noexcept { return labels_; }
  bool is_root() const noexcept { return labels_.empty(); }
  // Wire length uncompressed: length octets, labels and the root octet.
  std::size_t wire_len() const noexcept;
  // Dotted text without the trailing dot ("." for the root); '.' and '\'
  // inside labels and bytes outside printable ASCII are escaped (\. \\ \DDD).
  std::string to_text() const;
  // ASCII-lowercased copy, for case-insensitive keys.
  DnsName lowered() const;

  bool operator==(const DnsName&) const = default;
  auto operator<=>(const DnsName&) const = default;

 private:
  std::vector<std::string> labels_;
};

// RFC 4343: ASCII letters compare case-insensitively, everything else exactly.
bool same_name(const DnsName& a, const DnsName& b) noexcept;

struct DnsHeader {
  std::uint16_t id = 0;
  bool qr = false;  // response
  std::uint8_t opcode = 0;  // 4 bits
  bool aa = false;
  bool tc = false;
  bool rd = false;
  bool ra = false;
  std::uint8_t z = 0;  // 3 bits (AD/CD in RFC 4035); kept for round trips
  std::uint8_t rcode = 0;  // 4 bits
  bool operator==(const DnsHeader&) const = default;
};

struct DnsQuestion {
  DnsName name;
  std::uint16_t qtype = dns_type::kA;
  std::uint16_t qclass = kDnsClassIn;
  bool operator==(const DnsQuestion&) const = default;
};

struct DnsRawRdata {
  Bytes bytes;
  bool operator==(const DnsRawRdata&) const = default;
};
using DnsRdata = std::variant<DnsRawRdata, wire::Ipv4Address, DnsName>;  // raw, A, CNAME target

struct DnsRecord {
  DnsName name;
  std::uint16_t type = dns_type::kA;
  std::uint16_t rclass = kDnsClassIn;
  std::uint32_t ttl = 0;
  DnsRdata data;  // Ipv4Address iff type A (class IN); DnsName iff CNAME

  static DnsRecord a(DnsName name, wire::Ipv4Address addr, std::uint32_t ttl);
  static DnsRecord cname(DnsName name, DnsName target, std::uint32_t ttl);
  const wire::Ipv4Address* address() const noexcept { return std::get_if<wire::Ipv4Address>(&data); }
  const DnsName* target() const noexcept { return std::get_if<DnsName>(&data); }
  bool operator==(const DnsRecord&) const = default;
};

struct DnsMessage {
  DnsHeader header;
  std::vector<DnsQuestion> questions;
  std::vector<DnsRecord> answers;
  std::vector<DnsRecord> authority;
  std::vector<DnsRecord> additional;

  static Result<DnsMessage, DnsError> parse(ConstBytes bytes);
  // The wire form with names compressed against earlier names (exact-case
  // suffix matches only, so the case of every name survives a round trip).
  Result<Bytes, DnsError> emit() const;
  bool operator==(const DnsMessage&) const = default;
};

// A standard query (opcode 0) with RD set and one question (RFC 1035 §4.1).
DnsMessage make_query(std::uint16_t id, DnsName name, std::uint16_t qtype = dns_type::kA);
// A response header for `query`: same ID, opcode and RD, QR set, the given
// RCODE; the question is echoed.
DnsMessage make_response(const DnsMessage& query, std::uint8_t rcode);

// Reads the header alone (for answering FORMERR to a message that does not
// parse); nullopt when shorter than 12 bytes.
std::optional<DnsHeader> peek_header(ConstBytes bytes) noexcept;

}  // namespace synack::app

// IPv4 header (RFC 791 §3.1).
//
// Contract: Ipv4Packet::checked() is the only length check, in this order:
//   Truncated   fewer than 20 bytes;
//   BadVersion  version != 4, or IHL < 5 (error.h files IHL under version:
//               a header that cannot hold its own fixed part);
//   Truncated   fewer bytes than IHL * 4;
//   BadLength   total length < IHL * 4;
//   Truncated   total length > the buffer (checked() only).
// checked_quoted() is for the datagram quoted in an ICMP error (RFC 792,
// RFC 1812 §4.3.2.3): the header must be complete, but the payload may be cut
// short, so payload() then holds what is present (is_truncated() says so).
// payload() is trimmed to the total length, which drops Ethernet padding.
// Ipv4Repr::parse() returns BadChecksum (when asked to verify) and BadOption
// for a malformed option list. The reserved flag bit (RFC 791 "must be zero")
// is visible on the view but not kept in the Repr; emit writes it as zero.
// The receive-path functions (checked(), verify_checksum(), Ipv4Repr::parse)
// are inline below so the Repr is built in place in the caller's Result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "stack/base/bytes.h"
#include "stack/wire/address.h"
#include "stack/wire/checksum.h"
#include "stack/wire/error.h"
#include "stack/wire/ipv4_options.h"

namespace synack::wire {

constexpr std::uint8_t kIpProtoIcmp = 1;
constexpr std::uint8_t kIpProtoTcp = 6;
constexpr std::uint8_t kIpProtoUdp = 17;

namespace ipv4_field {
constexpr std::size_t kVersionIhl = 0;
constexpr std::size_t kTos = 1;  // DSCP (6 bits) + ECN (2 bits), RFC 2474 / RFC 3168
constexpr std::size_t kTotalLen = 2;
constexpr std::size_t kIdent = 4;
constexpr std::size_t kFlagsFrag = 6;  // reserved, DF, MF, 13-bit offset in 8-byte units
constexpr std::size_t kTtl = 8;
constexpr std::size_t kProtocol = 9;
constexpr std::size_t kChecksum = 10;
constexpr std::size_t kSrc = 12;
constexpr std::size_t kDst = 16;
constexpr std::size_t kOptions = 20;
constexpr std::size_t kMinHeaderLen = 20;
constexpr std::size_t kMaxHeaderLen = 60;
constexpr std::uint16_t kFlagReserved = 0x8000;
constexpr std::uint16_t kFlagDf = 0x4000;
constexpr std::uint16_t kFlagMf = 0x2000;
constexpr std::uint16_t kFragOffsetMask = 0x1fff;
}  // namespace ipv4_field

constexpr std::size_t kIpv4MaxTotalLen = 65535;

// Read-only view of an IPv4 datagram.
class Ipv4Packet {
 public:
  static ParseResult<Ipv4Packet> checked(ConstBytes b) noexcept;
  static ParseResult<Ipv4Packet> checked_quoted(ConstBytes b) noexcept;

  std::uint8_t version() const noexcept { return b_[ipv4_field::kVersionIhl] >> 4; }
  std::uint8_t ihl() const noexcept { return b_[ipv4_field::kVersionIhl] & 0x0f; }  // words
  std::size_t header_len() const noexcept { return std::size_t{ihl()} * 4; }
  std::uint8_t tos() const noexcept { return b_[ipv4_field::kTos]; }
  std::uint8_t dscp() const noexcept { return tos() >> 2; }
  std::uint8_t ecn() const noexcept { return tos() & 0x3; }
  std::uint16_t total_length() const noexcept { return load_be16(b_, ipv4_field::kTotalLen); }
  std::uint16_t ident() const noexcept { return load_be16(b_, ipv4_field::kIdent); }
  std::uint16_t flags_frag_raw() const noexcept { return load_be16(b_, ipv4_field::kFlagsFrag); }
  bool reserved_flag() const noexcept { return (flags_frag_raw() & ipv4_field::kFlagReserved) != 0; }
  bool dont_frag() const noexcept { return (flags_frag_raw() & ipv4_field::kFlagDf) != 0; }
  bool more_frags() const noexcept { return (flags_frag_raw() & ipv4_field::kFlagMf) != 0; }
  // In bytes (the field counts 8-byte units).
  std::uint32_t frag_offset() const noexcept {
    return std::uint32_t{static_cast<std::uint16_t>(flags_frag_raw() & ipv4_field::kFragOffsetMask)} * 8;
  }
  std::uint8_t ttl() const noexcept { return b_[ipv4_field::kTtl]; }
  std::uint8_t protocol() const noexcept { return b_[ipv4_field::kProtocol]; }
  std::uint16_t checksum() const noexcept { return load_be16(b_, ipv4_field::kChecksum); }
  Ipv4Address src() const noexcept { return {load_be32(b_, ipv4_field::kSrc)}; }
  Ipv4Address dst() const noexcept { return {load_be32(b_, ipv4_field::kDst)}; }
  ConstBytes header() const noexcept { return b_.first(header_len()); }
  ConstBytes options() const noexcept {
    return b_.subspan(ipv4_field::kOptions, header_len() - ipv4_field::kOptions);
  }
  // Bytes after the header up to the total length (or the buffer end, when quoted).
  ConstBytes payload() const noexcept { return b_.subspan(header_len(), payload_present_); }
  // The datagram up to its total length (or what is present, when quoted).
  ConstBytes bytes() const noexcept { return b_.first(header_len() + payload_present_); }
  // True only for a quoted datagram cut short of its total length.
  bool is_truncated() const noexcept { return header_len() + payload_present_ < total_length(); }
  bool verify_checksum() const noexcept;

 private:
  Ipv4Packet(ConstBytes b, std::size_t payload_present) noexcept
      : b_(b), payload_present_(payload_present) {}
  static ParseResult<Ipv4Packet> check(ConstBytes b, bool allow_cut) noexcept;
  bool verify_checksum_slow() const noexcept;
  ConstBytes b_;
  std::size_t payload_present_ = 0;
};

struct Ipv4Repr {
  Ipv4Address src;
  Ipv4Address dst;
  std::uint8_t protocol = 0;
  std::uint8_t ttl = 64;
  std::uint8_t tos = 0;  // dscp << 2 | ecn
  std::uint16_t ident = 0;
  bool dont_frag = false;
  bool more_frags = false;
  std::uint16_t frag_offset = 0;  // bytes, a multiple of 8, at most 65528
  std::uint16_t payload_len = 0;  // total length - header length
  Ipv4Options options;            // padded to a word on emit (see Ipv4Options::pad)

  static ParseResult<Ipv4Repr> parse(const Ipv4Packet& p, bool verify_checksum = true) noexcept;
  std::uint8_t dscp() const noexcept { return tos >> 2; }
  std::uint8_t ecn() const noexcept { return tos & 0x3; }
  // 20 + options padded to a 32-bit word (zero bytes, i.e. EOL).
  std::size_t header_len() const noexcept { return ipv4_field::kMinHeaderLen + options.padded_size(); }
  std::size_t buffer_len() const noexcept { return header_len() + payload_len; }
  // Writes the header (total length = header_len() + payload_len, checksum
  // filled) and copies `payload` after it. out.size() == header_len() +
  // payload.size(); payload may be empty (header only) or payload_len bytes.
  void emit(MutBytes out, ConstBytes payload) const noexcept;
  bool operator==(const Ipv4Repr&) const = default;

 private:
  void emit_min(MutBytes out, ConstBytes payload) const noexcept;
};

inline ParseResult<Ipv4Packet> Ipv4Packet::check(ConstBytes b, bool allow_cut) noexcept {
  using namespace ipv4_field;
  if (b.size() < kMinHeaderLen) return Err{ParseError::Truncated};
  if ((b[kVersionIhl] >> 4) != 4) return Err{ParseError::BadVersion};
  const std::size_t hl = std::size_t{static_cast<std::uint8_t>(b[kVersionIhl] & 0x0f)} * 4;
  if (hl < kMinHeaderLen) return Err{ParseError::BadVersion};
  if (b.size() < hl) return Err{ParseError::Truncated};
  std::size_t total = load_be16(b, kTotalLen);
  if (total < hl) return Err{ParseError::BadLength};
  if (total > b.size()) {
    if (!allow_cut) return Err{ParseError::Truncated};
    total = b.size();
  }
  return Ipv4Packet(b, total - hl);
}

inline ParseResult<Ipv4Packet> Ipv4Packet::checked(ConstBytes b) noexcept { return check(b, false); }
inline ParseResult<Ipv4Packet> Ipv4Packet::checked_quoted(ConstBytes b) noexcept { return check(b, true); }

// The one's-complement sum of a 20-byte header (no options) as its five
// 32-bit words in native byte order, folded to 16 bits: the byte-swapped
// network-order sum on a little-endian machine (RFC 1071 §2(B)). Both the
// receive check and emit use it instead of the general checksum loop, which
// costs several times more for so few bytes.
inline std::uint16_t ipv4_min_header_native_sum(const std::uint8_t* header) noexcept {
  std::uint64_t sum = 0;
  for (std::size_t off = 0; off < ipv4_field::kMinHeaderLen; off += 4) {
    std::uint32_t w;
    std::memcpy(&w, header + off, 4);
    sum += w;
  }
  return checksum_fold(sum);
}

// RFC 791: "the 16 bit one's complement of the one's complement sum of all
// 16 bit words in the header"; summing a correct header gives all ones, the
// same in either byte order.
inline bool Ipv4Packet::verify_checksum() const noexcept {
  if (header_len() != ipv4_field::kMinHeaderLen) return verify_checksum_slow();
  return ipv4_min_header_native_sum(b_.data()) == 0xffff;
}

inline ParseResult<Ipv4Repr> Ipv4Repr::parse(const Ipv4Packet& p, bool verify_checksum) noexcept {
  // Filled in place and returned by name, so no Ipv4Repr is copied.
  ParseResult<Ipv4Repr> out{Ipv4Repr{}};
  if (verify_checksum && !p.verify_checksum()) {
    out = Err{ParseError::BadChecksum};
    return out;
  }
  Ipv4Repr& r = *out;
  r.src = p.src();
  r.dst = p.dst();
  r.protocol = p.protocol();
  r.ttl = p.ttl();
  r.tos = p.tos();
  r.ident = p.ident();
  r.dont_frag = p.dont_frag();
  r.more_frags = p.more_frags();
  r.frag_offset = static_cast<std::uint16_t>(p.frag_offset());
  r.payload_len = static_cast<std::uint16_t>(p.total_length() - p.header_len());
  if (auto o = r.options.assign(p.options()); !o) out = Err{o.error()};
  return out;
}

}  // namespace synack::wire

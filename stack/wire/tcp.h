// TCP header (RFC 9293 §3.1): a read-only view over a segment and a value Repr.
//
// Contract (see error.h): TcpPacket::checked() is the only length check; after
// it succeeds no accessor reads out of bounds. The view covers the whole
// segment as the IP layer delimited it (the pseudo-header length is
// bytes().size()). TcpRepr::parse fails only on a malformed option list
// (BadOption) or, when asked to verify, on a bad checksum (BadChecksum).
//
// Flags are a 16-bit value laid out like the 12-bit field after the data
// offset, as Wireshark's tcp.flags shows it: FIN is bit 0 ... CWR bit 7 and
// AE (Accurate ECN; the NS bit of RFC 3540) bit 8, taken from the low
// bit of byte 12. SYN-ACK is 0x0012. The three remaining reserved bits are
// ignored on receipt and sent as zero (RFC 9293 §3.1 "Rsrvd").
//
// checked() and TcpRepr::parse are defined inline below: they run once per
// received segment, and inlining lets the compiler build the Repr in place
// in the caller's Result (issue 2: the whole Ethernet/IPv4/TCP parse of a
// data segment in a few tens of ns).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "stack/base/bytes.h"
#include "stack/wire/address.h"
#include "stack/wire/error.h"
#include "stack/wire/seq_number.h"
#include "stack/wire/tcp_options.h"

namespace synack::wire {

namespace tcp_field {
inline constexpr std::size_t kSrcPort = 0;
inline constexpr std::size_t kDstPort = 2;
inline constexpr std::size_t kSeq = 4;
inline constexpr std::size_t kAck = 8;
inline constexpr std::size_t kDataOffset = 12;  // high nibble; low bit is AE
inline constexpr std::size_t kFlags = 13;
inline constexpr std::size_t kWindow = 14;
inline constexpr std::size_t kChecksum = 16;
inline constexpr std::size_t kUrgent = 18;
inline constexpr std::size_t kOptions = 20;
inline constexpr std::size_t kMinHeaderLen = 20;
inline constexpr std::size_t kMaxHeaderLen = 60;
}  // namespace tcp_field

inline constexpr std::uint16_t kTcpFin = 0x001;
inline constexpr std::uint16_t kTcpSyn = 0x002;
inline constexpr std::uint16_t kTcpRst = 0x004;
inline constexpr std::uint16_t kTcpPsh = 0x008;
inline constexpr std::uint16_t kTcpAck = 0x010;
inline constexpr std::uint16_t kTcpUrg = 0x020;
inline constexpr std::uint16_t kTcpEce = 0x040;
inline constexpr std::uint16_t kTcpCwr = 0x080;
inline constexpr std::uint16_t kTcpAe = 0x100;
inline constexpr std::uint16_t kTcpFlagsMask = 0x1ff;

// tcpdump/packetdrill spelling: FIN "F", SYN "S", RST "R", PSH "P", ACK ".",
// URG "U", ECE "E", CWR "W", AE "e", in that order, so SYN-ACK is "S." and
// RST-ACK "R."; no flags at all is "none".
std::string tcp_flags_to_string(std::uint16_t flags);

class TcpPacket {
 public:
  // Truncated if fewer than 20 bytes; BadLength if the data offset is below 5;
  // Truncated if the header (data offset * 4) exceeds the buffer.
  static ParseResult<TcpPacket> checked(ConstBytes b) noexcept;

  std::uint16_t src_port() const noexcept { return load_be16(b_, tcp_field::kSrcPort); }
  std::uint16_t dst_port() const noexcept { return load_be16(b_, tcp_field::kDstPort); }
  SeqNumber seq() const noexcept { return SeqNumber(load_be32(b_, tcp_field::kSeq)); }
  SeqNumber ack() const noexcept { return SeqNumber(load_be32(b_, tcp_field::kAck)); }
  std::uint8_t data_offset() const noexcept { return b_[tcp_field::kDataOffset] >> 4; }
  std::size_t header_len() const noexcept { return std::size_t{data_offset()} * 4; }
  std::uint16_t flags() const noexcept {
    return static_cast<std::uint16_t>(((b_[tcp_field::kDataOffset] & 0x01) << 8) | b_[tcp_field::kFlags]);
  }
  bool has(std::uint16_t flag) const noexcept { return (flags() & flag) != 0; }
  std::uint16_t window() const noexcept { return load_be16(b_, tcp_field::kWindow); }
  std::uint16_t checksum() const noexcept { return load_be16(b_, tcp_field::kChecksum); }
  std::uint16_t urgent() const noexcept { return load_be16(b_, tcp_field::kUrgent); }
  // The three reserved bits (byte 12 bits 1-3) as a value 0..7.
  std::uint8_t reserved() const noexcept { return (b_[tcp_field::kDataOffset] >> 1) & 0x07; }
  ConstBytes options() const noexcept {
    return b_.subspan(tcp_field::kOptions, header_len() - tcp_field::kMinHeaderLen);
  }
  ConstBytes payload() const noexcept { return b_.subspan(header_len()); }
  ConstBytes bytes() const noexcept { return b_; }

  // One's-complement sum over the IPv4 pseudo header and the whole segment.
  bool verify_checksum(Ipv4Address src, Ipv4Address dst) const noexcept;

 private:
  explicit TcpPacket(ConstBytes b) noexcept : b_(b) {}
  ConstBytes b_;
};

struct TcpRepr {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  SeqNumber seq{};
  SeqNumber ack{};
  std::uint16_t flags = 0;   // kTcp* bits (9 bits used)
  std::uint16_t window = 0;  // raw field, before any window scaling
  std::uint16_t urgent = 0;
  TcpOptions options{};

  static ParseResult<TcpRepr> parse(const TcpPacket& p, Ipv4Address src, Ipv4Address dst,
                                    bool verify_checksum = true) noexcept;
  // 20 + options padded to a multiple of 4 (at most 60).
  std::size_t header_len() const noexcept { return tcp_field::kMinHeaderLen + options.padded_size(); }
  std::size_t buffer_len(std::size_t payload_len) const noexcept { return header_len() + payload_len; }
  // out.size() must equal header_len() + payload.size(). Writes the header,
  // options plus zero (EOL) padding, the payload (skipped if it already sits
  // in place) and the checksum.
  void emit(MutBytes out, ConstBytes payload, Ipv4Address src, Ipv4Address dst) const noexcept;

  bool has(std::uint16_t flag) const noexcept { return (flags & flag) != 0; }
  // Sequence space the segment occupies: payload bytes plus one each for SYN
  // and FIN (RFC 9293 §3.4 SEG.LEN).
  std::uint32_t segment_len(std::size_t payload_len) const noexcept {
    return static_cast<std::uint32_t>(payload_len) + (has(kTcpSyn) ? 1u : 0u) + (has(kTcpFin) ? 1u : 0u);
  }

  bool operator==(const TcpRepr&) const = default;
};

inline ParseResult<TcpPacket> TcpPacket::checked(ConstBytes b) noexcept {
  if (b.size() < tcp_field::kMinHeaderLen) return Err{ParseError::Truncated};
  const std::size_t header_len = std::size_t{static_cast<std::uint8_t>(b[tcp_field::kDataOffset] >> 4)} * 4;
  // RFC 9293 §3.1: the data offset counts 32-bit words and the fixed header
  // alone is five of them.
  if (header_len < tcp_field::kMinHeaderLen) return Err{ParseError::BadLength};
  if (header_len > b.size()) return Err{ParseError::Truncated};
  return TcpPacket(b);
}

inline ParseResult<TcpRepr> TcpRepr::parse(const TcpPacket& p, Ipv4Address src, Ipv4Address dst,
                                           bool verify_checksum) noexcept {
  // Filled in place and returned by name, so no TcpRepr is copied.
  ParseResult<TcpRepr> out{TcpRepr{}};
  if (verify_checksum && !p.verify_checksum(src, dst)) {
    out = Err{ParseError::BadChecksum};
    return out;
  }
  TcpRepr& r = *out;
  r.src_port = p.src_port();
  r.dst_port = p.dst_port();
  r.seq = p.seq();
  r.ack = p.ack();
  r.flags = p.flags();
  r.window = p.window();
  r.urgent = p.urgent();
  if (auto o = r.options.assign(p.options()); !o) out = Err{o.error()};
  return out;
}

}  // namespace synack::wire

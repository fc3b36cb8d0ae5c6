// TCP options (RFC 9293 §3.1-3.2, RFC 7323, RFC 2018) as an ordered list.
//
// Contract:
// - TcpOptions keeps the option list exactly as it appears on the wire (up to
//   the 40 bytes a data offset of 15 allows), so emitting a parsed list gives
//   the same bytes back, NOPs, EOL and whatever follows an EOL included.
// - parse() validates the list once; accessors then scan it without checks
//   failing. Rejected with BadOption: a length byte below 2, an option running
//   past the end, wrong fixed lengths (MSS 4, window scale 3, SACK-permitted 2,
//   timestamps 10), SACK lengths other than 2 + 8n with n in 1..4.
// - A lone kind byte (not EOL/NOP) as the last byte of the option space is
//   BadOption, not Truncated: the option space length comes from the data
//   offset, which the header view already checked, so no bytes are missing —
//   the list itself is malformed.
// - Bytes after an EOL are padding. They are kept verbatim and never parsed
//   (RFC 9293 §3.1: EOL "is used at the end of all options, not the end of
//   each option"); senders write zeros there.
// - Window scale values above 14 are kept as sent; RFC 7323 §2.3 clamping is
//   the TCP layer's job.
// - Two lists compare equal when they put the same bytes on the wire, i.e.
//   after padding both to a multiple of 4 with zeros (EOL), so that
//   parse(emit(repr)) == repr holds for lists of any length.
// - Cost (issue 2): parsing is one pass that validates the list and records
//   where the first MSS, window scale, SACK-permitted, SACK and timestamps
//   options start, so their accessors are O(1) loads, not walks. The list
//   Linux and BSD put on every data segment (NOP NOP TS, RFC 7323 Appendix A)
//   is recognised with one comparison. The builders keep the same index.
#pragma once

#include <array>
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "stack/base/bytes.h"
#include "stack/wire/error.h"
#include "stack/wire/seq_number.h"

namespace synack::wire {

// Option kinds (IANA "TCP Option Kind Numbers").
inline constexpr std::uint8_t kTcpOptEol = 0;
inline constexpr std::uint8_t kTcpOptNop = 1;
inline constexpr std::uint8_t kTcpOptMss = 2;             // RFC 9293 §3.2, len 4
inline constexpr std::uint8_t kTcpOptWindowScale = 3;     // RFC 7323 §2, len 3
inline constexpr std::uint8_t kTcpOptSackPermitted = 4;   // RFC 2018 §2, len 2
inline constexpr std::uint8_t kTcpOptSack = 5;            // RFC 2018 §3, len 2 + 8n
inline constexpr std::uint8_t kTcpOptTimestamps = 8;      // RFC 7323 §3, len 10

// One SACK block: [left, right) in sequence space (RFC 2018 §3).
struct SackBlock {
  SeqNumber left{};
  SeqNumber right{};
  bool operator==(const SackBlock&) const = default;
};

struct TcpSackBlocks {
  static constexpr std::size_t kMaxBlocks = 4;  // 2 + 8 * 4 = 34 <= 40 bytes
  std::array<SackBlock, kMaxBlocks> blocks{};
  std::size_t count = 0;
  std::span<const SackBlock> view() const noexcept { return {blocks.data(), count}; }
};

struct TcpTimestamps {
  std::uint32_t tsval = 0;
  std::uint32_t tsecr = 0;
  bool operator==(const TcpTimestamps&) const = default;
};

// One item of the list, as seen while iterating. `data` is the bytes after the
// kind and length octets (empty for NOP); for EOL it is the trailing padding.
struct TcpOption {
  std::uint8_t kind = 0;
  ConstBytes data;
};

class TcpOptions {
 public:
  static constexpr std::size_t kCapacity = 40;  // (15 - 5) * 4 bytes

  // Validates `b` (at most kCapacity bytes, else BadOption) and keeps it verbatim.
  static ParseResult<TcpOptions> parse(ConstBytes b) noexcept;
  // The same, in place: replaces this list with `b`. On failure the list is
  // left empty. TcpRepr::parse uses it to fill its options without a copy.
  ParseResult<void> assign(ConstBytes b) noexcept;

  ConstBytes bytes() const noexcept { return {bytes_.data(), len_}; }
  std::size_t size() const noexcept { return len_; }
  bool empty() const noexcept { return len_ == 0; }
  // Bytes on the wire: size() rounded up to a multiple of 4.
  std::size_t padded_size() const noexcept { return (len_ + 3u) & ~std::size_t{3}; }
  // Writes the list followed by zero (EOL) padding; out.size() == padded_size().
  void emit(MutBytes out) const noexcept;

  // The first occurrence of each option before any EOL; nullopt if absent.
  std::optional<std::uint16_t> mss() const noexcept {
    if (mss_at_ == 0) return std::nullopt;
    return load_be16(bytes_, mss_at_);
  }
  std::optional<std::uint8_t> window_scale() const noexcept {
    if (wscale_at_ == 0) return std::nullopt;
    return bytes_[wscale_at_];
  }
  bool sack_permitted() const noexcept { return sack_ok_at_ != 0; }
  std::optional<TcpSackBlocks> sack_blocks() const noexcept;
  std::optional<TcpTimestamps> timestamps() const noexcept {
    if (ts_at_ == 0) return std::nullopt;
    return TcpTimestamps{load_be32(bytes_, ts_at_), load_be32(bytes_, ts_at_ + 4u)};
  }
  // Data of the first option of `kind` (any kind but EOL/NOP), for unknown kinds.
  std::optional<ConstBytes> find(std::uint8_t kind) const noexcept;

  // Builders append one option; each returns false (and changes nothing) if it
  // would not fit in kCapacity bytes or is not a well-formed option.
  bool push_eol() noexcept;
  bool push_nop() noexcept;
  bool push_mss(std::uint16_t mss) noexcept;
  bool push_wscale(std::uint8_t shift) noexcept;
  bool push_sack_permitted() noexcept;
  bool push_sack(std::span<const SackBlock> blocks) noexcept;  // 1..4 blocks
  bool push_timestamps(std::uint32_t tsval, std::uint32_t tsecr) noexcept;
  // Any kind other than EOL/NOP with its data (length byte = 2 + data.size());
  // known kinds must have their fixed lengths.
  bool push_raw(std::uint8_t kind, ConstBytes data) noexcept;

  // Forward iteration over the items in order; an EOL, if any, is the last item.
  class Iterator {
   public:
    TcpOption operator*() const noexcept;
    Iterator& operator++() noexcept;
    bool operator==(const Iterator& o) const noexcept { return pos_ == o.pos_; }

   private:
    friend class TcpOptions;
    Iterator(ConstBytes b, std::size_t pos) noexcept : b_(b), pos_(pos) {}
    ConstBytes b_;
    std::size_t pos_;
  };
  Iterator begin() const noexcept { return Iterator(bytes(), 0); }
  Iterator end() const noexcept { return Iterator(bytes(), len_); }

  // packetdrill-style text: "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7".
  std::string to_string() const;

  bool operator==(const TcpOptions& o) const noexcept {
    return padded_size() == o.padded_size() && bytes_ == o.bytes_;
  }

 private:
  bool append(std::uint8_t kind, ConstBytes data) noexcept;
  // Validates bytes_[0, len_) and records the option offsets, in one pass.
  ParseResult<void> index() noexcept;
  // Records the data offset `at` of an option of `kind` if it is the first.
  void note(std::uint8_t kind, std::size_t at) noexcept;

  // Invariant: bytes_[len_..] are zero, so equality and padding need no care.
  std::array<std::uint8_t, kCapacity> bytes_{};
  std::uint8_t len_ = 0;
  // Offsets into bytes_ of the data of the first option of each kind before
  // any EOL, 0 if absent (data never starts at 0). They are a function of the
  // bytes (equality ignores them), kept by parse() and the builders alike.
  std::uint8_t mss_at_ = 0;
  std::uint8_t wscale_at_ = 0;
  std::uint8_t sack_ok_at_ = 0;
  std::uint8_t sack_at_ = 0;
  std::uint8_t ts_at_ = 0;
  bool ended_ = false;  // an EOL lies in bytes_[0, len_): later items are padding
};

// Copies n <= 40 bytes with a few fixed-size (overlapping) moves instead of a
// call to memmove: option lists are short and their length is a multiple of
// 4 on the wire.
inline void copy_short(std::uint8_t* dst, const std::uint8_t* src, std::size_t n) noexcept {
  if (n >= 16) {
    std::memcpy(dst, src, 16);
    if (n > 32) std::memcpy(dst + 16, src + 16, 16);
    std::memcpy(dst + n - 16, src + n - 16, 16);
  } else if (n >= 8) {
    std::memcpy(dst, src, 8);
    std::memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(dst, src, 4);
    std::memcpy(dst + n - 4, src + n - 4, 4);
  } else {
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}

inline ParseResult<void> TcpOptions::assign(ConstBytes b) noexcept {
  *this = TcpOptions{};
  if (b.size() > kCapacity) return Err{ParseError::BadOption};
  copy_short(bytes_.data(), b.data(), b.size());
  len_ = static_cast<std::uint8_t>(b.size());
  if (len_ == 0) return {};
  // NOP, NOP, timestamps (kind 8, length 10): RFC 7323 Appendix A's layout,
  // on every segment of a connection that negotiated timestamps.
  if (len_ == 12 && load_be32(bytes_, 0) == 0x0101080a) {
    ts_at_ = 4;
    return {};
  }
  return index();
}

}  // namespace synack::wire

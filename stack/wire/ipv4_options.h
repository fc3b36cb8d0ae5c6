// IPv4 header options (RFC 791 §3.1, RFC 2113 Router Alert).
//
// Ipv4Options is an ordered list of at most 40 bytes that keeps the exact
// bytes it was parsed from (padding, EOL and whatever follows EOL), so
// emit(parse(bytes)) == bytes. Iteration decodes typed items on the fly; item
// spans point into the list and live as long as it does.
//
// parse() validates the whole list and returns BadLength if it is longer than
// 40 bytes, BadOption for a malformed option:
//   - a length byte missing, < 2, or running past the end of the list;
//   - RR (7), LSRR (131), SSRR (137): length not 3 + 4n, or pointer not one
//     of 4, 8, ..., length + 1 (length + 1 means "full");
//   - TS (68): length < 4, flag not 0/1/3, pointer < 5 or not on an entry
//     boundary (4-byte entries for flag 0, 8-byte otherwise), pointer past
//     length + 1, the last entry not fitting, or a full option whose
//     overflow counter has saturated (15) (RFC 791: "the datagram is
//     considered to be in error");
//   - Router Alert (148): length != 4.
// Unknown kinds are kept as kind + data. Bytes after EOL are padding and
// are not inspected. Duplicate options are not rejected here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>

#include "stack/base/bytes.h"
#include "stack/wire/address.h"
#include "stack/wire/error.h"

namespace synack::wire {

constexpr std::uint8_t kIpv4OptEol = 0;
constexpr std::uint8_t kIpv4OptNop = 1;
constexpr std::uint8_t kIpv4OptRecordRoute = 7;
constexpr std::uint8_t kIpv4OptTimestamp = 68;
constexpr std::uint8_t kIpv4OptLsrr = 131;
constexpr std::uint8_t kIpv4OptSsrr = 137;
constexpr std::uint8_t kIpv4OptRouterAlert = 148;

// Timestamp flags (RFC 791 §3.1 "Internet Timestamp").
constexpr std::uint8_t kIpv4TsOnly = 0;
constexpr std::uint8_t kIpv4TsAndAddr = 1;
constexpr std::uint8_t kIpv4TsPrespecified = 3;

// EOL: end of the list. `padding` is every byte after it (normally zeros).
struct Ipv4OptEol {
  ConstBytes padding;
};
struct Ipv4OptNop {};
// RR, LSRR or SSRR: a route data area of 4-byte address slots.
struct Ipv4OptRoute {
  std::uint8_t kind = kIpv4OptRecordRoute;
  std::uint8_t pointer = 4;  // 1-based offset of the next free slot in the option
  ConstBytes route;          // the slots, length - 3 bytes
  std::size_t slot_count() const noexcept { return route.size() / 4; }
  Ipv4Address slot(std::size_t i) const noexcept { return {load_be32(route, 4 * i)}; }
  bool full() const noexcept { return pointer > route.size() + 3; }
};
// Internet Timestamp.
struct Ipv4OptTimestamp {
  std::uint8_t pointer = 5;
  std::uint8_t overflow = 0;  // 4 bits
  std::uint8_t flag = kIpv4TsOnly;  // 4 bits
  ConstBytes data;  // the entries area, length - 4 bytes
};
// Router Alert (RFC 2113): value 0 means "examine this packet".
struct Ipv4OptRouterAlert {
  std::uint16_t value = 0;
};
// Any other kind, kept verbatim. `data` excludes the kind and length bytes.
struct Ipv4OptUnknown {
  std::uint8_t kind = 0;
  ConstBytes data;
};

using Ipv4Option = std::variant<Ipv4OptEol, Ipv4OptNop, Ipv4OptRoute, Ipv4OptTimestamp,
                                Ipv4OptRouterAlert, Ipv4OptUnknown>;

class Ipv4Options {
 public:
  static constexpr std::size_t kCapacity = 40;  // IHL max 15 words - 5

  Ipv4Options() = default;
  static ParseResult<Ipv4Options> parse(ConstBytes b) noexcept;
  // The same, in place: replaces this list with `b`; on failure the list is
  // left empty. Inline for the common empty list (Ipv4Repr::parse uses it).
  ParseResult<void> assign(ConstBytes b) noexcept {
    *this = Ipv4Options{};
    if (b.empty()) return {};
    return assign_slow(b);
  }

  ConstBytes bytes() const noexcept { return {bytes_.data(), len_}; }
  std::size_t size() const noexcept { return len_; }
  bool empty() const noexcept { return len_ == 0; }
  // Bytes the list takes in a header: size() rounded up to a 32-bit word.
  std::size_t padded_size() const noexcept { return (len_ + 3u) & ~std::size_t{3}; }

  // Builders. Each appends one well-formed item and returns false (leaving
  // the list unchanged) if it would not fit or the arguments are invalid.
  [[nodiscard]] bool append_nop() noexcept;
  [[nodiscard]] bool append_eol() noexcept;
  // RR/LSRR/SSRR with the given slots; pointer 4 + 4 * filled (filled <= slots).
  [[nodiscard]] bool append_route(std::uint8_t kind, std::span<const Ipv4Address> slots,
                                  std::size_t filled) noexcept;
  // Timestamp with `data` (entry-aligned) already holding `filled` bytes of entries.
  [[nodiscard]] bool append_timestamp(std::uint8_t flag, std::uint8_t overflow, ConstBytes data,
                                      std::size_t filled) noexcept;
  [[nodiscard]] bool append_router_alert(std::uint16_t value) noexcept;
  // Any option as kind + data (kind not EOL/NOP); rejected if the result
  // would not parse (e.g. a known kind with malformed data).
  [[nodiscard]] bool append_raw(std::uint8_t kind, ConstBytes data) noexcept;
  // Appends EOL and zeros up to a 32-bit boundary (nothing if aligned; only
  // zeros if the list already ended with EOL). The result parses back equal.
  [[nodiscard]] bool pad() noexcept;

  class Iterator {
   public:
    using value_type = Ipv4Option;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    Ipv4Option operator*() const noexcept;
    Iterator& operator++() noexcept;
    Iterator operator++(int) noexcept {
      Iterator t = *this;
      ++*this;
      return t;
    }
    bool operator==(const Iterator& o) const noexcept { return off_ == o.off_; }

   private:
    friend class Ipv4Options;
    Iterator(const Ipv4Options* o, std::size_t off) noexcept : o_(o), off_(off) {}
    const Ipv4Options* o_ = nullptr;
    std::size_t off_ = 0;
  };
  Iterator begin() const noexcept { return {this, 0}; }
  Iterator end() const noexcept { return {this, len_}; }

  bool operator==(const Ipv4Options& o) const noexcept;

 private:
  ParseResult<void> assign_slow(ConstBytes b) noexcept;
  // Length in bytes of the item starting at `off` (validated list).
  std::size_t item_len(std::size_t off) const noexcept;
  bool ended() const noexcept;  // an EOL is present
  [[nodiscard]] bool append_bytes(ConstBytes b) noexcept;
  void append_unchecked(ConstBytes b) noexcept;

  std::array<std::uint8_t, kCapacity> bytes_{};
  std::uint8_t len_ = 0;
};

}  // namespace synack::wire

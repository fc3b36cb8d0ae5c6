// TCP sequence numbers (RFC 9293 §3.4) as a strong type with modular
// ordering (serial number arithmetic, RFC 1982), in the style of gVisor's
// seqnum package. The 32-bit space wraps, so `<` on raw values is wrong near
// the wrap point; operator<=> is therefore deleted and comparisons are named:
// a.lt(b) holds when b is less than 2^31 ahead of a. All raw sequence
// arithmetic in the stack lives in this header.
#pragma once

#include <compare>
#include <cstdint>

namespace synack::wire {

class SeqNumber {
 public:
  constexpr SeqNumber() noexcept = default;
  constexpr explicit SeqNumber(std::uint32_t raw) noexcept : v_(raw) {}

  constexpr std::uint32_t raw() const noexcept { return v_; }

  // Signed distance from `other` to *this: positive when *this is ahead.
  // Computed modulo 2^32 and reinterpreted as two's complement (well defined
  // in C++20), so it is exact for distances in [-2^31, 2^31).
  constexpr std::int32_t operator-(SeqNumber other) const noexcept {
    return static_cast<std::int32_t>(v_ - other.v_);
  }
  constexpr SeqNumber operator+(std::uint32_t n) const noexcept { return SeqNumber(v_ + n); }
  constexpr SeqNumber operator-(std::uint32_t n) const noexcept { return SeqNumber(v_ - n); }
  constexpr SeqNumber& operator+=(std::uint32_t n) noexcept {
    v_ += n;
    return *this;
  }
  constexpr SeqNumber& operator-=(std::uint32_t n) noexcept {
    v_ -= n;
    return *this;
  }

  // RFC 9293 §3.4: "The symbol '=<' means 'less than or equal' (modulo 2**32)".
  // Two numbers exactly 2^31 apart are mutually "less than" (RFC 1982 leaves
  // that case undefined; the distance is INT32_MIN either way). Such a pair
  // never occurs within one valid window.
  constexpr bool lt(SeqNumber other) const noexcept { return (*this - other) < 0; }
  constexpr bool le(SeqNumber other) const noexcept { return (*this - other) <= 0; }
  constexpr bool gt(SeqNumber other) const noexcept { return (other - *this) < 0; }
  constexpr bool ge(SeqNumber other) const noexcept { return (other - *this) <= 0; }

  // first <= *this < first + size, modulo 2^32. An empty window contains
  // nothing; a window of size 2^32 - 1 contains all but first - 1.
  constexpr bool in_window(SeqNumber first, std::uint32_t size) const noexcept {
    return v_ - first.v_ < size;
  }
  // first <= *this <= last, modulo 2^32, for an inclusive range that does not
  // span 2^32 (last - first is taken modulo 2^32).
  constexpr bool in_range_inclusive(SeqNumber first, SeqNumber last) const noexcept {
    return v_ - first.v_ <= last.v_ - first.v_;
  }

  // Modular max/min: the later (earlier) of the two.
  static constexpr SeqNumber max(SeqNumber a, SeqNumber b) noexcept { return a.lt(b) ? b : a; }
  static constexpr SeqNumber min(SeqNumber a, SeqNumber b) noexcept { return a.lt(b) ? a : b; }

  constexpr bool operator==(const SeqNumber&) const noexcept = default;
  auto operator<=>(const SeqNumber&) const = delete;

 private:
  std::uint32_t v_ = 0;
};

// Size of the half-open range [first, last) in sequence space.
constexpr std::uint32_t seq_span(SeqNumber first, SeqNumber last) noexcept {
  return last.raw() - first.raw();
}

}  // namespace synack::wire

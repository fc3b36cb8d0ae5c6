#include "stack/wire/checksum.h"

#include <bit>
#include <cstring>

namespace synack::wire {

namespace {

// The one's-complement sum does not depend on byte order (RFC 1071 §2(B)):
// summing the data as native-order words and byte-swapping the folded 16-bit
// result gives the same checksum as summing big-endian words. So the loop
// loads 8 bytes at a time with memcpy (no alignment or aliasing assumptions),
// splits each load into two 32-bit halves and adds them into 64-bit
// accumulators: carries pile up in the high half and the fold at the end
// restores them ("deferred carries", RFC 1071 §2(C)). Four accumulators break
// the dependency chain so the adds can issue in parallel. Each accumulator
// takes two values below 2^32 per 32 bytes, so none can overflow for buffers
// below 2^36 bytes, far beyond any packet.
std::uint64_t native_sum(const std::uint8_t* p, std::size_t n) noexcept {
  constexpr std::uint64_t kLow = 0xffffffff;
  std::uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  while (n >= 32) {
    std::uint64_t w0, w1, w2, w3;
    std::memcpy(&w0, p, 8);
    std::memcpy(&w1, p + 8, 8);
    std::memcpy(&w2, p + 16, 8);
    std::memcpy(&w3, p + 24, 8);
    a0 += (w0 & kLow) + (w0 >> 32);
    a1 += (w1 & kLow) + (w1 >> 32);
    a2 += (w2 & kLow) + (w2 >> 32);
    a3 += (w3 & kLow) + (w3 >> 32);
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    a0 += (w & kLow) + (w >> 32);
    p += 8;
    n -= 8;
  }
  if (n >= 4) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    a1 += w;
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    std::uint16_t w;
    std::memcpy(&w, p, 2);
    a2 += w;
    p += 2;
    n -= 2;
  }
  // A trailing odd byte is the high-order byte of a big-endian word padded
  // with zero (RFC 1071 §4.1), i.e. the low-order byte of a little-endian one.
  if (n == 1) a3 += std::endian::native == std::endian::little ? std::uint64_t{p[0]} : std::uint64_t{p[0]} << 8;
  return a0 + a1 + a2 + a3;
}

// The straightforward big-endian loop, for platforms that are neither little
// nor big endian.
[[maybe_unused]] std::uint64_t big_endian_sum(const std::uint8_t* p, std::size_t n) noexcept {
  std::uint64_t sum = 0;
  for (; n >= 2; p += 2, n -= 2) sum += (std::uint32_t{p[0]} << 8) | p[1];
  if (n == 1) sum += std::uint32_t{p[0]} << 8;
  return sum;
}

}  // namespace

std::uint64_t checksum_partial(ConstBytes data, std::uint64_t initial) noexcept {
  std::uint16_t folded;
  if constexpr (std::endian::native == std::endian::little) {
    const std::uint16_t f = checksum_fold(native_sum(data.data(), data.size()));
    folded = static_cast<std::uint16_t>((f >> 8) | (f << 8));
  } else if constexpr (std::endian::native == std::endian::big) {
    folded = checksum_fold(native_sum(data.data(), data.size()));
  } else {
    folded = checksum_fold(big_endian_sum(data.data(), data.size()));
  }
  // A zero sum stays zero (all-zero data), a non-zero one stays non-zero, so
  // the +0/-0 distinction of the plain sum is preserved. Wrap-around of the
  // 64-bit addition is an end-around carry.
  const std::uint64_t sum = initial + folded;
  return sum < initial ? sum + 1 : sum;
}

}  // namespace synack::wire

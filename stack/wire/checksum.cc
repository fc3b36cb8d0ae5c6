#include "stack/wire/checksum.h"

#include <bit>
#include <cstring>

#include "stack/base/assert.h"

namespace synack::wire {

namespace {

// The one's-complement sum does not depend on byte order (RFC 1071 §2(B)):
// summing the data as native-order words and byte-swapping the folded 16-bit
// result gives the same checksum as summing big-endian words. The loops load
// with memcpy (no alignment or aliasing assumptions), split each 64-bit lane
// into two 32-bit halves and add them into 64-bit accumulators: carries pile
// up in the high half and the fold at the end restores them ("deferred
// carries", RFC 1071 §2(C)). Each accumulator lane takes two values below
// 2^32 per step, so none can overflow for buffers below 2^36 bytes, far
// beyond any packet.
//
// The main loop works on 32-byte blocks as two vectors of two 64-bit lanes
// (GCC/Clang vector extensions: SSE2 on any x86-64, NEON on AArch64, plain
// scalar code elsewhere), so one block costs a handful of vector operations
// instead of sixteen scalar ones. When `copy_to` is set, every byte read is
// also stored there (copy and sum in one pass over the data).
using Lanes = std::uint64_t __attribute__((vector_size(16)));

template <bool kCopy>
std::uint64_t native_sum(const std::uint8_t* p, std::size_t n, std::uint8_t* copy_to) noexcept {
  constexpr std::uint64_t kLow = 0xffffffff;
  const Lanes low = {kLow, kLow};
  Lanes v0 = {0, 0}, v1 = {0, 0};
  while (n >= 32) {
    Lanes w0, w1;
    std::memcpy(&w0, p, 16);
    std::memcpy(&w1, p + 16, 16);
    if constexpr (kCopy) {
      std::memcpy(copy_to, &w0, 16);
      std::memcpy(copy_to + 16, &w1, 16);
      copy_to += 32;
    }
    v0 += (w0 & low) + (w0 >> 32);
    v1 += (w1 & low) + (w1 >> 32);
    p += 32;
    n -= 32;
  }
  const Lanes v = v0 + v1;
  std::uint64_t a0 = v[0], a1 = v[1], a2 = 0, a3 = 0;
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    if constexpr (kCopy) {
      std::memcpy(copy_to, &w, 8);
      copy_to += 8;
    }
    a0 += (w & kLow) + (w >> 32);
    p += 8;
    n -= 8;
  }
  if (n >= 4) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    if constexpr (kCopy) {
      std::memcpy(copy_to, &w, 4);
      copy_to += 4;
    }
    a1 += w;
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    std::uint16_t w;
    std::memcpy(&w, p, 2);
    if constexpr (kCopy) {
      std::memcpy(copy_to, &w, 2);
      copy_to += 2;
    }
    a2 += w;
    p += 2;
    n -= 2;
  }
  // A trailing odd byte is the high-order byte of a big-endian word padded
  // with zero (RFC 1071 §4.1), i.e. the low-order byte of a little-endian one.
  if (n == 1) {
    if constexpr (kCopy) *copy_to = p[0];
    a3 += std::endian::native == std::endian::little ? std::uint64_t{p[0]} : std::uint64_t{p[0]} << 8;
  }
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

// The native sum folded to 16 bits in network order, added to `initial`.
// A zero sum stays zero (all-zero data), a non-zero one stays non-zero, so
// the +0/-0 distinction of the plain sum is preserved. Wrap-around of the
// 64-bit addition is an end-around carry.
std::uint64_t add_folded(std::uint64_t native, std::uint64_t initial) noexcept {
  std::uint16_t folded = checksum_fold(native);
  if constexpr (std::endian::native == std::endian::little) folded = static_cast<std::uint16_t>((folded >> 8) | (folded << 8));
  const std::uint64_t sum = initial + folded;
  return sum < initial ? sum + 1 : sum;
}

}  // namespace

std::uint64_t checksum_partial(ConstBytes data, std::uint64_t initial) noexcept {
  if constexpr (std::endian::native == std::endian::little || std::endian::native == std::endian::big) {
    return add_folded(native_sum<false>(data.data(), data.size(), nullptr), initial);
  } else {
    return add_folded(big_endian_sum(data.data(), data.size()), initial);
  }
}

std::uint64_t checksum_copy(MutBytes dst, ConstBytes src, std::uint64_t initial) noexcept {
  SYNACK_ASSERT(dst.size() == src.size());
  if constexpr (std::endian::native == std::endian::little || std::endian::native == std::endian::big) {
    return add_folded(native_sum<true>(src.data(), src.size(), dst.data()), initial);
  } else {
    if (!src.empty()) std::memmove(dst.data(), src.data(), src.size());
    return add_folded(big_endian_sum(dst.data(), dst.size()), initial);
  }
}

}  // namespace synack::wire

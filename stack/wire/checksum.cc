#include "stack/wire/checksum.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "stack/base/assert.h"

#if defined(__SSE2__) && (defined(__x86_64__) || defined(_M_X64))
#include <emmintrin.h>
#define SYNACK_CHECKSUM_SSE2 1
#else
#define SYNACK_CHECKSUM_SSE2 0
#endif

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
// The portable main loop works on 32-byte blocks as two vectors of two
// 64-bit lanes (GCC/Clang vector extensions: SSE2 on any x86-64, NEON on
// AArch64, plain scalar code elsewhere), so one block costs a handful of
// vector operations instead of sixteen scalar ones. When `copy_to` is set,
// every byte read is also stored there (copy and sum in one pass over the
// data). Buffers below 32 bytes skip its set-up and reduction.
using Lanes = std::uint64_t __attribute__((vector_size(16)));

template <bool kCopy>
[[gnu::always_inline]] inline std::uint64_t portable_sum(const std::uint8_t* p, std::size_t n,
                                                         std::uint8_t* copy_to) noexcept {
  constexpr std::uint64_t kLow = 0xffffffff;
  std::uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  if (n >= 32) {
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
    a0 = v[0];
    a1 = v[1];
  }
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
[[gnu::always_inline]] inline std::uint64_t add_folded(std::uint64_t native, std::uint64_t initial) noexcept {
  const std::uint64_t sum = initial + checksum_fold_native(native);
  return sum < initial ? sum + 1 : sum;
}

#if SYNACK_CHECKSUM_SSE2
// x86-64 (SSE2 is part of its baseline): 128-byte steps of eight 16-byte
// vectors. PMADDWD against ones adds adjacent 16-bit words into 32-bit lanes
// in one instruction (load, xor, pmaddwd, add per 16 bytes, against load,
// and, shift, add, add for the portable loop), but its words are signed: XOR
// with 0x8000 maps each unsigned word u to the signed u - 32768, and the
// 32768 per word is added back at the end. Per step a lane of each of the
// four accumulators moves by at most 2 * 65536, so a chunk of kChunkSteps
// steps keeps even the sum of all sixteen lanes within int32; chunks are
// then added into a 64-bit total.
constexpr std::size_t kSseStep = 128;
constexpr std::size_t kChunkSteps = 512;  // 16 lanes * 512 * 2^17 = 2^30

// The accumulators as a vector-extension type: GCC then adds each new
// vector into its accumulator in place, where with the intrinsic it
// reassociates the adds and spends a register copy on each.
using Pairs = std::int32_t __attribute__((vector_size(16)));

// The 16-byte vector at p + off (no alignment needed), also stored to
// copy_to + off when copying (copy_to is null otherwise), as the signed sums
// of its word pairs after the bias.
template <bool kCopy>
Pairs sse2_pairs(const std::uint8_t* p, std::uint8_t* copy_to, std::size_t off) noexcept {
  __m128i w;
  std::memcpy(&w, p + off, 16);
  if constexpr (kCopy) std::memcpy(copy_to + off, &w, 16);
  return reinterpret_cast<Pairs>(
      _mm_madd_epi16(_mm_xor_si128(w, _mm_set1_epi16(static_cast<short>(0x8000))), _mm_set1_epi16(1)));
}

// Sums [p, p + n) (n >= kSseStep), copying it to copy_to when asked: the
// whole steps here, the rest with the portable loop.
template <bool kCopy>
std::uint64_t sse2_sum(const std::uint8_t* p, std::size_t n, std::uint8_t* copy_to) noexcept {
  const std::size_t tail = n % kSseStep;
  n -= tail;
  std::int64_t total = 0;
  const std::uint64_t words = n / 2;
  while (n != 0) {
    const std::size_t steps = std::min(n / kSseStep, kChunkSteps);
    n -= steps * kSseStep;
    Pairs a0 = {0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0;
    for (std::size_t s = 0; s < steps; ++s) {
      a0 += sse2_pairs<kCopy>(p, copy_to, 0);
      a1 += sse2_pairs<kCopy>(p, copy_to, 16);
      a2 += sse2_pairs<kCopy>(p, copy_to, 32);
      a3 += sse2_pairs<kCopy>(p, copy_to, 48);
      a0 += sse2_pairs<kCopy>(p, copy_to, 64);
      a1 += sse2_pairs<kCopy>(p, copy_to, 80);
      a2 += sse2_pairs<kCopy>(p, copy_to, 96);
      a3 += sse2_pairs<kCopy>(p, copy_to, 112);
      p += kSseStep;
      if constexpr (kCopy) copy_to += kSseStep;
    }
    const Pairs v = a0 + a1 + a2 + a3;
    total += std::int64_t{v[0] + v[1] + v[2] + v[3]};
  }
  // Every word contributed u - 32768, so the total plus 32768 per word is
  // the plain sum of the words: non-negative.
  return static_cast<std::uint64_t>(total) + words * 32768 + portable_sum<kCopy>(p, tail, copy_to);
}

// sse2_sum added to `initial`. Out of line and reached by a tail call, so
// the short buffers (headers, ACKs) keep a leaf function that saves no
// registers.
template <bool kCopy>
[[gnu::noinline]] std::uint64_t sse2_partial(const std::uint8_t* p, std::size_t n, std::uint8_t* copy_to,
                                             std::uint64_t initial) noexcept {
  return add_folded(sse2_sum<kCopy>(p, n, copy_to), initial);
}
#endif

// The sum of [p, p + n) added to `initial`, copying to copy_to when asked.
template <bool kCopy>
[[gnu::always_inline]] inline std::uint64_t native_partial(const std::uint8_t* p, std::size_t n,
                                                           std::uint8_t* copy_to, std::uint64_t initial) noexcept {
#if SYNACK_CHECKSUM_SSE2
  if (n >= kSseStep) return sse2_partial<kCopy>(p, n, copy_to, initial);
#endif
  return add_folded(portable_sum<kCopy>(p, n, copy_to), initial);
}

}  // namespace

std::uint64_t checksum_partial(ConstBytes data, std::uint64_t initial) noexcept {
  if constexpr (std::endian::native == std::endian::little || std::endian::native == std::endian::big) {
    return native_partial<false>(data.data(), data.size(), nullptr, initial);
  } else {
    return add_folded(big_endian_sum(data.data(), data.size()), initial);
  }
}

std::uint64_t checksum_partial_portable(ConstBytes data, std::uint64_t initial) noexcept {
  if constexpr (std::endian::native == std::endian::little || std::endian::native == std::endian::big) {
    return add_folded(portable_sum<false>(data.data(), data.size(), nullptr), initial);
  } else {
    return add_folded(big_endian_sum(data.data(), data.size()), initial);
  }
}

std::uint64_t checksum_copy(MutBytes dst, ConstBytes src, std::uint64_t initial) noexcept {
  SYNACK_ASSERT(dst.size() == src.size());
  if constexpr (std::endian::native == std::endian::little || std::endian::native == std::endian::big) {
    return native_partial<true>(src.data(), src.size(), dst.data(), initial);
  } else {
    if (!src.empty()) std::memmove(dst.data(), src.data(), src.size());
    return add_folded(big_endian_sum(dst.data(), dst.size()), initial);
  }
}

}  // namespace synack::wire

// The Internet checksum (RFC 1071), its incremental update (RFC 1624), and the
// IPv4 pseudo-header sum used by TCP and UDP (RFC 793 §3.1, RFC 768).
// Sums are kept unfolded in 32/64-bit accumulators and folded once at the end.
#pragma once

#include <bit>
#include <cstdint>

#include "stack/base/bytes.h"
#include "stack/wire/address.h"

namespace synack::wire {

// One's-complement sum of `data` (as 16-bit big-endian words, odd byte padded
// with zero) added to `initial`; not complemented. The value is only meaningful
// through checksum_fold() (the data's contribution may already be folded), so
// it can be chained as the `initial` of a further call at an even offset.
// Zero only if `initial` is zero and `data` is all zeros, as with a plain sum.
std::uint64_t checksum_partial(ConstBytes data, std::uint64_t initial = 0) noexcept;

// checksum_partial without the target-specific path (SSE2 on x86-64): the
// portable loops only, so tests can check that both paths agree.
std::uint64_t checksum_partial_portable(ConstBytes data, std::uint64_t initial = 0) noexcept;

// Copies `src` to `dst` (same size; the two do not overlap, or are the same
// bytes) and returns checksum_partial(src, initial), reading the data once
// (a payload copied into a segment is summed on the way).
std::uint64_t checksum_copy(MutBytes dst, ConstBytes src, std::uint64_t initial = 0) noexcept;

// Folds a partial sum to 16 bits (not complemented).
constexpr std::uint16_t checksum_fold(std::uint64_t sum) noexcept {
  sum = (sum & 0xffffffff) + (sum >> 32);
  sum = (sum & 0xffffffff) + (sum >> 32);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

// A sum of native-order words (memcpy loads) folded to 16 bits in network
// order: byte-swapping the folded sum once gives the big-endian sum
// (RFC 1071 §2(B)).
constexpr std::uint16_t checksum_fold_native(std::uint64_t native) noexcept {
  std::uint16_t folded = checksum_fold(native);
  if constexpr (std::endian::native == std::endian::little) folded = static_cast<std::uint16_t>((folded >> 8) | (folded << 8));
  return folded;
}

// The checksum field value for `data`: ~fold(sum).
inline std::uint16_t checksum(ConstBytes data, std::uint64_t initial = 0) noexcept {
  return static_cast<std::uint16_t>(~checksum_fold(checksum_partial(data, initial)));
}

// Sum of the IPv4 pseudo header: src, dst, zero+protocol, upper-layer length.
constexpr std::uint64_t pseudo_header_sum(Ipv4Address src, Ipv4Address dst, std::uint8_t protocol,
                                          std::uint32_t length) noexcept {
  return std::uint64_t{src.value >> 16} + (src.value & 0xffff) + (dst.value >> 16) +
         (dst.value & 0xffff) + protocol + length;
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for a 16-bit field changing m -> m'.
constexpr std::uint16_t checksum_update16(std::uint16_t hc, std::uint16_t old_v,
                                          std::uint16_t new_v) noexcept {
  std::uint32_t sum = std::uint32_t{static_cast<std::uint16_t>(~hc)} +
                      static_cast<std::uint16_t>(~old_v) + new_v;
  return static_cast<std::uint16_t>(~checksum_fold(sum));
}
constexpr std::uint16_t checksum_update32(std::uint16_t hc, std::uint32_t old_v,
                                          std::uint32_t new_v) noexcept {
  hc = checksum_update16(hc, static_cast<std::uint16_t>(old_v >> 16), static_cast<std::uint16_t>(new_v >> 16));
  return checksum_update16(hc, static_cast<std::uint16_t>(old_v), static_cast<std::uint16_t>(new_v));
}

}  // namespace synack::wire

#include "stack/wire/checksum.h"

#include <cstring>

namespace synack::wire {

// Adds 32-bit big-endian words into a 64-bit accumulator: carries cannot
// overflow for any buffer under 2^32 words, and the fold at the end restores
// the one's-complement result (RFC 1071 §2 "deferred carries").
std::uint64_t checksum_partial(ConstBytes data, std::uint64_t initial) noexcept {
  std::uint64_t sum = initial;
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  while (n >= 4) {
    sum += (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    sum += (std::uint32_t{p[0]} << 8) | p[1];
    p += 2;
    n -= 2;
  }
  if (n == 1) sum += std::uint32_t{p[0]} << 8;
  return sum;
}

}  // namespace synack::wire

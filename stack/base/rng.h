// Seeded randomness. Every host owns one Rng built from its configuration's
// seed; nothing in the stack touches OS randomness. PCG32 (O'Neill, 2014):
// small state, good statistical quality, and identical output everywhere.
#pragma once

#include <cstdint>

namespace synack {

// SplitMix64 step: derives well-mixed sub-seeds from one seed, so that each
// link and host of a world gets an independent stream from the world seed.
constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Sub-seed for component `tag` of the seed `seed`.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t tag) noexcept {
  return splitmix64(seed ^ splitmix64(tag + 0x632be59bd9b4e019ULL));
}

class Rng {
 public:
  explicit constexpr Rng(std::uint64_t seed, std::uint64_t stream = 0x14057b7ef767814fULL) noexcept
      : inc_((stream << 1u) | 1u) {
    next_u32();
    state_ += splitmix64(seed);
    next_u32();
  }

  constexpr std::uint32_t next_u32() noexcept {
    std::uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + inc_;
    auto xorshifted = static_cast<std::uint32_t>(((old >> 18u) ^ old) >> 27u);
    auto rot = static_cast<std::uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
  }
  constexpr std::uint64_t next_u64() noexcept {
    return (std::uint64_t{next_u32()} << 32) | next_u32();
  }
  // Uniform in [0, bound), bound > 0, without modulo bias (Lemire 2019).
  constexpr std::uint32_t below(std::uint32_t bound) noexcept {
    std::uint64_t m = std::uint64_t{next_u32()} * bound;
    auto low = static_cast<std::uint32_t>(m);
    if (low < bound) {
      std::uint32_t threshold = (0u - bound) % bound;
      while (low < threshold) {
        m = std::uint64_t{next_u32()} * bound;
        low = static_cast<std::uint32_t>(m);
      }
    }
    return static_cast<std::uint32_t>(m >> 32);
  }
  // True with probability ppm / 1'000'000 (integers keep the stack float-free).
  constexpr bool chance_ppm(std::uint32_t ppm) noexcept { return below(1000000) < ppm; }

 private:
  std::uint64_t state_ = 0;
  std::uint64_t inc_;
};

}  // namespace synack

// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
// 2012): a keyed 64-bit pseudorandom function over short inputs, used for
// RFC 6528 initial sequence numbers and RFC 4987 SYN cookies. Written from the
// paper's description; tested against its Appendix A vector and the reference
// implementation's vectors. Pure function: no state, no allocation.
#pragma once

#include <array>
#include <cstdint>

#include "stack/base/bytes.h"

namespace synack {

// A 128-bit SipHash key: k0 is the little-endian reading of key bytes 0..7,
// k1 of bytes 8..15 (the paper's convention).
struct SipKey {
  std::uint64_t k0 = 0;
  std::uint64_t k1 = 0;

  static SipKey from_bytes(const std::array<std::uint8_t, 16>& bytes) noexcept;
  bool operator==(const SipKey&) const = default;
};

// SipHash-2-4 of `message` under `key` (2 compression rounds per 8-byte word,
// 4 finalization rounds). The result is the paper's 64-bit output as an
// integer; its little-endian bytes are the reference implementation's output.
std::uint64_t siphash24(const SipKey& key, ConstBytes message) noexcept;

// The same function for a message of 8 to 15 bytes already loaded as its two
// little-endian words, `m1` carrying the message length in its top byte (the
// paper's padding): no byte loop, for callers that hash one fixed shape per
// packet (RFC 6528 ISNs). siphash_test checks it against siphash24.
std::uint64_t siphash24_words(const SipKey& key, std::uint64_t m0, std::uint64_t m1) noexcept;

}  // namespace synack

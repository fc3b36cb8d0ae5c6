#include "stack/base/siphash.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace synack {
namespace {

// Key 00 01 .. 0f, as in the paper's Appendix A and the reference code.
SipKey reference_key() {
  std::array<std::uint8_t, 16> k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i);
  return SipKey::from_bytes(k);
}

std::vector<std::uint8_t> counting_message(std::size_t n) {
  std::vector<std::uint8_t> m(n);
  for (std::size_t i = 0; i < n; ++i) m[i] = static_cast<std::uint8_t>(i);
  return m;
}

TEST(SipHash, KeyIsReadLittleEndian) {
  const SipKey k = reference_key();
  EXPECT_EQ(k.k0, 0x0706050403020100ULL);
  EXPECT_EQ(k.k1, 0x0f0e0d0c0b0a0908ULL);
}

// Appendix A of the paper: 15-byte message 00..0e gives a129ca6149be45e5.
TEST(SipHash, PaperAppendixVector) {
  EXPECT_EQ(siphash24(reference_key(), counting_message(15)), 0xa129ca6149be45e5ULL);
}

// The reference implementation's vectors (vectors.h, SipHash-2-4 64-bit), for
// message lengths 0..15: every tail length and the block boundary.
TEST(SipHash, ReferenceVectors) {
  constexpr std::array<std::uint64_t, 16> kExpected = {
      0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
      0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
      0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
      0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
  };
  for (std::size_t n = 0; n < kExpected.size(); ++n) {
    EXPECT_EQ(siphash24(reference_key(), counting_message(n)), kExpected[n]) << "length " << n;
  }
}

// The two-word form equals the byte form on the reference vectors of 8 to 15
// bytes (the words are the bytes read little-endian, the length on top).
TEST(SipHash, WordsMatchBytes) {
  for (std::size_t n = 8; n < 16; ++n) {
    const auto m = counting_message(n);
    std::uint64_t m0 = 0, m1 = std::uint64_t{n} << 56;
    for (std::size_t i = 0; i < 8; ++i) m0 |= std::uint64_t{m[i]} << (8 * i);
    for (std::size_t i = 8; i < n; ++i) m1 |= std::uint64_t{m[i]} << (8 * (i - 8));
    EXPECT_EQ(siphash24_words(reference_key(), m0, m1), siphash24(reference_key(), m)) << "length " << n;
  }
}

TEST(SipHash, KeyMatters) {
  const auto m = counting_message(12);
  EXPECT_NE(siphash24(SipKey{1, 2}, m), siphash24(SipKey{1, 3}, m));
  EXPECT_NE(siphash24(SipKey{1, 2}, m), siphash24(SipKey{2, 2}, m));
}

}  // namespace
}  // namespace synack

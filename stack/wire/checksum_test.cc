// RFC 1071 checksum examples, odd lengths, pseudo-header sums, RFC 1624 updates.
#include "stack/wire/checksum.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace synack::wire {
namespace {

// RFC 1071 §3 numerical example: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2
// (the one's-complement sum, before complementing).
TEST(Checksum, Rfc1071Example) {
  const std::array<std::uint8_t, 8> b{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(checksum_fold(checksum_partial(b)), 0xddf2);
  EXPECT_EQ(checksum(b), static_cast<std::uint16_t>(~0xddf2));
}

// The IPv4 header example widely used for RFC 1071 (checksum field b861).
TEST(Checksum, Ipv4HeaderExample) {
  std::array<std::uint8_t, 20> h{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(checksum(h), 0xb861);
  h[10] = 0xb8;
  h[11] = 0x61;
  EXPECT_EQ(checksum_fold(checksum_partial(h)), 0xffff);  // a correct header sums to -0
}

TEST(Checksum, OddLengthsPadWithZero) {
  const std::array<std::uint8_t, 3> odd{0x12, 0x34, 0x56};
  const std::array<std::uint8_t, 4> even{0x12, 0x34, 0x56, 0x00};
  EXPECT_EQ(checksum(odd), checksum(even));
  EXPECT_EQ(checksum_fold(checksum_partial(odd)), 0x1234 + 0x5600);
  const std::array<std::uint8_t, 1> one{0xab};
  EXPECT_EQ(checksum_fold(checksum_partial(one)), 0xab00);
}

TEST(Checksum, EmptyAndZeroes) {
  EXPECT_EQ(checksum_partial({}), 0u);
  EXPECT_EQ(checksum({}), 0xffff);
  const std::vector<std::uint8_t> zeros(1500, 0);
  EXPECT_EQ(checksum_partial(zeros), 0u);
  EXPECT_EQ(checksum_partial(zeros, 7), 7u);
  const std::vector<std::uint8_t> ones(1500, 0xff);
  EXPECT_EQ(checksum_fold(checksum_partial(ones)), 0xffff);  // -0 stays -0
}

// Carries out of bit 15 wrap around (RFC 1071 §1 "end around carry").
TEST(Checksum, EndAroundCarry) {
  const std::array<std::uint8_t, 4> b{0xff, 0xff, 0x00, 0x02};
  EXPECT_EQ(checksum_fold(checksum_partial(b)), 0x0002);
  const std::array<std::uint8_t, 4> c{0x80, 0x00, 0x80, 0x01};
  EXPECT_EQ(checksum_fold(checksum_partial(c)), 0x0002);
}

TEST(Checksum, InitialIsAdded) {
  const std::array<std::uint8_t, 2> b{0x12, 0x34};
  EXPECT_EQ(checksum_fold(checksum_partial(b, 0x0001)), 0x1235);
  EXPECT_EQ(checksum_fold(checksum_partial(b, 0x1'0000)), 0x1235);  // carries fold in
}

// Splitting a buffer at an even offset and chaining the partial sums gives
// the same result as one pass.
TEST(Checksum, ChainedPartialSums) {
  std::vector<std::uint8_t> b(301);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 37 + 11);
  const ConstBytes all(b);
  for (std::size_t cut = 0; cut <= b.size(); cut += 2) {
    const std::uint64_t first = checksum_partial(all.first(cut));
    EXPECT_EQ(checksum_fold(checksum_partial(all.subspan(cut), first)), checksum_fold(checksum_partial(all)))
        << cut;
  }
}

TEST(Checksum, PseudoHeaderSum) {
  // 10.0.0.1 -> 10.0.0.2, TCP, 40 bytes: 0a00 + 0001 + 0a00 + 0002 + 0006 + 0028.
  const auto src = Ipv4Address::from_octets(10, 0, 0, 1);
  const auto dst = Ipv4Address::from_octets(10, 0, 0, 2);
  EXPECT_EQ(checksum_fold(pseudo_header_sum(src, dst, 6, 40)), 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + 40);
  // The same sum as checksumming the 12-byte pseudo header itself.
  const std::array<std::uint8_t, 12> ph{10, 0, 0, 1, 10, 0, 0, 2, 0, 6, 0, 40};
  EXPECT_EQ(checksum_fold(pseudo_header_sum(src, dst, 6, 40)), checksum_fold(checksum_partial(ph)));
  const auto hi = Ipv4Address::from_octets(255, 255, 255, 255);
  const std::array<std::uint8_t, 12> ph2{255, 255, 255, 255, 255, 255, 255, 255, 0, 17, 0xff, 0xff};
  EXPECT_EQ(checksum_fold(pseudo_header_sum(hi, hi, 17, 0xffff)), checksum_fold(checksum_partial(ph2)));
}

// RFC 1624 §4 example: HC = 0xdd2f, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000
// with eqn. 3 (eqn. 2 would give the -0 form 0xffff).
TEST(Checksum, Rfc1624Example) {
  EXPECT_EQ(checksum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);
}

TEST(Checksum, IncrementalUpdateMatchesRecompute) {
  std::array<std::uint8_t, 20> h{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  const std::uint16_t hc = checksum(h);
  h[8] = 0x3f;  // TTL 64 -> 63: the word 0x4011 becomes 0x3f11
  EXPECT_EQ(checksum_update16(hc, 0x4011, 0x3f11), checksum(h));
  const std::uint16_t hc2 = checksum(h);
  store_be32(h, 12, 0x0a000001);
  EXPECT_EQ(checksum_update32(hc2, 0xc0a80001, 0x0a000001), checksum(h));
}

}  // namespace
}  // namespace synack::wire

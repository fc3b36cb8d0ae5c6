// Properties of the optimised checksum: equal to a plain RFC 1071 loop on
// random buffers of every length and alignment; RFC 1624 incremental updates
// equal a full recompute.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "stack/wire/checksum.h"

namespace synack::wire {
namespace {

// RFC 1071 §4.1, one 16-bit big-endian word at a time.
std::uint64_t reference_partial(ConstBytes b, std::uint64_t initial) {
  std::uint64_t sum = initial;
  std::size_t i = 0;
  for (; i + 1 < b.size(); i += 2) sum += (std::uint32_t{b[i]} << 8) | b[i + 1];
  if (i < b.size()) sum += std::uint32_t{b[i]} << 8;
  return sum;
}

// Random bytes (fewer than max_len) starting src_off = 0..15 bytes into
// `data`, and a destination misalignment dst_off = 0..15 for a copy of them:
// every alignment of the vector loads and stores.
struct Misaligned {
  std::vector<std::uint8_t> data;
  std::size_t src_off;
  std::size_t dst_off;

  static Misaligned generate(std::size_t max_len) {
    const auto len = *rc::gen::inRange<std::size_t>(0, max_len);
    const auto src_off = *rc::gen::inRange<std::size_t>(0, 16);
    const auto dst_off = *rc::gen::inRange<std::size_t>(0, 16);
    return {*rc::gen::container<std::vector<std::uint8_t>>(len + src_off, rc::gen::arbitrary<std::uint8_t>()), src_off,
            dst_off};
  }
  ConstBytes bytes() const { return ConstBytes(data).subspan(src_off); }
};

RC_GTEST_PROP(ChecksumProp, MatchesReferenceAtAnyOffset,
              (const std::vector<std::uint8_t>& data, std::uint32_t initial)) {
  // Every start offset 0..7 exercises every alignment of the 8-byte loads.
  const ConstBytes all(data);
  for (std::size_t off = 0; off < 8 && off <= data.size(); ++off) {
    const ConstBytes b = all.subspan(off);
    RC_ASSERT(checksum_fold(checksum_partial(b, initial)) == checksum_fold(reference_partial(b, initial)));
    RC_ASSERT(checksum(b) == static_cast<std::uint16_t>(~checksum_fold(reference_partial(b, 0))));
  }
}

// Lengths 0..200 exhaustively (every tail case of the unrolled loop) with
// random and all-0xff contents (the heaviest carries).
TEST(ChecksumProp, MatchesReferenceAllShortLengths) {
  std::vector<std::uint8_t> buf(216);
  std::uint32_t x = 12345;
  for (auto& v : buf) {
    x = x * 1103515245 + 12345;
    v = static_cast<std::uint8_t>(x >> 16);
  }
  const std::vector<std::uint8_t> ff(216, 0xff);
  for (const ConstBytes all : {ConstBytes(buf), ConstBytes(ff)}) {
    for (std::size_t off = 0; off < 16; ++off) {
      for (std::size_t len = 0; len <= 200; ++len) {
        const ConstBytes b = all.subspan(off, len);
        ASSERT_EQ(checksum_fold(checksum_partial(b, 99)), checksum_fold(reference_partial(b, 99)))
            << "off " << off << " len " << len;
      }
    }
  }
}

RC_GTEST_PROP(ChecksumProp, LargeBuffersMatchReference, ()) {
  const auto len = *rc::gen::inRange<std::size_t>(0, 70000);
  const auto data = *rc::gen::container<std::vector<std::uint8_t>>(len, rc::gen::arbitrary<std::uint8_t>());
  RC_ASSERT(checksum_fold(checksum_partial(data)) == checksum_fold(reference_partial(data, 0)));
}

// The fused copy gives the same sum as checksum_partial and an exact copy, at
// every alignment of source and destination (lengths 0..70,000), and in
// place (destination and source the same bytes).
RC_GTEST_PROP(ChecksumProp, CopyMatchesPartialAndCopies, (std::uint32_t initial)) {
  const Misaligned m = Misaligned::generate(70000);
  const auto& [data, src_off, dst_off] = m;
  const ConstBytes src = m.bytes();
  const std::size_t len = src.size();
  std::vector<std::uint8_t> out(len + dst_off + 16, 0xa5);
  const std::uint64_t sum = checksum_copy(MutBytes(out).subspan(dst_off, len), src, initial);
  RC_ASSERT(checksum_fold(sum) == checksum_fold(reference_partial(src, initial)));
  RC_ASSERT(std::equal(src.begin(), src.end(), out.begin() + static_cast<std::ptrdiff_t>(dst_off)));
  for (std::size_t i = 0; i < dst_off; ++i) RC_ASSERT(out[i] == 0xa5);
  for (std::size_t i = dst_off + len; i < out.size(); ++i) RC_ASSERT(out[i] == 0xa5);
  std::vector<std::uint8_t> same(data);
  RC_ASSERT(checksum_fold(checksum_copy(same, same, initial)) == checksum_fold(reference_partial(data, initial)));
  RC_ASSERT(same == data);
}

TEST(ChecksumProp, CopyAllShortLengths) {
  std::vector<std::uint8_t> buf(216);
  std::uint32_t x = 777;
  for (auto& v : buf) {
    x = x * 1103515245 + 12345;
    v = static_cast<std::uint8_t>(x >> 16);
  }
  for (std::size_t off = 0; off < 16; ++off) {
    for (std::size_t len = 0; len <= 200; ++len) {
      const ConstBytes b = ConstBytes(buf).subspan(off, len);
      std::vector<std::uint8_t> out(len);
      ASSERT_EQ(checksum_fold(checksum_copy(out, b, 5)), checksum_fold(reference_partial(b, 5)));
      ASSERT_TRUE(std::equal(b.begin(), b.end(), out.begin()));
    }
  }
}

// The target-specific path (SSE2 on x86-64, 128-byte steps) against the
// portable loops and the reference, for lengths 0..4096 at any misalignment
// of the start, and the fused copy at any misalignment of either side.
RC_GTEST_PROP(ChecksumProp, VectorPathMatchesPortableAndReference, (std::uint32_t initial)) {
  const Misaligned m = Misaligned::generate(4097);
  const ConstBytes b = m.bytes();
  const std::size_t len = b.size(), dst_off = m.dst_off;
  const std::uint16_t ref = checksum_fold(reference_partial(b, initial));
  RC_ASSERT(checksum_fold(checksum_partial(b, initial)) == ref);
  RC_ASSERT(checksum_fold(checksum_partial_portable(b, initial)) == ref);
  std::vector<std::uint8_t> out(len + dst_off);
  RC_ASSERT(checksum_fold(checksum_copy(MutBytes(out).subspan(dst_off), b, initial)) == ref);
  RC_ASSERT(std::equal(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(dst_off)));
}

// All-zero and all-0xff words are the two extremes of the vector path's
// signed lanes; buffers up to 1 MiB span many of its chunks (the lanes are
// widened every 64 KiB), around each chunk boundary.
TEST(ChecksumProp, VectorPathExtremesAcrossChunks) {
  for (const std::uint8_t fill : {std::uint8_t{0x00}, std::uint8_t{0xff}, std::uint8_t{0x80}, std::uint8_t{0x7f}}) {
    const std::vector<std::uint8_t> buf((1u << 20) + 200, fill);
    for (const std::size_t len : {std::size_t{65535}, std::size_t{65536}, std::size_t{65536 + 127},
                                  std::size_t{65536 + 128}, std::size_t{3 * 65536 + 129}, std::size_t{1} << 20,
                                  (std::size_t{1} << 20) + 199}) {
      const ConstBytes b = ConstBytes(buf).first(len);
      const std::uint16_t ref = checksum_fold(reference_partial(b, 1));
      ASSERT_EQ(checksum_fold(checksum_partial(b, 1)), ref) << int{fill} << " len " << len;
      ASSERT_EQ(checksum_fold(checksum_partial_portable(b, 1)), ref) << int{fill} << " len " << len;
      std::vector<std::uint8_t> out(len);
      ASSERT_EQ(checksum_fold(checksum_copy(out, b, 1)), ref) << int{fill} << " len " << len;
      ASSERT_TRUE(std::equal(b.begin(), b.end(), out.begin()));
    }
  }
}

RC_GTEST_PROP(ChecksumProp, IncrementalUpdate16EqualsRecompute, (std::vector<std::uint8_t> data, std::uint16_t v)) {
  RC_PRE(data.size() >= 2);
  const std::size_t off = *rc::gen::inRange<std::size_t>(0, data.size() / 2) * 2;
  RC_PRE(off + 1 < data.size());
  const std::uint16_t hc = checksum(data);
  const std::uint16_t old_v = load_be16(data, off);
  store_be16(data, off, v);
  const std::uint16_t updated = checksum_update16(hc, old_v, v);
  const std::uint16_t full = checksum(data);
  // Eqn. 3 may produce the other zero (0x0000 vs 0xffff) only when the sum
  // is zero; both verify the same way (RFC 1624 §3).
  if (full == 0xffff || full == 0x0000) {
    RC_ASSERT(updated == 0xffff || updated == 0x0000);
  } else {
    RC_ASSERT(updated == full);
  }
}

RC_GTEST_PROP(ChecksumProp, IncrementalUpdate32EqualsRecompute, (std::vector<std::uint8_t> data, std::uint32_t v)) {
  RC_PRE(data.size() >= 4);
  const std::size_t off = *rc::gen::inRange<std::size_t>(0, (data.size() - 2) / 2) * 2;
  RC_PRE(off + 3 < data.size());
  const std::uint16_t hc = checksum(data);
  const std::uint32_t old_v = load_be32(data, off);
  store_be32(data, off, v);
  const std::uint16_t updated = checksum_update32(hc, old_v, v);
  const std::uint16_t full = checksum(data);
  if (full == 0xffff || full == 0x0000) {
    RC_ASSERT(updated == 0xffff || updated == 0x0000);
  } else {
    RC_ASSERT(updated == full);
  }
}

// The pseudo-header sum equals checksumming the 12 pseudo-header bytes.
RC_GTEST_PROP(ChecksumProp, PseudoHeaderSumEqualsBytes,
              (std::uint32_t src, std::uint32_t dst, std::uint8_t proto, std::uint16_t len)) {
  std::vector<std::uint8_t> ph(12);
  store_be32(ph, 0, src);
  store_be32(ph, 4, dst);
  ph[8] = 0;
  ph[9] = proto;
  store_be16(ph, 10, len);
  RC_ASSERT(checksum_fold(pseudo_header_sum({src}, {dst}, proto, len)) == checksum_fold(checksum_partial(ph)));
}

}  // namespace
}  // namespace synack::wire

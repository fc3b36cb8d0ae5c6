#include "stack/transport/tcp/sack_scoreboard.h"

#include <gtest/gtest.h>

#include <vector>

namespace synack::tcp {
namespace {

using wire::SeqNumber;
constexpr std::uint32_t kMss = 1000;

SeqNumber seq(std::uint32_t v) { return SeqNumber(v); }
SackBlock blk(std::uint32_t l, std::uint32_t r) { return {seq(l), seq(r)}; }

void ack(SackScoreboard& sb, std::uint32_t una, std::vector<SackBlock> blocks) {
  sb.on_ack(seq(una), blocks);
}

std::vector<SackBlock> ranges(const SackScoreboard& sb) {
  return {sb.ranges().begin(), sb.ranges().end()};
}

TEST(SackScoreboard, EmptyBoard) {
  SackScoreboard sb;
  EXPECT_TRUE(sb.empty());
  EXPECT_EQ(sb.sacked_bytes(), 0u);
  EXPECT_FALSE(sb.highest_sacked().has_value());
  EXPECT_FALSE(sb.is_sacked(seq(5)));
  EXPECT_FALSE(sb.is_lost(seq(5), kMss));
  EXPECT_FALSE(sb.next_seg(seq(1000), seq(5000), seq(1000), kMss).has_value());
  EXPECT_EQ(sb.pipe(seq(1000), seq(5000), seq(1000), kMss), 4000u);
}

TEST(SackScoreboard, MergesOverlappingAndAdjacent) {
  SackScoreboard sb;
  ack(sb, 1000, {blk(3000, 4000), blk(6000, 7000)});
  EXPECT_EQ(ranges(sb), (std::vector{blk(3000, 4000), blk(6000, 7000)}));
  ack(sb, 1000, {blk(4000, 5000)});  // adjacent: merges
  EXPECT_EQ(ranges(sb), (std::vector{blk(3000, 5000), blk(6000, 7000)}));
  ack(sb, 1000, {blk(2000, 2500), blk(8000, 9000)});
  EXPECT_EQ(ranges(sb).size(), 4u);
  ack(sb, 1000, {blk(2400, 8500)});  // swallows three ranges
  EXPECT_EQ(ranges(sb), (std::vector{blk(2000, 9000)}));
  ack(sb, 1000, {blk(2500, 3000)});  // duplicate inside: no change
  EXPECT_EQ(ranges(sb), (std::vector{blk(2000, 9000)}));
  EXPECT_EQ(sb.sacked_bytes(), 7000u);
  EXPECT_EQ(sb.highest_sacked(), seq(8999));
  EXPECT_TRUE(sb.is_sacked(seq(2000)));
  EXPECT_TRUE(sb.is_sacked(seq(8999)));
  EXPECT_FALSE(sb.is_sacked(seq(9000)));
  EXPECT_FALSE(sb.is_sacked(seq(1999)));
}

TEST(SackScoreboard, CumulativeAckDiscardsAndClips) {
  SackScoreboard sb;
  ack(sb, 1000, {blk(2000, 3000), blk(4000, 5000)});
  ack(sb, 2500, {});
  EXPECT_EQ(ranges(sb), (std::vector{blk(2500, 3000), blk(4000, 5000)}));
  ack(sb, 3000, {});
  EXPECT_EQ(ranges(sb), (std::vector{blk(4000, 5000)}));
  ack(sb, 6000, {});
  EXPECT_TRUE(sb.empty());
}

TEST(SackScoreboard, IgnoresDsackAndMalformedBlocks) {
  SackScoreboard sb;
  ack(sb, 5000, {blk(3000, 4000)});  // D-SACK below SND.UNA
  EXPECT_TRUE(sb.empty());
  EXPECT_EQ(sb.ignored_blocks(), 0u);
  ack(sb, 5000, {blk(7000, 6000), blk(6000, 6000)});
  EXPECT_TRUE(sb.empty());
  EXPECT_EQ(sb.ignored_blocks(), 2u);
  ack(sb, 5000, {blk(4000, 6000)});  // straddles SND.UNA: clipped
  EXPECT_EQ(ranges(sb), (std::vector{blk(5000, 6000)}));
}

TEST(SackScoreboard, BlocksBeyondSndNxtIgnored) {
  SackScoreboard sb;
  std::vector<SackBlock> blocks{blk(2000, 3000), blk(9000, 12000)};
  sb.on_ack(seq(1000), seq(10000), blocks);
  EXPECT_EQ(ranges(sb), (std::vector{blk(2000, 3000)}));
  EXPECT_EQ(sb.ignored_blocks(), 1u);
}

TEST(SackScoreboard, BoundedRanges) {
  SackScoreboard sb;
  for (std::uint32_t i = 0; i < 40; ++i) ack(sb, 0, {blk(100 + 20 * i, 110 + 20 * i)});
  EXPECT_EQ(sb.ranges().size(), SackScoreboard::kMaxRanges);
  EXPECT_EQ(sb.ignored_blocks(), 8u);
  // A block merging into existing ranges is still accepted when full.
  ack(sb, 0, {blk(105, 125)});
  EXPECT_EQ(sb.ranges().size(), SackScoreboard::kMaxRanges - 1);
  EXPECT_EQ(sb.ranges()[0], blk(100, 130));
}

TEST(SackScoreboard, WrapsAroundSequenceSpace) {
  SackScoreboard sb;
  const std::uint32_t base = 0xfffff000u;
  ack(sb, base, {blk(base + 0x800, base + 0x1800), blk(0x2000, 0x2100)});
  EXPECT_EQ(ranges(sb), (std::vector{blk(base + 0x800, 0x800), blk(0x2000, 0x2100)}));
  EXPECT_TRUE(sb.is_sacked(seq(0)));
  EXPECT_TRUE(sb.is_sacked(seq(0xffffffffu)));
  EXPECT_EQ(sb.sacked_bytes(), 0x1100u);
  EXPECT_EQ(sb.highest_sacked(), seq(0x20ff));
  ack(sb, 0x10, {});
  EXPECT_EQ(ranges(sb), (std::vector{blk(0x10, 0x800), blk(0x2000, 0x2100)}));
}

// RFC 6675 §4 IsLost: DupThresh (3) discontiguous SACKed ranges above, or
// more than 2 SMSS of SACKed bytes above.
TEST(SackScoreboard, IsLostThresholds) {
  SackScoreboard sb;
  ack(sb, 1000, {blk(2000, 3000)});
  EXPECT_FALSE(sb.is_lost(seq(1000), kMss));
  ack(sb, 1000, {blk(3000, 4000)});
  EXPECT_FALSE(sb.is_lost(seq(1000), kMss));  // exactly 2 SMSS: not more
  ack(sb, 1000, {blk(4000, 4001)});
  EXPECT_TRUE(sb.is_lost(seq(1000), kMss));  // 2 SMSS + 1 byte
  EXPECT_FALSE(sb.is_lost(seq(2000), kMss));  // only bytes above count

  SackScoreboard small;
  ack(small, 1000, {blk(2000, 2100), blk(3000, 3100)});
  EXPECT_FALSE(small.is_lost(seq(1000), kMss));
  ack(small, 1000, {blk(4000, 4100)});  // three discontiguous ranges
  EXPECT_TRUE(small.is_lost(seq(1000), kMss));
  EXPECT_TRUE(small.is_lost(seq(1999), kMss));
  EXPECT_FALSE(small.is_lost(seq(2100), kMss));
}

// Ten segments of 1000 bytes at 1000..11000; segments 1 and 5 are lost and
// the receiver SACKs 2-4 and 6-10 (RFC 6675 §5 style).
class SackRecovery : public ::testing::Test {
 protected:
  void SetUp() override { ack(sb, 1000, {blk(2000, 5000), blk(6000, 11000)}); }
  SackScoreboard sb;
  const SeqNumber una = seq(1000);
  const SeqNumber nxt = seq(11000);
};

TEST_F(SackRecovery, NextSegRuleOne) {
  EXPECT_TRUE(sb.is_lost(seq(1000), kMss));
  EXPECT_TRUE(sb.is_lost(seq(5000), kMss));  // 5000 bytes SACKed above
  auto first = sb.next_seg(una, nxt, una, kMss);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->first, seq(1000));
  EXPECT_EQ(first->second, kMss);
  // After retransmitting segment 1 (HighRxt past it) the next hole is 5000.
  auto second = sb.next_seg(una, nxt, seq(2000), kMss);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->first, seq(5000));
  EXPECT_EQ(second->second, kMss);
  // Both retransmitted: rule 1 has nothing more (the rest is rules 2-4).
  EXPECT_FALSE(sb.next_seg(una, nxt, seq(6000), kMss).has_value());
}

TEST_F(SackRecovery, NextSegNeverCrossesSackedRange) {
  SackScoreboard b;
  ack(b, 1000, {blk(3500, 7000)});
  auto s = b.next_seg(seq(1000), seq(8000), seq(3000), kMss);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->first, seq(3000));
  EXPECT_EQ(s->second, 500u);
  // Data above the highest SACK is never rule-1 material (1.b).
  EXPECT_FALSE(b.next_seg(seq(1000), seq(8000), seq(3500), kMss).has_value());
}

TEST_F(SackRecovery, SetPipe) {
  // Holes 1000-2000 and 5000-6000 are lost; nothing above 11000 is in flight.
  EXPECT_EQ(sb.pipe(una, nxt, una, kMss), 0u);
  EXPECT_EQ(sb.pipe(una, nxt, seq(2000), kMss), 1000u);  // one retransmission
  EXPECT_EQ(sb.pipe(una, nxt, seq(6000), kMss), 2000u);
  // New data sent beyond the SACKed area counts once.
  EXPECT_EQ(sb.pipe(una, seq(13000), seq(6000), kMss), 4000u);
}

TEST(SackScoreboard, PipeCountsUnlostHoles) {
  SackScoreboard sb;
  ack(sb, 1000, {blk(3000, 4000)});  // only 1 SMSS above 1000: not lost yet
  EXPECT_EQ(sb.pipe(seq(1000), seq(6000), seq(1000), kMss), 4000u);
  EXPECT_EQ(sb.pipe(seq(1000), seq(6000), seq(1500), kMss), 4500u);
}

TEST(SackScoreboard, Clear) {
  SackScoreboard sb;
  ack(sb, 0, {blk(10, 20)});
  sb.clear();
  EXPECT_TRUE(sb.empty());
}

TEST(SackScoreboard, SackedBelowAndRangeEnd) {
  SackScoreboard sb;
  ack(sb, 1000, {blk(3000, 4000), blk(6000, 8000)});
  EXPECT_EQ(sb.sacked_below(seq(2000)), 0u);
  EXPECT_EQ(sb.sacked_below(seq(3500)), 500u);
  EXPECT_EQ(sb.sacked_below(seq(6000)), 1000u);
  EXPECT_EQ(sb.sacked_below(seq(9000)), 3000u);
  EXPECT_EQ(sb.sacked_range_end(seq(3000)), seq(4000));
  EXPECT_EQ(sb.sacked_range_end(seq(7999)), seq(8000));
  EXPECT_FALSE(sb.sacked_range_end(seq(4000)).has_value());
  EXPECT_FALSE(sb.sacked_range_end(seq(2999)).has_value());
}

TEST(SackScoreboard, LostBytesAreTheLostHoles) {
  SackScoreboard sb;
  ack(sb, 0, {blk(1000, 4000), blk(5000, 6000)});
  // [0,1000) has 4000 SACKed bytes above: lost; [4000,5000) only 1000: not.
  EXPECT_EQ(sb.lost_bytes(seq(0), seq(10000), kMss), 1000u);
  ack(sb, 0, {blk(5000, 8000)});
  EXPECT_EQ(sb.lost_bytes(seq(0), seq(10000), kMss), 2000u);
  EXPECT_EQ(sb.lost_bytes(seq(0), seq(500), kMss), 500u);
}

}  // namespace
}  // namespace synack::tcp

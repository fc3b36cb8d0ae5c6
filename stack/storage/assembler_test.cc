#include "stack/storage/assembler.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace synack::storage {
namespace {

using R = AssemblerRange;

std::vector<R> held(const Assembler& a) { return {a.begin(), a.end()}; }

TEST(Assembler, StartsEmpty) {
  Assembler a;
  EXPECT_TRUE(a.is_empty());
  EXPECT_EQ(a.max_ranges(), Assembler::kDefaultMaxRanges);
  EXPECT_EQ(a.peek_front(), 0u);
  EXPECT_EQ(a.remove_front(), 0u);
  EXPECT_FALSE(a.last_added().has_value());
}

TEST(Assembler, InOrderDataIsReadyAtOnce) {
  Assembler a;
  ASSERT_TRUE(a.add(0, 100).ok());
  EXPECT_EQ(a.peek_front(), 100u);
  EXPECT_EQ(a.remove_front(), 100u);
  EXPECT_TRUE(a.is_empty());
}

TEST(Assembler, ZeroSizeIsANoOp) {
  Assembler a;
  ASSERT_TRUE(a.add(5, 0).ok());
  EXPECT_TRUE(a.is_empty());
  EXPECT_FALSE(a.last_added().has_value());
}

TEST(Assembler, HoleThenFill) {
  Assembler a;
  ASSERT_TRUE(a.add(10, 5).ok());
  EXPECT_EQ(a.peek_front(), 0u);
  EXPECT_EQ(a.remove_front(), 0u);
  EXPECT_EQ(held(a), (std::vector<R>{{.offset = 10, .size = 5}}));
  ASSERT_TRUE(a.add(0, 10).ok());  // adjacent: merges into one range
  EXPECT_EQ(held(a), (std::vector<R>{{.offset = 0, .size = 15}}));
  EXPECT_EQ(a.remove_front(), 15u);
}

TEST(Assembler, MergesOverlapsAndAdjacency) {
  Assembler a;
  ASSERT_TRUE(a.add(10, 5).ok());   // [10,15)
  ASSERT_TRUE(a.add(20, 5).ok());   // [20,25)
  ASSERT_TRUE(a.add(30, 5).ok());   // [30,35)
  EXPECT_EQ(a.size(), 3u);
  ASSERT_TRUE(a.add(12, 8).ok());   // [12,20) bridges the first two
  EXPECT_EQ(held(a), (std::vector<R>{{.offset = 10, .size = 15}, {.offset = 30, .size = 5}}));
  ASSERT_TRUE(a.add(5, 40).ok());   // swallows everything
  EXPECT_EQ(held(a), (std::vector<R>{{.offset = 5, .size = 40}}));
  ASSERT_TRUE(a.add(6, 2).ok());    // duplicate inside
  EXPECT_EQ(held(a), (std::vector<R>{{.offset = 5, .size = 40}}));
}

TEST(Assembler, RemoveFrontShiftsTheRest) {
  Assembler a;
  ASSERT_TRUE(a.add(0, 4).ok());
  ASSERT_TRUE(a.add(10, 2).ok());
  EXPECT_EQ(a.remove_front(), 4u);
  EXPECT_EQ(held(a), (std::vector<R>{{.offset = 6, .size = 2}}));
}

TEST(Assembler, TooManyHolesLeavesStateUnchanged) {
  Assembler a(2);
  ASSERT_TRUE(a.add(10, 1).ok());
  ASSERT_TRUE(a.add(20, 1).ok());
  auto before = held(a);
  auto last = a.last_added();
  auto r = a.add(30, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), AssemblerError::TooManyHoles);
  EXPECT_EQ(held(a), before);
  EXPECT_EQ(a.last_added(), last);
  EXPECT_FALSE(a.add(0, 5).ok());  // front data touching nothing also needs a slot
  // Ranges that merge need no new slot, even when full.
  EXPECT_TRUE(a.add(11, 9).ok());
  EXPECT_EQ(held(a), (std::vector<R>{{.offset = 10, .size = 11}}));
  EXPECT_TRUE(a.add(30, 1).ok());
}

TEST(Assembler, EvictLastMakesRoomForFrontData) {
  Assembler a(2);
  ASSERT_TRUE(a.add(10, 1).ok());
  ASSERT_TRUE(a.add(20, 3).ok());
  ASSERT_FALSE(a.add(0, 5).ok());
  EXPECT_EQ(a.evict_last(), (R{.offset = 20, .size = 3}));
  ASSERT_TRUE(a.add(0, 5).ok());
  EXPECT_EQ(a.remove_front(), 5u);
  EXPECT_EQ(held(a), (std::vector<R>{{.offset = 5, .size = 1}}));
  EXPECT_TRUE(a.evict_last().has_value());
  EXPECT_FALSE(a.evict_last().has_value());
}

TEST(Assembler, MaxRangesClampedToOne) {
  Assembler a(0);
  EXPECT_EQ(a.max_ranges(), 1u);
  EXPECT_TRUE(a.add(3, 1).ok());
  EXPECT_FALSE(a.add(5, 1).ok());
}

TEST(Assembler, HugeSizesSaturate) {
  Assembler a;
  ASSERT_TRUE(a.add(SIZE_MAX - 2, SIZE_MAX).ok());
  EXPECT_EQ(held(a), (std::vector<R>{{.offset = SIZE_MAX - 2, .size = 2}}));
  ASSERT_TRUE(a.add(SIZE_MAX - 10, 8).ok());  // adjacent to it
  EXPECT_EQ(held(a), (std::vector<R>{{.offset = SIZE_MAX - 10, .size = 10}}));
  EXPECT_TRUE(a.contains(SIZE_MAX - 5, 5));
  EXPECT_FALSE(a.contains(SIZE_MAX - 5, SIZE_MAX));
}

TEST(Assembler, LastAddedFollowsTheNewestSegment) {
  // RFC 2018 §4: the first SACK block holds the segment that triggered the ACK.
  Assembler a;
  ASSERT_TRUE(a.add(30, 5).ok());
  ASSERT_TRUE(a.add(10, 5).ok());
  EXPECT_EQ(a.last_added(), (R{.offset = 10, .size = 5}));
  ASSERT_TRUE(a.add(35, 5).ok());  // extends the later range
  EXPECT_EQ(a.last_added(), (R{.offset = 30, .size = 10}));
  ASSERT_TRUE(a.add(0, 10).ok());  // fills the front: nothing left to SACK for it
  EXPECT_EQ(a.last_added(), (R{.offset = 0, .size = 15}));
  EXPECT_EQ(a.remove_front(), 15u);
  EXPECT_FALSE(a.last_added().has_value());
}

TEST(Assembler, RangesByRecency) {
  Assembler a;
  ASSERT_TRUE(a.add(10, 1).ok());
  ASSERT_TRUE(a.add(20, 1).ok());
  ASSERT_TRUE(a.add(30, 1).ok());
  ASSERT_TRUE(a.add(11, 1).ok());  // touches the first again
  std::array<R, 4> out{};
  ASSERT_EQ(a.ranges_by_recency(out), 3u);
  EXPECT_EQ(out[0], (R{.offset = 10, .size = 2}));
  EXPECT_EQ(out[1], (R{.offset = 30, .size = 1}));
  EXPECT_EQ(out[2], (R{.offset = 20, .size = 1}));
  std::array<R, 1> one{};
  ASSERT_EQ(a.ranges_by_recency(one), 1u);  // TCP option space allows few blocks
  EXPECT_EQ(one[0], (R{.offset = 10, .size = 2}));
}

TEST(Assembler, ContainsAndClear) {
  Assembler a;
  ASSERT_TRUE(a.add(10, 10).ok());
  EXPECT_TRUE(a.contains(10, 10));
  EXPECT_TRUE(a.contains(12, 3));
  EXPECT_FALSE(a.contains(9, 2));
  EXPECT_FALSE(a.contains(19, 2));
  EXPECT_TRUE(a.contains(100, 0));
  a.clear();
  EXPECT_TRUE(a.is_empty());
  EXPECT_FALSE(a.last_added().has_value());
}

}  // namespace
}  // namespace synack::storage

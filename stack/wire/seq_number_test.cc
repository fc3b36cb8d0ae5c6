// SeqNumber: modular ordering (RFC 9293 §3.4, RFC 1982) at and around the wrap.
#include "stack/wire/seq_number.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace synack::wire {
namespace {

static_assert(!std::is_convertible_v<std::uint32_t, SeqNumber>, "construction must be explicit");

TEST(SeqNumber, OrdersAcrossTheWrap) {
  const SeqNumber a(0xfffffff0);
  const SeqNumber b(0x00000010);
  EXPECT_TRUE(a.lt(b));
  EXPECT_TRUE(a.le(b));
  EXPECT_TRUE(b.gt(a));
  EXPECT_TRUE(b.ge(a));
  EXPECT_FALSE(b.lt(a));
  EXPECT_EQ(b - a, 0x20);
  EXPECT_EQ(a - b, -0x20);
  EXPECT_EQ(a + 0x20u, b);
  EXPECT_EQ(b - 0x20u, a);
}

TEST(SeqNumber, EqualIsLeAndGeButNotLtOrGt) {
  const SeqNumber a(42);
  EXPECT_TRUE(a.le(a));
  EXPECT_TRUE(a.ge(a));
  EXPECT_FALSE(a.lt(a));
  EXPECT_FALSE(a.gt(a));
  EXPECT_EQ(a - a, 0);
}

TEST(SeqNumber, HalfSpaceBoundary) {
  const SeqNumber a(0);
  EXPECT_TRUE(a.lt(SeqNumber(0x7fffffff)));
  EXPECT_TRUE(a.gt(SeqNumber(0x80000001)));  // 0x80000001 is 2^31 - 1 behind
  EXPECT_EQ(SeqNumber(0x7fffffff) - a, INT32_MAX);
  EXPECT_EQ(SeqNumber(0x80000000) - a, INT32_MIN);
}

TEST(SeqNumber, InWindow) {
  const SeqNumber first(0xfffffffe);
  EXPECT_TRUE(first.in_window(first, 4));
  EXPECT_TRUE(SeqNumber(1).in_window(first, 4));
  EXPECT_FALSE(SeqNumber(2).in_window(first, 4));  // first + size is outside
  EXPECT_FALSE(SeqNumber(0xfffffffd).in_window(first, 4));
  EXPECT_FALSE(first.in_window(first, 0));  // an empty window holds nothing
  EXPECT_TRUE(SeqNumber(5).in_range_inclusive(SeqNumber(5), SeqNumber(5)));
  EXPECT_TRUE(SeqNumber(0).in_range_inclusive(first, SeqNumber(0)));
  EXPECT_FALSE(SeqNumber(1).in_range_inclusive(first, SeqNumber(0)));
}

TEST(SeqNumber, MaxMinAndSpan) {
  const SeqNumber a(0xffffffff);
  const SeqNumber b(3);
  EXPECT_EQ(SeqNumber::max(a, b), b);
  EXPECT_EQ(SeqNumber::min(a, b), a);
  EXPECT_EQ(seq_span(a, b), 4u);
  SeqNumber c = a;
  c += 5;
  EXPECT_EQ(c.raw(), 4u);
  c -= 5;
  EXPECT_EQ(c, a);
}

}  // namespace
}  // namespace synack::wire

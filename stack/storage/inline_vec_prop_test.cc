// InlineVec (inline_vec.h) against std::vector: the same sequence of
// insertions and erasures gives the same contents; one element stays in
// place, the heap is used from the second on and given back by
// clear_and_release().
#include "stack/storage/inline_vec.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <vector>

#include "stack/base/rng.h"

namespace synack::storage {
namespace {

TEST(InlineVec, OneElementStaysInPlace) {
  InlineVec<std::uint64_t> v(8);
  EXPECT_TRUE(v.empty());
  v.push_back(5);
  EXPECT_FALSE(v.on_heap());
  EXPECT_EQ(v.capacity(), 1u);
  v.erase(v.begin());
  v.insert(v.begin(), 6);
  EXPECT_FALSE(v.on_heap());
  EXPECT_EQ(v.front(), 6u);
}

TEST(InlineVec, SpillsToTheGivenCapacityThenDoubles) {
  InlineVec<std::uint32_t> v(4);
  for (std::uint32_t i = 0; i < 4; ++i) v.push_back(i);
  EXPECT_TRUE(v.on_heap());
  EXPECT_EQ(v.capacity(), 4u);
  v.push_back(4);
  EXPECT_EQ(v.capacity(), 8u);
  for (std::uint32_t i = 0; i < 5; ++i) EXPECT_EQ(v[i], i);
  v.clear();
  EXPECT_TRUE(v.on_heap());  // clear keeps the capacity
  v.clear_and_release();
  EXPECT_FALSE(v.on_heap());
  EXPECT_EQ(v.capacity(), 1u);
}

TEST(InlineVec, CopiesAreIndependent) {
  InlineVec<int> a(2);
  a.push_back(1);
  a.push_back(2);
  a.push_back(3);
  InlineVec<int> b = a;
  b[0] = 9;
  EXPECT_EQ(a[0], 1);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[2], 3);
  InlineVec<int> c(2);
  c.push_back(7);
  c = a;
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c[1], 2);
}

RC_GTEST_PROP(InlineVec, BehavesLikeVector, (std::uint64_t seed, std::uint8_t spill)) {
  Rng rng(seed);
  InlineVec<std::uint64_t> v(spill % 40);
  std::vector<std::uint64_t> m;
  for (int step = 0; step < 200; ++step) {
    switch (rng.below(5)) {
      case 0:
      case 1: {
        auto i = rng.below(static_cast<std::uint32_t>(m.size() + 1));
        std::uint64_t x = rng.next_u64();
        v.insert(v.begin() + i, x);
        m.insert(m.begin() + i, x);
        break;
      }
      case 2:
        if (!m.empty()) {
          auto i = rng.below(static_cast<std::uint32_t>(m.size()));
          auto j = i + rng.below(static_cast<std::uint32_t>(m.size() - i + 1));
          v.erase(v.begin() + i, v.begin() + j);
          m.erase(m.begin() + i, m.begin() + j);
        }
        break;
      case 3:
        if (!m.empty()) {
          v.pop_back();
          m.pop_back();
        }
        break;
      default:
        if (rng.below(8) == 0) {
          v.clear_and_release();
          m.clear();
        }
        break;
    }
    RC_ASSERT(v.size() == m.size());
    RC_ASSERT(std::vector<std::uint64_t>(v.begin(), v.end()) == m);
    RC_ASSERT(v.on_heap() || v.size() <= 1);
  }
}

}  // namespace
}  // namespace synack::storage

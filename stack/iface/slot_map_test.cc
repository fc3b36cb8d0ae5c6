// SlotMap (slot_map.h): handles are index + generation, a freed index is
// reused lowest first (descriptor numbers and traces depend on that order),
// and a stale handle never reaches the object now in its slot. Random
// insert/erase sequences are checked against a reference model that keeps
// the free indices in an ordered set.
#include "stack/iface/slot_map.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "stack/base/rng.h"

namespace synack::iface {
namespace {

TEST(SlotMap, ReusesTheLowestFreeIndexFirst) {
  SlotMap<int> m;
  std::vector<Handle> h;
  for (int i = 0; i < 6; ++i) h.push_back(m.insert(i));
  EXPECT_EQ(h[5].index, 5u);
  // Freed in an order that is neither ascending nor descending.
  for (int i : {3, 1, 4, 0}) EXPECT_TRUE(m.erase(h[static_cast<std::size_t>(i)]));
  EXPECT_EQ(m.size(), 2u);
  for (std::uint32_t want : {0u, 1u, 3u, 4u, 6u}) {
    Handle n = m.insert(10);
    EXPECT_EQ(n.index, want);
    EXPECT_EQ(n.generation, want == 6 ? 0u : 1u);
  }
}

TEST(SlotMap, StaleHandlesFindNothing) {
  SlotMap<int> m;
  Handle a = m.insert(1);
  EXPECT_TRUE(m.erase(a));
  EXPECT_FALSE(m.erase(a));
  Handle b = m.insert(2);
  EXPECT_EQ(b.index, a.index);
  EXPECT_EQ(m.get(a), nullptr);
  ASSERT_NE(m.get(b), nullptr);
  EXPECT_EQ(*m.get(b), 2);
  EXPECT_EQ(m.get(Handle{7, 0}), nullptr);
  EXPECT_FALSE(m.erase(Handle{7, 0}));
}

// Beyond one summary word (4,096 slots): the lowest free index is still
// found first, in whichever word it lies, and freeing the last index of a
// word empties it correctly.
TEST(SlotMap, LowestFirstAcrossManyWords) {
  SlotMap<int> m;
  std::vector<Handle> h;
  for (int i = 0; i < 10'000; ++i) h.push_back(m.insert(i));
  for (std::uint32_t i : {9'999u, 4'096u, 8'191u, 4'095u, 63u, 64u})
    EXPECT_TRUE(m.erase(h[i]));
  for (std::uint32_t want : {63u, 64u, 4'095u, 4'096u, 8'191u, 9'999u, 10'000u})
    EXPECT_EQ(m.insert(0).index, want);
  EXPECT_EQ(m.size(), 10'001u);
}

// The old free list (an ordered set, lowest first) and the live objects.
struct Model {
  std::set<std::uint32_t> free;
  std::vector<std::uint32_t> generation;
  std::map<std::uint32_t, std::uint64_t> live;  // index -> value

  Handle insert(std::uint64_t v) {
    std::uint32_t i;
    if (!free.empty()) {
      i = *free.begin();
      free.erase(free.begin());
    } else {
      i = static_cast<std::uint32_t>(generation.size());
      generation.push_back(0);
    }
    live[i] = v;
    return {i, generation[i]};
  }
  void erase(std::uint32_t i) {
    live.erase(i);
    ++generation[i];
    free.insert(i);
  }
};

RC_GTEST_PROP(SlotMap, ReuseOrderMatchesAnOrderedFreeList, (std::uint64_t seed)) {
  Rng rng(seed);
  SlotMap<std::uint64_t> m;
  Model model;
  std::vector<Handle> handed;  // every handle ever returned, stale ones too
  // Phases that favour inserts, then erasures, so the free list both grows
  // long and empties.
  for (int step = 0; step < 600; ++step) {
    const bool grow = (step / 100) % 2 == 0;
    if (rng.below(4) < (grow ? 3u : 1u) || model.live.empty()) {
      std::uint64_t v = rng.next_u64();
      Handle h = m.insert(v);
      RC_ASSERT(h == model.insert(v));
      handed.push_back(h);
    } else {
      Handle h = handed[rng.below(static_cast<std::uint32_t>(handed.size()))];
      const bool alive = model.live.count(h.index) && model.generation[h.index] == h.generation;
      RC_ASSERT(m.erase(h) == alive);
      if (alive) model.erase(h.index);
    }
    RC_ASSERT(m.size() == model.live.size());
  }
  for (const Handle& h : handed) {
    const bool alive = model.live.count(h.index) && model.generation[h.index] == h.generation;
    RC_ASSERT((m.get(h) != nullptr) == alive);
    if (alive) RC_ASSERT(*m.get(h) == model.live[h.index]);
  }
  std::vector<std::uint32_t> order;
  m.for_each([&](Handle h, std::uint64_t& v) {
    order.push_back(h.index);
    RC_ASSERT(v == model.live[h.index]);
  });
  std::vector<std::uint32_t> want;
  for (const auto& [i, v] : model.live) want.push_back(i);
  RC_ASSERT(order == want);
}

}  // namespace
}  // namespace synack::iface

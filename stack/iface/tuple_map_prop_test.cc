// TupleMap (tuple_map.h) against std::map: random insertions, overwrites and
// erasures over a small key space (long probe runs, wrap-around at the end
// of the table, backward-shift deletion) give the same lookups and sizes.
#include "stack/iface/tuple_map.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "stack/base/rng.h"

namespace synack::iface {
namespace {

tcp::FourTuple tuple_of(std::uint32_t k) {
  return {{wire::Ipv4Address{0x0a000001}, static_cast<std::uint16_t>(1024 + k % 97)},
          {wire::Ipv4Address{0x0a000002 + k / 97}, 80}};
}

TEST(TupleMap, FindSetEraseLikeAMap) {
  TupleMap m(7);
  EXPECT_EQ(m.find(tuple_of(1)), m.end());
  m.set(tuple_of(1), Handle{5, 1});
  ASSERT_NE(m.find(tuple_of(1)), m.end());
  EXPECT_EQ(m.find(tuple_of(1))->second, (Handle{5, 1}));
  m[tuple_of(1)] = Handle{6, 2};
  EXPECT_EQ(m.find(tuple_of(1))->second, (Handle{6, 2}));
  EXPECT_EQ(m.count(tuple_of(2)), 0u);
  EXPECT_EQ(m.size(), 1u);
  m.erase(m.find(tuple_of(1)));
  EXPECT_TRUE(m.empty());
  EXPECT_FALSE(m.erase(tuple_of(1)));
}

TEST(TupleMap, GrowsAndKeepsEveryEntry) {
  TupleMap m(1);
  for (std::uint32_t k = 0; k < 10'000; ++k) m.set(tuple_of(k), Handle{k, k + 1});
  EXPECT_EQ(m.size(), 10'000u);
  for (std::uint32_t k = 0; k < 10'000; ++k) {
    auto* s = m.find(tuple_of(k));
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->second, (Handle{k, k + 1}));
  }
  std::size_t seen = 0;
  m.for_each([&](const tcp::FourTuple&, Handle) { ++seen; });
  EXPECT_EQ(seen, 10'000u);
}

RC_GTEST_PROP(TupleMap, BehavesLikeStdMap, (std::uint64_t seed, std::uint64_t hash_seed)) {
  Rng rng(seed);
  TupleMap m(hash_seed);
  std::map<tcp::FourTuple, Handle> model;
  const std::uint32_t keys = 1 + rng.below(200);
  for (int step = 0; step < 2000; ++step) {
    tcp::FourTuple t = tuple_of(rng.below(keys));
    switch (rng.below(3)) {
      case 0: {
        Handle h{rng.below(1000), rng.below(1000)};
        m.set(t, h);
        model[t] = h;
        break;
      }
      case 1:
        RC_ASSERT(m.erase(t) == (model.erase(t) == 1));
        break;
      default: {
        auto* s = m.find(t);
        auto it = model.find(t);
        RC_ASSERT((s != nullptr) == (it != model.end()));
        if (s) RC_ASSERT(s->second == it->second);
        break;
      }
    }
    RC_ASSERT(m.size() == model.size());
  }
  for (const auto& [t, h] : model) {
    auto* s = m.find(t);
    RC_ASSERT(s != nullptr);
    RC_ASSERT(s->second == h);
  }
}

}  // namespace
}  // namespace synack::iface

// TimeMap: the direct inverse (latest_at_or_before) against the binary
// search over map() the engine used before, for sorted anchors (with
// repeats), with and without a gap cap.
#include "harness/replay/time_map.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

namespace synack::harness::replay {
namespace {

std::int64_t by_search(const TimeMap& m, std::int64_t now, std::int64_t hi) {
  std::int64_t lo = -1;
  while (hi - lo > 1) {
    std::int64_t mid = lo + (hi - lo) / 2;
    (m.map(mid) <= now ? lo : hi) = mid;
  }
  return lo;
}

RC_GTEST_PROP(TimeMapProp, InverseMatchesBinarySearch, ()) {
  auto anchors = *rc::gen::container<std::vector<std::int64_t>>(rc::gen::inRange<std::int64_t>(0, 200));
  std::sort(anchors.begin(), anchors.end());
  std::optional<std::int64_t> cap;
  if (*rc::gen::arbitrary<bool>()) cap = *rc::gen::inRange<std::int64_t>(0, 40);
  const TimeMap m(anchors, cap);
  const std::int64_t hi = (anchors.empty() ? 0 : anchors.back()) + *rc::gen::inRange<std::int64_t>(1, 100);
  for (std::int64_t now = -5; now < 320; ++now) {
    if (m.map(hi) <= now) continue;  // the engine's early return
    RC_ASSERT(m.latest_at_or_before(now, hi) == by_search(m, now, hi));
  }
}

TEST(TimeMap, UnsortedAnchorsFallBackToSearch) {
  const TimeMap m({50, 10, 30}, std::nullopt);
  for (std::int64_t now = 0; now < 100; ++now) {
    if (m.map(200) <= now) continue;
    EXPECT_EQ(m.latest_at_or_before(now, 200), by_search(m, now, 200)) << now;
  }
}

TEST(TimeMap, CapShortensGaps) {
  const TimeMap m({100, 1100, 1150}, 200);
  EXPECT_EQ(m.map(50), 50);
  EXPECT_EQ(m.map(1100), 300);
  EXPECT_EQ(m.map(1150), 350);
  EXPECT_EQ(m.latest_at_or_before(299, 10000), 299);
  EXPECT_EQ(m.latest_at_or_before(300, 10000), 1100);  // the shortened gap all maps to 300
  EXPECT_EQ(m.latest_at_or_before(310, 10000), 1110);
  ASSERT_EQ(m.capped().size(), 1u);
  EXPECT_EQ(m.capped()[0], (std::pair<std::int64_t, std::int64_t>{1100, 1000}));
}

}  // namespace
}  // namespace synack::harness::replay

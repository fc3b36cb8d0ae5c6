#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "stack/transport/tcp/rtt.h"

namespace synack::tcp {
namespace {

// Whatever samples and backoffs arrive, the RTO stays within [min, max].
RC_GTEST_PROP(RttProp, RtoWithinBounds, ()) {
  const auto min_ms = *rc::gen::inRange<std::int64_t>(0, 2000);
  const auto max_ms = min_ms + *rc::gen::inRange<std::int64_t>(0, 200000);
  RttEstimator r(RtoConfig{.initial = Duration::from_millis(*rc::gen::inRange<std::int64_t>(1, 5000)),
                           .min = Duration::from_millis(min_ms),
                           .max = Duration::from_millis(max_ms)});
  const auto ops = *rc::gen::container<std::vector<std::int64_t>>(
      rc::gen::inRange<std::int64_t>(-5, 300000000));  // negative: backoff; else µs sample
  for (std::int64_t op : ops) {
    if (op < 0) {
      r.backoff();
    } else {
      r.on_sample(Duration::from_micros(op));
    }
    RC_ASSERT(r.rto() >= Duration::from_millis(min_ms));
    RC_ASSERT(r.rto() <= Duration::from_millis(max_ms));
    RC_ASSERT(r.rttvar() >= Duration::zero());
  }
}

// Backoff never shortens the RTO.
RC_GTEST_PROP(RttProp, BackoffMonotone, (std::uint32_t sample_us)) {
  RttEstimator r;
  r.on_sample(Duration::from_micros(sample_us % 100000000));
  Duration prev = r.rto();
  for (int i = 0; i < 40; ++i) {
    r.backoff();
    RC_ASSERT(r.rto() >= prev);
    prev = r.rto();
  }
}

}  // namespace
}  // namespace synack::tcp

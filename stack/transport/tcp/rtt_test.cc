#include "stack/transport/tcp/rtt.h"

#include <gtest/gtest.h>

namespace synack::tcp {
namespace {

Duration ms(std::int64_t v) { return Duration::from_millis(v); }
Duration us(std::int64_t v) { return Duration::from_micros(v); }

TEST(Rtt, InitialRtoBeforeAnySample) {
  RttEstimator r;
  EXPECT_EQ(r.rto(), Duration::from_secs(1));  // RFC 6298 (2.1)
  EXPECT_FALSE(r.srtt().has_value());
}

// RFC 6298 (2.2): SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR).
TEST(Rtt, FirstSample) {
  RttEstimator r;
  r.on_sample(ms(100));
  EXPECT_EQ(r.srtt(), ms(100));
  EXPECT_EQ(r.rttvar(), ms(50));
  EXPECT_EQ(r.rto(), ms(300));
}

// RFC 6298 (2.3) with R' = 200 ms after 100 ms:
// RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5 ms, SRTT = 7/8*100 + 1/8*200 = 112.5 ms,
// RTO = 112.5 + 4*62.5 = 362.5 ms.
TEST(Rtt, SubsequentSample) {
  RttEstimator r;
  r.on_sample(ms(100));
  r.on_sample(ms(200));
  EXPECT_EQ(r.rttvar(), us(62500));
  EXPECT_EQ(r.srtt(), us(112500));
  EXPECT_EQ(r.rto(), us(362500));
}

TEST(Rtt, SteadySamplesConverge) {
  RttEstimator r;
  for (int i = 0; i < 200; ++i) r.on_sample(ms(40));
  EXPECT_EQ(r.srtt(), ms(40));
  EXPECT_LT(r.rttvar(), us(1));
  // RTO = 40 ms + max(G, ~0, 200 ms): the minimum bounds the variance term
  // (Linux), so the RTO stays 200 ms above SRTT.
  EXPECT_EQ(r.rto(), ms(240));
}

// Linux keeps its 200 ms minimum as a margin above SRTT: a steady 100 ms path
// has RTO 300 ms however small RTTVAR becomes.
TEST(Rtt, MinimumBoundsTheVarianceTerm) {
  RttEstimator r;
  for (int i = 0; i < 50; ++i) r.on_sample(ms(100));
  EXPECT_EQ(r.srtt(), ms(100));
  EXPECT_EQ(r.rto(), ms(300));
}

TEST(Rtt, GranularityFloorWhenVarianceVanishes) {
  RttEstimator r(RtoConfig{.initial = Duration::from_secs(1), .min = Duration::zero(),
                           .max = Duration::from_secs(60)});
  for (int i = 0; i < 200; ++i) r.on_sample(ms(10));
  EXPECT_EQ(r.rto(), ms(10) + RttEstimator::kGranularity);
}

TEST(Rtt, BackoffDoublesAndClamps) {
  RttEstimator r;
  r.on_sample(ms(100));  // RTO 300 ms
  r.backoff();
  EXPECT_EQ(r.rto(), ms(600));
  r.backoff();
  EXPECT_EQ(r.rto(), ms(1200));
  EXPECT_EQ(r.backoff_count(), 2u);
  for (int i = 0; i < 20; ++i) r.backoff();
  EXPECT_EQ(r.rto(), Duration::from_secs(120));  // capped
  r.reset_backoff();
  EXPECT_EQ(r.rto(), ms(300));
}

TEST(Rtt, BackoffOfMinimumStartsFromMinimum) {
  RttEstimator r;
  r.on_sample(ms(1));  // RTO 1 ms + max(2 ms, 200 ms)
  EXPECT_EQ(r.rto(), ms(201));
  r.backoff();
  EXPECT_EQ(r.rto(), ms(402));  // (5.5) doubles the RTO in force
}

TEST(Rtt, BackoffBeforeSamples) {
  RttEstimator r;
  r.backoff();
  r.backoff();
  EXPECT_EQ(r.rto(), Duration::from_secs(4));
}

TEST(Rtt, SampleClearsBackoff) {
  RttEstimator r;
  r.backoff();
  r.on_sample(ms(100));
  EXPECT_EQ(r.backoff_count(), 0u);
  EXPECT_EQ(r.rto(), ms(300));
}

TEST(Rtt, HugeValuesSaturate) {
  RttEstimator r(RtoConfig{.initial = Duration::from_secs(1), .min = Duration::zero(),
                           .max = Duration::max()});
  r.on_sample(Duration::from_secs(1000000));
  for (unsigned i = 0; i < 100; ++i) r.backoff();
  EXPECT_EQ(r.backoff_count(), RttEstimator::kMaxBackoffs);
  EXPECT_EQ(r.rto(), Duration::max());
}

// RFC 6298 (5.7): a timed-out SYN leaves no sample; data starts from 3 s.
TEST(Rtt, HandshakeWithoutSampleAfterTimeoutFallsBackToThreeSeconds) {
  RttEstimator r;
  r.backoff();  // the SYN timed out
  r.on_handshake_done();
  EXPECT_EQ(r.backoff_count(), 0u);
  EXPECT_EQ(r.rto(), Duration::from_secs(3));
  r.on_sample(ms(100));
  EXPECT_EQ(r.rto(), ms(300));
}

TEST(Rtt, HandshakeWithoutTimeoutKeepsTheInitialRto) {
  RttEstimator r;
  r.on_handshake_done();
  EXPECT_EQ(r.rto(), Duration::from_secs(1));
}

TEST(Rtt, NegativeSampleTreatedAsZero) {
  RttEstimator r;
  r.on_sample(ms(-5));
  EXPECT_EQ(r.srtt(), Duration::zero());
  EXPECT_EQ(r.rto(), ms(200));
}

}  // namespace
}  // namespace synack::tcp

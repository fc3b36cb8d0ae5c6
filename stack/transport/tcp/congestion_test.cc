#include "stack/transport/tcp/congestion.h"

#include <gtest/gtest.h>

#include <cmath>

namespace synack::tcp {
namespace {

constexpr std::uint32_t kMss = 1000;
const Instant kT0 = Instant::from_secs(10);

TEST(Congestion, Names) {
  EXPECT_EQ(cc_from_name("reno"), CcAlgorithm::NewReno);
  EXPECT_EQ(cc_from_name("newreno"), CcAlgorithm::NewReno);
  EXPECT_EQ(cc_from_name("cubic"), CcAlgorithm::Cubic);
  EXPECT_EQ(cc_from_name("bbr"), std::nullopt);
  EXPECT_EQ(to_string(CcAlgorithm::NewReno), "reno");
  EXPECT_EQ(to_string(CcAlgorithm::Cubic), "cubic");
  EXPECT_EQ(CongestionControl(CcAlgorithm::Cubic, kMss).algorithm(), CcAlgorithm::Cubic);
  EXPECT_EQ(CongestionControl(CcAlgorithm::NewReno, kMss).algorithm(), CcAlgorithm::NewReno);
}

// RFC 6928 §2: min(10*MSS, max(2*MSS, 14600)).
TEST(Congestion, InitialWindow) {
  EXPECT_EQ(CongestionControl::rfc6928_initial_window(1460), 14600u);
  EXPECT_EQ(CongestionControl::rfc6928_initial_window(536), 5360u);
  EXPECT_EQ(CongestionControl::rfc6928_initial_window(4000), 14600u);
  EXPECT_EQ(CongestionControl::rfc6928_initial_window(9000), 18000u);
  CongestionControl cc(CcAlgorithm::NewReno, 1460);
  EXPECT_EQ(cc.cwnd(), 14600u);
  EXPECT_TRUE(cc.in_slow_start());
  EXPECT_EQ(CongestionControl(CcAlgorithm::NewReno, 1460, 4380).cwnd(), 4380u);
}

// RFC 5681 §3.1 slow start with RFC 3465 byte counting, L = 2*SMSS.
TEST(NewRenoTest, SlowStartPerAck) {
  CongestionControl cc(CcAlgorithm::NewReno, kMss, 2 * kMss);
  cc.on_ack(kT0, kMss, 2 * kMss, std::nullopt);
  EXPECT_EQ(cc.cwnd(), 3 * kMss);
  cc.on_ack(kT0, 2 * kMss, 2 * kMss, std::nullopt);  // delayed ACK: two segments
  EXPECT_EQ(cc.cwnd(), 5 * kMss);
  cc.on_ack(kT0, 10 * kMss, 2 * kMss, std::nullopt);  // stretch ACK: capped at L
  EXPECT_EQ(cc.cwnd(), 7 * kMss);
  cc.on_ack(kT0, 0, 0, std::nullopt);  // no new data: no growth
  EXPECT_EQ(cc.cwnd(), 7 * kMss);
}

TEST(NewRenoTest, SlowStartDoublesPerRound) {
  CongestionControl cc(CcAlgorithm::NewReno, kMss, 10 * kMss);
  for (int round = 0; round < 3; ++round) {
    const std::uint32_t segs = cc.cwnd() / kMss;
    for (std::uint32_t i = 0; i < segs; ++i) cc.on_ack(kT0, kMss, cc.cwnd(), std::nullopt);
  }
  EXPECT_EQ(cc.cwnd(), 80 * kMss);
}

// Congestion avoidance: one SMSS per cwnd of ACKed bytes.
TEST(NewRenoTest, CongestionAvoidanceGrowth) {
  CongestionControl cc(CcAlgorithm::NewReno, kMss, 20 * kMss);
  cc.on_congestion_event(kT0, 20 * kMss);  // ssthresh = cwnd = 10 MSS
  cc.on_recovery_exit(kT0);
  EXPECT_EQ(cc.cwnd(), 10 * kMss);
  EXPECT_FALSE(cc.in_slow_start());
  for (int i = 0; i < 9; ++i) cc.on_ack(kT0, kMss, cc.cwnd(), std::nullopt);
  EXPECT_EQ(cc.cwnd(), 10 * kMss);
  cc.on_ack(kT0, kMss, cc.cwnd(), std::nullopt);
  EXPECT_EQ(cc.cwnd(), 11 * kMss);
  // A further round of 11 ACKs adds exactly one more.
  for (int i = 0; i < 11; ++i) cc.on_ack(kT0, kMss, cc.cwnd(), std::nullopt);
  EXPECT_EQ(cc.cwnd(), 12 * kMss);
}

TEST(NewRenoTest, SlowStartCrossingIntoAvoidance) {
  CongestionControl cc(CcAlgorithm::NewReno, kMss, 20 * kMss);
  cc.on_rto(kT0, 8 * kMss);  // ssthresh 4 MSS, cwnd 1 MSS
  cc.on_ack(kT0, kMss, kMss, std::nullopt);
  cc.on_ack(kT0, 3 * kMss, kMss, std::nullopt);
  EXPECT_EQ(cc.cwnd(), 4 * kMss);  // reached ssthresh; 1 MSS left over to CA
  EXPECT_FALSE(cc.in_slow_start());
  EXPECT_EQ(std::get<NewReno>(cc.state()).ca_bytes_acked(), kMss);
}

// RFC 5681 eq. (4) on loss and on RTO.
TEST(NewRenoTest, SsthreshOnLossAndRto) {
  CongestionControl cc(CcAlgorithm::NewReno, kMss, 30 * kMss);
  cc.on_congestion_event(kT0, 30 * kMss);
  EXPECT_EQ(cc.ssthresh(), 15 * kMss);
  EXPECT_EQ(cc.cwnd(), 15 * kMss);
  cc.on_congestion_event(kT0, 3 * kMss);
  EXPECT_EQ(cc.ssthresh(), 2 * kMss);  // floor of 2 SMSS
  cc.on_rto(kT0, 20 * kMss);
  EXPECT_EQ(cc.ssthresh(), 10 * kMss);
  EXPECT_EQ(cc.cwnd(), kMss);  // loss window
  cc.on_rto(kT0, kMss);
  EXPECT_EQ(cc.ssthresh(), 2 * kMss);
}

// RFC 5681 §4.1: restart window after more than one RTO of idleness.
TEST(Congestion, IdleRestart) {
  CongestionControl cc(CcAlgorithm::NewReno, kMss, 10 * kMss);
  for (int i = 0; i < 20; ++i) cc.on_ack(kT0, kMss, cc.cwnd(), std::nullopt);
  ASSERT_EQ(cc.cwnd(), 30 * kMss);
  const Duration rto = Duration::from_secs(1);
  cc.on_idle_restart(kT0 + Duration::from_secs(5), rto);  // nothing sent yet: no-op
  EXPECT_EQ(cc.cwnd(), 30 * kMss);
  cc.on_data_sent(kT0);
  cc.on_idle_restart(kT0 + Duration::from_millis(900), rto);
  EXPECT_EQ(cc.cwnd(), 30 * kMss);
  cc.on_idle_restart(kT0 + Duration::from_millis(1100), rto);
  EXPECT_EQ(cc.cwnd(), 10 * kMss);
  EXPECT_TRUE(cc.in_slow_start());
}

TEST(Congestion, SetSmss) {
  CongestionControl cc(CcAlgorithm::NewReno, 1460);
  cc.set_smss(0);
  EXPECT_EQ(cc.smss(), 1460u);
  cc.set_smss(536);
  EXPECT_EQ(cc.smss(), 536u);
  cc.on_rto(kT0, 0);
  EXPECT_EQ(cc.cwnd(), 536u);
  EXPECT_EQ(cc.ssthresh(), 1072u);
}

TEST(CubicTest, CubeRoot) {
  for (double x : {0.0, 1.0, 8.0, 27.0, 75.0, 7.5, 0.001, 1e-9, 12345.678, 1e12, 1e30}) {
    const double want = std::cbrt(x);
    EXPECT_NEAR(cubic_cbrt(x), want, want * 1e-15 + 1e-300) << x;
  }
  EXPECT_EQ(cubic_cbrt(-3.0), 0.0);
}

// Drives a CUBIC sender whose every segment is ACKed one RTT after it was
// sent, the ACKs of a round spread evenly over the RTT.
struct CubicSim {
  CongestionControl cc;
  Instant now;
  Duration rtt;

  void round() {
    const std::uint32_t segs = cc.cwnd() / kMss;
    const Duration gap = rtt / segs;
    for (std::uint32_t i = 0; i < segs; ++i) {
      now += gap;
      cc.on_ack(now, kMss, cc.cwnd(), rtt);
    }
  }
  const Cubic& cubic() const { return std::get<Cubic>(cc.state()); }
};

// RFC 9438 eq. (1)/(2): after a loss at W_max = 100 segments, cwnd follows
// W_cubic(t) = C (t - K)^3 + W_max with K = cbrt((100 - 70) / C).
TEST(CubicTest, GrowthFollowsCubicFunction) {
  CubicSim s{CongestionControl(CcAlgorithm::Cubic, kMss, 100 * kMss), kT0,
             Duration::from_millis(200)};
  s.cc.on_congestion_event(s.now, 100 * kMss);
  EXPECT_EQ(s.cc.ssthresh(), 70 * kMss);
  EXPECT_EQ(s.cc.cwnd(), 70 * kMss);
  s.cc.on_recovery_exit(s.now);
  EXPECT_DOUBLE_EQ(s.cubic().w_max(), 100.0);

  const double k = std::cbrt(30.0 / 0.4);
  std::optional<Instant> epoch;
  int checked = 0;
  for (int r = 0; r < 50; ++r) {
    s.round();
    if (!epoch) {
      epoch = s.cubic().epoch_start();
      ASSERT_TRUE(epoch.has_value());
      EXPECT_NEAR(s.cubic().k(), k, 1e-12);
    }
    const double t = static_cast<double>((s.now - *epoch).nanos()) / 1e9;
    const double expected = 0.4 * std::pow(t - k, 3) + 100.0;
    const double cwnd = static_cast<double>(s.cc.cwnd()) / kMss;
    if (r % 5 == 4) {
      // Within one segment at each of several points: concave, plateau, convex.
      EXPECT_NEAR(cwnd, expected, 1.0) << "t=" << t;
      ++checked;
    }
    // CUBIC region throughout: W_est (Reno-friendly estimate) stays below.
    EXPECT_GE(s.cubic().w_cubic(t) + 1e-9, s.cubic().w_est());
  }
  EXPECT_EQ(checked, 10);
  EXPECT_GT(s.cc.cwnd(), 100 * kMss);  // past the plateau into the convex region
}

// §4.3: with a short RTT, Reno's growth per second beats the cubic curve and
// cwnd tracks W_est: +alpha_cubic per RTT until W_est reaches cwnd_prior,
// then +1 per RTT.
TEST(CubicTest, RenoFriendlyRegion) {
  CubicSim s{CongestionControl(CcAlgorithm::Cubic, kMss, 10 * kMss), kT0,
             Duration::from_millis(10)};
  s.cc.on_congestion_event(s.now, 10 * kMss);
  s.cc.on_recovery_exit(s.now);
  ASSERT_EQ(s.cc.cwnd(), 7 * kMss);
  const double alpha = 3.0 * 0.3 / 1.7;
  for (int r = 0; r < 4; ++r) s.round();
  // Four rounds of about 7-9 ACKs each add about alpha per round.
  EXPECT_NEAR(static_cast<double>(s.cc.cwnd()) / kMss, 7.0 + 4 * alpha, 0.5);
  EXPECT_NEAR(s.cubic().w_est(), static_cast<double>(s.cc.cwnd()) / kMss, 0.01);
  for (int r = 0; r < 20; ++r) s.round();
  const double t = static_cast<double>((s.now - *s.cubic().epoch_start()).nanos()) / 1e9;
  EXPECT_LT(s.cubic().w_cubic(t) + 2.0, static_cast<double>(s.cc.cwnd()) / kMss);
  // After W_est passes 10 (about 6 rounds) growth is one segment per round.
  const std::uint32_t before = s.cc.cwnd();
  for (int r = 0; r < 5; ++r) s.round();
  EXPECT_NEAR(static_cast<double>(s.cc.cwnd() - before) / kMss, 5.0, 0.5);
}

// §4.7 fast convergence.
TEST(CubicTest, FastConvergence) {
  CongestionControl cc(CcAlgorithm::Cubic, kMss, 100 * kMss);
  const auto& cubic = std::get<Cubic>(cc.state());
  cc.on_congestion_event(kT0, 100 * kMss);
  EXPECT_DOUBLE_EQ(cubic.w_max(), 100.0);
  // Loss again at cwnd 70 < W_max: W_max = 70 * (1 + 0.7) / 2 = 59.5.
  cc.on_congestion_event(kT0, 70 * kMss);
  EXPECT_DOUBLE_EQ(cubic.w_max(), 59.5);
  EXPECT_EQ(cc.ssthresh(), 49 * kMss);
  // Grow past W_max, then lose: W_max = cwnd (no release).
  cc.on_recovery_exit(kT0);
  Instant now = kT0;
  while (cc.cwnd() < 65 * kMss) {
    now += Duration::from_millis(1);
    cc.on_ack(now, kMss, cc.cwnd(), Duration::from_millis(50));
  }
  const double cwnd = static_cast<double>(cc.cwnd()) / kMss;
  cc.on_congestion_event(now, cc.cwnd());
  EXPECT_DOUBLE_EQ(cubic.w_max(), cwnd);
}

// §4.8: on RTO, ssthresh uses beta_cubic, cwnd is one segment, and the next
// avoidance epoch starts with K = 0 at its own cwnd.
TEST(CubicTest, Rto) {
  CongestionControl cc(CcAlgorithm::Cubic, kMss, 40 * kMss);
  cc.on_rto(kT0, 40 * kMss);
  EXPECT_EQ(cc.ssthresh(), 28 * kMss);
  EXPECT_EQ(cc.cwnd(), kMss);
  Instant now = kT0;
  while (cc.in_slow_start()) {
    now += Duration::from_millis(1);
    cc.on_ack(now, kMss, cc.cwnd(), Duration::from_millis(20));
  }
  now += Duration::from_millis(1);
  cc.on_ack(now, kMss, cc.cwnd(), Duration::from_millis(20));
  const auto& cubic = std::get<Cubic>(cc.state());
  EXPECT_EQ(cubic.k(), 0.0);
  EXPECT_DOUBLE_EQ(cubic.origin(), 28.0);
}

TEST(CubicTest, SlowStartLikeReno) {
  CongestionControl cc(CcAlgorithm::Cubic, kMss, 2 * kMss);
  cc.on_ack(kT0, kMss, kMss, std::nullopt);
  cc.on_ack(kT0, 5 * kMss, kMss, std::nullopt);
  EXPECT_EQ(cc.cwnd(), 5 * kMss);
}

TEST(CubicTest, DeterministicAcrossRuns) {
  auto run = [] {
    CubicSim s{CongestionControl(CcAlgorithm::Cubic, kMss, 50 * kMss), kT0,
               Duration::from_millis(37)};
    s.cc.on_congestion_event(s.now, 50 * kMss);
    s.cc.on_recovery_exit(s.now);
    for (int r = 0; r < 40; ++r) s.round();
    return s.cc.cwnd();
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
}  // namespace synack::tcp

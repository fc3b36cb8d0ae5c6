// RFC 6298 §2 in integer nanoseconds. The gains are powers of two, so the
// divisions below are exact up to truncation toward zero of the low bits,
// which is at most a few nanoseconds and far below G.
#include "stack/transport/tcp/rtt.h"

#include <algorithm>

namespace synack::tcp {
namespace {

constexpr Duration abs_diff(Duration a, Duration b) noexcept { return a < b ? b - a : a - b; }

}  // namespace

RttEstimator::RttEstimator(RtoConfig config) noexcept : config_(config) {}

void RttEstimator::on_sample(Duration rtt) noexcept {
  if (rtt < Duration::zero()) rtt = Duration::zero();
  if (!srtt_) {
    // (2.2) First measurement R: SRTT <- R, RTTVAR <- R/2.
    srtt_ = rtt;
    rttvar_ = rtt / 2;
  } else {
    // (2.3) RTTVAR first, since it uses the old SRTT (the RFC stresses the
    // order): RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'|; SRTT <- 7/8 SRTT + 1/8 R'.
    rttvar_ = rttvar_ - rttvar_ / 4 + abs_diff(*srtt_, rtt) / 4;
    srtt_ = *srtt_ - *srtt_ / 8 + rtt / 8;
  }
  // Karn: a fresh sample ends the backed-off regime (RFC 6298 §5 note).
  backoff_ = 0;
}

Duration RttEstimator::rto() const noexcept {
  Duration base = config_.initial;  // (2.1) before any measurement
  // (2.4) as Linux applies its minimum (tcp_rtt_estimator/__tcp_set_rto): to
  // the variance term, RTO = SRTT + max(G, 4*RTTVAR, min), so the RTO keeps
  // a margin of `min` above SRTT instead of collapsing onto the minimum.
  if (srtt_) base = *srtt_ + std::max({kGranularity, rttvar_ * 4, config_.min});
  // Then (5.5) double per backoff, then (2.5) cap. Doubling stops as soon as
  // the cap is reached so nothing overflows.
  Duration rto = std::max(base, config_.min);
  for (unsigned i = 0; i < backoff_ && rto < config_.max; ++i) {
    rto = rto > config_.max / 2 ? config_.max : rto * 2;
  }
  return std::min(rto, config_.max);
}

void RttEstimator::backoff() noexcept {
  // Once the RTO sits at the cap further doublings change nothing; bound the
  // counter anyway so it cannot wrap on a connection that retries forever.
  if (backoff_ < kMaxBackoffs) ++backoff_;
}

void RttEstimator::reset_backoff() noexcept { backoff_ = 0; }

void RttEstimator::on_handshake_done() noexcept {
  if (srtt_ || backoff_ == 0) return;
  config_.initial = std::max(config_.initial, kSynFallback);
  backoff_ = 0;
}

unsigned RttEstimator::backoff_count() const noexcept { return backoff_; }

std::optional<Duration> RttEstimator::srtt() const noexcept { return srtt_; }

Duration RttEstimator::rttvar() const noexcept { return rttvar_; }

}  // namespace synack::tcp

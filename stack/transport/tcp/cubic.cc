// CUBIC (RFC 9438). Windows are tracked in segments (doubles) for the
// formulas and applied to the byte window through a fractional accumulator,
// so small per-ACK increases are not lost to truncation.
#include "stack/transport/tcp/cubic.h"

#include <algorithm>
#include <cmath>

namespace synack::tcp {
namespace {

double seconds(Duration d) noexcept { return static_cast<double>(d.nanos()) / 1e9; }

double segments(std::uint32_t bytes, std::uint32_t smss) noexcept {
  return static_cast<double>(bytes) / static_cast<double>(smss);
}

}  // namespace

double cubic_cbrt(double x) noexcept {
  if (!(x > 0.0)) return 0.0;  // also catches NaN
  // Start above the root (a power of two whose cube reaches x); Newton's
  // iteration y <- (2y + x/y^2) / 3 then decreases monotonically to the root
  // because y^3 - x is convex for y > 0. Stop when it no longer decreases.
  double y = 1.0;
  while (y * y * y < x) y *= 2.0;
  for (int i = 0; i < 200; ++i) {
    const double next = (2.0 * y + x / (y * y)) / 3.0;
    if (next >= y) break;
    y = next;
  }
  return y;
}

double Cubic::w_cubic(double t_secs) const noexcept {
  const double d = t_secs - k_;
  return kC * d * d * d + origin_;  // RFC 9438 eq. (1)
}

void Cubic::start_epoch(const CcWindow& w, Instant now) noexcept {
  const double cwnd_epoch = segments(w.cwnd, w.smss);
  epoch_start_ = now;
  if (w_max_ > cwnd_epoch) {
    // §4.2 eq. (2): K = cbrt((W_max - cwnd_epoch) / C).
    origin_ = w_max_;
    k_ = cubic_cbrt((w_max_ - cwnd_epoch) / kC);
  } else {
    // Above the last W_max (or no loss yet, or after an RTO, §4.8): the
    // curve starts in its convex part, K = 0, plateau at cwnd_epoch.
    origin_ = cwnd_epoch;
    k_ = 0.0;
  }
  w_est_ = cwnd_epoch;  // §4.3: W_est starts at cwnd_epoch
  frac_bytes_ = 0.0;
}

void Cubic::congestion_avoidance(CcWindow& w, Instant now, std::uint32_t bytes_acked) noexcept {
  if (!epoch_start_) start_epoch(w, now);
  const double cwnd = segments(w.cwnd, w.smss);
  const double acked = segments(bytes_acked, w.smss);
  const double t = seconds(now - *epoch_start_);
  const double rtt = srtt_ ? seconds(*srtt_) : 0.0;

  // §4.3 Reno-friendly estimate: alpha_cubic until W_est reaches the window
  // at the last reduction, then 1 (standard Reno growth).
  const double alpha = w_est_ >= cwnd_prior_ ? 1.0 : kAlpha;
  w_est_ += alpha * acked / cwnd;

  double desired = static_cast<double>(w.cwnd) + frac_bytes_;
  if (w_cubic(t) < w_est_) {
    // Reno-friendly region: cwnd = W_est (never shrinking in CA).
    desired = std::max(desired, w_est_ * w.smss);
  } else {
    // §4.4/§4.5: target = W_cubic(t + RTT) clamped to [cwnd, 1.5 cwnd];
    // cwnd grows by (target - cwnd) / cwnd per SMSS acknowledged.
    const double target = std::clamp(w_cubic(t + rtt), cwnd, 1.5 * cwnd);
    desired += (target - cwnd) / cwnd * acked * w.smss;
  }
  const double cap = static_cast<double>(CcWindow::kMaxCwnd);
  desired = std::min(desired, cap);
  const double whole = std::floor(desired);
  frac_bytes_ = desired - whole;
  w.cwnd = std::max(w.cwnd, static_cast<std::uint32_t>(whole));
}

void Cubic::on_ack(CcWindow& w, Instant now, std::uint32_t bytes_acked,
                   std::uint32_t /*bytes_in_flight*/, std::optional<Duration> rtt_sample) noexcept {
  if (rtt_sample && *rtt_sample >= Duration::zero()) {
    // RFC 9438 uses "the smoothed round-trip time"; keep our own with the
    // RFC 6298 gain of 1/8 so the unit is self-contained.
    srtt_ = srtt_ ? *srtt_ - *srtt_ / 8 + *rtt_sample / 8 : *rtt_sample;
  }
  if (w.in_slow_start()) {
    bytes_acked = slow_start(w, bytes_acked);
    if (bytes_acked == 0) return;
  }
  congestion_avoidance(w, now, bytes_acked);
}

void Cubic::reduce(CcWindow& w, std::uint32_t bytes_in_flight) noexcept {
  const double cwnd = segments(w.cwnd, w.smss);
  // §4.7 fast convergence: a window that stopped short of the previous W_max
  // means a new flow is competing; release bandwidth by lowering W_max.
  w_max_ = cwnd < w_max_ ? cwnd * (1.0 + kBeta) / 2.0 : cwnd;
  cwnd_prior_ = cwnd;
  // §4.6: ssthresh = max(flight_size * beta_cubic, 2 SMSS), in integers
  // (beta = 7/10) so the byte window is exact.
  const auto reduced = static_cast<std::uint32_t>(std::uint64_t{bytes_in_flight} * 7 / 10);
  w.ssthresh = std::max(reduced, 2 * w.smss);
  epoch_start_.reset();
  frac_bytes_ = 0.0;
}

void Cubic::on_congestion_event(CcWindow& w, Instant /*now*/,
                                std::uint32_t bytes_in_flight) noexcept {
  reduce(w, bytes_in_flight);
  w.cwnd = w.ssthresh;
}

void Cubic::on_recovery_exit(CcWindow& w, Instant /*now*/) noexcept {
  w.cwnd = w.ssthresh;
  epoch_start_.reset();
}

void Cubic::on_rto(CcWindow& w, Instant /*now*/, std::uint32_t bytes_in_flight) noexcept {
  // §4.8: reduce cwnd as RFC 5681 does (loss window of one segment) but set
  // ssthresh with beta_cubic; the next congestion avoidance stage uses K = 0
  // and W_max = cwnd at its start, hence W_max is forgotten here.
  reduce(w, bytes_in_flight);
  w_max_ = 0.0;
  w.cwnd = w.smss;
}

void Cubic::on_idle_restart(CcWindow& /*w*/, Instant /*now*/) noexcept {
  // The curve's time base assumes continuous sending; after an idle restart
  // begin a new epoch at the next ACK rather than jumping along the curve.
  epoch_start_.reset();
}

}  // namespace synack::tcp

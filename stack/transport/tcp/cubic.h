// CUBIC congestion control (RFC 9438). Window arithmetic is in segments as
// doubles, using only +, -, *, / (correctly rounded in IEEE 754) and a
// Newton-iteration cube root, so results are bit-identical on every
// platform; no libm transcendental is called. Slow start is RFC 5681's
// (no HyStart).
//   W_cubic(t) = C (t - K)^3 + W_max,  K = cbrt((W_max - cwnd_epoch) / C)  (§4.2)
//   target = clamp(W_cubic(t + RTT), cwnd, 1.5 cwnd)                     (§4.4)
//   W_est += alpha_cubic * segments_acked / cwnd                          (§4.3)
//   on loss: ssthresh = max(flight * beta, 2 SMSS), fast convergence      (§4.6, §4.7)
#pragma once

#include <cstdint>
#include <optional>

#include "stack/base/instant.h"
#include "stack/base/opt_time.h"
#include "stack/transport/tcp/newreno.h"

namespace synack::tcp {

// Cube root of x >= 0 by Newton's method from above (deterministic).
double cubic_cbrt(double x) noexcept;

class Cubic {
 public:
  static constexpr double kC = 0.4;      // RFC 9438 §4.2
  static constexpr double kBeta = 0.7;   // §4.6
  // §4.3: alpha_cubic = 3 (1 - beta) / (1 + beta).
  static constexpr double kAlpha = 3.0 * (1.0 - kBeta) / (1.0 + kBeta);

  void on_ack(CcWindow& w, Instant now, std::uint32_t bytes_acked, std::uint32_t bytes_in_flight,
              std::optional<Duration> rtt_sample) noexcept;
  void on_congestion_event(CcWindow& w, Instant now, std::uint32_t bytes_in_flight) noexcept;
  void on_recovery_exit(CcWindow& w, Instant now) noexcept;
  void on_rto(CcWindow& w, Instant now, std::uint32_t bytes_in_flight) noexcept;
  void on_idle_restart(CcWindow& w, Instant now) noexcept;

  // Inspection (tests, netstat).
  double w_max() const noexcept { return w_max_; }                    // segments
  double k() const noexcept { return k_; }                            // seconds
  double origin() const noexcept { return origin_; }                  // segments
  double cwnd_prior() const noexcept { return cwnd_prior_; }          // segments
  std::optional<Instant> epoch_start() const noexcept { return epoch_start_; }
  double w_est() const noexcept { return w_est_; }                    // segments
  std::optional<Duration> srtt() const noexcept { return srtt_; }
  // W_cubic(t) in segments for t seconds after the epoch start.
  double w_cubic(double t_secs) const noexcept;

 private:
  void start_epoch(const CcWindow& w, Instant now) noexcept;
  void reduce(CcWindow& w, std::uint32_t bytes_in_flight) noexcept;
  void congestion_avoidance(CcWindow& w, Instant now, std::uint32_t bytes_acked) noexcept;

  double w_max_ = 0.0;        // segments; 0 until the first congestion event
  double origin_ = 0.0;       // segments, the plateau of the current epoch's curve
  double cwnd_prior_ = 0.0;   // segments, cwnd when ssthresh was last set
  double k_ = 0.0;
  double w_est_ = 0.0;
  double frac_bytes_ = 0.0;   // increase accumulated but not yet whole bytes
  OptInstant epoch_start_;  // 8 bytes (opt_time.h)
  OptDuration srtt_;  // smoothed RTT (1/8 gain) from samples
};

}  // namespace synack::tcp

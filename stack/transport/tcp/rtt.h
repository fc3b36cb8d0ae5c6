// RFC 6298 retransmission timeout estimation. Pure value type: the connection
// feeds it RTT samples (Karn's algorithm, i.e. never from retransmitted
// segments, is the caller's duty) and asks for the current RTO.
//   first sample:  SRTT = R, RTTVAR = R/2
//   later samples: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|; SRTT = 7/8 SRTT + 1/8 R
//   RTO = SRTT + max(G, 4 * RTTVAR, min), G = 1 µs (our clock granularity)
// Every step is integer nanosecond arithmetic, so results are identical on
// every platform. The minimum (RFC 6298 (2.4); Linux's 200 ms rather than the
// RFC's 1 s) bounds the variance term as Linux does, so a steady 100 ms path
// gets 300 ms, not 200 ms. The RTO is doubled per backoff (5.5), and capped
// at `max` (2.5 allows a cap of at least 60 s; Linux uses 120 s).
#pragma once

#include <optional>

#include "stack/base/instant.h"
#include "stack/base/opt_time.h"

namespace synack::tcp {

struct RtoConfig {
  Duration initial = Duration::from_secs(1);  // RFC 6298 (2.1)
  Duration min = Duration::from_millis(200);
  Duration max = Duration::from_secs(120);
  bool operator==(const RtoConfig&) const = default;
};

class RttEstimator {
 public:
  explicit RttEstimator(RtoConfig config = {}) noexcept;

  // A valid RTT measurement. Negative samples are treated as zero. A new
  // sample also clears the backoff: Karn's algorithm keeps the backed-off RTO
  // only until a sample from a non-retransmitted segment arrives.
  void on_sample(Duration rtt) noexcept;

  // The timeout to arm now: base RTO rounded up to min, times 2^backoff,
  // capped at max. Before any sample the base is config.initial.
  Duration rto() const noexcept;
  // RFC 6298 (5.5): the timer expired; double the RTO (saturating at max).
  void backoff() noexcept;
  void reset_backoff() noexcept;
  // RFC 6298 (5.7): the handshake is complete. If the SYN (or SYN,ACK) timed
  // out and no RTT was measured, the RTO restarts from 3 s (kSynFallback)
  // without backoff, as Linux's TCP_TIMEOUT_FALLBACK.
  void on_handshake_done() noexcept;
  static constexpr Duration kSynFallback = Duration::from_secs(3);
  unsigned backoff_count() const noexcept;  // saturates at kMaxBackoffs
  static constexpr unsigned kMaxBackoffs = 64;

  std::optional<Duration> srtt() const noexcept;
  Duration rttvar() const noexcept;
  const RtoConfig& config() const noexcept { return config_; }

  static constexpr Duration kGranularity = Duration::from_micros(1);

 private:
  RtoConfig config_;
  OptDuration srtt_;  // 8 bytes (opt_time.h)
  Duration rttvar_;
  unsigned backoff_ = 0;
};

}  // namespace synack::tcp

// NewReno: RFC 5681 slow start and congestion avoidance with RFC 3465
// appropriate byte counting; RFC 6582 for the recovery exit.
#include "stack/transport/tcp/newreno.h"

#include <algorithm>

namespace synack::tcp {

std::uint32_t slow_start(CcWindow& w, std::uint32_t bytes_acked) noexcept {
  // RFC 3465 §2.2: cwnd += min(N, L*SMSS) with L = 2, which grows cwnd as
  // fast as classic per-ACK slow start even with delayed ACKs, but no faster
  // on stretch ACKs. Growth stops at ssthresh; the remainder is returned.
  const std::uint32_t room = w.ssthresh - w.cwnd;  // > 0 in slow start
  const std::uint32_t inc = std::min({bytes_acked, 2 * w.smss, room});
  w.cwnd = std::min(w.cwnd + inc, CcWindow::kMaxCwnd);
  return inc == room ? bytes_acked - inc : 0;
}

std::uint32_t half_flight(const CcWindow& w, std::uint32_t bytes_in_flight) noexcept {
  return std::max(bytes_in_flight / 2, 2 * w.smss);
}

void NewReno::on_ack(CcWindow& w, Instant /*now*/, std::uint32_t bytes_acked,
                     std::uint32_t /*bytes_in_flight*/,
                     std::optional<Duration> /*rtt_sample*/) noexcept {
  if (w.in_slow_start()) {
    bytes_acked = slow_start(w, bytes_acked);
    if (bytes_acked == 0) return;
  }
  // RFC 5681 §3.1 / RFC 3465 §2.1 congestion avoidance: count ACKed bytes and
  // add one SMSS whenever a full cwnd's worth has been acknowledged, i.e.
  // about one SMSS per RTT.
  ca_bytes_acked_ += bytes_acked;
  if (ca_bytes_acked_ >= w.cwnd) {
    ca_bytes_acked_ -= w.cwnd;
    w.cwnd = std::min(w.cwnd + w.smss, CcWindow::kMaxCwnd);
    // A single stretch ACK earns at most one SMSS (RFC 3465 §2.1).
    ca_bytes_acked_ = std::min(ca_bytes_acked_, w.cwnd - 1);
  }
}

void NewReno::on_congestion_event(CcWindow& w, Instant /*now*/,
                                  std::uint32_t bytes_in_flight) noexcept {
  // RFC 5681 §3.2 step 2 / RFC 6675 §5 step 4.2: ssthresh = max(FlightSize/2,
  // 2*SMSS); with SACK-based recovery cwnd = ssthresh (no artificial
  // inflation by 3 SMSS).
  w.ssthresh = half_flight(w, bytes_in_flight);
  w.cwnd = w.ssthresh;
  ca_bytes_acked_ = 0;
}

void NewReno::on_recovery_exit(CcWindow& w, Instant /*now*/) noexcept {
  // RFC 6582 §3.2 step 3, first option: "Set cwnd to ssthresh".
  w.cwnd = w.ssthresh;
  ca_bytes_acked_ = 0;
}

void NewReno::on_rto(CcWindow& w, Instant /*now*/, std::uint32_t bytes_in_flight) noexcept {
  // RFC 5681 §3.1 eq. (4) and "cwnd MUST be set to no more than the loss
  // window, LW, which equals 1 full-sized segment".
  w.ssthresh = half_flight(w, bytes_in_flight);
  w.cwnd = w.smss;
  ca_bytes_acked_ = 0;
}

void NewReno::on_idle_restart(CcWindow& /*w*/, Instant /*now*/) noexcept { ca_bytes_acked_ = 0; }

}  // namespace synack::tcp

// Pluggable congestion control, chosen per socket (TCP_CONGESTION). The
// connection calls these hooks; the algorithm state lives in a
// std::variant<NewReno, Cubic> (smoltcp's AnyController) so dispatch is a
// std::visit, not a virtual call. All windows are in bytes.
// Hook contract (the connection's duties):
//   on_ack: new data cumulatively ACKed while NOT in loss recovery.
//   on_congestion_event: entering fast recovery (3 dupacks / RFC 6675 loss).
//   on_recovery_exit: the full ACK ending recovery (RFC 6582 §3.2 step 3).
//   on_rto: the retransmission timer expired (RFC 5681 §3.1 eq. 4).
//   on_data_sent / on_idle_restart: RFC 5681 §4.1 restart after idle.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "stack/base/instant.h"
#include "stack/base/opt_time.h"
#include "stack/transport/tcp/cubic.h"
#include "stack/transport/tcp/newreno.h"

namespace synack::tcp {

enum class CcAlgorithm { NewReno, Cubic };

// "reno" and "newreno" name NewReno; "cubic" names CUBIC (Linux spellings).
std::optional<CcAlgorithm> cc_from_name(std::string_view name) noexcept;
// "reno" or "cubic", as Linux reports TCP_CONGESTION.
std::string_view to_string(CcAlgorithm a) noexcept;

class CongestionControl {
 public:
  // initial_window_bytes == 0 selects rfc6928_initial_window(smss).
  CongestionControl(CcAlgorithm algorithm, std::uint32_t smss,
                    std::uint32_t initial_window_bytes = 0) noexcept;

  // RFC 6928 §2 (as Linux): min(10*MSS, max(2*MSS, 14600)).
  static std::uint32_t rfc6928_initial_window(std::uint32_t smss) noexcept;

  CcAlgorithm algorithm() const noexcept;
  // TCP_CONGESTION on a live connection (Linux tcp_reinit_congestion_control):
  // the new algorithm starts from fresh state; cwnd and ssthresh are kept.
  void set_algorithm(CcAlgorithm algorithm) noexcept;
  std::uint32_t cwnd() const noexcept { return w_.cwnd; }
  std::uint32_t ssthresh() const noexcept { return w_.ssthresh; }
  std::uint32_t smss() const noexcept { return w_.smss; }
  bool in_slow_start() const noexcept { return w_.in_slow_start(); }
  // A new SMSS (e.g. after PMTU discovery); smss 0 is ignored.
  void set_smss(std::uint32_t smss) noexcept;

  void on_ack(Instant now, std::uint32_t bytes_acked, std::uint32_t bytes_in_flight,
              std::optional<Duration> rtt_sample) noexcept;
  void on_congestion_event(Instant now, std::uint32_t bytes_in_flight) noexcept;
  void on_recovery_exit(Instant now) noexcept;
  void on_rto(Instant now, std::uint32_t bytes_in_flight) noexcept;

  // Record that new data was transmitted at `now` (for idle detection).
  void on_data_sent(Instant now) noexcept { last_send_ = now; }
  // Call before sending new data. RFC 5681 §4.1: if nothing was sent for more
  // than one RTO (measured from the last on_data_sent), cwnd is cut to
  // RW = min(IW, cwnd). Without a recorded send this does nothing.
  void on_idle_restart(Instant now, Duration rto) noexcept;

  // Algorithm state for inspection.
  const std::variant<NewReno, Cubic>& state() const noexcept { return algo_; }
  const CcWindow& window() const noexcept { return w_; }

 private:
  CcWindow w_;
  std::uint32_t initial_window_;
  bool default_initial_window_;
  OptInstant last_send_;  // 8 bytes (opt_time.h)
  std::variant<NewReno, Cubic> algo_;
};

}  // namespace synack::tcp

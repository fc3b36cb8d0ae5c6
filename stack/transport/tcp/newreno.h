// NewReno congestion control (RFC 5681 with RFC 3465 appropriate byte
// counting, RFC 6582 recovery exit) and the window state shared by every
// algorithm. Used through CongestionControl (congestion.h); the algorithm
// classes are plain state with a uniform set of hooks so that a
// std::variant can dispatch to them without virtual calls.
#pragma once

#include <cstdint>
#include <optional>

#include "stack/base/instant.h"

namespace synack::tcp {

// The window every algorithm manipulates, in bytes.
struct CcWindow {
  std::uint32_t cwnd = 0;
  // RFC 5681 §3.1: "The initial value of ssthresh SHOULD be set arbitrarily
  // high (e.g., to the size of the largest possible advertised window)".
  std::uint32_t ssthresh = kInfiniteSsthresh;
  std::uint32_t smss = 536;

  static constexpr std::uint32_t kInfiniteSsthresh = 0x7fffffff;
  // cwnd never grows past this (keeps additions overflow-free).
  static constexpr std::uint32_t kMaxCwnd = 0x3fffffff;
  bool in_slow_start() const noexcept { return cwnd < ssthresh; }
};

// RFC 5681 §3.1 slow start with RFC 3465 byte counting, limit L = 2*SMSS:
// cwnd += min(bytes_acked, 2*SMSS). Returns the bytes not consumed because
// cwnd reached ssthresh (they belong to congestion avoidance).
std::uint32_t slow_start(CcWindow& w, std::uint32_t bytes_acked) noexcept;
// RFC 5681 eq. (4): max(FlightSize / 2, 2*SMSS).
std::uint32_t half_flight(const CcWindow& w, std::uint32_t bytes_in_flight) noexcept;

class NewReno {
 public:
  void on_ack(CcWindow& w, Instant now, std::uint32_t bytes_acked, std::uint32_t bytes_in_flight,
              std::optional<Duration> rtt_sample) noexcept;
  void on_congestion_event(CcWindow& w, Instant now, std::uint32_t bytes_in_flight) noexcept;
  void on_recovery_exit(CcWindow& w, Instant now) noexcept;
  void on_rto(CcWindow& w, Instant now, std::uint32_t bytes_in_flight) noexcept;
  void on_idle_restart(CcWindow& w, Instant now) noexcept;

  // Bytes ACKed in congestion avoidance not yet turned into a cwnd increase
  // (RFC 3465 §2.1 "bytes_acked").
  std::uint32_t ca_bytes_acked() const noexcept { return ca_bytes_acked_; }

 private:
  std::uint32_t ca_bytes_acked_ = 0;
};

}  // namespace synack::tcp

// CongestionControl: the std::variant dispatcher and the algorithm-neutral
// parts (initial window, RFC 5681 §4.1 idle restart).
#include "stack/transport/tcp/congestion.h"

#include <algorithm>

namespace synack::tcp {

std::optional<CcAlgorithm> cc_from_name(std::string_view name) noexcept {
  if (name == "reno" || name == "newreno") return CcAlgorithm::NewReno;
  if (name == "cubic") return CcAlgorithm::Cubic;
  return std::nullopt;
}

std::string_view to_string(CcAlgorithm a) noexcept {
  switch (a) {
    case CcAlgorithm::NewReno: return "reno";
    case CcAlgorithm::Cubic: return "cubic";
  }
  return "unknown";
}

namespace {

std::variant<NewReno, Cubic> make_algorithm(CcAlgorithm a) noexcept {
  if (a == CcAlgorithm::Cubic) return Cubic{};
  return NewReno{};
}

}  // namespace

std::uint32_t CongestionControl::rfc6928_initial_window(std::uint32_t smss) noexcept {
  // RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)).
  return std::min(10 * smss, std::max(2 * smss, std::uint32_t{14600}));
}

CongestionControl::CongestionControl(CcAlgorithm algorithm, std::uint32_t smss,
                                     std::uint32_t initial_window_bytes) noexcept
    : initial_window_(initial_window_bytes),
      default_initial_window_(initial_window_bytes == 0),
      algo_(make_algorithm(algorithm)) {
  w_.smss = std::max(smss, std::uint32_t{1});
  if (initial_window_ == 0) initial_window_ = rfc6928_initial_window(w_.smss);
  w_.cwnd = std::min(initial_window_, CcWindow::kMaxCwnd);
}

CcAlgorithm CongestionControl::algorithm() const noexcept {
  return std::holds_alternative<Cubic>(algo_) ? CcAlgorithm::Cubic : CcAlgorithm::NewReno;
}

void CongestionControl::set_algorithm(CcAlgorithm algorithm) noexcept {
  if (algorithm != this->algorithm()) algo_ = make_algorithm(algorithm);
}

void CongestionControl::set_smss(std::uint32_t smss) noexcept {
  if (smss == 0) return;
  w_.smss = smss;
  // The restart window follows the MSS when it was derived from it.
  if (default_initial_window_) initial_window_ = rfc6928_initial_window(smss);
}

void CongestionControl::on_ack(Instant now, std::uint32_t bytes_acked,
                               std::uint32_t bytes_in_flight,
                               std::optional<Duration> rtt_sample) noexcept {
  if (bytes_acked == 0) return;
  std::visit([&](auto& a) { a.on_ack(w_, now, bytes_acked, bytes_in_flight, rtt_sample); }, algo_);
}

void CongestionControl::on_congestion_event(Instant now, std::uint32_t bytes_in_flight) noexcept {
  std::visit([&](auto& a) { a.on_congestion_event(w_, now, bytes_in_flight); }, algo_);
}

void CongestionControl::on_recovery_exit(Instant now) noexcept {
  std::visit([&](auto& a) { a.on_recovery_exit(w_, now); }, algo_);
}

void CongestionControl::on_rto(Instant now, std::uint32_t bytes_in_flight) noexcept {
  std::visit([&](auto& a) { a.on_rto(w_, now, bytes_in_flight); }, algo_);
}

void CongestionControl::on_idle_restart(Instant now, Duration rto) noexcept {
  if (!last_send_ || now - *last_send_ <= rto) return;
  // RFC 5681 §4.1: "cwnd to no more than RW before beginning transmission",
  // RW = min(IW, cwnd). ssthresh is left alone so slow start climbs back.
  w_.cwnd = std::min(w_.cwnd, initial_window_);
  std::visit([&](auto& a) { a.on_idle_restart(w_, now); }, algo_);
}

}  // namespace synack::tcp

// TCP connection states (RFC 9293 §3.3.2, figure 5) and their RFC spellings.
#pragma once

#include <string_view>

namespace synack::tcp {

enum class State {
  Closed,
  Listen,
  SynSent,
  SynReceived,
  Established,
  FinWait1,
  FinWait2,
  CloseWait,
  Closing,
  LastAck,
  TimeWait,
};

// "SYN-RECEIVED", "FIN-WAIT-1", ... exactly as RFC 9293 writes them.
std::string_view to_string(State s) noexcept;

// RFC 9293 §3.5: states after the SYNs have been exchanged in both directions
// (the "synchronized" states, where RSTs and challenge ACKs follow §3.10.7.4).
constexpr bool is_synchronized(State s) noexcept {
  return s != State::Closed && s != State::Listen && s != State::SynSent && s != State::SynReceived;
}

// States in which our FIN has been queued or sent: no more data may be sent.
constexpr bool fin_queued_state(State s) noexcept {
  return s == State::FinWait1 || s == State::FinWait2 || s == State::Closing ||
         s == State::LastAck || s == State::TimeWait;
}

// States in which the peer's FIN has been received: no more data will arrive.
constexpr bool fin_received_state(State s) noexcept {
  return s == State::CloseWait || s == State::Closing || s == State::LastAck ||
         s == State::TimeWait;
}

}  // namespace synack::tcp

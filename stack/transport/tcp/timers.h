// TCP timers as data (STYLE B3.4): each timer is an optional deadline in one
// small struct; nothing calls back. The socket fires due timers inside
// Socket::on_timer(ctx), which Socket::poll_output(ctx) also calls first, so
// an iface that simply calls poll_output at poll_at() gets every timer fired.
//
// Timers (RFC 9293 §3.8, RFC 6298, RFC 1122 4.2.3.6):
//   retransmit   SYN, SYN-ACK, data and FIN retransmission (RFC 6298)
//   persist      zero-window probes (RFC 9293 §3.8.6.1)
//   delayed_ack  RFC 9293 §3.8.6.3 / RFC 1122 4.2.3.2
//   keepalive    RFC 1122 4.2.3.6
//   linger       2*MSL in TIME-WAIT (RFC 9293 §3.4.2), FIN-WAIT-2 orphan timeout
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "stack/base/instant.h"
#include "stack/base/opt_time.h"

namespace synack::tcp {

// What netstat -o prints for the running timer: "on" (retransmission),
// "probe" (zero window), "keepalive", "timewait", or "off".
enum class TimerKind { Off, On, Probe, Keepalive, TimeWait };

// Deadlines as OptInstant (8 bytes each, opt_time.h): 40 bytes per socket.
struct Timers {
  OptInstant retransmit;
  OptInstant persist;
  OptInstant delayed_ack;
  OptInstant keepalive;
  OptInstant linger;

  // Earliest deadline of all armed timers. Inline: it runs on every
  // re-index of a socket, and out of line its optional came back through
  // memory (a store-forwarding stall per call).
  std::optional<Instant> next() const noexcept {
    Instant best = Instant::max();
    bool any = false;
    for (const OptInstant* t : {&retransmit, &persist, &delayed_ack, &keepalive, &linger}) {
      if (*t && (!any || **t < best)) {
        best = **t;
        any = true;
      }
    }
    return any ? std::optional<Instant>(best) : std::nullopt;
  }
  void clear() noexcept { *this = Timers{}; }
};

// Returns true (and disarms it) when `t` is armed and due at `now`.
bool take_due(OptInstant& t, Instant now) noexcept;

// netstat -o style text: "on (0.20/1/0)" = kind, seconds remaining with two
// decimals, retransmissions, keepalive or window probes sent.
std::string describe_timer(TimerKind kind, std::optional<Instant> deadline, Instant now,
                           int retransmits, int probes);

}  // namespace synack::tcp

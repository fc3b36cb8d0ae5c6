// The model of one TCP connection between two applications, for the
// state-machine property in tcp_model_prop_test.cc (RapidCheck rc::state).
//
// Host A (10.0.0.1) is the client, host B (10.0.0.2) the server on port 80;
// a TamperNode sits between them. The model is what the applications can
// know: what each side handed to send(), what reached the other side's
// receive buffer, what each side read, who shut down or closed, and the
// pending error. It is exact because the test settles the world (runs it
// until nothing is in flight) after every command while the network is
// whole; during a partition nothing moves, and healing settles again.
//
// Expected results follow Linux where RFC 9293 leaves the API open, except
// where synack deliberately differs (marked "synack:" below):
//  - a pending error (ECONNRESET, ECONNREFUSED) stays pending: every send()
//    and recv() (after buffered data) reports it, where Linux reports it once
//    and then gives EPIPE / end of stream;
//  - after SHUT_WR, once the connection has fully closed (LAST-ACK acked,
//    TIME-WAIT over), send() gives ENOTCONN where Linux gives EPIPE, and a
//    second shutdown() gives ENOTCONN (as Linux does on a closed socket).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "stack/base/sock_error.h"

namespace synack::harness::model {

// The connection as the applications see it.
enum class Phase : std::uint8_t {
  None,        // no client socket
  SynPending,  // connect() made during a partition: the SYN has not arrived
  Refused,     // connect() answered with a RST: ECONNREFUSED pending
  Queued,      // established, waiting in B's accept queue
  Accepted,    // B accepted it
};

inline const char* to_string(Phase p) {
  switch (p) {
    case Phase::None: return "none";
    case Phase::SynPending: return "syn-pending";
    case Phase::Refused: return "refused";
    case Phase::Queued: return "queued";
    case Phase::Accepted: return "accepted";
  }
  return "?";
}

struct Side {
  bool open = false;       // the application holds a descriptor
  bool closed = false;     // close() was called (the socket may live on as an orphan)
  bool shut_wr = false;    // shutdown(SHUT_WR) or close()
  std::uint64_t sent = 0;       // bytes accepted by send()
  std::uint64_t delivered = 0;  // of the peer's bytes: how many reached our buffer
  std::uint64_t read = 0;       // bytes recv() returned
  bool fin_in = false;          // the peer's FIN reached us
  std::optional<SockError> err; // pending error
  std::uint64_t unread() const noexcept { return delivered - read; }
};

struct Model {
  bool listening = false;
  bool partitioned = false;
  std::int64_t partition_ms = 0;  // virtual time spent in the current partition
  Phase phase = Phase::None;
  Side a, b;  // a: the client socket; b: the accepted socket
  int connections = 0;
  int armed[2] = {0, 0};  // one-frame faults armed per direction for the next command

  // The endpoint of side b exists (queued or accepted), even before accept().
  bool established() const noexcept { return phase == Phase::Queued || phase == Phase::Accepted; }
};

// Budget of bytes one side may send per connection: far below both buffers
// (sndbuf 64 KiB, rcvbuf 128 KiB), so send() always takes everything and
// every byte drains to the peer when the world settles. Flow control is the
// business of the transfer properties.
constexpr std::uint64_t kSendBudget = 24 * 1024;
// Faults armed in one direction before one command. The test disarms the
// unused ones after each command, so at most this many frames in a row are
// lost: a handshake survives (the SYN-ACK is retried 5 times) and so does
// everything else. Losing every retry is the loss profiles' business.
constexpr int kMaxArmed = 3;
// Longest partition: well inside SYN (127 s) and data (RFC 1122 R2) timeouts.
constexpr std::int64_t kMaxPartitionMs = 20'000;

// A RST from the peer (RFC 9293 §3.10.7.4 "second, check the RST bit"):
// ECONNRESET unless our side has closed in both directions already
// (TIME-WAIT ignores it per RFC 1337; LAST-ACK and CLOSING just close). In
// CLOSE-WAIT (the peer's FIN already in) Linux's tcp_reset reports EPIPE.
inline void reset_by_peer(Side& s) {
  if (s.err || (s.shut_wr && s.fin_in)) return;
  s.err = s.fin_in ? SockError::Pipe : SockError::ConnReset;
}

// What the network does once it is whole and left alone: deliveries, FINs,
// and the resets of RFC 9293 §3.10.7.4 / RFC 2525 §2.17 that Linux sends.
inline void settle(Model& m) {
  if (m.partitioned) return;
  if (m.phase == Phase::SynPending) {
    if (m.listening) {
      m.phase = Phase::Queued;
    } else {
      m.phase = Phase::Refused;
      m.a.err = SockError::ConnRefused;
    }
  }
  if (!m.established()) return;
  // Side b's endpoint exists from the handshake on; its application appears
  // at accept().
  auto flow = [](Side& from, Side& to) {
    if (to.err) return;  // a reset endpoint is gone; nothing more arrives
    if (to.closed && from.sent > to.delivered) {
      // Data for a socket nobody reads any more resets the connection
      // (Linux; RFC 9293 §3.10.7.4 leaves it open, RFC 2525 §2.17).
      reset_by_peer(from);
      return;
    }
    to.delivered = from.sent;
    if (from.shut_wr) to.fin_in = true;
  };
  flow(m.a, m.b);
  flow(m.b, m.a);
}

inline std::string describe(const Side& s) {
  std::string out = s.open ? (s.closed ? "closed" : "open") : "-";
  out += " sent=" + std::to_string(s.sent) + " delivered=" + std::to_string(s.delivered) +
         " read=" + std::to_string(s.read);
  if (s.shut_wr) out += " shut_wr";
  if (s.fin_in) out += " fin_in";
  if (s.err) out += std::string(" err=") + std::string(errno_name(*s.err));
  return out;
}

}  // namespace synack::harness::model

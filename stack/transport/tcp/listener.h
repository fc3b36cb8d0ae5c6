// A listening endpoint (RFC 9293 §3.10.7.2 LISTEN) with a SYN queue, an
// accept queue and SYN cookies (RFC 4987 §3.6), Linux style.
//
// Integration (the iface's side):
//  - Demultiplexing: look up the 4-tuple in the iface's connection table
//    first; if no socket matches, find the Listener for (local addr, port),
//    falling back to (any, port), and call `process(ctx, seg, mss)` with the
//    MSS to announce on that route (interface MTU - 40). If no listener
//    matches either, reply with rst_for_unmatched (rst.h).
//  - The listener owns its children (keyed by FourTuple) from the SYN until
//    accept(): segments for a child that is still in the SYN queue or waiting
//    in the accept queue keep arriving through Listener::process, and its
//    segments (SYN-ACKs, ACKs) leave through Listener::poll_output. Only
//    accept() hands a std::unique_ptr<Socket> to the caller, who then adds it
//    to the 4-tuple table. So a child is never in two tables at once.
//  - poll_output/poll_at work as on Socket (timers fire inside poll_output).
//
// Backlog: the accept queue holds at most min(backlog, somaxconn) connections;
// when it is full, new SYNs are dropped and the final ACK of a handshake is
// dropped (the peer retransmits), as Linux. The SYN queue holds at most
// min(backlog, max_syn_backlog) half-open children; beyond that, with
// syncookies on, SYNs get a stateless SYN-ACK whose ISN is a cookie, and the
// connection is rebuilt from the ACK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>

#include "stack/transport/tcp/config.h"
#include "stack/transport/tcp/socket.h"
#include "stack/transport/tcp/tcb.h"

namespace synack::tcp {

class Listener {
 public:
  // `local.addr` may be unspecified (INADDR_ANY). `child_options`: the
  // options set on the socket before listen(), which every connection
  // inherits as on Linux (TCP_MAXSEG shapes the SYN-ACK's MSS option).
  Listener(const TcpConfig& config, Endpoint local, std::uint32_t backlog, SocketOptions child_options = {});

  const Endpoint& local() const noexcept { return local_; }
  void process(Context& ctx, const SegmentIn& seg, std::uint16_t mss);
  std::optional<SegmentOut> poll_output(Context& ctx);
  std::optional<Instant> poll_at(const Context& ctx) const;

  // The oldest completed connection, or nullptr (EAGAIN).
  std::unique_ptr<Socket> accept();
  bool readable() const noexcept { return !accept_queue_.empty(); }
  std::size_t syn_queue_len() const noexcept;
  std::size_t accept_queue_len() const noexcept { return accept_queue_.size(); }
  // True when the listener holds a child for this 4-tuple.
  bool owns(const FourTuple& t) const { return children_.count(t) != 0; }
  // Stops listening: children are reset (their RSTs still leave through
  // poll_output); the iface drops the listener once `closed()`.
  void close(Context& ctx);
  bool closed() const noexcept { return closing_ && children_.empty() && replies_.empty(); }

 private:
  void on_syn(Context& ctx, const SegmentIn& seg, std::uint16_t mss);
  void on_cookie_ack(Context& ctx, const SegmentIn& seg, std::uint16_t mss);
  void send_cookie_syn_ack(Context& ctx, const SegmentIn& seg, std::uint16_t mss);
  void promote(const FourTuple& t);
  bool accept_queue_full() const noexcept { return accept_queue_.size() >= accept_limit_; }

  const TcpConfig& config_;
  Endpoint local_;
  SocketOptions child_opts_;
  std::uint32_t accept_limit_;
  std::uint32_t syn_limit_;
  bool closing_ = false;
  std::map<FourTuple, std::unique_ptr<Socket>> children_;  // ordered: deterministic output
  std::deque<FourTuple> accept_queue_;
  std::deque<SegmentOut> replies_;  // stateless cookie SYN-ACKs and RSTs
};

}  // namespace synack::tcp

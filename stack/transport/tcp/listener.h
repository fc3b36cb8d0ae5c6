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
//    Cost: O(1) expected to find a child, O(log n) to reindex it, never a
//    walk over every child: children live in a slot vector found through an
//    open-addressing table keyed by 4-tuple (no allocation per child once
//    grown), and the listener keeps each child's poll_at in a binary heap
//    (refreshed after every call into that child, the only way a child
//    changes) and counts the half-open ones, so poll_output visits only
//    children that are due, in 4-tuple order as a full walk would, and
//    poll_at/syn_queue_len are O(1). The table's hash is keyed from the ISN
//    secret (a seeded value, so deterministic), so a peer cannot choose
//    4-tuples that collide; nothing that reaches output depends on slot or
//    table order.
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
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "stack/base/deep_ptr.h"
#include "stack/transport/tcp/config.h"
#include "stack/transport/tcp/socket.h"
#include "stack/transport/tcp/tcb.h"

namespace synack::tcp {

class Listener {
 public:
  // `local.addr` may be unspecified (INADDR_ANY). `child_options`: the
  // options set on the socket before listen(), which every connection
  // inherits as on Linux (TCP_MAXSEG shapes the SYN-ACK's MSS option).
  // `pool`: the stack's buffer pool for the children (must outlive them and
  // the listener; a copy of the listener uses none).
  Listener(const TcpConfig& config, Endpoint local, std::uint32_t backlog, SocketOptions child_options = {},
           storage::BufferPool* pool = nullptr);
  // A copy holds copies of the children (Host copies); explicit, so that a
  // listener is never copied by accident.
  explicit Listener(const Listener&) = default;
  Listener& operator=(const Listener&) = delete;

  const Endpoint& local() const noexcept { return local_; }
  // setsockopt on the listening socket: what connections accepted from now
  // on inherit (Linux copies the listener's options into each child).
  const SocketOptions& child_options() const noexcept { return child_opts_; }
  void set_child_options(const SocketOptions& o) noexcept { child_opts_ = o; }
  void process(Context& ctx, const SegmentIn& seg, std::uint16_t mss);
  std::optional<SegmentOut> poll_output(Context& ctx);
  std::optional<Instant> poll_at(const Context& ctx) const;

  // The oldest completed connection, or nullptr (EAGAIN).
  std::unique_ptr<Socket> accept();
  bool readable() const noexcept { return !accept_queue_.empty(); }
  std::size_t syn_queue_len() const noexcept { return half_open_; }
  std::size_t accept_queue_len() const noexcept { return accept_queue_.size(); }
  // True when the listener holds a child for this 4-tuple.
  bool owns(const FourTuple& t) const noexcept { return find(t) != kNone; }
  // Stops listening: children are reset (their RSTs still leave through
  // poll_output); the iface drops the listener once `closed()`.
  void close(Context& ctx);
  bool closed() const noexcept { return closing_ && children_ == 0 && replies_.empty(); }

 private:
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};
  struct Child {
    FourTuple tuple{};
    DeepPtr<Socket> sock;         // null: a free slot
    Instant due;                  // its key in due_ while heap_pos != kNone
    std::uint32_t heap_pos = kNone;
    bool ready = false;           // in ready_
    bool queued = false;          // in accept_queue_
  };

  void on_syn(Context& ctx, const SegmentIn& seg, std::uint16_t mss);
  void on_cookie_ack(Context& ctx, const SegmentIn& seg, std::uint16_t mss);
  void send_cookie_syn_ack(Context& ctx, const SegmentIn& seg, std::uint16_t mss);
  void promote(std::uint32_t i);
  bool accept_queue_full() const noexcept { return accept_queue_.size() >= accept_limit_; }
  void add_child(const Context& ctx, const FourTuple& t, std::unique_ptr<Socket> sock);
  void remove_child(std::uint32_t i);
  // After any call into a child: count it out of the SYN queue if it left
  // SYN-RECEIVED, and refresh its deadline (a closed child is due at once so
  // that poll_output forgets it).
  void settle(const Context& ctx, std::uint32_t i, bool was_half_open);
  void unindex(std::uint32_t i);
  void collect_due(Instant now);
  void ready_insert(std::uint32_t i);

  // The 4-tuple table: slot indices by open addressing (linear probing,
  // backward-shift deletion), a power of two at most 3/4 full.
  std::uint32_t find(const FourTuple& t) const noexcept;
  void table_insert(const Context& ctx, std::uint32_t i);
  void table_erase(std::uint32_t i) noexcept;
  std::size_t home(const FourTuple& t) const noexcept;
  void rehash(std::size_t n);

  // The deadline heap: slot indices ordered by (due, 4-tuple).
  bool due_before(std::uint32_t a, std::uint32_t b) const noexcept;
  void heap_push(std::uint32_t i);
  void heap_remove(std::uint32_t i);
  void heap_fix(std::size_t pos);
  void heap_sift_up(std::size_t pos);
  void heap_sift_down(std::size_t pos);
  void heap_place(std::size_t pos, std::uint32_t i) noexcept {
    due_[pos] = i;
    slots_[i].heap_pos = static_cast<std::uint32_t>(pos);
  }

  Endpoint local_;
  SocketOptions child_opts_;
  storage::PoolLink pool_;
  std::uint32_t accept_limit_;
  std::uint32_t syn_limit_;
  bool closing_ = false;
  std::vector<Child> slots_;              // children by slot index
  std::vector<std::uint32_t> free_slots_; // slots_ entries without a child
  std::size_t children_ = 0;
  std::vector<std::uint32_t> table_;      // kNone: empty
  std::uint64_t hash_key_ = 0;            // set when the table is first allocated
  std::vector<std::uint32_t> due_;        // heap of children with a deadline
  // Due now, visited in 4-tuple order: sorted descending by 4-tuple, so the
  // next one is at the back (usually one or two entries).
  std::vector<std::uint32_t> ready_;
  std::size_t half_open_ = 0;  // children in SYN-RECEIVED (the SYN queue)
  std::deque<std::uint32_t> accept_queue_;  // slot indices, oldest first
  std::deque<SegmentOut> replies_;  // stateless cookie SYN-ACKs and RSTs
};

}  // namespace synack::tcp

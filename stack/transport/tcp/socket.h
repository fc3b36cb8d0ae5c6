// A TCP connection (RFC 9293) as a sans-I/O state machine, smoltcp style: it
// never sees frames, devices or routing. The iface hands it demultiplexed,
// checksum-verified segments (process) and pulls segments to send
// (poll_output) while the device has room. Time, randomness, configuration and
// counters arrive through Context on every call.
//
// Timers: poll_output(ctx) first fires every due timer (via on_timer(ctx)), so
// the iface only has to call poll_output once poll_at(ctx) is reached;
// on_timer(ctx) may also be called alone (it never emits, it only queues).
//
// Lifetime: a socket that reaches CLOSED stays CLOSED; the iface removes it
// from its 4-tuple table once `closed()` is true and poll_output has nothing
// left (a final RST may be pending). Passive sockets are made by Listener.
//
// Segment arrival follows RFC 9293 §3.10.7 in order (input.cc); segment
// generation is in output.cc, timers in timers.cc, the user API in socket.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "stack/base/bytes.h"
#include "stack/base/instant.h"
#include "stack/base/opt_time.h"
#include "stack/base/result.h"
#include "stack/storage/assembler.h"
#include "stack/storage/ring_buffer.h"
#include "stack/transport/tcp/config.h"
#include "stack/transport/tcp/congestion.h"
#include "stack/transport/tcp/ctl_slot.h"
#include "stack/transport/tcp/rtt.h"
#include "stack/transport/tcp/sack_scoreboard.h"
#include "stack/transport/tcp/state.h"
#include "stack/transport/tcp/syn_cookies.h"
#include "stack/transport/tcp/tcb.h"
#include "stack/transport/tcp/timers.h"

namespace synack::tcp {

enum class Shutdown { Read, Write, Both };

struct Readiness {
  bool readable = false;  // data, end of stream, or an error to report
  bool writable = false;  // send() would accept at least one byte
  bool error = false;     // a pending error (SO_ERROR)
  bool hup = false;       // POLLHUP: closed, or both directions shut
  bool rdhup = false;     // POLLRDHUP: the peer sent FIN
};

// TCP_INFO-like snapshot.
struct TcpInfo {
  State state = State::Closed;
  std::uint32_t cwnd = 0;      // bytes
  std::uint32_t ssthresh = 0;  // bytes
  Duration srtt;
  Duration rttvar;
  Duration rto;
  std::uint16_t snd_mss = 0;
  std::uint16_t rcv_mss = 0;
  std::uint32_t retransmits = 0;     // consecutive RTO backoffs now
  std::uint64_t total_retrans = 0;   // segments retransmitted over the lifetime
  std::uint32_t unacked = 0;         // bytes in flight (snd.max - snd.una)
  std::uint32_t sacked = 0;          // segments SACKed (0 without a scoreboard)
  std::uint32_t lost = 0;
  std::uint32_t snd_wnd = 0;
  std::uint32_t rcv_wnd = 0;
  bool wscale = false;
  std::uint8_t snd_wscale = 0;
  std::uint8_t rcv_wscale = 0;
  bool sack = false;
  bool timestamps = false;
};

// Per-socket options (setsockopt equivalents).
struct SocketOptions {
  bool nodelay = false;
  bool keepalive = false;
  // Optional durations packed in 8 bytes each (opt_time.h).
  OptDuration keepalive_idle;                  // TCP_KEEPIDLE (config default)
  OptDuration keepalive_interval;              // TCP_KEEPINTVL
  std::optional<int> keepalive_count;          // TCP_KEEPCNT
  OptDuration user_timeout;                    // TCP_USER_TIMEOUT (RFC 5482)
  std::optional<std::uint16_t> maxseg;         // TCP_MAXSEG
  OptDuration linger;                          // SO_LINGER; zero = abort on close
  std::optional<CcAlgorithm> congestion;       // TCP_CONGESTION
  std::uint32_t rcvbuf = 0;                    // SO_RCVBUF as set (doubled); 0: config
  std::uint32_t sndbuf = 0;                    // SO_SNDBUF as set (doubled); 0: config
};

class Listener;

class Socket {
 public:
  // A CLOSED socket with buffers sized from `config` (storage is allocated
  // only when the connection needs it, from `pool` when given: the stack's
  // BufferPool, which must outlive the socket; a copy uses none).
  explicit Socket(const TcpConfig& config, storage::BufferPool* pool = nullptr);
  ~Socket();
  // A copy is the same connection in the same state (Host copies): explicit,
  // so that a socket is never copied by accident.
  explicit Socket(const Socket&) = default;
  Socket& operator=(const Socket&) = delete;

  // ---- integration with the iface ----
  void process(Context& ctx, const SegmentIn& seg);
  std::optional<SegmentOut> poll_output(Context& ctx);
  void on_timer(Context& ctx);
  std::optional<Instant> poll_at(const Context& ctx) const {
    Deadline d = next_deadline(ctx, false);
    return d.armed ? std::optional<Instant>(d.at) : std::nullopt;
  }
  // poll_at() when poll_output() has just returned nothing and the socket
  // was not touched since: that call found no data segment to send and
  // armed the persist timer if one was needed, so the costly part of
  // poll_at (planning a data segment) is known to find nothing.
  std::optional<Instant> poll_at_after_output(const Context& ctx) const {
    Deadline d = next_deadline(ctx, true);
    return d.armed ? std::optional<Instant>(d.at) : std::nullopt;
  }
  void on_icmp_error(Context& ctx, IcmpError e);
  // RFC 9293 §3.10.7.4 / RFC 6191-like TIME-WAIT reuse (Linux tcp_timewait_state_process):
  // true when this socket is in TIME-WAIT and `syn` (a SYN without ACK for its
  // 4-tuple) may start a new incarnation: its SEQ is above RCV.NXT, or, with
  // timestamps, its TSval is above TS.Recent. The iface then drops this socket
  // and hands the SYN to the listener.
  bool acceptable_time_wait_syn(const SegmentIn& syn) const;

  State state() const noexcept { return state_; }
  const FourTuple& tuple() const noexcept { return tuple_; }
  // CLOSED (and nothing left to send): the iface may forget the socket.
  bool closed() const noexcept { return state_ == State::Closed && !ctl_; }

  // ---- application API ----
  // Active open (RFC 9293 §3.10.1); the SYN goes out from poll_output. `mss`
  // is what we announce (interface MTU - 40).
  Result<void, SockError> connect(Context& ctx, Endpoint local, Endpoint remote,
                                  std::uint16_t mss);
  Result<std::size_t, SockError> send(ConstBytes data);
  // 0 = end of stream.
  Result<std::size_t, SockError> recv(MutBytes out);
  // True (once) when a send() or recv() since the last call may have moved
  // poll_at(): send() queued data, or recv() made a window update due. The
  // iface re-indexes the socket's deadline only then: every other send and
  // recv (EAGAIN, an error, a read that leaves the ACK state alone) leaves
  // poll_at() as it was, since the receive queue's fill level is not one of
  // its inputs. The other calls (process, poll_output, connect, shutdown,
  // close, options) are always followed by a re-index.
  bool take_deadline_moved() noexcept {
    bool moved = deadline_moved_;
    deadline_moved_ = false;
    return moved;
  }
  Result<void, SockError> shutdown(Context& ctx, Shutdown how);
  // Graceful close (FIN); RST instead when unread data remains or SO_LINGER 0.
  void close(Context& ctx);
  // Immediate RST (SO_LINGER 0 semantics); the socket is CLOSED afterwards.
  void abort(Context& ctx);
  Readiness readiness() const noexcept;
  // SO_ERROR: returns and clears the pending error.
  std::optional<SockError> take_error() noexcept;
  bool error_pending() const noexcept { return error_.has_value(); }

  // setsockopt equivalents.
  void set_nodelay(bool on) noexcept { opts_.nodelay = on; }
  // All options at once: a listener's, inherited by its connections (Linux
  // sk_clone_lock), buffer sizes and congestion control included.
  void set_options(const SocketOptions& o);
  void set_keepalive(Context& ctx, bool on);
  void set_keepalive_params(std::optional<Duration> idle, std::optional<Duration> interval,
                            std::optional<int> count) noexcept;
  void set_user_timeout(std::optional<Duration> t) noexcept { opts_.user_timeout = t; }
  Result<void, SockError> set_maxseg(std::uint16_t mss) noexcept;
  // Buffer sizes, at any time as on Linux. On a live connection the buffer
  // is resized but never below the data it holds, and the receive buffer
  // never below the window already offered (RFC 9293 §3.8.6: the right edge
  // is not moved back, so what the peer may send must still fit).
  Result<void, SockError> set_rcvbuf(std::uint32_t bytes);
  Result<void, SockError> set_sndbuf(std::uint32_t bytes);
  // SO_RCVBUF as getsockopt reports it: window space and overhead (rcv_space).
  std::size_t rcvbuf_capacity() const noexcept { return rx_.capacity() * 2; }
  std::size_t sndbuf_capacity() const noexcept { return tx_.capacity(); }
  void set_congestion(CcAlgorithm a);
  void set_linger(std::optional<Duration> linger) noexcept { opts_.linger = linger; }
  const SocketOptions& options() const noexcept { return opts_; }

  TcpInfo info(const Context& ctx) const;
  // Bytes waiting to be read / not yet acknowledged (netstat Recv-Q, Send-Q).
  std::size_t recv_queue() const noexcept { return rx_.len(); }
  std::size_t send_queue() const noexcept { return tx_.len(); }
  // netstat -o column: "on (0.20/0/0)", "keepalive (7199.99/0/0)", "off (0.00/0/0)".
  std::string timer_description(Instant now) const;

 private:
  friend class Listener;
  struct InSeg;  // a segment being processed (trimmed to the window)

  // input.cc — RFC 9293 §3.10.7
  void process_closed(Context& ctx, const SegmentIn& seg);
  void process_syn_sent(Context& ctx, const SegmentIn& seg);
  bool syn_sent_ack_ok(const SegmentIn& seg) const;
  bool check_sequence(Context& ctx, InSeg& s);
  bool check_paws(Context& ctx, const InSeg& s);
  bool check_rst(Context& ctx, const InSeg& s);
  bool check_syn(Context& ctx, InSeg& s);
  bool syn_received_resync(InSeg& s);
  void trim_to_window(Context& ctx, InSeg& s);
  void syn_sent_established(Context& ctx, const SegmentIn& seg);
  bool process_ack(Context& ctx, const InSeg& s);
  bool process_ack_syn_received(Context& ctx, const InSeg& s);
  void process_ack_state(Context& ctx);
  void ack_advance(Context& ctx, const InSeg& s);
  void dup_ack(Context& ctx, const InSeg& s);
  void update_window(const InSeg& s);
  void process_urg(const InSeg& s);
  void process_data(Context& ctx, InSeg& s);
  bool assemble(Context& ctx, const InSeg& s, std::size_t off, std::size_t written);
  void process_fin(Context& ctx, const InSeg& s);
  void on_fin_received(Context& ctx);
  void challenge_ack(Context& ctx);
  bool oow_ack_limited(const Context& ctx);
  void schedule_ack(Context& ctx, bool full_segment);
  void parse_syn_options(const wire::TcpRepr& syn);
  void update_ts_recent(Context& ctx, const InSeg& s);

  // output.cc
  // poll_at() as a plain pair (armed false: no deadline). GCC builds a
  // returned std::optional<Instant> through memory (two narrow stores read
  // back as one wide load: a store-forwarding stall per call, and this runs
  // after every segment); the inline poll_at() wraps it.
  struct Deadline {
    Instant at;
    bool armed;
  };
  // `output_done`: poll_at_after_output's promise (no data segment due).
  Deadline next_deadline(const Context& ctx, bool output_done) const;
  std::optional<SegmentOut> output_syn(Context& ctx);
  // A data segment to send; an empty one (no bytes, no FIN) means nothing
  // to send. The plan functions return it that way rather than as a
  // std::optional, which GCC returns through memory (a store-forwarding
  // stall per call on poll_at's path).
  struct DataPlan {
    SeqNumber seq;
    std::uint32_t len = 0;
    bool fin = false;
    std::uint8_t pad_[3]{};  // no padding bytes left undefined: returned in registers, not via memory
    explicit operator bool() const noexcept { return len > 0 || fin; }
  };
  DataPlan plan_data() const;
  DataPlan plan_new_data(std::uint32_t room) const;
  DataPlan plan_head_retransmit() const;
  std::optional<SegmentOut> output_data(Context& ctx);
  std::optional<SegmentOut> send_plan(Context& ctx, const DataPlan& p);
  std::optional<SegmentOut> output_probe(Context& ctx, bool keepalive);
  SegmentOut make_segment(Context& ctx, SeqNumber seq, std::uint16_t flags, ConstBytes payload);
  void add_options(Context& ctx, wire::TcpRepr& r, bool syn);
  std::uint16_t window_field();
  std::uint32_t usable_window() const noexcept;
  std::size_t max_payload() const noexcept;
  std::size_t sack_block_room() const noexcept;
  std::size_t sack_blocks_to_send() const noexcept;
  bool nagle_allows(std::size_t len, std::size_t avail) const noexcept;
  void note_sent(Context& ctx, SeqNumber seq, std::uint32_t seg_len);
  void queue_rst(SeqNumber seq, std::optional<SeqNumber> ack);
  bool persist_needed() const;
  void queue_rst_reply(const SegmentIn& seg);

  // recovery.cc — RFC 6675 SACK-based loss recovery, RFC 6582 entry
  bool sack_update(SeqNumber ack, const wire::TcpRepr& seg);
  void enter_recovery(Context& ctx);
  void sack_check_loss(Context& ctx);
  bool may_enter_recovery() const noexcept;
  DataPlan plan_recovery() const;
  DataPlan plan_retransmit(SeqNumber seq, std::uint32_t hole_len) const;
  std::uint32_t sack_flight() const noexcept;
  void skip_sacked() noexcept;

  // timers.cc
  void on_rto(Context& ctx);
  void on_persist(Context& ctx);
  void on_keepalive(Context& ctx);
  void arm_rto(Context& ctx);
  void arm_keepalive(const Context& ctx);
  void enter_time_wait(Context& ctx);
  void set_closed(std::optional<SockError> err);
  void fail(std::optional<SockError> err);

  // listener.cc: passive opens (SYN-RECEIVED child, or ESTABLISHED from a cookie)
  void open_passive(Context& ctx, const SegmentIn& syn, std::uint16_t mss, SeqNumber iss);
  void open_from_cookie(Context& ctx, const SegmentIn& ack, std::uint16_t mss,
                        std::uint16_t peer_mss, const std::optional<CookieTsOptions>& ts);
  void offer_options(Context& ctx, std::uint16_t mss);

  // socket.cc helpers
  // Inline (these four): called several times per segment from input.cc,
  // output.cc and timers.cc.
  // Sequence number of tx_ offset 0: before our SYN is acknowledged the
  // first data byte is ISS + 1.
  SeqNumber tx_base() const noexcept { return snd_.una == snd_.iss ? snd_.iss + 1 : snd_.una; }
  SeqNumber data_end() const noexcept { return tx_base() + static_cast<std::uint32_t>(tx_.len()); }
  bool fin_sent() const noexcept { return fin_queued_ && snd_.max.gt(data_end()); }
  // Advertised window left: rcv.adv - rcv.nxt (0 when the peer overran it).
  std::uint32_t rcv_wnd() const noexcept {
    std::int32_t d = rcv_.adv - rcv_.nxt;
    return d > 0 ? static_cast<std::uint32_t>(d) : 0;
  }
  std::uint8_t choose_rcv_shift() const noexcept;
  Duration keepalive_idle(const Context& ctx) const noexcept {
    return opts_.keepalive_idle.value_or(ctx.config.keepalive_idle);
  }
  void record_rtt(Context& ctx, Duration sample);

  State state_ = State::Closed;
  FourTuple tuple_{};
  SendVars snd_{};
  RecvVars rcv_{};
  Negotiated opt_{};
  SocketOptions opts_{};
  bool passive_ = false;    // opened by a Listener (RST in SYN-RECEIVED -> gone)
  bool orphan_ = false;     // closed by the user: nobody reads any more
  bool fin_queued_ = false; // our FIN follows the last queued byte
  bool fin_acked_ = false;
  bool rd_shut_ = false;
  bool peer_fin_ = false;
  std::optional<SeqNumber> peer_fin_seq_;  // FIN seen beyond a hole
  bool ack_now_ = false;
  bool deadline_moved_ = false;  // take_deadline_moved()
  int unacked_full_segs_ = 0;  // full segments received since our last ACK
  std::uint8_t quickacks_left_ = 0;  // TcpConfig::quickacks still to use
  // Linux's interactive ("ping-pong") mode: data sent within the delayed-ACK
  // timeout of the last data received means a request/response exchange, so
  // ACKs are delayed to ride on the reply even in quick-ACK mode; a delayed
  // ACK that had to fire on its own ends the mode (tcp_delack_timer).
  bool pingpong_ = false;
  OptInstant last_data_rcv_;
  CtlSlot ctl_;  // RST to send (one slot; payload empty)
  std::optional<wire::SackBlock> dsack_;  // RFC 2883 block for the next ACK
  SeqNumber last_ack_sent_;
  SeqNumber snd_sml_;  // end of the last short segment sent (Minshall/Nagle)

  std::uint32_t rmem_max_;  // TcpConfig::rmem_max, for the window scale
  storage::RingBuffer tx_;
  storage::RingBuffer rx_;
  storage::Assembler asm_;
  Bytes scratch_;

  RttEstimator rtt_;
  CongestionControl cc_;
  std::optional<std::pair<SeqNumber, Instant>> rtt_probe_;  // Karn: cleared on retransmit
  Timers timers_{};
  int retransmits_ = 0;       // consecutive RTO expirations
  std::uint64_t total_retrans_ = 0;
  OptInstant retrans_stamp_;  // first retransmission of snd.una (user timeout)
  int probes_ = 0;            // keepalive or zero-window probes without answer
  bool probe_due_ = false;
  bool keepalive_due_ = false;
  Duration persist_backoff_;
  OptInstant persist_since_;  // first zero-window probe of this spell
  Instant last_recv_;
  int dupacks_ = 0;
  bool in_recovery_ = false;
  SeqNumber recover_;
  bool rtx_una_ = false;      // retransmit the segment at snd.una next (fast rtx)
  std::uint32_t extra_send_ = 0;  // RFC 3042 limited transmit / recovery inflation, bytes
  // RFC 6675 (SACK connections only): the scoreboard, and HighRxt as the
  // first octet not yet retransmitted in this recovery (sack_scoreboard.h).
  LazySackScoreboard sb_;
  SeqNumber high_rxt_;

  std::optional<SockError> error_;       // hard error to report
  std::optional<SockError> soft_error_;  // ICMP soft error, reported on timeout
  Instant challenge_window_;
  std::uint32_t challenge_count_ = 0;
  OptInstant last_oow_ack_;  // tcp_invalid_ratelimit bookkeeping
};

}  // namespace synack::tcp

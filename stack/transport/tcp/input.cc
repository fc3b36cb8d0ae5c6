// Segment arrival, RFC 9293 §3.10.7, step by step. The dispatcher `process`
// reads like the RFC: one named function per step, each returning false when
// the RFC says "drop the segment and return". Extensions are folded into the
// step they belong to: PAWS (RFC 7323 §5) into the sequence check, RFC 5961
// challenge ACKs into the RST, SYN and ACK checks, D-SACK (RFC 2883) into the
// sequence check and trimming.
#include <algorithm>

#include "stack/transport/tcp/rst.h"
#include "stack/transport/tcp/socket.h"

namespace synack::tcp {

using wire::kTcpAck;
using wire::kTcpFin;
using wire::kTcpRst;
using wire::kTcpSyn;
using wire::kTcpUrg;

// The segment as the steps see it: `seq`, `flags` and `payload` shrink when
// the segment is trimmed to the receive window (§3.10.7.4 "first").
struct Socket::InSeg {
  const SegmentIn& in;
  SeqNumber seq;
  std::uint16_t flags;
  ConstBytes payload;
  bool has(std::uint16_t f) const noexcept { return (flags & f) != 0; }
  std::uint32_t len() const noexcept {
    return static_cast<std::uint32_t>(payload.size()) + (has(kTcpSyn) ? 1u : 0u) +
           (has(kTcpFin) ? 1u : 0u);
  }
  SeqNumber ack() const noexcept { return in.tcp.ack; }
};

namespace {
constexpr std::int64_t kPawsIdleSecs = 24 * 24 * 3600;  // RFC 7323 §5.5: 24 days
}  // namespace

void Socket::process(Context& ctx, const SegmentIn& seg) {
  ++ctx.stats.in_segs;
  switch (state_) {
    case State::Closed: process_closed(ctx, seg); return;     // §3.10.7.1
    case State::Listen: return;                                // §3.10.7.2: Listener's job
    case State::SynSent: process_syn_sent(ctx, seg); return;  // §3.10.7.3
    default: break;                                            // §3.10.7.4
  }
  InSeg s{seg, seg.tcp.seq, seg.tcp.flags, seg.payload};
  if (!check_sequence(ctx, s)) return;  // first (with PAWS and trimming)
  if (!check_rst(ctx, s)) return;       // second; third (security) is not implemented
  if (!check_syn(ctx, s)) return;       // fourth
  if (!s.has(kTcpAck)) return;          // fifth: "if the ACK bit is off, drop the segment"
  if (!process_ack(ctx, s)) return;
  process_urg(s);                       // sixth
  process_data(ctx, s);                 // seventh
  process_fin(ctx, s);                  // eighth
  last_recv_ = ctx.now;
  probes_ = 0;  // an answer: zero-window or keepalive probes are not unanswered
  if (opts_.keepalive && is_synchronized(state_) && state_ != State::TimeWait) arm_keepalive(ctx);
}

void Socket::syn_sent_established(Context& ctx, const SegmentIn& seg) {
  const wire::TcpRepr& t = seg.tcp;
  if (rtt_probe_ && retransmits_ == 0) record_rtt(ctx, ctx.now - rtt_probe_->second);
  rtt_probe_.reset();
  snd_.una = t.ack;
  retransmits_ = 0;
  retrans_stamp_.reset();
  timers_.retransmit.reset();
  rtt_.on_handshake_done();  // RFC 6298 (5.7)
  state_ = State::Established;
  ack_now_ = true;  // "form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it"
  if (opts_.keepalive) arm_keepalive(ctx);
  // "If there are other controls or text in the segment, then continue
  // processing at the sixth step" (the SYN itself occupies t.seq).
  if (!seg.payload.empty() || t.has(kTcpFin)) {
    InSeg s{seg, t.seq + 1, static_cast<std::uint16_t>(t.flags & ~kTcpSyn), seg.payload};
    trim_to_window(ctx, s);
    process_urg(s);
    process_data(ctx, s);
    process_fin(ctx, s);
  }
}

// SYN-RECEIVED seeing the peer's SYN again (seq == IRS): a retransmitted SYN
// gets our SYN-ACK again; a SYN-ACK acknowledging our SYN is the simultaneous
// open of figure 8 and is processed as the ACK it carries.
bool Socket::syn_received_resync(InSeg& s) {
  if (state_ != State::SynReceived || !s.has(kTcpSyn) || s.seq != rcv_.irs || s.has(kTcpRst)) {
    return true;
  }
  if (s.has(kTcpAck) && s.ack().gt(snd_.una) && s.ack().le(snd_.max)) {
    s.seq = s.seq + 1;
    s.flags = static_cast<std::uint16_t>(s.flags & ~kTcpSyn);
    ack_now_ = true;  // Linux acknowledges the repeated SYN like any old sequence space
    return true;
  }
  if (!s.has(kTcpAck)) snd_.nxt = snd_.iss;  // resend the SYN-ACK
  return false;
}

// RFC 7323 §5.3 R1: reject a segment whose TSval is older than TS.Recent.
bool Socket::check_paws(Context& ctx, const InSeg& s) {
  if (!opt_.timestamps || s.has(kTcpRst)) return true;
  auto ts = s.in.tcp.options.timestamps();
  if (!ts) return true;
  bool older = static_cast<std::int32_t>(ts->tsval - opt_.ts_recent) < 0;
  if (!older) return true;
  // R3 / §5.5: TS.Recent is invalid after 24 days of idleness.
  if ((ctx.now - opt_.ts_recent_at).secs() > kPawsIdleSecs) return true;
  ++ctx.stats.paws_rejected;
  ack_now_ = true;
  return false;
}

// "first, check sequence number": the four-case acceptability test.
bool Socket::check_sequence(Context& ctx, InSeg& s) {
  if (!syn_received_resync(s)) return false;
  if (!check_paws(ctx, s)) return false;
  std::uint32_t wnd = rcv_wnd();
  std::uint32_t len = s.len();
  bool ok;
  if (len == 0) {
    ok = wnd == 0 ? s.seq == rcv_.nxt : s.seq.in_window(rcv_.nxt, wnd);
  } else {
    ok = wnd != 0 && (s.seq.in_window(rcv_.nxt, wnd) || (s.seq + (len - 1)).in_window(rcv_.nxt, wnd));
  }
  // "If the RCV.WND is zero, no segments will be acceptable, but special
  // allowance should be made to accept valid ACKs, URGs, and RSTs": keep the
  // control part of a segment at RCV.NXT, drop its text.
  if (!ok && wnd == 0 && s.seq == rcv_.nxt) {
    s.payload = {};
    s.flags = static_cast<std::uint16_t>(s.flags & ~(kTcpFin | kTcpSyn));
    ack_now_ = true;
    ok = true;
  }
  if (!ok) {
    ++ctx.stats.dropped;
    if (s.has(kTcpRst)) return false;  // "(unless the RST bit is set ...)"
    // "send an acknowledgment: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" - throttled
    // for bare segments and SYNs (ACK loops), never for text or a FIN (Linux).
    if ((s.len() > 0 && !s.has(kTcpSyn)) || !oow_ack_limited(ctx)) ack_now_ = true;
    if (!s.payload.empty() && (s.seq + static_cast<std::uint32_t>(s.payload.size())).le(rcv_.nxt)) {
      dsack_ = wire::SackBlock{s.seq, s.seq + static_cast<std::uint32_t>(s.payload.size())};
    }
    // A retransmitted FIN in TIME-WAIT restarts the 2 MSL timeout.
    if (state_ == State::TimeWait && s.has(kTcpFin)) enter_time_wait(ctx);
    return false;
  }
  trim_to_window(ctx, s);
  update_ts_recent(ctx, s);
  return true;
}

// Keep only the part of the segment inside the window; an old prefix that
// carried data becomes a D-SACK block (RFC 2883 §4).
void Socket::trim_to_window(Context& ctx, InSeg& s) {
  (void)ctx;
  if (s.seq.lt(rcv_.nxt)) {
    std::uint32_t cut = seq_span(s.seq, rcv_.nxt);
    if (s.has(kTcpSyn)) {
      s.flags = static_cast<std::uint16_t>(s.flags & ~kTcpSyn);
      --cut;
      s.seq = s.seq + 1;
    }
    std::size_t n = std::min<std::size_t>(cut, s.payload.size());
    if (n > 0) dsack_ = wire::SackBlock{s.seq, s.seq + static_cast<std::uint32_t>(n)};
    s.payload = s.payload.subspan(n);
    s.seq = s.seq + static_cast<std::uint32_t>(n);
  }
  std::uint32_t room = rcv_wnd() - std::min(rcv_wnd(), seq_span(rcv_.nxt, s.seq));
  if (s.payload.size() > room) {
    s.payload = s.payload.first(room);
    s.flags = static_cast<std::uint16_t>(s.flags & ~kTcpFin);  // the FIN lies beyond the window
  }
}

// RFC 7323 §4.3 (3): TS.Recent follows the segment that covers Last.ACK.sent.
void Socket::update_ts_recent(Context& ctx, const InSeg& s) {
  if (!opt_.timestamps) return;
  auto ts = s.in.tcp.options.timestamps();
  if (!ts) return;
  if (static_cast<std::int32_t>(ts->tsval - opt_.ts_recent) >= 0 && s.in.tcp.seq.le(last_ack_sent_)) {
    opt_.ts_recent = ts->tsval;
    opt_.ts_recent_at = ctx.now;
  }
}

// "second, check the RST bit" with RFC 5961 §3.2: only an exact match resets.
bool Socket::check_rst(Context& ctx, const InSeg& s) {
  if (!s.has(kTcpRst)) return true;
  if (s.in.tcp.seq != rcv_.nxt) {
    challenge_ack(ctx);
    return false;
  }
  switch (state_) {
    case State::SynReceived:
      // Passive: "return this connection to LISTEN" (the listener forgets the
      // child); active (simultaneous open): "connection refused".
      if (passive_) set_closed(std::nullopt);
      else fail(SockError::ConnRefused);
      break;
    case State::Established:
      ++ctx.stats.estab_resets;
      fail(SockError::ConnReset);
      break;
    case State::CloseWait:
      // Linux (tcp_reset): the peer already closed its side, so the reset
      // reaches the user as EPIPE rather than ECONNRESET.
      ++ctx.stats.estab_resets;
      fail(SockError::Pipe);
      break;
    case State::FinWait1:
    case State::FinWait2: fail(SockError::ConnReset); break;
    case State::TimeWait:
      if (ctx.config.rfc1337) return false;  // RFC 1337: TIME-WAIT ignores RSTs
      set_closed(std::nullopt);
      break;
    default: set_closed(std::nullopt); break;  // CLOSING, LAST-ACK
  }
  return false;
}

// "fourth, check the SYN bit" with RFC 5961 §4.2: answer with a challenge ACK.
bool Socket::check_syn(Context& ctx, InSeg& s) {
  if (!s.has(kTcpSyn)) return true;
  if (state_ == State::SynReceived && passive_) {
    // "return this connection to the LISTEN state"; like Linux (and RFC 793),
    // tell the peer with the reset a closed port would send: <SEQ=0>
    // <ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> for a SYN without ACK.
    queue_rst_reply(s.in);
    ++ctx.stats.out_rsts;
    set_closed(std::nullopt);
    return false;
  }
  challenge_ack(ctx);
  return false;
}

void Socket::challenge_ack(Context& ctx) {
  // RFC 5961 §7 rate limit, kept per socket (a host-wide counter is the
  // CVE-2016-5696 side channel): first the interval, then the count per second.
  if (oow_ack_limited(ctx)) {
    ++ctx.stats.challenge_acks_limited;
    return;
  }
  if (ctx.now - challenge_window_ >= Duration::from_secs(1)) {
    challenge_window_ = ctx.now;
    challenge_count_ = 0;
  }
  if (challenge_count_ >= ctx.config.challenge_ack_limit) {
    ++ctx.stats.challenge_acks_limited;
    return;
  }
  ++challenge_count_;
  ++ctx.stats.challenge_acks;
  ack_now_ = true;
}

// "fifth, check the ACK field".
bool Socket::process_ack(Context& ctx, const InSeg& s) {
  if (state_ == State::SynReceived && !process_ack_syn_received(ctx, s)) return false;
  SeqNumber ack = s.ack();
  // RFC 5961 §5.2: acceptable iff SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT
  // (SND.MAX here: after an RTO pulled SND.NXT back, ACKs up to it are fine).
  if (ack.gt(snd_.max) || ack.lt(snd_.una - std::max<std::uint32_t>(snd_.max_wnd, 1))) {
    ++ctx.stats.dropped;
    challenge_ack(ctx);
    return false;
  }
  bool new_sack = sack_update(ack, s.in.tcp);  // RFC 6675 Update()
  // RFC 5681 §2 duplicate ACK; with SACK, RFC 6675 §2: one that SACKs new data.
  bool dup = ack == snd_.una && snd_.una != snd_.max &&
             (opt_.sack ? new_sack
                        : s.payload.empty() && !s.has(kTcpSyn | kTcpFin) &&
                              (static_cast<std::uint32_t>(s.in.tcp.window) << opt_.snd_shift) == snd_.wnd);
  if (ack.gt(snd_.una)) ack_advance(ctx, s);
  else if (dup) dup_ack(ctx, s);
  if (ack.ge(snd_.una)) update_window(s);
  sack_check_loss(ctx);
  process_ack_state(ctx);
  if (state_ == State::Closed) return false;
  // CLOSING: "if the ACK acknowledges our FIN, enter TIME-WAIT, otherwise
  // ignore the segment"; LAST-ACK was handled above.
  return !(state_ == State::Closing && !fin_acked_);
}

// SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED".
bool Socket::process_ack_syn_received(Context& ctx, const InSeg& s) {
  if (!(s.ack().gt(snd_.una) && s.ack().le(snd_.max))) {
    // "form a reset segment <SEQ=SEG.ACK><CTL=RST> and send it"
    queue_rst(s.ack(), std::nullopt);
    ++ctx.stats.out_rsts;
    return false;
  }
  state_ = fin_queued_ ? State::FinWait1 : State::Established;
  rtt_.on_handshake_done();  // RFC 6298 (5.7); a timestamp echo may still give a sample
  snd_.wnd = static_cast<std::uint32_t>(s.in.tcp.window) << opt_.snd_shift;
  snd_.max_wnd = std::max(snd_.max_wnd, snd_.wnd);
  snd_.wl1 = s.in.tcp.seq;
  snd_.wl2 = s.ack();
  if (opts_.keepalive) arm_keepalive(ctx);
  return true;
}

// SND.UNA < SEG.ACK =< SND.MAX: new data acknowledged.
void Socket::ack_advance(Context& ctx, const InSeg& s) {
  SeqNumber ack = s.ack();
  std::uint32_t acked = seq_span(snd_.una, ack);
  std::uint32_t flight = seq_span(snd_.una, snd_.max);
  std::uint32_t data = acked;
  if (snd_.una == snd_.iss) --data;  // our SYN
  if (fin_queued_ && ack.gt(data_end())) {
    fin_acked_ = true;
    --data;
  }
  tx_.dequeue_allocated(std::min<std::size_t>(data, tx_.len()));
  snd_.una = ack;
  if (snd_.nxt.lt(ack)) snd_.nxt = ack;
  // RTT: RFC 7323 §4 from the echoed timestamp, else RFC 6298 with Karn's rule.
  std::optional<Duration> sample;
  auto ts = s.in.tcp.options.timestamps();
  if (opt_.timestamps && ts && ts->tsecr != 0) {
    sample = Duration::from_millis(static_cast<std::uint32_t>(ctx.now.millis()) - ts->tsecr);
  } else if (rtt_probe_ && ack.gt(rtt_probe_->first)) {
    sample = ctx.now - rtt_probe_->second;
  }
  if (rtt_probe_ && ack.gt(rtt_probe_->first)) rtt_probe_.reset();
  if (sample) record_rtt(ctx, *sample);
  retransmits_ = 0;
  retrans_stamp_.reset();
  probes_ = 0;
  if (in_recovery_) {
    if (ack.ge(recover_)) {  // RFC 6582 §3.2 step 3: full acknowledgment
      in_recovery_ = false;
      cc_.on_recovery_exit(ctx.now);
    } else if (!opt_.sack) {
      rtx_una_ = true;  // RFC 6582 partial ACK: retransmit the next hole at once
    }
  } else {
    cc_.on_ack(ctx.now, acked, flight, sample);
  }
  dupacks_ = 0;
  extra_send_ = 0;
  if (snd_.una == snd_.max) timers_.retransmit.reset();
  else arm_rto(ctx);  // RFC 6298 (5.3): restart on new data acknowledged
  if (fin_acked_ && tx_.empty()) tx_.release();
}

// RFC 5681 §3.2 / RFC 6582: duplicate ACKs, limited transmit, fast retransmit
// (connections without SACK; recovery.cc has the RFC 6675 counterpart).
void Socket::dup_ack(Context& ctx, const InSeg& s) {
  (void)s;
  ++dupacks_;
  if (opt_.sack) return;  // RFC 6675: the scoreboard decides (sack_check_loss)
  std::uint32_t mss = static_cast<std::uint32_t>(max_payload());
  if (in_recovery_ || dupacks_ < 3) {
    // RFC 3042 (first two) and RFC 6582 §3.2 step 4 inflation: one new
    // segment may go out per duplicate ACK.
    extra_send_ += mss;
    return;
  }
  if (dupacks_ != 3) return;
  // RFC 6582 §3.2 step 2: enter recovery only if the ACK covers more than
  // "recover" (avoids a second reduction for losses of one window).
  if (may_enter_recovery()) enter_recovery(ctx);
}

// "If SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)".
void Socket::update_window(const InSeg& s) {
  SeqNumber seq = s.in.tcp.seq;
  if (!(snd_.wl1.lt(seq) || (snd_.wl1 == seq && snd_.wl2.le(s.ack())))) return;
  snd_.wnd = static_cast<std::uint32_t>(s.in.tcp.window) << opt_.snd_shift;
  snd_.max_wnd = std::max(snd_.max_wnd, snd_.wnd);
  snd_.wl1 = seq;
  snd_.wl2 = s.ack();
  if (snd_.wnd > 0 && timers_.persist) {
    timers_.persist.reset();
    persist_since_.reset();
    probe_due_ = false;
    probes_ = 0;
  }
}

// State changes driven by the ACK of our FIN (fifth step, per state).
void Socket::process_ack_state(Context& ctx) {
  if (!fin_acked_) return;
  switch (state_) {
    case State::FinWait1:
      state_ = State::FinWait2;
      // Linux tcp_fin_timeout: an orphan does not wait forever for the FIN.
      if (orphan_) timers_.linger = ctx.now + ctx.config.fin_timeout;
      break;
    case State::Closing: enter_time_wait(ctx); break;
    case State::LastAck: set_closed(std::nullopt); break;
    default: break;
  }
}

// "sixth, check the URG bit" (RFC 6093: urgent data is read inline; only the
// pointer, to the byte after the urgent data, is tracked).
void Socket::process_urg(const InSeg& s) {
  if (!s.has(kTcpUrg)) return;
  if (state_ != State::Established && state_ != State::FinWait1 && state_ != State::FinWait2) return;
  SeqNumber up = s.in.tcp.seq + s.in.tcp.urgent;
  if (!rcv_.up_valid || up.gt(rcv_.up)) rcv_.up = up;
  rcv_.up_valid = true;
}

// "seventh, process the segment text".
// Records `written` bytes at `off` past RCV.NXT in the assembler. False when
// the segment is done with: out of order (queued, or dropped for lack of
// slots), so RCV.NXT does not move.
bool Socket::assemble(Context& ctx, const InSeg& s, std::size_t off, std::size_t written) {
  // RFC 2883 §4: out-of-order data we already hold is reported as a D-SACK
  // block, followed by the (now most recent) SACK block containing it.
  bool duplicate = off > 0 && written > 0 && asm_.contains(off, written);
  while (!asm_.add(off, written)) {
    // Every out-of-order slot is taken. Data at or before the farthest
    // range is worth more than that range: give the farthest one up
    // (RFC 2018 §8 allows reneging; SACKed data stays at the sender until
    // cumulatively ACKed) so in-order data can never be refused forever.
    auto last = asm_.ranges().empty() ? std::nullopt : std::optional(asm_.ranges().back());
    if (!last || off > last->offset) {
      ++ctx.stats.ofo_dropped;
      ack_now_ = true;
      return false;
    }
    asm_.evict_last();
    ++ctx.stats.ofo_dropped;
  }
  if (off == 0) return true;
  if (duplicate) dsack_ = wire::SackBlock{s.seq, s.seq + static_cast<std::uint32_t>(written)};
  ++ctx.stats.ofo_queued;
  ack_now_ = true;  // RFC 5681 §4.2: out-of-order data is ACKed at once
  return false;
}

void Socket::process_data(Context& ctx, InSeg& s) {
  if (s.payload.empty()) return;
  // TIME-WAIT: "Ignore the segment text", but Linux (tcp_timewait_state_process)
  // acknowledges anything beyond a bare ACK or RST at RCV.NXT, telling the
  // peer where the old connection ended.
  if (state_ == State::TimeWait) ack_now_ = true;
  if (state_ != State::Established && state_ != State::FinWait1 && state_ != State::FinWait2) return;
  if (orphan_ || (rd_shut_ && state_ != State::Established)) {
    // RFC 9293 §3.10.7.4 queues text in FIN-WAIT-1/2; RFC 1122 4.2.2.13 and
    // Linux reset instead when nobody will read it (closed, or shut for
    // reading and writing). After SHUT_RD alone in ESTABLISHED Linux keeps
    // accepting, ACKing and delivering data.
    // Answered as from a closed port (Linux tcp_v4_send_reset): <SEQ=SEG.ACK><CTL=RST>.
    queue_rst_reply(s.in);
    ++ctx.stats.out_rsts;
    fail(SockError::ConnReset);
    return;
  }
  std::size_t off = seq_span(rcv_.nxt, s.seq);
  std::size_t written = rx_.write_unallocated(off, s.payload);
  if (written < s.payload.size()) s.flags = static_cast<std::uint16_t>(s.flags & ~kTcpFin);
  // In-order data while nothing is held out of order (the common case) is
  // the whole new front: the assembler would record the range only to hand
  // it straight back.
  std::size_t front = written;
  if (off > 0 || !asm_.is_empty()) {
    if (!assemble(ctx, s, off, written)) return;
    front = asm_.remove_front();
  }
  rx_.enqueue_unallocated(front);
  rcv_.nxt = rcv_.nxt + static_cast<std::uint32_t>(front);
  if (front > written) ack_now_ = true;  // filled a hole: ACK at once
  schedule_ack(ctx, written >= opt_.rcv_mss - (opt_.timestamps ? 12u : 0u));
  if (peer_fin_seq_ && *peer_fin_seq_ == rcv_.nxt) on_fin_received(ctx);
}

// RFC 9293 §3.8.6.3 / RFC 5681 §4.2: ACK at least every second full-sized
// segment, otherwise within the delayed-ACK timeout.
void Socket::schedule_ack(Context& ctx, bool full_segment) {
  // Linux "quick ACK" mode: the first data segments of a connection are
  // ACKed at once (TCP_MAX_QUICKACKS = 16), so slow start is not held back
  // by delayed ACKs (RFC 5681 §4.2 allows it).
  last_data_rcv_ = ctx.now;
  if (quickacks_left_ > 0 && !pingpong_) {
    --quickacks_left_;
    ack_now_ = true;
    return;
  }
  if (full_segment) ++unacked_full_segs_;
  if (unacked_full_segs_ >= 2) {
    ack_now_ = true;
    return;
  }
  if (!timers_.delayed_ack) {
    timers_.delayed_ack = ctx.now + ctx.config.delayed_ack;
    ++ctx.stats.delayed_acks;
  }
}

// "eighth, check the FIN bit".
void Socket::process_fin(Context& ctx, const InSeg& s) {
  if (!s.has(kTcpFin) || peer_fin_) return;
  SeqNumber fin_seq = s.seq + static_cast<std::uint32_t>(s.payload.size());
  if (fin_seq != rcv_.nxt) {
    // Text before the FIN is missing: remember where the stream ends.
    if (fin_seq.gt(rcv_.nxt)) peer_fin_seq_ = fin_seq;
    ack_now_ = true;
    return;
  }
  on_fin_received(ctx);
}

void Socket::on_fin_received(Context& ctx) {
  peer_fin_ = true;
  peer_fin_seq_.reset();
  rcv_.nxt = rcv_.nxt + 1;
  ack_now_ = true;  // "advance RCV.NXT over the FIN, and send an acknowledgment"
  switch (state_) {
    case State::SynReceived:
    case State::Established: state_ = State::CloseWait; break;
    case State::FinWait1:
      if (fin_acked_) enter_time_wait(ctx);
      else state_ = State::Closing;  // simultaneous close
      break;
    case State::FinWait2: enter_time_wait(ctx); break;
    default: break;
  }
}

void Socket::parse_syn_options(const wire::TcpRepr& syn) {
  // RFC 9293 §3.7.1: without an MSS option the peer takes 536 bytes.
  std::uint16_t peer_mss = syn.options.mss().value_or(536);
  std::uint16_t limit = opts_.maxseg ? std::min(opt_.rcv_mss, *opts_.maxseg) : opt_.rcv_mss;
  opt_.snd_mss = std::max<std::uint16_t>(64, std::min(peer_mss, limit));
  // RFC 7323 §2.2: scaling only when both sides sent the option; §2.3: > 14 is 14.
  auto ws = syn.options.window_scale();
  if (opt_.wscale && ws) {
    opt_.snd_shift = std::min<std::uint8_t>(*ws, 14);
  } else {
    opt_.wscale = false;
    opt_.snd_shift = 0;
    opt_.rcv_shift = 0;
  }
  opt_.sack = opt_.sack && syn.options.sack_permitted();
  opt_.timestamps = opt_.timestamps && syn.options.timestamps().has_value();
  // The initial window depends on the SMSS (RFC 6928), so start afresh.
  cc_ = CongestionControl(cc_.algorithm(), static_cast<std::uint32_t>(max_payload()));
}

}  // namespace synack::tcp

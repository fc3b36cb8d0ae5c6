// Segment generation, pulled by the iface (STYLE B3.8): poll_output returns at
// most one segment per call, in priority order: a pending RST, SYN or SYN-ACK,
// data (retransmissions first, then new data within min(SND.WND, cwnd)) with
// a piggybacked FIN, a zero-window or keepalive probe, and a bare ACK.
#include <algorithm>
#include <array>

#include "stack/transport/tcp/socket.h"

namespace synack::tcp {

using wire::kTcpAck;
using wire::kTcpFin;
using wire::kTcpPsh;
using wire::kTcpRst;
using wire::kTcpSyn;

std::optional<SegmentOut> Socket::poll_output(Context& ctx) {
  on_timer(ctx);
  if (ctl_) {
    SegmentOut out = *ctl_;
    ctl_.reset();
    ++ctx.stats.out_segs;
    return out;
  }
  switch (state_) {
    case State::Closed:
    case State::Listen: return std::nullopt;
    case State::SynSent: return output_syn(ctx);
    default:
      // Our SYN is not acknowledged yet and is due again (SYN-RECEIVED, or
      // closed after a simultaneous open: FIN-WAIT-1/CLOSING/LAST-ACK with
      // SND.UNA = ISS): resend the SYN-ACK, never data from the SYN's slot.
      if (snd_.una == snd_.iss && snd_.nxt == snd_.iss) return output_syn(ctx);
      break;
  }
  if (auto seg = output_data(ctx)) return seg;
  if (probe_due_) {
    probe_due_ = false;
    if (auto plan = plan_data(); plan && snd_.wnd > 0) return send_plan(ctx, plan);
    return output_probe(ctx, false);
  }
  if (keepalive_due_) {
    keepalive_due_ = false;
    return output_probe(ctx, true);
  }
  // A pure ACK carries the highest sequence number sent (Linux's snd_nxt,
  // tcp_acceptable_seq): our SND.NXT rewinds for go-back-N after an RTO, and
  // an ACK below the peer's RCV.NXT is unacceptable to it (RFC 9293
  // §3.10.7.4), so two ends retransmitting at once would drop each other's
  // ACKs for ever.
  if (ack_now_) return make_segment(ctx, snd_.max, kTcpAck, {});
  return std::nullopt;
}

Socket::Deadline Socket::next_deadline(const Context& ctx, bool output_done) const {
  const Deadline now{ctx.now, true};
  if (ctl_) return now;
  bool syn_due = state_ != State::Closed && state_ != State::Listen && snd_.una == snd_.iss && snd_.nxt == snd_.iss;
  bool live = state_ != State::Closed && state_ != State::Listen;
  if (syn_due || (live && (ack_now_ || probe_due_ || keepalive_due_ || rtx_una_))) return now;
  if (live && !output_done && state_ != State::SynSent && (plan_data() || persist_needed())) return now;
  // Timers::next() without its optional: the earliest armed timer, as a
  // tree of pairwise minima (no array of pointers to walk: this runs after
  // every segment).
  auto earlier = [](OptInstant a, OptInstant b) { return !a || (b && *b < *a) ? b : a; };
  const Timers& t = timers_;
  OptInstant first =
      earlier(earlier(earlier(t.retransmit, t.persist), earlier(t.delayed_ack, t.keepalive)), t.linger);
  return first ? Deadline{*first, true} : Deadline{Instant::max(), false};
}

// Data waits but the window is closed and nothing is in flight to bring an
// update: the persist timer must start (RFC 9293 §3.8.6.1). poll_at reports
// it as due so that output_data runs and arms the timer even when no segment
// can leave (a write into a window that was zero from the start).
bool Socket::persist_needed() const {
  // The armed timers first (data in flight keeps the RTO armed: the usual
  // case), plan_data() last: it is the costly test (SACK recovery walks the
  // scoreboard).
  if (timers_.retransmit || timers_.persist || snd_.nxt != snd_.una) return false;
  return snd_.nxt.lt(data_end()) && is_synchronized(state_) && state_ != State::TimeWait && !plan_data();
}

// SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED), carrying our options.
std::optional<SegmentOut> Socket::output_syn(Context& ctx) {
  if (snd_.nxt != snd_.iss) return std::nullopt;
  std::uint16_t flags = state_ == State::SynSent ? kTcpSyn : kTcpSyn | kTcpAck;
  SegmentOut out = make_segment(ctx, snd_.iss, flags, {});
  note_sent(ctx, snd_.iss, 1);
  return out;
}

// RFC 2018 §3: 40 option bytes hold 4 blocks, 3 next to timestamps.
std::size_t Socket::sack_block_room() const noexcept { return opt_.timestamps ? 3 : 4; }

// How many blocks add_options() attaches now: a pending D-SACK block plus
// one per out-of-order range, up to the room left.
std::size_t Socket::sack_blocks_to_send() const noexcept {
  if (!opt_.sack) return 0;
  std::size_t room = sack_block_room(), n = dsack_ ? 1 : 0;
  return std::min(room, n + asm_.size());
}

std::size_t Socket::max_payload() const noexcept {
  // The TS option (10 bytes + 2 NOPs) rides on every segment (RFC 7323 §3.2).
  std::size_t mss = opt_.snd_mss;
  if (opt_.timestamps) mss -= 12;
  // SACK blocks ride on every segment while out-of-order data is held (RFC
  // 2018 §4); the segment must still fit the MSS (Linux tcp_current_mss
  // subtracts them too), or a full-sized one would exceed the path MTU.
  if (std::size_t n = sack_blocks_to_send(); n > 0) mss -= 4 + 8 * n;
  // Sender SWS avoidance as Linux does it (tcp_bound_to_half_wnd, RFC 9293
  // §3.8.6.2.1): no segment larger than half the largest window the peer
  // ever offered (all of it below 536 bytes), so a small window still gets
  // filled by two segments rather than waiting for one full-sized one.
  std::size_t cutoff = snd_.max_wnd > 536 ? snd_.max_wnd / 2 : snd_.max_wnd;
  if (cutoff > 0 && mss > cutoff) mss = std::max<std::size_t>(cutoff, opt_.timestamps ? 36 : 48);
  return std::max<std::size_t>(mss, 1);
}

std::uint32_t Socket::usable_window() const noexcept {
  // RFC 5681 §3.1: send while in flight < min(cwnd, rwnd); RFC 3042 adds
  // extra_send_ for limited transmit. With SACK, SACKed bytes have left the
  // network and free cwnd (RFC 6675 pipe; limited transmit follows from it).
  std::uint32_t flight = seq_span(snd_.una, snd_.nxt);
  std::uint32_t cc_flight = opt_.sack ? sack_flight() : flight;
  std::uint32_t cwnd = cc_.cwnd() + extra_send_;
  std::uint32_t rwnd_room = snd_.wnd > flight ? snd_.wnd - flight : 0;
  return std::min(rwnd_room, cwnd > cc_flight ? cwnd - cc_flight : 0);
}

// Sender SWS avoidance (RFC 9293 §3.8.6.2.1) combined with Nagle (RFC 896)
// in Minshall's variant, as Linux: a short segment waits only while another
// short segment is unacknowledged. A full-sized segment always may go: the
// caller (plan_new_data) asks only about shorter ones.
bool Socket::nagle_allows(std::size_t len, std::size_t avail) const noexcept {
  if (snd_.nxt.lt(snd_.max)) return true;  // retransmission
  bool idle = !snd_sml_.gt(snd_.una);
  if (len == avail && (opts_.nodelay || idle)) return true;
  return snd_.max_wnd > 0 && len >= snd_.max_wnd / 2;
}

// What the next data segment would be, without sending it.
Socket::DataPlan Socket::plan_data() const {
  if (!is_synchronized(state_) || state_ == State::TimeWait || fin_acked_) return {};
  if (in_recovery_ && opt_.sack) return plan_recovery();
  if (rtx_una_) {
    // Fast retransmit or a NewReno partial ACK: resend the segment at SND.UNA.
    if (auto p = plan_head_retransmit()) return p;
  }
  // Nothing unsent and no FIN to send: plan_new_data would find no segment
  // whatever the window, so the window arithmetic is skipped (the common
  // case: this runs for every deadline computed after every segment).
  const SeqNumber end = data_end();
  if (!snd_.nxt.lt(end) && !(fin_queued_ && snd_.nxt.le(end))) return {};
  return plan_new_data(usable_window());
}

// The first outstanding segment again (fast retransmit, a NewReno partial
// ACK). It starts at the first data byte: while our SYN is unacknowledged (a
// simultaneous open that was closed) its slot is resent only as a SYN.
Socket::DataPlan Socket::plan_head_retransmit() const {
  SeqNumber from = tx_base();
  std::uint32_t data_left = from.lt(data_end()) ? seq_span(from, data_end()) : 0;
  std::uint32_t sent = from.lt(snd_.max) ? seq_span(from, snd_.max) : 0;
  DataPlan p{from, std::min({data_left, sent, static_cast<std::uint32_t>(max_payload())}), false};
  p.fin = fin_sent() && p.seq + p.len == data_end();
  if (p.len > 0 || p.fin) return p;
  return {};
}

// The segment at SND.NXT when `room` bytes may go out (Nagle and SWS apply).
Socket::DataPlan Socket::plan_new_data(std::uint32_t room) const {
  SeqNumber end = data_end();
  std::uint32_t avail = snd_.nxt.lt(end) ? seq_span(snd_.nxt, end) : 0;
  const auto mss = static_cast<std::uint32_t>(max_payload());
  std::uint32_t len = std::min({avail, room, mss});
  bool fin = fin_queued_ && len == avail && snd_.nxt.le(end);
  if (len == 0 && !fin) return {};
  // A full-sized segment always may go (max_payload() computed once: bulk
  // transfer's common case).
  if (len > 0 && len < mss && !(fin && len == avail) && !nagle_allows(len, avail)) return {};
  return DataPlan{snd_.nxt, len, fin};
}

std::optional<SegmentOut> Socket::output_data(Context& ctx) {
  auto plan = plan_data();
  // A fast retransmission that finds nothing at SND.UNA (the peer SACKed it
  // without ACKing it, or it was ACKed meanwhile) is void; left pending, it
  // would keep poll_at due with no segment to send.
  if (rtx_una_ && (!plan || plan.seq != tx_base())) rtx_una_ = false;
  if (!plan) {
    if (persist_needed()) {
      persist_backoff_ = std::max(rtt_.rto(), ctx.config.persist_min);
      timers_.persist = ctx.now + persist_backoff_;
    }
    return std::nullopt;
  }
  if (rtx_una_) {
    rtx_una_ = false;
    // The fast retransmission restarts the RTO (Linux tcp_xmit_retransmit_queue
    // rearms it when the head is resent), so it gets a full RTO to be ACKed.
    arm_rto(ctx);
  }
  // RFC 6675 §5 (C.2)/(4.3): HighRxt moves past each retransmission.
  if (in_recovery_ && opt_.sack && plan.seq.lt(snd_.max)) {
    high_rxt_ = SeqNumber::max(high_rxt_, plan.seq + plan.len + (plan.fin ? 1u : 0u));
  }
  return send_plan(ctx, plan);
}

std::optional<SegmentOut> Socket::send_plan(Context& ctx, const DataPlan& p) {
  if (p.seq == snd_.max && p.len > 0 && snd_.una == snd_.max) cc_.on_idle_restart(ctx.now, rtt_.rto());
  // The payload is lent straight from the send queue (the caller copies it
  // into the frame before any further call on this socket); only a segment
  // that wraps around the ring's end is gathered into scratch_ first.
  const std::size_t off = seq_span(tx_base(), p.seq);
  ConstBytes payload = tx_.get_allocated(off, p.len);
  if (payload.size() < p.len) {
    scratch_.resize(p.len);
    tx_.read_allocated(off, scratch_);
    payload = scratch_;
  }
  std::uint16_t flags = kTcpAck;
  if (p.len > 0 && p.seq + p.len == data_end()) flags |= kTcpPsh;
  if (p.fin) flags |= kTcpFin;
  SegmentOut out = make_segment(ctx, p.seq, flags, payload);
  if (p.len > 0 && p.len < max_payload()) snd_sml_ = p.seq + p.len;
  note_sent(ctx, p.seq, p.len + (p.fin ? 1u : 0u));
  if (p.len > 0) cc_.on_data_sent(ctx.now);
  if (p.len > 0 && last_data_rcv_ && ctx.now - *last_data_rcv_ < ctx.config.delayed_ack) pingpong_ = true;
  return out;
}

// Zero-window probe or keepalive: <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK>
// without data (RFC 1122 4.2.3.6 allows either form; Linux sends this one).
// The peer finds it outside its window and answers with an ACK.
std::optional<SegmentOut> Socket::output_probe(Context& ctx, bool keepalive) {
  if (keepalive) ++ctx.stats.keepalive_probes;
  else ++ctx.stats.window_probes;
  return make_segment(ctx, snd_.una - 1, kTcpAck, {});
}

// Bookkeeping for a segment occupying [seq, seq + seg_len) that just left.
void Socket::note_sent(Context& ctx, SeqNumber seq, std::uint32_t seg_len) {
  if (seg_len == 0) return;
  SeqNumber end = seq + seg_len;
  bool retransmission = seq.lt(snd_.max);
  if (retransmission) {
    ++ctx.stats.retrans_segs;
    ctx.stats.retrans_bytes += seg_len;
    ++total_retrans_;
    // Karn: no RTT sample from a range that was sent twice.
    if (rtt_probe_ && rtt_probe_->first.lt(end)) rtt_probe_.reset();
  } else if (!rtt_probe_ && retransmits_ == 0) {
    rtt_probe_ = std::make_pair(seq, ctx.now);
  }
  if (end.gt(snd_.nxt)) snd_.nxt = end;
  if (end.gt(snd_.max)) snd_.max = end;
  skip_sacked();
  if (!timers_.retransmit) arm_rto(ctx);
  timers_.persist.reset();
  persist_since_.reset();
}

void Socket::add_options(Context& ctx, wire::TcpRepr& r, bool syn) {
  auto now_ms = static_cast<std::uint32_t>(ctx.now.millis());
  if (syn) {
    // Linux's layout (tcp_options_write): MSS; SACK-permitted packed with
    // the timestamps (or two NOPs before them); two NOPs before a lone
    // SACK-permitted; a NOP before the window scale.
    r.options.push_mss(opt_.rcv_mss);
    if (opt_.timestamps) {
      if (opt_.sack) {
        r.options.push_sack_permitted();
      } else {
        r.options.push_nop();
        r.options.push_nop();
      }
      r.options.push_timestamps(now_ms, state_ == State::SynSent ? 0 : opt_.ts_recent);
    } else if (opt_.sack) {
      r.options.push_nop();
      r.options.push_nop();
      r.options.push_sack_permitted();
    }
    if (opt_.wscale) {
      r.options.push_nop();
      r.options.push_wscale(opt_.rcv_shift);
    }
    return;
  }
  // After the SYN: NOP NOP TS (RFC 7323 Appendix A) and the SACK blocks,
  // written here and handed over whole (assign() knows the NOP NOP TS list
  // with one comparison; pushing option by option cost more than sending).
  std::array<std::uint8_t, wire::TcpOptions::kCapacity> buf;
  const MutBytes out(buf);
  std::size_t len = 0;
  if (opt_.timestamps) {
    store_be32(out, 0, 0x0101080a);  // NOP, NOP, kind 8, length 10
    store_be32(out, 4, now_ms);
    store_be32(out, 8, opt_.ts_recent);
    len = 12;
  }
  // RFC 2018 §4: the block with the newest segment first, then by recency;
  // RFC 2883: a D-SACK block goes before all of them.
  if (opt_.sack && !r.has(kTcpRst) && (dsack_ || asm_.size() != 0)) {
    std::array<wire::SackBlock, 4> blocks{};
    std::size_t n = 0, room = sack_block_room();
    if (dsack_) blocks[n++] = *dsack_;
    std::array<storage::AssemblerRange, 4> ranges{};
    std::size_t k = asm_.ranges_by_recency(std::span(ranges).first(room - n));
    for (std::size_t i = 0; i < k; ++i) {
      SeqNumber left = rcv_.nxt + static_cast<std::uint32_t>(ranges[i].offset);
      blocks[n++] = {left, left + static_cast<std::uint32_t>(ranges[i].size)};
    }
    if (n > 0) {
      if (dsack_) ++ctx.stats.dsacks_sent;
      buf[len] = wire::kTcpOptNop;
      buf[len + 1] = wire::kTcpOptNop;
      buf[len + 2] = wire::kTcpOptSack;
      buf[len + 3] = static_cast<std::uint8_t>(2 + 8 * n);
      len += 4;
      for (std::size_t i = 0; i < n; ++i, len += 8) {
        store_be32(out, len, blocks[i].left.raw());
        store_be32(out, len + 4, blocks[i].right.raw());
      }
    }
  }
  if (len > 0) (void)r.options.assign(out.first(len));  // well formed: never fails
}

// The window field: free receive buffer, right edge never moved back, and
// not advanced by less than min(MSS, buffer/2) (receiver SWS avoidance,
// RFC 9293 §3.8.6.2.2). Windows in SYN segments are never scaled.
std::uint16_t Socket::window_field() {
  auto avail = static_cast<std::uint32_t>(rx_.window());
  std::uint32_t cur = rcv_wnd();
  std::uint32_t step = std::min<std::uint32_t>(opt_.rcv_mss, static_cast<std::uint32_t>(rx_.capacity() / 2));
  if (avail > cur && avail - cur < step && avail < rx_.capacity()) avail = cur;
  avail = std::max(avail, cur);
  bool syn = state_ == State::SynSent || (state_ == State::SynReceived && snd_.nxt == snd_.iss);
  std::uint8_t shift = syn ? 0 : opt_.rcv_shift;
  std::uint32_t field = std::min<std::uint32_t>(avail >> shift, 0xffff);
  if (syn) {
    // Whole segments (Linux tcp_select_initial_window); a SYN-ACK's segments
    // carry timestamps when the peer's SYN did (tcp_openreq_init_rwin).
    bool ts = state_ == State::SynReceived && opt_.timestamps;
    field = initial_window(field, static_cast<std::uint16_t>(opt_.rcv_mss - (ts ? 12 : 0)));
  }
  SeqNumber edge = rcv_.nxt + (field << shift);
  if (edge.gt(rcv_.adv) || rcv_.adv == SeqNumber{}) rcv_.adv = edge;
  rcv_.wnd = rcv_wnd();
  return static_cast<std::uint16_t>(field);
}

SegmentOut Socket::make_segment(Context& ctx, SeqNumber seq, std::uint16_t flags, ConstBytes payload) {
  SegmentOut out;
  out.src = tuple_.local.addr;
  out.dst = tuple_.remote.addr;
  out.tcp.src_port = tuple_.local.port;
  out.tcp.dst_port = tuple_.remote.port;
  out.tcp.seq = seq;
  out.tcp.flags = flags;
  out.payload = payload;
  bool syn = (flags & kTcpSyn) != 0;
  if (flags & kTcpAck) out.tcp.ack = rcv_.nxt;
  out.tcp.window = window_field();
  add_options(ctx, out.tcp, syn);
  if (flags & kTcpAck) {
    ack_now_ = false;
    unacked_full_segs_ = 0;
    timers_.delayed_ack.reset();
    last_ack_sent_ = rcv_.nxt;
    dsack_.reset();
  }
  ++ctx.stats.out_segs;
  return out;
}

// <SEQ=seq><ACK=ack><CTL=RST(,ACK)> to the connection's peer.
void Socket::queue_rst(SeqNumber seq, std::optional<SeqNumber> ack) {
  SegmentOut out;
  out.src = tuple_.local.addr;
  out.dst = tuple_.remote.addr;
  out.tcp.src_port = tuple_.local.port;
  out.tcp.dst_port = tuple_.remote.port;
  out.tcp.seq = seq;
  out.tcp.flags = kTcpRst;
  if (ack) {
    out.tcp.ack = *ack;
    out.tcp.flags |= kTcpAck;
  }
  ctl_ = out;
}

}  // namespace synack::tcp

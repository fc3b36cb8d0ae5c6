// Segment arrival in CLOSED and SYN-SENT, RFC 9293 §3.10.7.1 and §3.10.7.3
// (the rest of §3.10.7 is in input.cc). A SYN-SENT socket that sees the
// peer's SYN-ACK continues in syn_sent_established (input.cc), which shares
// the later steps with the synchronized states.
#include <algorithm>

#include "stack/transport/tcp/rst.h"
#include "stack/transport/tcp/socket.h"

namespace synack::tcp {

using wire::kTcpAck;
using wire::kTcpRst;
using wire::kTcpSyn;

namespace {
// Linux TCP_TIMEOUT_MIN (2 jiffies at HZ=250): the SYN resend after an
// unacceptable ACK in SYN-SENT.
constexpr Duration kSynSentBadAckRetry = Duration::from_millis(8);
}  // namespace

// §3.10.7.1: a CLOSED socket answers like no socket at all.
void Socket::process_closed(Context& ctx, const SegmentIn& seg) {
  if (seg.tcp.has(kTcpRst)) return;
  queue_rst_reply(seg);
  ++ctx.stats.out_rsts;
}

void Socket::queue_rst_reply(const SegmentIn& seg) {
  if (auto r = rst_for_unmatched(seg)) ctl_ = *r;
}

bool Socket::syn_sent_ack_ok(const SegmentIn& seg) const {
  // §3.10.7.3: unacceptable if SEG.ACK =< ISS or SEG.ACK > SND.NXT.
  return seg.tcp.ack.gt(snd_.iss) && seg.tcp.ack.le(snd_.nxt);
}

// §3.10.7.3 SYN-SENT.
void Socket::process_syn_sent(Context& ctx, const SegmentIn& seg) {
  const wire::TcpRepr& t = seg.tcp;
  bool ack = t.has(kTcpAck);
  if (ack && !syn_sent_ack_ok(seg)) {
    // Linux: the unacceptable ACK may come from the peer's stale state (its
    // FIN,ACK or RST,ACK for an older connection was lost or ignored), so the
    // first SYN is resent almost at once rather than after the 1 s RTO.
    if (retransmits_ == 0) timers_.retransmit = ctx.now + kSynSentBadAckRetry;
    // "send a reset (unless the RST bit is set) <SEQ=SEG.ACK><CTL=RST>"
    if (!t.has(kTcpRst)) {
      queue_rst(t.ack, std::nullopt);
      ++ctx.stats.out_rsts;
    }
    ++ctx.stats.dropped;
    return;
  }
  if (t.has(kTcpRst)) {
    // RFC 5961 §3.2 / §3.10.7.3: only an RST acknowledging our SYN counts.
    if (ack) {
      ++ctx.stats.attempt_fails;
      fail(SockError::ConnRefused);
    }
    return;
  }
  if (!t.has(kTcpSyn)) return;  // "drop the segment and return"
  rcv_.irs = t.seq;
  rcv_.nxt = t.seq + 1;
  rcv_.adv = rcv_.nxt;
  last_ack_sent_ = rcv_.nxt;
  parse_syn_options(t);
  if (opt_.timestamps) {
    if (auto ts = t.options.timestamps()) {
      opt_.ts_recent = ts->tsval;
      opt_.ts_recent_at = ctx.now;
    }
  }
  snd_.wnd = t.window;  // never scaled in a SYN (RFC 7323 §2.2)
  snd_.max_wnd = std::max(snd_.max_wnd, snd_.wnd);
  snd_.wl1 = t.seq;
  snd_.wl2 = t.ack;
  last_recv_ = ctx.now;
  if (ack) {
    syn_sent_established(ctx, seg);
    return;
  }
  // Simultaneous open (figure 8): send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
  state_ = State::SynReceived;
  snd_.nxt = snd_.iss;
  timers_.retransmit.reset();
  retransmits_ = 0;
  rtt_probe_.reset();
}

}  // namespace synack::tcp

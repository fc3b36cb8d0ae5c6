// Timer bookkeeping and the socket's timer handlers: RTO (RFC 6298 §5,
// RFC 1122 4.2.3.5 R2 limits), persist (RFC 9293 §3.8.6.1), delayed ACK,
// keepalive (RFC 1122 4.2.3.6), TIME-WAIT and the FIN-WAIT-2 orphan timeout.
#include "stack/transport/tcp/timers.h"

#include <algorithm>
#include <cstdio>

#include "stack/transport/tcp/socket.h"

namespace synack::tcp {

bool take_due(OptInstant& t, Instant now) noexcept {
  if (!t || *t > now) return false;
  t.reset();
  return true;
}

std::string describe_timer(TimerKind kind, std::optional<Instant> deadline, Instant now,
                           int retransmits, int probes) {
  const char* name = "off";
  switch (kind) {
    case TimerKind::Off: name = "off"; break;
    case TimerKind::On: name = "on"; break;
    case TimerKind::Probe: name = "probe"; break;
    case TimerKind::Keepalive: name = "keepalive"; break;
    case TimerKind::TimeWait: name = "timewait"; break;
  }
  std::int64_t ms = deadline ? std::max<std::int64_t>((*deadline - now).millis(), 0) : 0;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s (%lld.%02lld/%d/%d)", name, static_cast<long long>(ms / 1000),
                static_cast<long long>((ms % 1000) / 10), retransmits, probes);
  return buf;
}

void Socket::on_timer(Context& ctx) {
  Instant now = ctx.now;
  if (take_due(timers_.linger, now)) {
    // 2*MSL over in TIME-WAIT, or an orphan gave up waiting in FIN-WAIT-2.
    if (state_ == State::TimeWait || state_ == State::FinWait2) set_closed(std::nullopt);
  }
  if (take_due(timers_.retransmit, now)) on_rto(ctx);
  if (take_due(timers_.persist, now)) on_persist(ctx);
  if (take_due(timers_.delayed_ack, now) && state_ != State::Closed) {
    ack_now_ = true;
    pingpong_ = false;  // the reply did not come in time: back to quick ACKs
  }
  if (take_due(timers_.keepalive, now)) on_keepalive(ctx);
}

// RFC 5482 §4.2 / Linux tcp_clamp_rto_to_user_timeout: once retransmitting,
// the timer never runs past the user timeout, so the abort comes on time.
void Socket::arm_rto(Context& ctx) {
  Instant at = ctx.now + rtt_.rto();
  if (opts_.user_timeout && opts_.user_timeout->nanos() > 0 && retrans_stamp_)
    at = std::min(at, std::max(ctx.now, *retrans_stamp_ + *opts_.user_timeout));
  timers_.retransmit = at;
}

void Socket::record_rtt(Context& ctx, Duration sample) {
  (void)ctx;
  rtt_.on_sample(sample);
}

// RFC 6298 §5.4-5.6: retransmit the earliest unacknowledged segment, back
// off, and (RFC 5681 §3.1) collapse cwnd. Gives up after the configured
// number of retries or TCP_USER_TIMEOUT (RFC 5482), reporting a recorded
// ICMP soft error in preference to ETIMEDOUT (RFC 1122 4.2.3.9).
void Socket::on_rto(Context& ctx) {
  ++ctx.stats.timeouts;
  bool syn = state_ == State::SynSent || state_ == State::SynReceived;
  int limit = state_ == State::SynSent       ? ctx.config.syn_retries
              : state_ == State::SynReceived ? ctx.config.synack_retries
                                             : ctx.config.retries2;
  if (!retrans_stamp_) retrans_stamp_ = ctx.now;
  bool user_expired = opts_.user_timeout && opts_.user_timeout->nanos() > 0 &&
                      ctx.now - *retrans_stamp_ >= *opts_.user_timeout;
  if (retransmits_ >= limit || user_expired) {
    if (state_ == State::SynSent) ++ctx.stats.attempt_fails;
    if (state_ == State::SynReceived && passive_) set_closed(std::nullopt);
    else fail(soft_error_.value_or(SockError::TimedOut));
    return;
  }
  ++retransmits_;
  rtt_.backoff();
  rtt_probe_.reset();
  if (syn) {
    snd_.nxt = snd_.iss;
  } else {
    cc_.on_rto(ctx.now, seq_span(snd_.una, snd_.max));
    in_recovery_ = false;
    recover_ = snd_.max;  // RFC 6582 §4: no fast retransmit for this window
    dupacks_ = 0;
    extra_send_ = 0;
    rtx_una_ = false;
    // RFC 6675 §5.1: recovery ends; the scoreboard is cleared (later ACKs
    // refill it, and the go-back-N skips what they SACK).
    sb_.clear();
    high_rxt_ = snd_.una;
    snd_.nxt = snd_.una;  // go back N; the ACKs clock out the rest
    // When the window we hold lets nothing out (a zero window that reached
    // us after the data was sent, e.g. reordered behind the update that
    // opened it, or a window too small for SWS avoidance), go-back-N would
    // send nothing and, with the RTO armed, no persist probe either: both
    // sides would wait until retries ran out. As Linux's
    // tcp_retransmit_timer ("receiver dastardly shrinks window"), resend the
    // head anyway; it doubles as a window probe (RFC 9293 §3.8.6.1).
    if (!plan_new_data(usable_window())) rtx_una_ = true;
  }
  arm_rto(ctx);  // clamped to the user timeout
}

// RFC 9293 §3.8.6.1 / RFC 1122 4.2.2.17: "the sending TCP MUST allow the
// connection to stay open" while the receiver keeps answering the probes
// with a zero window: every answer resets probes_ (process()). As Linux's
// tcp_probe_timer, the connection is aborted with ETIMEDOUT (no RST) when
// tcp_retries2 probes in a row went unanswered, or, with TCP_USER_TIMEOUT,
// once that long has passed since the first probe of this zero-window spell
// (answered or not: the timestamp is reset only when the window opens).
void Socket::on_persist(Context& ctx) {
  if (!is_synchronized(state_) || state_ == State::TimeWait) return;
  bool user_expired = false;
  if (!persist_since_) {
    persist_since_ = ctx.now;
  } else if (opts_.user_timeout && opts_.user_timeout->nanos() > 0) {
    user_expired = ctx.now - *persist_since_ >= *opts_.user_timeout;
  }
  if (user_expired || probes_ >= ctx.config.retries2) {
    fail(soft_error_.value_or(SockError::TimedOut));
    return;
  }
  probe_due_ = true;
  ++probes_;
  persist_backoff_ = std::min(persist_backoff_ * 2, ctx.config.persist_max);
  Duration next = persist_backoff_;
  if (opts_.user_timeout && opts_.user_timeout->nanos() > 0) {
    // Linux tcp_clamp_probe0_to_user_timeout: wake up when the user
    // timeout ends rather than a whole backoff later.
    Duration left = *opts_.user_timeout - (ctx.now - *persist_since_);
    next = std::max(std::min(next, left), Duration::from_millis(1));
  }
  timers_.persist = ctx.now + next;
}

void Socket::arm_keepalive(const Context& ctx) {
  timers_.keepalive = ctx.now + keepalive_idle(ctx);
  probes_ = 0;
}

void Socket::on_keepalive(Context& ctx) {
  if (!opts_.keepalive || !is_synchronized(state_) || state_ == State::TimeWait) return;
  Duration idle = keepalive_idle(ctx);
  Duration interval = opts_.keepalive_interval.value_or(ctx.config.keepalive_interval);
  int count = opts_.keepalive_count.value_or(ctx.config.keepalive_count);
  // Data in flight: the retransmission timer watches the connection instead.
  if (snd_.una != snd_.max || ctx.now - last_recv_ < idle) {
    timers_.keepalive = std::max(last_recv_ + idle, ctx.now + interval);
    if (snd_.una != snd_.max) probes_ = 0;
    return;
  }
  if (probes_ >= count) {
    // Linux tcp_keepalive_timer: reset the peer and report ETIMEDOUT.
    queue_rst(snd_.nxt, rcv_.nxt);
    ++ctx.stats.out_rsts;
    fail(soft_error_.value_or(SockError::TimedOut));
    return;
  }
  keepalive_due_ = true;
  ++probes_;
  timers_.keepalive = ctx.now + interval;
}

void Socket::enter_time_wait(Context& ctx) {
  state_ = State::TimeWait;
  timers_.clear();
  timers_.linger = ctx.now + ctx.config.msl * 2;  // RFC 9293 §3.4.2
  tx_.release();
  if (orphan_ && rx_.empty()) rx_.release();
}

void Socket::set_closed(std::optional<SockError> err) {
  state_ = State::Closed;
  timers_.clear();
  if (err) error_ = err;
  ack_now_ = probe_due_ = keepalive_due_ = rtx_una_ = false;
  tx_.release();
  asm_.clear();
  // Unread data stays readable after a reset unless nobody will read it.
  if (orphan_ || rx_.empty()) rx_.release();
}

void Socket::fail(std::optional<SockError> err) { set_closed(err); }

// RFC 1122 4.2.3.9 / RFC 5927, as Linux (tcp_v4_err): the quoted sequence
// number must lie in [SND.UNA, SND.NXT]; hard errors abort a connection that
// is still opening, otherwise errors are soft and reported on timeout;
// fragmentation-needed lowers the MSS (RFC 1191) and retransmits.
void Socket::on_icmp_error(Context& ctx, IcmpError e) {
  if (state_ == State::Closed || state_ == State::Listen || state_ == State::TimeWait) return;
  if (!e.seq.in_range_inclusive(snd_.una, snd_.max)) return;
  if (e.kind == IcmpError::Kind::FragNeeded) {
    if (e.mtu < 68 + 40) return;
    auto mss = static_cast<std::uint16_t>(e.mtu - 40);
    if (mss >= opt_.snd_mss) return;
    opt_.snd_mss = mss;
    cc_.set_smss(static_cast<std::uint32_t>(max_payload()));
    if (snd_.una != snd_.max && is_synchronized(state_)) {
      snd_.nxt = snd_.una;  // resend with the smaller segments (no cwnd cut)
      rtt_probe_.reset();
    }
    return;
  }
  SockError err = SockError::HostUnreach;
  bool hard = false;
  if (e.kind == IcmpError::Kind::Unreachable) {
    switch (e.code) {
      case 0: err = SockError::NetUnreach; break;
      // Protocol unreachable: ENOPROTOOPT, as Linux (icmp_err_convert) reports it.
      case 2: err = SockError::NoProtoOpt; hard = true; break;
      case 3: err = SockError::ConnRefused; hard = true; break;   // port unreachable
      default: break;
    }
  }
  // Linux aborts only connections in SYN-SENT/SYN-RECEIVED on errors it
  // treats as hard; an established connection just records the error.
  if (hard && (state_ == State::SynSent || (state_ == State::SynReceived && !passive_))) {
    ++ctx.stats.attempt_fails;
    fail(err);
    return;
  }
  soft_error_ = err;
}

}  // namespace synack::tcp

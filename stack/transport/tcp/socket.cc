// The user side of a TCP socket (RFC 9293 §3.10.1-3.10.6): OPEN (connect),
// SEND, RECEIVE, CLOSE, ABORT, STATUS, plus setsockopt equivalents.
#include "stack/transport/tcp/socket.h"

#include <algorithm>
#include <bit>

#include "stack/transport/tcp/isn.h"

namespace synack::tcp {

namespace {
constexpr std::uint16_t kMinMss = 64;  // Linux TCP_MIN_MSS is 88; we allow tiny test MTUs
}  // namespace


Socket::Socket(const TcpConfig& config, storage::BufferPool* pool)
    : rmem_max_(config.rmem_max), tx_(config.sndbuf, pool), rx_(rcv_space(config.rcvbuf), pool), rtt_(config.rto),
      cc_(config.congestion, 536) {
  quickacks_left_ = config.quickacks;
}

Socket::~Socket() = default;

std::uint8_t Socket::choose_rcv_shift() const noexcept {
  // RFC 7323 §2.3: a shift that lets the largest buffer the connection may
  // grow to be offered (Linux sizes it for tcp_rmem[2]).
  // The least shift that brings `space` within 16 bits, at most 14:
  // bit_width(space) - 16 when positive (one instruction, not a loop).
  std::size_t space = std::max<std::size_t>(rx_.capacity(), rmem_max_);
  int shift = static_cast<int>(std::bit_width(space)) - 16;
  return static_cast<std::uint8_t>(std::clamp(shift, 0, 14));
}

Result<void, SockError> Socket::connect(Context& ctx, Endpoint local, Endpoint remote,
                                        std::uint16_t mss) {
  switch (state_) {
    case State::Closed: break;
    case State::SynSent:
    case State::SynReceived: return Err{SockError::Already};
    default: return Err{SockError::IsConn};
  }
  if (error_ || remote.port == 0 || remote.addr.is_unspecified()) return Err{SockError::Inval};
  tuple_ = {local, remote};
  snd_ = SendVars{};
  rcv_ = RecvVars{};
  snd_.iss = ctx.isn.isn(ctx.now, local.addr, local.port, remote.addr, remote.port);
  snd_.una = snd_.nxt = snd_.max = snd_.iss;
  opt_ = Negotiated{};
  std::uint16_t announced = opts_.maxseg ? std::min(mss, *opts_.maxseg) : mss;
  opt_.rcv_mss = std::max(announced, kMinMss);
  opt_.rcv_shift = ctx.config.window_scaling ? choose_rcv_shift() : 0;
  // What we offer in the SYN; parse_syn_options keeps what the peer echoes.
  opt_.wscale = ctx.config.window_scaling;
  opt_.sack = ctx.config.sack;
  opt_.timestamps = ctx.config.timestamps;
  recover_ = snd_.iss;
  snd_sml_ = snd_.iss;
  cc_ = CongestionControl(opts_.congestion.value_or(ctx.config.congestion), opt_.snd_mss);
  rtt_ = RttEstimator(ctx.config.rto);
  state_ = State::SynSent;
  passive_ = false;
  ++ctx.stats.active_opens;
  last_recv_ = ctx.now;
  return {};
}

Result<std::size_t, SockError> Socket::send(ConstBytes data) {
  if (error_) return Err{*error_};
  switch (state_) {
    case State::Closed:
    case State::Listen: return Err{SockError::NotConn};
    case State::SynSent:
    case State::SynReceived:  // RFC 9293 §3.10.2: queue for after the handshake
    case State::Established:
    case State::CloseWait: break;
    default: return Err{SockError::Pipe};
  }
  if (fin_queued_) return Err{SockError::Pipe};
  if (data.empty()) return std::size_t{0};
  std::size_t n = tx_.enqueue_slice(data);
  if (n == 0) return Err{SockError::Again};
  deadline_moved_ = true;  // new data may be due at once
  return n;
}

Result<std::size_t, SockError> Socket::recv(MutBytes out) {
  // Queued data stays readable after SHUT_RD (Linux); only an empty queue
  // then reads as end of stream instead of blocking.
  if (!rx_.empty()) {
    std::size_t before = rcv_wnd();
    std::size_t n = rx_.dequeue_slice(out);
    // RFC 9293 §3.8.6.2.2: announce the reopened window once it grew by an MSS
    // or half the buffer (receiver SWS avoidance), without waiting for data.
    // As Linux (tcp_cleanup_rbuf), only when the window left to the peer had
    // shrunk to half the buffer or less and the read at least doubles it: a
    // window that is still wide open needs no update of its own. Only what
    // the 16-bit field can announce counts: without window scaling a buffer
    // above 64 KiB reopens nothing the peer could see.
    std::size_t avail = std::min<std::size_t>(rx_.window(), std::size_t{0xffff} << opt_.rcv_shift);
    if (is_synchronized(state_) && !peer_fin_ && avail > before && 2 * before <= rx_.capacity() &&
        avail >= 2 * before && avail - before >= std::min<std::size_t>(opt_.rcv_mss, rx_.capacity() / 2)) {
      deadline_moved_ |= !ack_now_;
      ack_now_ = true;
    }
    return n;
  }
  if (error_) {
    SockError e = *error_;
    return Err{e};
  }
  if (rd_shut_ || peer_fin_) return std::size_t{0};
  if (state_ == State::Closed) return Err{SockError::NotConn};
  if (out.empty()) return std::size_t{0};
  return Err{SockError::Again};
}

Result<void, SockError> Socket::shutdown(Context& ctx, Shutdown how) {
  if (state_ == State::Closed || state_ == State::Listen || state_ == State::SynSent) {
    if (state_ == State::SynSent && how != Shutdown::Read) {
      set_closed(std::nullopt);
      return {};
    }
    return Err{SockError::NotConn};
  }
  if (how != Shutdown::Write) rd_shut_ = true;
  if (how == Shutdown::Read) return {};
  // RFC 9293 §3.10.4 CLOSE for the sending direction.
  switch (state_) {
    case State::SynReceived:
    case State::Established: state_ = State::FinWait1; break;
    case State::CloseWait: state_ = State::LastAck; break;
    default: return {};  // already closing
  }
  fin_queued_ = true;
  if (!timers_.retransmit && snd_.nxt == snd_.max) arm_rto(ctx);
  return {};
}

void Socket::close(Context& ctx) {
  orphan_ = true;
  bool unread = !rx_.empty();
  if (state_ == State::Closed || state_ == State::Listen || state_ == State::SynSent) {
    set_closed(std::nullopt);
    return;
  }
  // Linux (RFC 2525 §2.17): closing with unread data resets the connection;
  // SO_LINGER with a zero timeout aborts as well.
  if (unread || (opts_.linger && opts_.linger->nanos() == 0)) {
    abort(ctx);
    return;
  }
  (void)shutdown(ctx, Shutdown::Both);
  if (state_ == State::FinWait2 && !timers_.linger) timers_.linger = ctx.now + ctx.config.fin_timeout;
}

void Socket::abort(Context& ctx) {
  orphan_ = true;
  // RFC 9293 §3.10.5: in synchronized states (and SYN-RECEIVED) send a reset.
  if (state_ != State::Closed && state_ != State::Listen && state_ != State::SynSent &&
      state_ != State::TimeWait) {
    queue_rst(snd_.nxt, rcv_.nxt);
    ++ctx.stats.out_rsts;
    if (state_ == State::Established || state_ == State::CloseWait) ++ctx.stats.estab_resets;
  }
  set_closed(std::nullopt);
}

std::optional<SockError> Socket::take_error() noexcept {
  auto e = error_;
  if (state_ != State::Closed) error_.reset();
  else if (e) error_.reset();
  return e;
}

Readiness Socket::readiness() const noexcept {
  Readiness r;
  r.error = error_.has_value();
  r.rdhup = peer_fin_;
  r.readable = (!rx_.empty() && !rd_shut_) || peer_fin_ || rd_shut_ || r.error;
  bool can_send = state_ == State::Established || state_ == State::CloseWait;
  r.writable = (can_send && !fin_queued_ && tx_.window() > 0) || r.error;
  r.hup = (state_ == State::Closed && (error_ || orphan_ || snd_.iss != SeqNumber{} || peer_fin_)) ||
          (peer_fin_ && fin_queued_);
  return r;
}

void Socket::set_keepalive(Context& ctx, bool on) {
  opts_.keepalive = on;
  if (on && is_synchronized(state_)) arm_keepalive(ctx);
  if (!on) timers_.keepalive.reset();
}

void Socket::set_keepalive_params(std::optional<Duration> idle, std::optional<Duration> interval,
                                  std::optional<int> count) noexcept {
  if (idle) opts_.keepalive_idle = idle;
  if (interval) opts_.keepalive_interval = interval;
  if (count) opts_.keepalive_count = count;
  // Linux (TCP_KEEPIDLE on a live connection): the running keepalive timer
  // is moved to the new idle time, counted from the last segment received.
  if (idle && opts_.keepalive && timers_.keepalive) timers_.keepalive = last_recv_ + *idle;
}

Result<void, SockError> Socket::set_maxseg(std::uint16_t mss) noexcept {
  if (mss < kMinMss) return Err{SockError::Inval};
  opts_.maxseg = mss;
  if (is_synchronized(state_) && opt_.snd_mss > mss) {
    opt_.snd_mss = mss;
    cc_.set_smss(mss);
  }
  return {};
}

void Socket::set_options(const SocketOptions& o) {
  opts_ = o;
  if (o.rcvbuf != 0) (void)set_rcvbuf(o.rcvbuf);
  if (o.sndbuf != 0) (void)set_sndbuf(o.sndbuf);
  if (o.congestion) set_congestion(*o.congestion);
}

Result<void, SockError> Socket::set_rcvbuf(std::uint32_t bytes) {
  opts_.rcvbuf = bytes;
  bool offered = is_synchronized(state_) || state_ == State::SynReceived;
  rx_.resize(rcv_space(bytes), offered ? rx_.len() + rcv_wnd() : rx_.len());
  return {};
}

Result<void, SockError> Socket::set_sndbuf(std::uint32_t bytes) {
  opts_.sndbuf = bytes;
  tx_.resize(std::max<std::uint32_t>(bytes, 256), tx_.len());
  return {};
}

void Socket::set_congestion(CcAlgorithm a) {
  opts_.congestion = a;
  if (state_ == State::Closed || state_ == State::SynSent) cc_ = CongestionControl(a, opt_.snd_mss);
  else cc_.set_algorithm(a);
}

TcpInfo Socket::info(const Context& ctx) const {
  (void)ctx;
  TcpInfo i;
  i.state = state_;
  i.cwnd = cc_.cwnd();
  i.ssthresh = cc_.ssthresh();
  i.srtt = rtt_.srtt().value_or(Duration::zero());
  i.rttvar = rtt_.rttvar();
  i.rto = rtt_.rto();
  i.snd_mss = opt_.snd_mss;
  i.rcv_mss = opt_.rcv_mss;
  i.retransmits = static_cast<std::uint32_t>(retransmits_);
  i.total_retrans = total_retrans_;
  i.unacked = is_synchronized(state_) || state_ == State::SynReceived
                  ? wire::seq_span(snd_.una, snd_.max) : 0;
  std::uint32_t mss = std::max<std::uint32_t>(opt_.snd_mss, 1);
  i.sacked = (sb_.get().sacked_bytes() + mss - 1) / mss;
  if (is_synchronized(state_)) {
    auto smss = static_cast<std::uint32_t>(max_payload());
    i.lost = (sb_.get().lost_bytes(snd_.una, snd_.max, smss) + smss - 1) / smss;
  }
  i.snd_wnd = snd_.wnd;
  i.rcv_wnd = rcv_wnd();
  i.wscale = opt_.wscale;
  i.snd_wscale = opt_.snd_shift;
  i.rcv_wscale = opt_.rcv_shift;
  i.sack = opt_.sack;
  i.timestamps = opt_.timestamps;
  return i;
}

std::string Socket::timer_description(Instant now) const {
  if (state_ == State::TimeWait) return describe_timer(TimerKind::TimeWait, timers_.linger, now, 0, 0);
  if (timers_.retransmit) return describe_timer(TimerKind::On, timers_.retransmit, now, retransmits_, probes_);
  if (timers_.persist) return describe_timer(TimerKind::Probe, timers_.persist, now, retransmits_, probes_);
  if (timers_.keepalive) return describe_timer(TimerKind::Keepalive, timers_.keepalive, now, retransmits_, probes_);
  if (timers_.linger) return describe_timer(TimerKind::TimeWait, timers_.linger, now, 0, 0);
  return describe_timer(TimerKind::Off, std::nullopt, now, 0, 0);
}

}  // namespace synack::tcp

namespace synack::tcp {

bool Socket::acceptable_time_wait_syn(const SegmentIn& syn) const {
  if (state_ != State::TimeWait) return false;
  const wire::TcpRepr& t = syn.tcp;
  if (!t.has(wire::kTcpSyn) || t.has(wire::kTcpAck) || t.has(wire::kTcpRst)) return false;
  // Linux tcp_timewait_state_process: with timestamps, a newer TSval suffices;
  // otherwise the new ISN must lie above the old RCV.NXT.
  if (opt_.timestamps) {
    if (auto ts = t.options.timestamps()) {
      return static_cast<std::int32_t>(ts->tsval - opt_.ts_recent) > 0;
    }
  }
  return t.seq.gt(rcv_.nxt);
}

// Linux __tcp_oow_rate_limited: true when an out-of-window ACK or challenge
// ACK was sent less than tcp_invalid_ratelimit ago, so two ends that
// disagree about the window cannot bounce ACKs at line rate.
bool Socket::oow_ack_limited(const Context& ctx) {
  if (last_oow_ack_ && ctx.now - *last_oow_ack_ < ctx.config.invalid_ratelimit) return true;
  last_oow_ack_ = ctx.now;
  return false;
}

}  // namespace synack::tcp

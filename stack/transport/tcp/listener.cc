// LISTEN processing (RFC 9293 §3.10.7.2), the SYN and accept queues, SYN
// cookies (RFC 4987 §3.6), and the passive-open constructors of Socket.
#include "stack/transport/tcp/listener.h"

#include <algorithm>

#include "stack/transport/tcp/isn.h"
#include "stack/transport/tcp/rst.h"
#include "stack/transport/tcp/syn_cookies.h"

namespace synack::tcp {

namespace {
// The position of `t` in a descending vector (or where it would go).
std::vector<FourTuple>::iterator ready_position(std::vector<FourTuple>& v, const FourTuple& t) {
  return std::lower_bound(v.begin(), v.end(), t, [](const FourTuple& a, const FourTuple& b) { return b < a; });
}
}  // namespace

using wire::kTcpAck;
using wire::kTcpRst;
using wire::kTcpSyn;

// Options we offer, before the peer's SYN trims them (parse_syn_options).
void Socket::offer_options(Context& ctx, std::uint16_t mss) {
  opt_ = Negotiated{};
  std::uint16_t announced = opts_.maxseg ? std::min(mss, *opts_.maxseg) : mss;
  opt_.rcv_mss = std::max<std::uint16_t>(announced, 64);
  opt_.rcv_shift = ctx.config.window_scaling ? choose_rcv_shift() : 0;
  opt_.wscale = ctx.config.window_scaling;
  opt_.sack = ctx.config.sack;
  opt_.timestamps = ctx.config.timestamps;
  rtt_ = RttEstimator(ctx.config.rto);
}

void Socket::open_passive(Context& ctx, const SegmentIn& syn, std::uint16_t mss, SeqNumber iss) {
  const wire::TcpRepr& t = syn.tcp;
  tuple_ = syn.tuple();
  offer_options(ctx, mss);
  snd_ = SendVars{};
  snd_.iss = snd_.una = snd_.nxt = snd_.max = iss;  // SYN-ACK pending in poll_output
  rcv_ = RecvVars{};
  rcv_.irs = t.seq;
  rcv_.nxt = rcv_.adv = last_ack_sent_ = t.seq + 1;
  recover_ = snd_sml_ = iss;
  parse_syn_options(t);
  if (opt_.timestamps) {
    opt_.ts_recent = t.options.timestamps()->tsval;
    opt_.ts_recent_at = ctx.now;
  }
  snd_.wnd = snd_.max_wnd = t.window;
  snd_.wl1 = t.seq;
  snd_.wl2 = iss;
  state_ = State::SynReceived;
  passive_ = true;
  last_recv_ = ctx.now;
  ++ctx.stats.passive_opens;
}

void Socket::open_from_cookie(Context& ctx, const SegmentIn& ack, std::uint16_t mss,
                              std::uint16_t peer_mss, const std::optional<CookieTsOptions>& ts) {
  const wire::TcpRepr& t = ack.tcp;
  wire::TcpRepr syn;  // the SYN as far as the cookie remembers it
  syn.options.push_mss(peer_mss);
  if (ts) {
    if (ts->sack_permitted) syn.options.push_sack_permitted();
    if (auto tsopt = t.options.timestamps()) syn.options.push_timestamps(tsopt->tsval, 0);
    if (ts->window_scale) syn.options.push_wscale(*ts->window_scale);
  }
  tuple_ = ack.tuple();
  offer_options(ctx, mss);
  opt_.timestamps = opt_.timestamps && ts.has_value();
  SeqNumber iss = t.ack - 1;
  snd_ = SendVars{};
  snd_.iss = iss;
  snd_.una = snd_.nxt = snd_.max = iss + 1;
  rcv_ = RecvVars{};
  rcv_.irs = t.seq - 1;
  rcv_.nxt = rcv_.adv = last_ack_sent_ = t.seq;
  recover_ = snd_sml_ = iss + 1;
  parse_syn_options(syn);
  if (opt_.timestamps) {
    opt_.ts_recent = t.options.timestamps()->tsval;
    opt_.ts_recent_at = ctx.now;
  }
  snd_.wnd = snd_.max_wnd = static_cast<std::uint32_t>(t.window) << opt_.snd_shift;
  snd_.wl1 = t.seq;
  snd_.wl2 = t.ack;
  state_ = State::Established;
  passive_ = true;
  last_recv_ = ctx.now;
  ++ctx.stats.passive_opens;
}

Listener::Listener(const TcpConfig& config, Endpoint local, std::uint32_t backlog, SocketOptions child_options)
    : local_(local), child_opts_(child_options),
      accept_limit_(std::max<std::uint32_t>(1, std::min(backlog, config.somaxconn))),
      syn_limit_(std::max<std::uint32_t>(1, std::min(std::max<std::uint32_t>(backlog, 1),
                                                     config.max_syn_backlog))) {}

void Listener::add_child(const Context& ctx, const FourTuple& t, std::unique_ptr<Socket> sock) {
  bool half_open = sock->state() == State::SynReceived;
  auto [it, inserted] = children_.emplace(t, Child{std::move(sock), std::nullopt, false});
  if (!inserted) return;  // cannot happen: process() looked the tuple up first
  if (half_open) ++half_open_;
  // A new child is usually due at once (its SYN-ACK): straight to ready_,
  // where collect_due would move it at the next poll_output anyway (poll_at
  // reports ready_ as due now), without a node in due_ for the meantime.
  Socket& c = *it->second.sock;
  if (auto at = c.poll_at(ctx); at && *at <= ctx.now && !c.closed()) {
    ready_.insert(ready_position(ready_, it->first), it->first);
    return;
  }
  settle(ctx, it, half_open);
}

void Listener::unindex(ChildIt it) {
  if (it->second.due) due_.erase({*it->second.due, it->first});
  it->second.due.reset();
  if (auto r = ready_position(ready_, it->first); r != ready_.end() && *r == it->first) ready_.erase(r);
}

void Listener::settle(const Context& ctx, ChildIt it, bool was_half_open) {
  Socket& c = *it->second.sock;
  if (was_half_open && c.state() != State::SynReceived) --half_open_;
  std::optional<Instant> at = c.closed() ? std::optional<Instant>(ctx.now) : c.poll_at(ctx);
  // Indexed at that deadline already (so not in ready_): nothing to move.
  if (at && it->second.due == at) return;
  unindex(it);
  if (!at) return;
  it->second.due = at;
  due_.emplace(*at, it->first);
}

void Listener::collect_due(Instant now) {
  while (!due_.empty() && due_.begin()->first <= now) {
    auto it = children_.find(due_.begin()->second);
    due_.erase(due_.begin());
    it->second.due.reset();
    if (auto r = ready_position(ready_, it->first); r == ready_.end() || !(*r == it->first))
      ready_.insert(r, it->first);
  }
}

void Listener::process(Context& ctx, const SegmentIn& seg, std::uint16_t mss) {
  if (closing_) return;
  FourTuple t = seg.tuple();
  if (auto it = children_.find(t); it != children_.end()) {
    Socket& child = *it->second.sock;
    // Linux: with the accept queue full, the handshake's final ACK is dropped.
    if (child.state() == State::SynReceived && seg.tcp.has(kTcpAck) && accept_queue_full()) {
      ++ctx.stats.listen_overflows;
      ++ctx.stats.listen_drops;
      return;
    }
    bool was_half_open = child.state() == State::SynReceived;
    child.process(ctx, seg);
    if (was_half_open && child.state() != State::SynReceived && child.state() != State::Closed) promote(t);
    settle(ctx, it, was_half_open);
    return;
  }
  // §3.10.7.2: "first, check for a RST" (ignore), "second, check for an ACK".
  if (seg.tcp.has(kTcpRst)) return;
  if (seg.tcp.has(kTcpAck)) {
    if (!seg.tcp.has(kTcpSyn) && ctx.config.syncookies) {
      on_cookie_ack(ctx, seg, mss);
      return;
    }
    if (auto r = rst_for_unmatched(seg)) replies_.push_back(*r);  // <SEQ=SEG.ACK><CTL=RST>
    ++ctx.stats.out_rsts;
    return;
  }
  // "third, check for a SYN". Linux drops SYN,FIN outright (no connection
  // request carries a FIN; it is a scanner's probe).
  if (seg.tcp.has(kTcpSyn) && !seg.tcp.has(wire::kTcpFin)) on_syn(ctx, seg, mss);
}

void Listener::on_syn(Context& ctx, const SegmentIn& seg, std::uint16_t mss) {
  if (accept_queue_full()) {
    ++ctx.stats.listen_overflows;
    ++ctx.stats.listen_drops;
    return;
  }
  if (half_open_ >= syn_limit_) {
    if (ctx.config.syncookies) send_cookie_syn_ack(ctx, seg, mss);
    else ++ctx.stats.listen_drops;
    return;
  }
  FourTuple t = seg.tuple();
  auto child = std::make_unique<Socket>(ctx.config);
  child->set_options(child_opts_);
  SeqNumber iss = ctx.isn.isn(ctx.now, t.local.addr, t.local.port, t.remote.addr, t.remote.port);
  child->open_passive(ctx, seg, mss, iss);
  add_child(ctx, t, std::move(child));
}

void Listener::send_cookie_syn_ack(Context& ctx, const SegmentIn& seg, std::uint16_t mss) {
  if (replies_.size() >= 64) return;  // bounded: a flood does not grow memory
  const wire::TcpRepr& t = seg.tcp;
  FourTuple ft = seg.tuple();
  std::uint16_t peer_mss = t.options.mss().value_or(536);
  SeqNumber cookie = ctx.cookies.make(ctx.now, ft.local.addr, ft.local.port, ft.remote.addr,
                                      ft.remote.port, t.seq, peer_mss);
  SegmentOut out;
  out.src = seg.dst;
  out.dst = seg.src;
  out.tcp.src_port = t.dst_port;
  out.tcp.dst_port = t.src_port;
  out.tcp.seq = cookie;
  out.tcp.ack = t.seq + 1;
  out.tcp.flags = kTcpSyn | kTcpAck;
  std::uint32_t rcvbuf = child_opts_.rcvbuf != 0 ? child_opts_.rcvbuf : ctx.config.rcvbuf;
  bool ts = ctx.config.timestamps && t.options.timestamps().has_value();
  out.tcp.window = initial_window(rcv_space(rcvbuf), static_cast<std::uint16_t>(mss - (ts ? 12 : 0)));
  out.tcp.options.push_mss(mss);
  auto peer_ts = t.options.timestamps();
  if (ctx.config.timestamps && peer_ts) {
    // Without timestamps a cookie cannot carry SACK and window scale (Linux).
    CookieTsOptions o;
    if (ctx.config.window_scaling && t.options.window_scale()) {
      o.window_scale = std::min<std::uint8_t>(*t.options.window_scale(), 14);
    }
    o.sack_permitted = ctx.config.sack && t.options.sack_permitted();
    if (o.sack_permitted) out.tcp.options.push_sack_permitted();
    out.tcp.options.push_timestamps(
        SynCookies::encode_ts_options(static_cast<std::uint32_t>(ctx.now.millis()), o), peer_ts->tsval);
    if (o.window_scale) {
      Socket probe(ctx.config);  // the shift a child will use for this buffer size
      probe.set_options(child_opts_);
      out.tcp.options.push_nop();
      out.tcp.options.push_wscale(probe.choose_rcv_shift());
    }
  }
  replies_.push_back(out);
  ++ctx.stats.syncookies_sent;
}

void Listener::on_cookie_ack(Context& ctx, const SegmentIn& seg, std::uint16_t mss) {
  const wire::TcpRepr& t = seg.tcp;
  FourTuple ft = seg.tuple();
  auto peer_mss = ctx.cookies.check(ctx.now, ft.local.addr, ft.local.port, ft.remote.addr,
                                    ft.remote.port, t.seq - 1, t.ack - 1);
  std::optional<CookieTsOptions> ts;
  if (auto tsopt = t.options.timestamps(); tsopt && ctx.config.timestamps) {
    ts = SynCookies::decode_ts_options(tsopt->tsecr);
  }
  if (!peer_mss || accept_queue_full()) {
    if (!peer_mss) {
      ++ctx.stats.syncookies_failed;
      if (auto r = rst_for_unmatched(seg)) replies_.push_back(*r);
      ++ctx.stats.out_rsts;
    } else {
      ++ctx.stats.listen_overflows;
    }
    return;
  }
  ++ctx.stats.syncookies_recv;
  auto child = std::make_unique<Socket>(ctx.config);
  child->set_options(child_opts_);
  child->open_from_cookie(ctx, seg, mss, *peer_mss, ts);
  child->process(ctx, seg);  // data riding on the ACK
  add_child(ctx, ft, std::move(child));
  promote(ft);
}

void Listener::promote(const FourTuple& t) {
  accept_queue_.push_back(t);
  children_.at(t).queued = true;
}

std::unique_ptr<Socket> Listener::accept() {
  if (accept_queue_.empty()) return nullptr;
  FourTuple t = accept_queue_.front();
  accept_queue_.pop_front();
  auto it = children_.find(t);
  unindex(it);
  std::unique_ptr<Socket> s = std::move(it->second.sock);
  children_.erase(it);
  return s;
}

std::optional<SegmentOut> Listener::poll_output(Context& ctx) {
  if (!replies_.empty()) {
    SegmentOut out = replies_.front();
    replies_.pop_front();
    ++ctx.stats.out_segs;
    return out;
  }
  // Only children whose deadline has come, lowest 4-tuple first (what a walk
  // over every child would return); one that answers goes back to the index
  // and is visited again from the start on the next call.
  collect_due(ctx.now);
  while (!ready_.empty()) {
    auto it = children_.find(ready_.back());
    ready_.pop_back();
    Socket& child = *it->second.sock;
    bool was_half_open = child.state() == State::SynReceived;
    auto out = child.poll_output(ctx);
    if (child.closed() && !it->second.queued) {
      if (was_half_open) --half_open_;
      unindex(it);
      children_.erase(it);  // reset, timed out, or gone back to LISTEN
    } else {
      settle(ctx, it, was_half_open);
    }
    if (out) return out;
  }
  return std::nullopt;
}

std::optional<Instant> Listener::poll_at(const Context& ctx) const {
  if (!replies_.empty() || !ready_.empty()) return ctx.now;
  if (due_.empty()) return std::nullopt;
  return due_.begin()->first;
}

void Listener::close(Context& ctx) {
  closing_ = true;
  for (const FourTuple& t : accept_queue_) children_.at(t).queued = false;
  accept_queue_.clear();
  for (auto it = children_.begin(); it != children_.end(); ++it) {
    bool was_half_open = it->second.sock->state() == State::SynReceived;
    it->second.sock->abort(ctx);
    settle(ctx, it, was_half_open);
  }
}

}  // namespace synack::tcp

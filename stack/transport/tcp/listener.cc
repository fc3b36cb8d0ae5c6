// LISTEN processing (RFC 9293 §3.10.7.2), the SYN and accept queues, SYN
// cookies (RFC 4987 §3.6), and the passive-open constructors of Socket.
#include "stack/transport/tcp/listener.h"

#include <algorithm>

#include "stack/transport/tcp/isn.h"
#include "stack/transport/tcp/rst.h"
#include "stack/transport/tcp/syn_cookies.h"

namespace synack::tcp {

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

Listener::Listener(const TcpConfig& config, Endpoint local, std::uint32_t backlog, SocketOptions child_options,
                   storage::BufferPool* pool)
    : local_(local), child_opts_(child_options), pool_(pool),
      accept_limit_(std::max<std::uint32_t>(1, std::min(backlog, config.somaxconn))),
      syn_limit_(std::max<std::uint32_t>(1, std::min(std::max<std::uint32_t>(backlog, 1),
                                                     config.max_syn_backlog))) {}

// ---- the 4-tuple table ----

std::size_t Listener::home(const FourTuple& t) const noexcept {
  // splitmix64's finaliser over the tuple, keyed (hash_key_) so that the
  // probe sequence cannot be predicted from outside.
  std::uint64_t x = (std::uint64_t{t.remote.addr.value} << 32 | t.local.addr.value) ^ hash_key_;
  x = x * 0x9e3779b97f4a7c15 + (std::uint64_t{t.remote.port} << 16 | t.local.port);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9;
  x ^= x >> 27;
  x *= 0x94d049bb133111eb;
  x ^= x >> 31;
  return static_cast<std::size_t>(x) & (table_.size() - 1);
}

std::uint32_t Listener::find(const FourTuple& t) const noexcept {
  if (children_ == 0) return kNone;
  const std::size_t mask = table_.size() - 1;
  for (std::size_t k = home(t);; k = (k + 1) & mask) {
    std::uint32_t i = table_[k];
    if (i == kNone || slots_[i].tuple == t) return i;
  }
}

void Listener::rehash(std::size_t n) {
  std::vector<std::uint32_t> old = std::move(table_);
  table_.assign(n, kNone);
  for (std::uint32_t i : old) {
    if (i == kNone) continue;
    std::size_t k = home(slots_[i].tuple);
    while (table_[k] != kNone) k = (k + 1) & (n - 1);
    table_[k] = i;
  }
}

void Listener::table_insert(const Context& ctx, std::uint32_t i) {
  if (table_.empty()) hash_key_ = ctx.isn.table_key();
  // children_ already counts slot i.
  if (children_ * 4 > table_.size() * 3) rehash(table_.empty() ? 16 : 2 * table_.size());
  std::size_t k = home(slots_[i].tuple);
  while (table_[k] != kNone) k = (k + 1) & (table_.size() - 1);
  table_[k] = i;
}

void Listener::table_erase(std::uint32_t i) noexcept {
  const std::size_t mask = table_.size() - 1;
  std::size_t hole = home(slots_[i].tuple);
  while (table_[hole] != i) hole = (hole + 1) & mask;
  // Backward shift: pull later entries of the probe run into the hole when
  // their home does not lie cyclically in (hole, j].
  for (std::size_t j = (hole + 1) & mask; table_[j] != kNone; j = (j + 1) & mask) {
    std::size_t h = home(slots_[table_[j]].tuple);
    bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (stays) continue;
    table_[hole] = table_[j];
    hole = j;
  }
  table_[hole] = kNone;
}

// ---- the deadline heap ----

bool Listener::due_before(std::uint32_t a, std::uint32_t b) const noexcept {
  const Child& x = slots_[a];
  const Child& y = slots_[b];
  if (x.due != y.due) return x.due < y.due;
  return x.tuple < y.tuple;
}

void Listener::heap_sift_up(std::size_t pos) {
  std::uint32_t i = due_[pos];
  while (pos > 0) {
    std::size_t parent = (pos - 1) / 2;
    if (!due_before(i, due_[parent])) break;
    heap_place(pos, due_[parent]);
    pos = parent;
  }
  heap_place(pos, i);
}

void Listener::heap_sift_down(std::size_t pos) {
  std::uint32_t i = due_[pos];
  const std::size_t n = due_.size();
  for (;;) {
    std::size_t c = 2 * pos + 1;
    if (c >= n) break;
    if (c + 1 < n && due_before(due_[c + 1], due_[c])) ++c;
    if (!due_before(due_[c], i)) break;
    heap_place(pos, due_[c]);
    pos = c;
  }
  heap_place(pos, i);
}

void Listener::heap_fix(std::size_t pos) {
  if (pos > 0 && due_before(due_[pos], due_[(pos - 1) / 2])) heap_sift_up(pos);
  else heap_sift_down(pos);
}

void Listener::heap_push(std::uint32_t i) {
  due_.push_back(i);
  heap_sift_up(due_.size() - 1);
}

void Listener::heap_remove(std::uint32_t i) {
  std::size_t pos = slots_[i].heap_pos;
  slots_[i].heap_pos = kNone;
  std::uint32_t last = due_.back();
  due_.pop_back();
  if (last == i) return;
  heap_place(pos, last);
  heap_fix(pos);
}

// ---- children ----

void Listener::ready_insert(std::uint32_t i) {
  // Descending by 4-tuple: the lowest is visited first, from the back.
  const FourTuple& t = slots_[i].tuple;
  auto at = std::lower_bound(ready_.begin(), ready_.end(), t,
                             [&](std::uint32_t a, const FourTuple& key) { return key < slots_[a].tuple; });
  ready_.insert(at, i);
  slots_[i].ready = true;
}

void Listener::add_child(const Context& ctx, const FourTuple& t, std::unique_ptr<Socket> sock) {
  // process() looked the tuple up first: it is not in the table.
  bool half_open = sock->state() == State::SynReceived;
  std::uint32_t i;
  if (!free_slots_.empty()) {
    i = free_slots_.back();
    free_slots_.pop_back();
  } else {
    i = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Child& c = slots_[i];
  c.tuple = t;
  c.sock = std::move(sock);
  ++children_;
  table_insert(ctx, i);
  if (half_open) ++half_open_;
  // A new child is usually due at once (its SYN-ACK): straight to ready_,
  // where collect_due would move it at the next poll_output anyway (poll_at
  // reports ready_ as due now), without a heap entry for the meantime.
  Socket& s = *c.sock;
  if (auto at = s.poll_at(ctx); at && *at <= ctx.now && !s.closed()) {
    ready_insert(i);
    return;
  }
  settle(ctx, i, half_open);
}

void Listener::remove_child(std::uint32_t i) {
  unindex(i);
  table_erase(i);
  Child& c = slots_[i];
  c.sock.reset();
  c.queued = false;
  --children_;
  free_slots_.push_back(i);
}

void Listener::unindex(std::uint32_t i) {
  Child& c = slots_[i];
  if (c.heap_pos != kNone) heap_remove(i);
  if (c.ready) {
    ready_.erase(std::find(ready_.begin(), ready_.end(), i));
    c.ready = false;
  }
}

void Listener::settle(const Context& ctx, std::uint32_t i, bool was_half_open) {
  Child& c = slots_[i];
  Socket& s = *c.sock;
  if (was_half_open && s.state() != State::SynReceived) --half_open_;
  std::optional<Instant> at = s.closed() ? std::optional<Instant>(ctx.now) : s.poll_at(ctx);
  if (c.heap_pos != kNone && at) {
    // Indexed already (so not in ready_): move it to its new deadline.
    if (c.due != *at) {
      c.due = *at;
      heap_fix(c.heap_pos);
    }
    return;
  }
  unindex(i);
  if (!at) return;
  c.due = *at;
  heap_push(i);
}

void Listener::collect_due(Instant now) {
  while (!due_.empty() && slots_[due_.front()].due <= now) {
    std::uint32_t i = due_.front();
    heap_remove(i);
    ready_insert(i);
  }
}

void Listener::process(Context& ctx, const SegmentIn& seg, std::uint16_t mss) {
  if (closing_) return;
  if (std::uint32_t i = find(seg.tuple()); i != kNone) {
    Socket& child = *slots_[i].sock;
    // Linux: with the accept queue full, the handshake's final ACK is dropped.
    if (child.state() == State::SynReceived && seg.tcp.has(kTcpAck) && accept_queue_full()) {
      ++ctx.stats.listen_overflows;
      ++ctx.stats.listen_drops;
      return;
    }
    bool was_half_open = child.state() == State::SynReceived;
    child.process(ctx, seg);
    if (was_half_open && child.state() != State::SynReceived && child.state() != State::Closed) promote(i);
    settle(ctx, i, was_half_open);
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
  auto child = std::make_unique<Socket>(ctx.config, pool_.get());
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
  auto child = std::make_unique<Socket>(ctx.config, pool_.get());
  child->set_options(child_opts_);
  child->open_from_cookie(ctx, seg, mss, *peer_mss, ts);
  child->process(ctx, seg);  // data riding on the ACK
  add_child(ctx, ft, std::move(child));
  promote(find(ft));
}

void Listener::promote(std::uint32_t i) {
  accept_queue_.push_back(i);
  slots_[i].queued = true;
}

std::unique_ptr<Socket> Listener::accept() {
  if (accept_queue_.empty()) return nullptr;
  std::uint32_t i = accept_queue_.front();
  accept_queue_.pop_front();
  std::unique_ptr<Socket> s = std::move(slots_[i].sock);
  remove_child(i);
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
    std::uint32_t i = ready_.back();
    ready_.pop_back();
    slots_[i].ready = false;
    Socket& child = *slots_[i].sock;
    bool was_half_open = child.state() == State::SynReceived;
    auto out = child.poll_output(ctx);
    if (child.closed() && !slots_[i].queued) {
      if (was_half_open) --half_open_;
      remove_child(i);  // reset, timed out, or gone back to LISTEN
    } else {
      settle(ctx, i, was_half_open);
    }
    if (out) return out;
  }
  return std::nullopt;
}

std::optional<Instant> Listener::poll_at(const Context& ctx) const {
  if (!replies_.empty() || !ready_.empty()) return ctx.now;
  if (due_.empty()) return std::nullopt;
  return slots_[due_.front()].due;
}

void Listener::close(Context& ctx) {
  closing_ = true;
  for (std::uint32_t i : accept_queue_) slots_[i].queued = false;
  accept_queue_.clear();
  for (std::uint32_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i].sock) continue;
    bool was_half_open = slots_[i].sock->state() == State::SynReceived;
    slots_[i].sock->abort(ctx);
    settle(ctx, i, was_half_open);
  }
}

}  // namespace synack::tcp

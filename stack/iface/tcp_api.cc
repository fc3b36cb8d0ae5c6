// The TCP calls that need the stack: binding (port reservations), connect
// (source address and ephemeral port), listen/accept, close.
#include "stack/iface/stack.h"

namespace synack::iface {

Handle Stack::tcp_open() { return tcp_.insert(TcpEntry{std::make_unique<tcp::Socket>(cfg_.tcp, &tcp_buffers_), {}, false, false}); }

void Stack::reindex_tcp(Handle h, bool output_done) {
  auto* e = tcp_.get(h);
  if (!e) return;
  // A context at time zero: "due now" comes back as Instant::zero().
  tcp::Context ctx = tcp_context(Instant::zero());
  std::optional<Instant> due = output_done ? e->sock->poll_at_after_output(ctx) : e->sock->poll_at(ctx);
  // Closed and still holding its 4-tuple or its slot (an orphan): due now,
  // so the next flush unlinks or frees it. Once unlinked, a closed socket
  // whose descriptor is open waits for close() with no deadline.
  if (e->sock->closed() && !(e->bound && !e->orphan)) {  // not fresh and bound
    auto linked = [&] {
      auto it = conns_.find(e->sock->tuple());
      return it != conns_.end() && it->second == h;
    };
    if (e->orphan || linked()) due = Instant::zero();
  }
  tcp_due_.set(h, due);  // a no-op when the deadline did not move
}

void Stack::touch_tcp(Handle h) { reindex_tcp(h); }

void Stack::tcp_due_now(Handle h) {
  if (tcp_.get(h)) tcp_due_.set(h, Instant::zero());
}

void Stack::erase_tcp(Handle h) {
  auto* e = tcp_.get(h);
  if (!e) return;
  tcp_due_.erase(h);
  tcp_.erase(h);
  if (h.index < tcp_tags_.size()) tcp_tags_[h.index] = -1;  // the slot's next socket starts untagged
}

tcp::Listener* Stack::listener(Handle h) {
  auto* e = listeners_.get(h);
  return e ? e->listener.get() : nullptr;
}

std::optional<tcp::Endpoint> Stack::tcp_bound(Handle h) const {
  const auto* e = tcp_.get(h);
  if (!e) return std::nullopt;
  if (e->sock->state() != tcp::State::Closed) return e->sock->tuple().local;
  return e->bound;
}

// A listener or a bound socket always holds its port. Connections using it
// (e.g. in TIME-WAIT) hold it too, unless SO_REUSEADDR is set (BSD/Linux).
bool Stack::tcp_port_in_use(std::uint16_t port, bool reuse) const {
  if (tcp_reserved_ports_.count(port)) return true;
  if (reuse) return false;
  bool used = false;
  conns_.for_each([&](const tcp::FourTuple& t, Handle) { used |= t.local.port == port; });
  return used;
}

Result<void, SockError> Stack::tcp_bind(Handle h, tcp::Endpoint local, bool reuse_addr) {
  auto* e = tcp_.get(h);
  if (!e) return Err{SockError::BadF};
  if (e->bound || e->sock->state() != tcp::State::Closed) return Err{SockError::Inval};
  if (!local.addr.is_unspecified() && !is_local_address(local.addr)) return Err{SockError::AddrNotAvail};
  if (local.port == 0) {
    std::uint32_t range = cfg_.ephemeral_high - cfg_.ephemeral_low + 1u;
    std::uint32_t start = rng_.below(range);
    for (std::uint32_t i = 0; i < range && local.port == 0; ++i) {
      auto p = static_cast<std::uint16_t>(cfg_.ephemeral_low + (start + i) % range);
      if (!tcp_port_in_use(p, false)) local.port = p;
    }
    if (local.port == 0) return Err{SockError::AddrInUse};
  } else if (tcp_port_in_use(local.port, reuse_addr)) {
    return Err{SockError::AddrInUse};
  }
  e->bound = local;
  e->reuse_addr = reuse_addr;
  ++tcp_reserved_ports_[local.port];
  return {};
}

std::uint16_t Stack::tcp_ephemeral_port(const tcp::Endpoint& local_addr, const tcp::Endpoint& remote) {
  std::uint32_t range = cfg_.ephemeral_high - cfg_.ephemeral_low + 1u;
  std::uint32_t start = rng_.below(range);
  for (std::uint32_t i = 0; i < range; ++i) {
    auto p = static_cast<std::uint16_t>(cfg_.ephemeral_low + (start + i) % range);
    // Unique per 4-tuple (as Linux's __inet_hash_connect), never a port
    // someone bound or listens on.
    if (tcp_reserved_ports_.count(p)) continue;
    if (conns_.count(tcp::FourTuple{{local_addr.addr, p}, remote})) continue;
    return p;
  }
  return 0;
}

Result<void, SockError> Stack::tcp_connect(Instant now, Handle h, tcp::Endpoint remote) {
  auto* e = tcp_.get(h);
  if (!e) return Err{SockError::BadF};
  tcp::Context ctx = tcp_context(now);
  // Already connecting or connected: the socket answers EALREADY/EISCONN.
  if (e->sock->state() != tcp::State::Closed) return e->sock->connect(ctx, {}, remote, 0);
  auto src = source_for(remote.addr);
  if (!src) return Err{SockError::NetUnreach};
  tcp::Endpoint local = e->bound.value_or(tcp::Endpoint{*src, 0});
  if (local.addr.is_unspecified()) local.addr = *src;
  if (local.port == 0) {
    local.port = tcp_ephemeral_port(local, remote);
    if (local.port == 0) return Err{SockError::AddrNotAvail};
  } else if (conns_.count(tcp::FourTuple{local, remote})) {
    return Err{SockError::AddrNotAvail};
  }
  if (auto r = e->sock->connect(ctx, local, remote, mss_for(remote.addr)); !r) return r;
  if (e->bound) {
    if (--tcp_reserved_ports_[e->bound->port] == 0) tcp_reserved_ports_.erase(e->bound->port);
    e->bound.reset();
  }
  conns_[e->sock->tuple()] = h;
  reindex_tcp(h);
  return {};
}

Result<Handle, SockError> Stack::tcp_listen(Instant now, Handle h, std::uint32_t backlog) {
  (void)now;
  auto* e = tcp_.get(h);
  if (!e) return Err{SockError::BadF};
  if (e->sock->state() != tcp::State::Closed) return Err{SockError::Inval};
  if (!e->bound) {
    if (auto r = tcp_bind(h, {wire::Ipv4Address::any(), 0}, false); !r) return Err{r.error()};
  }
  tcp::Endpoint local = *e->bound;
  if (listen_table_.count(local)) return Err{SockError::AddrInUse};
  Handle lh = listeners_.insert(ListenEntry{std::make_unique<tcp::Listener>(cfg_.tcp, local, backlog, e->sock->options(), &tcp_buffers_), false});
  listen_table_[local] = lh;
  e->bound.reset();  // the reservation moves to the listener
  erase_tcp(h);
  return lh;
}

std::optional<Handle> Stack::tcp_accept(Handle lh) {
  auto* l = listener(lh);
  if (!l) return std::nullopt;
  auto sock = l->accept();
  if (!sock) return std::nullopt;
  auto tuple = sock->tuple();
  Handle h = tcp_.insert(TcpEntry{std::move(sock), {}, false, false});
  conns_[tuple] = h;
  reindex_tcp(h);
  return h;
}

void Stack::unlink_tcp(Handle h) {
  auto* e = tcp_.get(h);
  if (!e) return;
  if (auto it = conns_.find(e->sock->tuple()); it != conns_.end() && it->second == h) conns_.erase(it);
  if (e->bound) {
    if (--tcp_reserved_ports_[e->bound->port] == 0) tcp_reserved_ports_.erase(e->bound->port);
    e->bound.reset();
  }
}

void Stack::tcp_close(Instant now, Handle h) {
  auto* e = tcp_.get(h);
  if (!e) return;
  tcp::Context ctx = tcp_context(now);
  e->sock->close(ctx);
  e->orphan = true;
  if (e->sock->state() == tcp::State::Closed && e->bound) unlink_tcp(h);
  reindex_tcp(h);
}

void Stack::tcp_abort(Instant now, Handle h) {
  auto* e = tcp_.get(h);
  if (!e) return;
  tcp::Context ctx = tcp_context(now);
  e->sock->abort(ctx);
  e->orphan = true;
  reindex_tcp(h);
}

void Stack::listener_close(Instant now, Handle h) {
  auto* e = listeners_.get(h);
  if (!e) return;
  tcp::Context ctx = tcp_context(now);
  e->listener->close(ctx);
  e->orphan = true;
  const auto& local = e->listener->local();
  if (auto it = listen_table_.find(local); it != listen_table_.end() && it->second == h) listen_table_.erase(it);
  if (--tcp_reserved_ports_[local.port] == 0) tcp_reserved_ports_.erase(local.port);
  work_pending_ = true;
}

}  // namespace synack::iface

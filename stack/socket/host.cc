#include "stack/socket/host.h"

#include <algorithm>
#include <functional>

namespace synack::socket {

namespace {
udp::Endpoint to_udp(SockAddr a) { return {a.addr, a.port}; }
SockAddr from_udp(udp::Endpoint e) { return {e.addr, e.port}; }
tcp::Endpoint to_tcp(SockAddr a) { return {a.addr, a.port}; }
SockAddr from_tcp(tcp::Endpoint e) { return {e.addr, e.port}; }
}  // namespace

Result<Host::Descriptor*, SockError> Host::lookup(int fd) {
  Descriptor* d = find(fd);
  if (!d) return Err{SockError::BadF};
  return d;
}

Result<int, SockError> Host::install(Descriptor d) {
  // The lowest free descriptor (POSIX), in O(log n) from the free heap.
  if (!free_fds_.empty()) {
    std::pop_heap(free_fds_.begin(), free_fds_.end(), std::greater<>());
    std::size_t i = free_fds_.back();
    free_fds_.pop_back();
    fds_[i] = d;
    return static_cast<int>(i) + kFirstFd;
  }
  if (fds_.size() >= kMaxFds) return Err{SockError::MFile};
  fds_.push_back(d);
  return static_cast<int>(fds_.size() - 1) + kFirstFd;
}

void Host::tag(int fd, const Descriptor& d) {
  if (!watching_) return;
  if (d.kind == Kind::Tcp) stack_.set_tcp_tag(d.handle, fd);
  else if (d.kind == Kind::Listener) stack_.set_listener_tag(d.handle, fd);
}

void Host::watch_ready() {
  if (watching_) return;
  watching_ = true;
  stack_.enable_ready_list();
  // Descriptors opened before: tagged now.
  for (std::size_t i = 0; i < fds_.size(); ++i)
    if (fds_[i]) tag(static_cast<int>(i) + kFirstFd, *fds_[i]);
}

Result<int, SockError> Host::socket(Pid owner, SockType type, SockProto proto) {
  Descriptor d{};
  d.owner = owner;
  if (type == SockType::Dgram && proto == SockProto::Icmp) {
    d.kind = Kind::Ping;
    d.handle = stack_.ping_open();
  } else if (type == SockType::Dgram) {
    d.kind = Kind::Udp;
    d.handle = stack_.udp_open();
  } else if (proto == SockProto::Default) {
    d.kind = Kind::Tcp;
    d.handle = stack_.tcp_open();
    auto fd = install(d);
    if (fd) tag(*fd, d);
    return fd;
  } else {
    return Err{SockError::ProtoNoSupport};
  }
  return install(d);
}

Result<void, SockError> Host::bind(int fd, SockAddr local) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  switch ((*d)->kind) {
    case Kind::Udp: return stack_.udp_bind((*d)->handle, to_udp(local));
    case Kind::Tcp: return stack_.tcp_bind((*d)->handle, to_tcp(local), (*d)->reuse_addr);
    case Kind::Listener: return Err{SockError::Inval};
    case Kind::Ping:
      if (!stack_.ping_bind((*d)->handle, local.port)) return Err{SockError::AddrInUse};
      return {};
  }
  return Err{SockError::OpNotSupp};
}

Result<void, SockError> Host::connect(int fd, SockAddr remote) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  switch ((*d)->kind) {
    case Kind::Udp: return stack_.udp_connect((*d)->handle, to_udp(remote));
    case Kind::Tcp: {
      auto* s = stack_.tcp((*d)->handle);
      bool was_closed = s->state() == tcp::State::Closed;
      // A socket whose connection has ended stays ended: connect() must not
      // start a new one over its old state (TIME-WAIT over, LAST-ACK acked).
      // Linux reports ECONNABORTED once and then allows a fresh connect on
      // the disconnected socket; synack does not reuse sockets.
      if (was_closed && (*d)->connected && !s->readiness().error) return Err{SockError::IsConn};
      auto r = stack_.tcp_connect(now_, (*d)->handle, to_tcp(remote));
      if (!r) return r;
      (*d)->connected = true;
      // Non-blocking connect: the handshake completes later (EINPROGRESS).
      return was_closed ? Result<void, SockError>(Err{SockError::InProgress}) : r;
    }
    case Kind::Listener: return Err{SockError::IsConn};
    case Kind::Ping: return Err{SockError::OpNotSupp};
  }
  return Err{SockError::OpNotSupp};
}

std::uint32_t Host::somaxconn_backlog(int backlog) const {
  // listen(2): the backlog is silently capped at somaxconn; <= 0 means 0.
  return static_cast<std::uint32_t>(std::clamp<int>(backlog, 0, static_cast<int>(stack_.config().tcp.somaxconn)));
}

Result<void, SockError> Host::listen(int fd, int backlog) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind == Kind::Listener) return {};  // listen() again only adjusts the backlog on Linux
  if ((*d)->kind != Kind::Tcp) return Err{SockError::OpNotSupp};
  auto lh = stack_.tcp_listen(now_, (*d)->handle, somaxconn_backlog(backlog));
  if (!lh) return Err{lh.error()};
  (*d)->kind = Kind::Listener;
  (*d)->handle = *lh;
  tag(fd, **d);
  return {};
}

Result<int, SockError> Host::accept(int fd, SockAddr* peer) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Listener) return Err{SockError::Inval};
  Pid owner = (*d)->owner;
  auto h = stack_.tcp_accept((*d)->handle);
  if (!h) return Err{SockError::Again};
  if (peer) *peer = from_tcp(stack_.tcp(*h)->tuple().remote);
  const Descriptor nd{Kind::Tcp, *h, owner, false, true};
  auto nfd = install(nd);
  if (nfd) tag(*nfd, nd);
  return nfd;
}

Result<std::size_t, SockError> Host::send(int fd, ConstBytes data) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  switch ((*d)->kind) {
    case Kind::Udp: {
      if (!stack_.udp((*d)->handle)->remote) return Err{SockError::DestAddrReq};
      if (auto r = stack_.udp_send((*d)->handle, std::nullopt, data); !r) return Err{r.error()};
      return data.size();
    }
    case Kind::Tcp: {
      auto* s = stack_.tcp((*d)->handle);
      auto r = s->send(data);
      if (s->take_deadline_moved()) stack_.tcp_due_now((*d)->handle);  // new data may be due at once
      return r;
    }
    case Kind::Listener: return Err{SockError::NotConn};
    case Kind::Ping: return Err{SockError::OpNotSupp};
  }
  return Err{SockError::OpNotSupp};
}

Result<std::size_t, SockError> Host::sendto(int fd, ConstBytes data, SockAddr to) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind == Kind::Tcp) return send(fd, data);  // the address is ignored on a stream (or EISCONN)
  if ((*d)->kind != Kind::Udp) return Err{SockError::OpNotSupp};
  if (auto r = stack_.udp_send((*d)->handle, to_udp(to), data); !r) return Err{r.error()};
  return data.size();
}

Result<std::pair<std::size_t, SockAddr>, SockError> Host::recvfrom(int fd, MutBytes buf) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  switch ((*d)->kind) {
    case Kind::Udp: {
      auto r = stack_.udp((*d)->handle)->recv(buf);
      if (!r) return Err{r.error()};
      return std::pair{r->first, from_udp(r->second)};
    }
    case Kind::Tcp: {
      auto* s = stack_.tcp((*d)->handle);
      auto r = s->recv(buf);
      if (s->take_deadline_moved()) stack_.tcp_due_now((*d)->handle);  // a window update is due
      if (!r) return Err{r.error()};
      return std::pair{*r, from_tcp(s->tuple().remote)};
    }
    case Kind::Listener: return Err{SockError::NotConn};
    case Kind::Ping: return Err{SockError::OpNotSupp};
  }
  return Err{SockError::OpNotSupp};
}

Result<std::size_t, SockError> Host::recv(int fd, MutBytes buf) {
  // A stream socket straight to its queue: the peer address recvfrom()
  // would build (and the pair around it) is not wanted here.
  Descriptor* d = find(fd);
  if (d && d->kind == Kind::Tcp) {
    auto* s = stack_.tcp(d->handle);
    auto r = s->recv(buf);
    if (s->take_deadline_moved()) stack_.tcp_due_now(d->handle);  // a window update is due
    return r;
  }
  auto r = recvfrom(fd, buf);
  if (!r) return Err{r.error()};
  return r->first;
}

Result<void, SockError> Host::shutdown(int fd, Shut how) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind == Kind::Tcp) {
    tcp::Context ctx = stack_.tcp_context(now_);
    auto h = how == Shut::Rd ? tcp::Shutdown::Read : how == Shut::Wr ? tcp::Shutdown::Write : tcp::Shutdown::Both;
    auto r = stack_.tcp((*d)->handle)->shutdown(ctx, h);
    stack_.touch_tcp((*d)->handle);
    return r;
  }
  if ((*d)->kind == Kind::Udp && !stack_.udp((*d)->handle)->remote) return Err{SockError::NotConn};
  if ((*d)->kind == Kind::Listener) return Err{SockError::NotConn};
  return {};
}

Result<void, SockError> Host::close(int fd) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  switch ((*d)->kind) {
    case Kind::Udp: stack_.udp_close((*d)->handle); break;
    case Kind::Ping: stack_.ping_close((*d)->handle); break;
    case Kind::Tcp: stack_.tcp_close(now_, (*d)->handle); break;
    case Kind::Listener: stack_.listener_close(now_, (*d)->handle); break;
  }
  fds_[static_cast<std::size_t>(fd - kFirstFd)].reset();
  free_fds_.push_back(static_cast<std::size_t>(fd - kFirstFd));
  std::push_heap(free_fds_.begin(), free_fds_.end(), std::greater<>());
  return {};
}

Result<SockAddr, SockError> Host::getsockname(int fd) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  switch ((*d)->kind) {
    case Kind::Udp: {
      auto* u = stack_.udp((*d)->handle);
      return u->local ? from_udp(*u->local) : SockAddr{};
    }
    case Kind::Tcp: {
      auto b = stack_.tcp_bound((*d)->handle);
      return b ? from_tcp(*b) : SockAddr{};
    }
    case Kind::Listener: return from_tcp(stack_.listener((*d)->handle)->local());
    case Kind::Ping: return SockAddr{};
  }
  return SockAddr{};
}

Result<SockAddr, SockError> Host::getpeername(int fd) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind == Kind::Udp) {
    auto* u = stack_.udp((*d)->handle);
    if (!u->remote) return Err{SockError::NotConn};
    return from_udp(*u->remote);
  }
  if ((*d)->kind == Kind::Tcp) {
    auto* s = stack_.tcp((*d)->handle);
    auto st = s->state();
    if (st == tcp::State::Closed || st == tcp::State::SynSent || st == tcp::State::SynReceived)
      return Err{SockError::NotConn};
    return from_tcp(s->tuple().remote);
  }
  return Err{SockError::NotConn};
}

Result<Readiness, SockError> Host::poll(int fd) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  Readiness r;
  switch ((*d)->kind) {
    case Kind::Udp: {
      auto* u = stack_.udp((*d)->handle);
      r.readable = u->readable();
      r.writable = u->writable();
      break;
    }
    case Kind::Ping:
      r.readable = stack_.ping((*d)->handle)->readable();
      r.writable = true;
      break;
    case Kind::Tcp: {
      auto t = stack_.tcp((*d)->handle)->readiness();
      r = Readiness{t.readable, t.writable, t.error, t.hup};
      break;
    }
    case Kind::Listener: r.readable = stack_.listener((*d)->handle)->readable(); break;
  }
  return r;
}

Result<tcp::TcpInfo, SockError> Host::tcp_info(int fd) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Tcp) return Err{SockError::OpNotSupp};
  tcp::Context ctx = stack_.tcp_context(now_);
  return stack_.tcp((*d)->handle)->info(ctx);
}

Result<iface::PingReply, SockError> Host::recv_ping(int fd) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Ping) return Err{SockError::OpNotSupp};
  auto r = stack_.ping((*d)->handle)->pop_reply();
  if (!r) return Err{SockError::Again};
  return std::move(*r);
}

Result<void, SockError> Host::send_ping(int fd, wire::Ipv4Address dst, std::uint16_t seq, ConstBytes payload) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Ping) return Err{SockError::OpNotSupp};
  if (!stack_.source_for(dst)) return Err{SockError::NetUnreach};
  if (!stack_.ping((*d)->handle)->queue({dst, seq, Bytes(payload.begin(), payload.end())})) return Err{SockError::Again};
  return {};
}

std::size_t Host::open_descriptors() const { return fds_.size() - free_fds_.size(); }

}  // namespace synack::socket

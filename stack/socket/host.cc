#include "stack/socket/host.h"

namespace synack::socket {

namespace {
udp::Endpoint to_udp(SockAddr a) { return {a.addr, a.port}; }
SockAddr from_udp(udp::Endpoint e) { return {e.addr, e.port}; }
}  // namespace

Result<Host::Descriptor*, SockError> Host::lookup(int fd) {
  if (fd < kFirstFd || static_cast<std::size_t>(fd - kFirstFd) >= fds_.size()) return Err{SockError::BadF};
  auto& d = fds_[static_cast<std::size_t>(fd - kFirstFd)];
  if (!d) return Err{SockError::BadF};
  return &*d;
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
  } else {
    return Err{SockError::ProtoNoSupport};
  }
  for (std::size_t i = 0; i < fds_.size(); ++i) {
    if (!fds_[i]) {
      fds_[i] = d;
      return static_cast<int>(i) + kFirstFd;
    }
  }
  if (fds_.size() >= kMaxFds) return Err{SockError::MFile};
  fds_.push_back(d);
  return static_cast<int>(fds_.size() - 1) + kFirstFd;
}

Result<void, SockError> Host::bind(int fd, SockAddr local) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Udp) return Err{SockError::OpNotSupp};
  return stack_.udp_bind((*d)->handle, to_udp(local));
}

Result<void, SockError> Host::connect(int fd, SockAddr remote) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Udp) return Err{SockError::OpNotSupp};
  return stack_.udp_connect((*d)->handle, to_udp(remote));
}

Result<std::size_t, SockError> Host::send(int fd, ConstBytes data) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Udp) return Err{SockError::OpNotSupp};
  auto* u = stack_.udp((*d)->handle);
  if (!u->remote) return Err{SockError::DestAddrReq};
  if (auto r = stack_.udp_send((*d)->handle, std::nullopt, data); !r) return Err{r.error()};
  return data.size();
}

Result<std::size_t, SockError> Host::sendto(int fd, ConstBytes data, SockAddr to) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Udp) return Err{SockError::OpNotSupp};
  if (auto r = stack_.udp_send((*d)->handle, to_udp(to), data); !r) return Err{r.error()};
  return data.size();
}

Result<std::pair<std::size_t, SockAddr>, SockError> Host::recvfrom(int fd, MutBytes buf) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Udp) return Err{SockError::OpNotSupp};
  auto r = stack_.udp((*d)->handle)->recv(buf);
  if (!r) return Err{r.error()};
  return std::pair{r->first, from_udp(r->second)};
}

Result<std::size_t, SockError> Host::recv(int fd, MutBytes buf) {
  auto r = recvfrom(fd, buf);
  if (!r) return Err{r.error()};
  return r->first;
}

Result<void, SockError> Host::shutdown(int fd, Shut how) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  (void)how;
  if ((*d)->kind == Kind::Udp && !stack_.udp((*d)->handle)->remote) return Err{SockError::NotConn};
  return {};
}

Result<void, SockError> Host::close(int fd) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind == Kind::Udp) stack_.udp_close((*d)->handle);
  else stack_.ping_close((*d)->handle);
  fds_[static_cast<std::size_t>(fd - kFirstFd)].reset();
  while (!fds_.empty() && !fds_.back()) fds_.pop_back();
  return {};
}

Result<void, SockError> Host::setsockopt(int fd, SockOpt opt, int value) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Udp) return Err{SockError::NoProtoOpt};
  auto* u = stack_.udp((*d)->handle);
  switch (opt) {
    case SockOpt::ReuseAddr: u->reuse_addr = value != 0; return {};
    case SockOpt::Broadcast: u->broadcast = value != 0; return {};
    // Linux doubles the requested size for bookkeeping overhead (socket(7)).
    case SockOpt::RcvBuf: u->rcvbuf = static_cast<std::size_t>(std::max(value, 1152)) * 2; return {};
    case SockOpt::SndBuf: u->sndbuf = static_cast<std::size_t>(std::max(value, 2304)) * 2; return {};
    default: return Err{SockError::NoProtoOpt};
  }
}

Result<int, SockError> Host::getsockopt(int fd, SockOpt opt) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Udp) return Err{SockError::NoProtoOpt};
  auto* u = stack_.udp((*d)->handle);
  switch (opt) {
    case SockOpt::ReuseAddr: return int{u->reuse_addr};
    case SockOpt::Broadcast: return int{u->broadcast};
    case SockOpt::RcvBuf: return static_cast<int>(u->rcvbuf);
    case SockOpt::SndBuf: return static_cast<int>(u->sndbuf);
    case SockOpt::Error: {
      auto e = u->take_error();
      return e ? static_cast<int>(*e) + 1 : 0;
    }
    default: return Err{SockError::NoProtoOpt};
  }
}

Result<SockAddr, SockError> Host::getsockname(int fd) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Udp) return SockAddr{};
  auto* u = stack_.udp((*d)->handle);
  return u->local ? from_udp(*u->local) : SockAddr{};
}

Result<SockAddr, SockError> Host::getpeername(int fd) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if ((*d)->kind != Kind::Udp) return Err{SockError::NotConn};
  auto* u = stack_.udp((*d)->handle);
  if (!u->remote) return Err{SockError::NotConn};
  return from_udp(*u->remote);
}

Result<Readiness, SockError> Host::poll(int fd) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  Readiness r;
  if ((*d)->kind == Kind::Udp) {
    auto* u = stack_.udp((*d)->handle);
    r.readable = u->readable();
    r.writable = u->writable();
  } else {
    r.readable = stack_.ping((*d)->handle)->readable();
    r.writable = true;
  }
  return r;
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

std::size_t Host::open_descriptors() const {
  std::size_t n = 0;
  for (const auto& d : fds_) n += d.has_value();
  return n;
}

}  // namespace synack::socket

// setsockopt/getsockopt, with Linux's units: buffer sizes are doubled on set
// (socket(7)) and may change on a live connection, TCP_KEEPIDLE/INTVL in
// seconds, TCP_USER_TIMEOUT in milliseconds, SO_LINGER as seconds (negative:
// off), TCP_CONGESTION as 0 = reno, 1 = cubic. A listener's options are
// inherited by the connections it accepts.
#include <algorithm>

#include "stack/socket/host.h"

namespace synack::socket {

namespace {
// socket(7): the request is clamped to net.core.[rw]mem_max, doubled for
// bookkeeping overhead, and never below Linux's minimum.
std::uint32_t buffer_request(int value, int floor, std::uint32_t max) {
  auto v = static_cast<std::uint32_t>(std::max(value, floor));
  return std::min(v, std::max(max, static_cast<std::uint32_t>(floor))) * 2;
}
}  // namespace

Result<void, SockError> Host::set_tcp_option(tcp::Socket& s, SockOpt opt, int value) {
  switch (opt) {
    case SockOpt::NoDelay: s.set_nodelay(value != 0); return {};
    case SockOpt::KeepAlive: {
      tcp::Context ctx = stack_.tcp_context(now_);
      s.set_keepalive(ctx, value != 0);
      return {};
    }
    case SockOpt::KeepIdle:
    case SockOpt::KeepIntvl:
      if (value < 1 || value > 32767) return Err{SockError::Inval};
      if (opt == SockOpt::KeepIdle) s.set_keepalive_params(Duration::from_secs(value), std::nullopt, std::nullopt);
      else s.set_keepalive_params(std::nullopt, Duration::from_secs(value), std::nullopt);
      return {};
    case SockOpt::KeepCnt:
      if (value < 1 || value > 127) return Err{SockError::Inval};
      s.set_keepalive_params(std::nullopt, std::nullopt, value);
      return {};
    case SockOpt::UserTimeout:
      if (value < 0) return Err{SockError::Inval};
      s.set_user_timeout(value == 0 ? std::nullopt : std::optional(Duration::from_millis(value)));
      return {};
    case SockOpt::MaxSeg:
      if (value < 0 || value > 65535) return Err{SockError::Inval};
      return s.set_maxseg(static_cast<std::uint16_t>(value));
    case SockOpt::RcvBuf: return s.set_rcvbuf(buffer_request(value, 1152, stack_.config().tcp.sockopt_buf_max));
    case SockOpt::SndBuf: return s.set_sndbuf(buffer_request(value, 2304, stack_.config().tcp.sockopt_buf_max));
    case SockOpt::Linger:
      s.set_linger(value < 0 ? std::nullopt : std::optional(Duration::from_secs(value)));
      return {};
    case SockOpt::Congestion:
      if (value != 0 && value != 1) return Err{SockError::Inval};
      s.set_congestion(value == 0 ? tcp::CcAlgorithm::NewReno : tcp::CcAlgorithm::Cubic);
      return {};
    default: return Err{SockError::NoProtoOpt};
  }
}

Result<int, SockError> Host::get_tcp_option(tcp::Socket& s, SockOpt opt) {
  const auto& o = s.options();
  tcp::Context ctx = stack_.tcp_context(now_);
  switch (opt) {
    case SockOpt::NoDelay: return int{o.nodelay};
    case SockOpt::KeepAlive: return int{o.keepalive};
    case SockOpt::KeepIdle:
      return static_cast<int>(o.keepalive_idle.value_or(stack_.config().tcp.keepalive_idle).secs());
    case SockOpt::KeepIntvl:
      return static_cast<int>(o.keepalive_interval.value_or(stack_.config().tcp.keepalive_interval).secs());
    case SockOpt::KeepCnt: return o.keepalive_count.value_or(stack_.config().tcp.keepalive_count);
    case SockOpt::UserTimeout: return static_cast<int>(o.user_timeout.value_or(Duration::zero()).millis());
    case SockOpt::MaxSeg: return static_cast<int>(s.info(ctx).snd_mss);
    case SockOpt::Error: {
      auto e = s.take_error();
      return e ? static_cast<int>(*e) + 1 : 0;
    }
    case SockOpt::Congestion:
      return o.congestion.value_or(stack_.config().tcp.congestion) == tcp::CcAlgorithm::Cubic ? 1 : 0;
    // Linux reports the doubled size that was set (socket(7)).
    case SockOpt::RcvBuf: return static_cast<int>(o.rcvbuf != 0 ? o.rcvbuf : s.rcvbuf_capacity());
    case SockOpt::SndBuf: return static_cast<int>(o.sndbuf != 0 ? o.sndbuf : s.sndbuf_capacity());
    default: return Err{SockError::NoProtoOpt};
  }
}

// A listening socket takes the same options, with the same checks and units,
// for the connections it will accept (Linux clones the listener's options
// into each child): they are applied to a scratch CLOSED socket carrying the
// listener's child options, and kept from there.
Result<void, SockError> Host::set_listener_option(tcp::Listener& l, SockOpt opt, int value) {
  tcp::Socket scratch(stack_.config().tcp);
  scratch.set_options(l.child_options());
  auto r = set_tcp_option(scratch, opt, value);
  if (r) l.set_child_options(scratch.options());
  return r;
}

Result<int, SockError> Host::get_listener_option(const tcp::Listener& l, SockOpt opt) {
  if (opt == SockOpt::Error) return 0;
  tcp::Socket scratch(stack_.config().tcp);
  scratch.set_options(l.child_options());
  return get_tcp_option(scratch, opt);
}

Result<void, SockError> Host::setsockopt(int fd, SockOpt opt, int value) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if (opt == SockOpt::ReuseAddr) (*d)->reuse_addr = value != 0;
  switch ((*d)->kind) {
    case Kind::Udp: {
      auto* u = stack_.udp((*d)->handle);
      switch (opt) {
        case SockOpt::ReuseAddr: u->reuse_addr = value != 0; return {};
        case SockOpt::Broadcast: u->broadcast = value != 0; return {};
        case SockOpt::RcvBuf: u->rcvbuf = buffer_request(value, 1152, stack_.config().tcp.sockopt_buf_max); return {};
        case SockOpt::SndBuf: u->sndbuf = buffer_request(value, 2304, stack_.config().tcp.sockopt_buf_max); return {};
        default: return Err{SockError::NoProtoOpt};
      }
    }
    case Kind::Tcp: {
      if (opt == SockOpt::ReuseAddr) return {};
      auto r = set_tcp_option(*stack_.tcp((*d)->handle), opt, value);
      stack_.touch_tcp((*d)->handle);  // keepalive, nodelay... move deadlines
      return r;
    }
    case Kind::Listener:
      if (opt == SockOpt::ReuseAddr) return {};
      return set_listener_option(*stack_.listener((*d)->handle), opt, value);
    case Kind::Ping: return Err{SockError::NoProtoOpt};
  }
  return Err{SockError::NoProtoOpt};
}

Result<int, SockError> Host::getsockopt(int fd, SockOpt opt) {
  auto d = lookup(fd);
  if (!d) return Err{d.error()};
  if (opt == SockOpt::ReuseAddr) return int{(*d)->reuse_addr};
  switch ((*d)->kind) {
    case Kind::Udp: {
      auto* u = stack_.udp((*d)->handle);
      switch (opt) {
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
    case Kind::Tcp: return get_tcp_option(*stack_.tcp((*d)->handle), opt);
    case Kind::Listener: return get_listener_option(*stack_.listener((*d)->handle), opt);
    case Kind::Ping: return Err{SockError::NoProtoOpt};
  }
  return Err{SockError::NoProtoOpt};
}

}  // namespace synack::socket

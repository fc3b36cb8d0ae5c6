// The replay's DUT application (see replay_app.h).
#include "harness/replay/replay_app.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <fmt/core.h>

namespace synack::harness::replay {

namespace {
constexpr std::size_t kReadChunk = 65536;
constexpr int kBacklog = 128;
}  // namespace

std::string errno_name(int err) {
  const char* n = ::strerrorname_np(err);
  return n ? std::string(n) : fmt::format("errno {}", err);
}

ReplayApp::ReplayApp(const Plan& plan, AppKind kind, std::vector<std::uint16_t> listen_ports)
    : plan_(plan),
      kind_(kind),
      ports_(std::move(listen_ports)),
      opened_(plan.conns.size(), false),
      claimed_(plan.conns.size(), false) {}

std::string ReplayApp::setup(conformance::SocketApi& api) {
  for (std::uint16_t port : ports_) {
    int fd = -1;
    if (auto e = open_bound(api, SOCK_STREAM, port, &fd); !e.empty()) return e;
    if (auto l = api.listen(fd, kBacklog); l.ret < 0) return fmt::format("listen port {}: errno {}", port, l.err);
    listeners_.push_back(fd);
  }
  // The UDP ports the captured host served, bound before any request comes
  // (unbound, the DUT would answer one with ICMP port unreachable).
  for (std::uint16_t port : plan_.udp_ports) {
    int fd = -1;
    if (auto e = open_bound(api, SOCK_DGRAM, port, &fd); !e.empty()) return e;
    udp_servers_.emplace_back(port, fd);
  }
  return "";
}

std::string ReplayApp::open_bound(conformance::SocketApi& api, int type, std::uint16_t port, int* fd) {
  const char* what = type == SOCK_DGRAM ? "UDP " : "";
  auto s = api.socket(AF_INET, type | SOCK_NONBLOCK, 0);
  if (s.ret < 0) return fmt::format("{}socket for port {}: errno {}", what, port, s.err);
  *fd = static_cast<int>(s.ret);
  conformance::OptValue one;
  one.integer = 1;
  api.setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, one);
  if (auto b = api.bind(*fd, plan_.self, port); b.ret < 0) return fmt::format("bind {}port {}: errno {}", what, port, b.err);
  return "";
}

const AppConn* ReplayApp::script_for(wire::Ipv4Address addr, std::uint16_t port, std::uint16_t local_port) {
  for (std::size_t i = 0; i < plan_.conns.size(); ++i) {
    const AppConn& a = plan_.conns[i];
    if (claimed_[i] || a.active || a.flow.remote != addr || a.flow.remote_port != port ||
        a.flow.local_port != local_port)
      continue;
    claimed_[i] = true;
    return &a;
  }
  return nullptr;
}

void ReplayApp::accept_all(conformance::SocketApi& api) {
  for (int lfd : listeners_) {
    for (;;) {
      auto a = api.accept(lfd);
      if (a.ret < 0) break;
      Conn c;
      c.fd = static_cast<int>(a.ret);
      api.fcntl(c.fd, F_SETFL, O_NONBLOCK);
      if (auto peer = api.peer_name(c.fd)) {
        // The local port is the listener's: find it through the plan.
        for (std::uint16_t port : ports_)
          if ((c.script = script_for(peer->first, peer->second, port))) break;
      }
      conns_.push_back(std::move(c));
    }
  }
}

void ReplayApp::open_due(conformance::SocketApi& api, std::int64_t t_ns) {
  for (std::size_t i = 0; i < plan_.conns.size(); ++i) {
    const AppConn& a = plan_.conns[i];
    if (!a.active || opened_[i] || a.open_t_ns > t_ns) continue;
    opened_[i] = true;
    claimed_[i] = true;
    auto s = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (s.ret < 0) {
      notes_.push_back(fmt::format("connect {}: socket() failed, errno {}", a.flow.to_string(), s.err));
      continue;
    }
    Conn c;
    c.fd = static_cast<int>(s.ret);
    c.script = &a;
    conformance::OptValue one;
    one.integer = 1;
    api.setsockopt(c.fd, SOL_SOCKET, SO_REUSEADDR, one);
    if (auto b = api.bind(c.fd, plan_.self, a.flow.local_port); b.ret < 0)
      notes_.push_back(fmt::format("connect {}: bind failed, errno {}", a.flow.to_string(), b.err));
    auto r = api.connect(c.fd, a.flow.remote, a.flow.remote_port);
    if (r.ret < 0 && r.err != EINPROGRESS)
      notes_.push_back(fmt::format("connect {}: errno {}", a.flow.to_string(), r.err));
    conns_.push_back(std::move(c));
  }
}

void ReplayApp::drive(conformance::SocketApi& api, Conn& c, std::int64_t t_ns) {
  // Read whatever arrived.
  Bytes buf;
  while (!c.eof) {
    auto r = api.recv_bytes(c.fd, kReadChunk, buf);
    if (r.ret < 0) {
      if (r.err != EAGAIN && r.err != EWOULDBLOCK && r.err != ENOTCONN) {
        c.eof = true;
        // The socket failed (an RST, an ICMP error the stack matched to it).
        if (c.script) notes_.push_back(fmt::format("{}: {}", c.script->flow.to_string(), errno_name(r.err)));
      }
      break;
    }
    if (r.ret == 0) {
      c.eof = true;
      break;
    }
    if (kind_ == AppKind::Echo) c.pending.push_back(buf);
  }
  if (kind_ == AppKind::Capture && c.script) {
    for (; c.next_write < c.script->writes.size() && c.script->writes[c.next_write].t_ns <= t_ns; ++c.next_write) {
      c.pending.push_back(c.script->writes[c.next_write].data);
    }
  }
  while (!c.pending.empty()) {
    Bytes& front = c.pending.front();
    auto w = api.send_bytes(c.fd, front);
    if (w.ret <= 0) break;
    if (static_cast<std::size_t>(w.ret) < front.size()) {
      front.erase(front.begin(), front.begin() + static_cast<std::ptrdiff_t>(w.ret));
      break;
    }
    c.pending.pop_front();
  }
  bool fin_due = false;
  if (kind_ == AppKind::Capture && c.script)
    fin_due = c.script->fin_t_ns && *c.script->fin_t_ns <= t_ns && c.next_write == c.script->writes.size();
  else
    fin_due = c.eof;
  if (fin_due && c.pending.empty() && !c.fin_done) {
    c.fin_done = true;
    api.shutdown(c.fd, SHUT_WR);
  }
}

int ReplayApp::datagram_socket(conformance::SocketApi& api, const FlowKey& flow) {
  for (const auto& [k, fd] : dgram_)
    if (k == flow) return fd;
  bool echo = flow.kind == FlowKey::Kind::Echo;
  auto s = api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, echo ? IPPROTO_ICMP : 0);
  if (s.ret < 0) {
    notes_.push_back(fmt::format("{}: socket() failed, {}", flow.to_string(), errno_name(s.err)));
    return -1;
  }
  int fd = static_cast<int>(s.ret);
  conformance::OptValue one;
  one.integer = 1;
  api.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one);
  if (auto b = api.bind(fd, plan_.self, flow.local_port); b.ret < 0)
    notes_.push_back(fmt::format("{}: bind failed, {}", flow.to_string(), errno_name(b.err)));
  if (auto c = api.connect(fd, flow.remote, flow.remote_port); c.ret < 0)
    notes_.push_back(fmt::format("{}: connect failed, {}", flow.to_string(), errno_name(c.err)));
  dgram_.emplace_back(flow, fd);
  return fd;
}

void ReplayApp::send_datagrams(conformance::SocketApi& api, std::int64_t t_ns) {
  for (; next_datagram_ < plan_.datagrams.size() && plan_.datagrams[next_datagram_].t_ns <= t_ns; ++next_datagram_) {
    const AppDatagram& d = plan_.datagrams[next_datagram_];
    if (d.reply) {
      // From the server socket, to whoever the captured answer went to.
      for (const auto& [port, fd] : udp_servers_) {
        if (port != d.flow.local_port) continue;
        auto w = api.sendto_bytes(fd, d.payload, d.flow.remote, d.flow.remote_port);
        if (w.ret < 0) notes_.push_back(fmt::format("{}: sendto failed, {}", d.flow.to_string(), errno_name(w.err)));
      }
      continue;
    }
    int fd = datagram_socket(api, d.flow);
    if (fd < 0) continue;
    Bytes echo;
    if (d.flow.kind == FlowKey::Kind::Echo) {
      // The request as a ping socket takes it: the stack fills identifier and checksum.
      echo.assign(8, 0);
      echo[0] = 8;
      store_be16(echo, 4, d.flow.local_port);
      store_be16(echo, 6, d.echo_seq);
      echo.insert(echo.end(), d.payload.begin(), d.payload.end());
    }
    auto w = api.send_bytes(fd, echo.empty() ? ConstBytes(d.payload) : ConstBytes(echo));
    if (w.ret < 0) notes_.push_back(fmt::format("{}: send failed, {}", d.flow.to_string(), errno_name(w.err)));
  }
}

void ReplayApp::read_datagrams(conformance::SocketApi& api) {
  Bytes buf;
  for (const auto& [flow, fd] : dgram_) {
    for (;;) {
      auto r = api.recv_bytes(fd, kReadChunk, buf);
      if (r.ret >= 0) continue;
      if (r.err != EAGAIN && r.err != EWOULDBLOCK) notes_.push_back(fmt::format("{}: {}", flow.to_string(), errno_name(r.err)));
      break;
    }
  }
}

void ReplayApp::serve_udp(conformance::SocketApi& api) {
  Bytes buf;
  std::pair<wire::Ipv4Address, std::uint16_t> from;
  for (const auto& [port, fd] : udp_servers_) {
    for (;;) {
      auto r = api.recvfrom_bytes(fd, kReadChunk, buf, from);
      if (r.ret < 0) {
        if (r.err != EAGAIN && r.err != EWOULDBLOCK) notes_.push_back(fmt::format("UDP port {}: {}", port, errno_name(r.err)));
        break;
      }
      if (kind_ != AppKind::Echo) continue;
      if (auto w = api.sendto_bytes(fd, buf, from.first, from.second); w.ret < 0)
        notes_.push_back(fmt::format("UDP port {}: echo to {}:{} failed, {}", port, from.first.to_string(), from.second,
                                     errno_name(w.err)));
    }
  }
}

void ReplayApp::service(conformance::SocketApi& api, std::int64_t t_ns) {
  open_due(api, t_ns);
  accept_all(api);
  for (auto& c : conns_) drive(api, c, t_ns);
  serve_udp(api);
  if (kind_ == AppKind::Capture) send_datagrams(api, t_ns);
  read_datagrams(api);
}

std::optional<std::int64_t> ReplayApp::next_due() const {
  std::optional<std::int64_t> t;
  auto consider = [&t](std::int64_t v) { t = t ? std::min(*t, v) : v; };
  for (std::size_t i = 0; i < plan_.conns.size(); ++i)
    if (plan_.conns[i].active && !opened_[i]) consider(plan_.conns[i].open_t_ns);
  if (kind_ != AppKind::Capture) return t;
  if (next_datagram_ < plan_.datagrams.size()) consider(plan_.datagrams[next_datagram_].t_ns);
  for (const auto& c : conns_) {
    if (!c.script) continue;
    if (c.next_write < c.script->writes.size()) consider(c.script->writes[c.next_write].t_ns);
    else if (c.script->fin_t_ns && !c.fin_done) consider(*c.script->fin_t_ns);
  }
  return t;
}

}  // namespace synack::harness::replay

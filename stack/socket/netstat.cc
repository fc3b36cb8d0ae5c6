// netstat views: the socket table (`netstat -ano` with Linux's -o timer
// column) and per-layer counters (`netstat -s`).
#include <cstdio>

#include "stack/socket/host.h"

namespace synack::socket {

namespace {
std::string endpoint_or_star(const std::optional<udp::Endpoint>& e) {
  if (!e) return "0.0.0.0:*";
  return e->addr.to_string() + ":" + (e->port ? std::to_string(e->port) : "*");
}
}  // namespace

NetstatRow Host::tcp_row(const tcp::Socket& s) const {
  NetstatRow row;
  row.proto = "tcp";
  const auto& t = s.tuple();
  row.local = t.local.addr.to_string() + ":" + std::to_string(t.local.port);
  row.foreign = t.remote.addr.to_string() + ":" + std::to_string(t.remote.port);
  row.state = std::string(tcp::to_string(s.state()));
  row.recv_q = s.recv_queue();
  row.send_q = s.send_queue();
  row.timer = s.timer_description(now_);
  return row;
}

std::vector<NetstatRow> Host::netstat() const {
  std::vector<NetstatRow> rows;
  auto& stack = const_cast<iface::Stack&>(stack_);
  for (std::size_t i = 0; i < fds_.size(); ++i) {
    const auto& d = fds_[i];
    if (!d) continue;
    NetstatRow row;
    row.pid = d->owner;
    row.fd = static_cast<int>(i) + kFirstFd;
    row.timer = "off (0.00/0/0)";
    if (d->kind == Kind::Udp) {
      const auto* u = stack.udp(d->handle);
      row.proto = "udp";
      row.local = endpoint_or_star(u->local);
      row.foreign = endpoint_or_star(u->remote);
      row.state = u->remote ? "ESTABLISHED" : "";
      row.recv_q = u->rx_bytes();
      row.send_q = u->tx_bytes();
    } else if (d->kind == Kind::Tcp) {
      const auto* t = stack.tcp(d->handle);
      auto base = tcp_row(*t);
      base.pid = row.pid;
      base.fd = row.fd;
      if (t->state() == tcp::State::Closed) {
        auto b = stack.tcp_bound(d->handle);
        base.local = b ? b->addr.to_string() + ":" + std::to_string(b->port) : "0.0.0.0:*";
        base.foreign = "0.0.0.0:*";
      }
      row = std::move(base);
    } else if (d->kind == Kind::Listener) {
      const auto* l = stack.listener(d->handle);
      row.proto = "tcp";
      row.local = l->local().addr.to_string() + ":" + std::to_string(l->local().port);
      row.foreign = "0.0.0.0:*";
      row.state = "LISTEN";
      row.recv_q = l->accept_queue_len();
    } else {
      const auto* p = stack.ping(d->handle);
      row.proto = "icmp";
      row.local = "0.0.0.0:" + std::to_string(p->ident());
      row.foreign = "0.0.0.0:*";
    }
    rows.push_back(std::move(row));
  }
  // Connections no descriptor names any more (closing, TIME-WAIT).
  stack_.for_each_tcp([&](iface::Handle, const tcp::Socket& s, bool orphan) {
    if (orphan && s.state() != tcp::State::Closed) rows.push_back(tcp_row(s));
  });
  return rows;
}

std::string format_netstat(const std::vector<NetstatRow>& rows) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-5s %6s %6s %-23s %-23s %-12s %7s %4s %s\n", "Proto", "Recv-Q", "Send-Q",
                "Local Address", "Foreign Address", "State", "PID", "FD", "Timer");
  out += line;
  for (const auto& r : rows) {
    std::snprintf(line, sizeof line, "%-5s %6zu %6zu %-23s %-23s %-12s %7u %4d %s\n", r.proto.c_str(), r.recv_q,
                  r.send_q, r.local.c_str(), r.foreign.c_str(), r.state.c_str(), r.pid, r.fd, r.timer.c_str());
    out += line;
  }
  return out;
}

std::string format_counters(const iface::StackStats& stats, bool all) {
  std::string out;
  std::string_view current;
  stats.for_each([&](std::string_view layer, std::string_view name, std::uint64_t v) {
    if (v == 0 && !all) return;
    if (layer != current) {
      out += std::string(layer) + ":\n";
      current = layer;
    }
    out += "    " + std::string(name) + " " + std::to_string(v) + "\n";
  });
  return out;
}

}  // namespace synack::socket

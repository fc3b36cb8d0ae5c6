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
    } else {
      const auto* p = stack.ping(d->handle);
      row.proto = "icmp";
      row.local = "0.0.0.0:" + std::to_string(p->ident());
      row.foreign = "0.0.0.0:*";
    }
    rows.push_back(std::move(row));
  }
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

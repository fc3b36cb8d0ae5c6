#include "harness/scenario/common.h"

#include <fmt/core.h>

#include <fstream>
#include <map>

#include "harness/cli/units.h"

namespace synack::harness {

wire::Ipv4Address addr(const char* dotted) { return *wire::Ipv4Address::parse(dotted); }

bool lossy(const SimOptions& opt) {
  const auto& f = opt.faults;
  return f.loss_ppm || f.corrupt_ppm || f.mtu || !f.partitions.empty() || f.bandwidth_bps;
}

namespace {
std::string host_netstat(HostNode& h) {
  return fmt::format("[{}]\n{}", h.name(), socket::format_netstat(h.host().netstat()));
}
}  // namespace

RoutedLans::RoutedLans(const SimOptions& opt) : world(opt.seed) {
  iface::StackConfig rcfg;
  rcfg.forwarding = true;
  a = &add_host(world, "a");
  router = &add_host(world, "router", rcfg);
  b = &add_host(world, "b");
  auto [sw1, s1] = add_switch(world, "sw1", 2);
  auto [sw2, s2] = add_switch(world, "sw2", 2);
  // Loss, duplication, reordering and corruption apply to a's link only, so
  // their rates are end to end (and a frame is corrupted at most once: two
  // flips on different hops can cancel in the 16-bit Internet checksum,
  // RFC 1071, which no stack can detect). Delay and jitter apply to every
  // link; the MTU to the far LAN, so the router fragments or reports
  // frag-needed (RFC 1191).
  driver::FaultProfile inner;
  inner.delay = opt.faults.delay;
  inner.jitter = opt.faults.jitter;
  inner.bandwidth_bps = opt.faults.bandwidth_bps;
  inner.queue_limit_bytes = opt.faults.queue_limit_bytes;
  driver::FaultProfile edge = opt.faults;
  edge.mtu = 0;
  driver::FaultProfile far = inner;
  far.mtu = opt.faults.mtu;
  Link& la = attach(world, *a, "10.0.1.2/24", sw1, 0, edge, edge);
  attach(world, *router, "10.0.1.1/24", sw1, 1, inner, inner);
  attach(world, *router, "10.0.2.1/24", sw2, 0, far, far);
  attach(world, *b, "10.0.2.2/24", sw2, 1, far, far);
  a->stack().add_default_gateway(addr("10.0.1.1"));
  b->stack().add_default_gateway(addr("10.0.2.1"));
  if (opt.pcap) {
    capture = std::make_unique<PcapWriter>(PcapWriter::in_memory());
    la.add_capture(0, [w = capture.get()](Instant t, ConstBytes f) { (void)w->write(t, f); });
  }
  if (opt.netstat_at) {
    world.schedule(Instant::zero() + *opt.netstat_at, [this](World& w) {
      netstat_text += fmt::format("netstat at t={}\n", cli::format_duration(w.now() - Instant::zero()));
      for (HostNode* h : {a, router, b}) netstat_text += host_netstat(*h);
    });
  }
}

std::string tcp_final_states(RoutedLans& net) {
  std::string s;
  for (HostNode* h : {net.a, net.b}) {
    std::map<std::string, int> by_state;
    h->stack().for_each_tcp([&](iface::Handle, const tcp::Socket& t, bool) { ++by_state[std::string(tcp::to_string(t.state()))]; });
    s += fmt::format("{}: {} connections", h->name(), h->stack().tcp_connection_count());
    for (auto& [st, n] : by_state) s += fmt::format(", {} {}", n, st);
    s += "\n";
  }
  return s;
}

void finish_report(RoutedLans& net, const SimOptions& opt, ScenarioReport& report) {
  auto& j = report.summary;
  j["seed"] = opt.seed;
  j["virtual_time_ns"] = (net.world.now() - Instant::zero()).nanos();
  nlohmann::json links = nlohmann::json::array();
  std::uint64_t drops = 0, lost = 0, mtu = 0, queue = 0, part = 0, dup = 0, corrupt = 0;
  for (std::size_t i = 0; i < net.world.link_count(); ++i) {
    auto& l = net.world.link(i);
    for (int side = 0; side < 2; ++side) {
      const auto& s = l.stats(side);
      drops += s.lost + s.mtu_drops + s.queue_drops + s.partition_drops;
      lost += s.lost, mtu += s.mtu_drops, queue += s.queue_drops, part += s.partition_drops;
      dup += s.duplicated, corrupt += s.corrupted;
      links.push_back({{"link", i}, {"from", net.world.node(l.end(side).node).name()},
                       {"to", net.world.node(l.end(1 - side).node).name()}, {"sent", s.sent},
                       {"delivered", s.delivered}, {"lost", s.lost}, {"mtu_drops", s.mtu_drops},
                       {"queue_drops", s.queue_drops}, {"partition_drops", s.partition_drops},
                       {"duplicated", s.duplicated}, {"corrupted", s.corrupted}, {"reordered", s.reordered}});
    }
  }
  j["links"] = links;
  nlohmann::json hosts = nlohmann::json::object();
  std::string netstat = net.netstat_text;
  for (HostNode* h : {net.a, net.router, net.b}) {
    nlohmann::json c = nlohmann::json::object();
    h->stack().stats().for_each([&](std::string_view layer, std::string_view name, std::uint64_t v) {
      if (v != 0) c[std::string(layer) + "." + std::string(name)] = v;
    });
    hosts[h->name()] = c;
    netstat += host_netstat(*h);
  }
  j["hosts"] = hosts;
  j["link_drops"] = drops;
  j["passed"] = report.passed;
  j["verdict"] = report.verdict;
  report.text += fmt::format("link drops: {} (loss {}, mtu {}, queue {}, partition {}); duplicated {}, corrupted {}\n",
                             drops, lost, mtu, queue, part, dup, corrupt);
  // Host-side drops by reason (every counter that names a drop).
  std::string host_drops;
  for (HostNode* h : {net.a, net.router, net.b}) {
    h->stack().stats().for_each([&](std::string_view layer, std::string_view name, std::uint64_t v) {
      bool drop = name.find("bad") != std::string_view::npos || name.find("malformed") != std::string_view::npos ||
                  name.find("no_") != std::string_view::npos || name.find("not_for_us") != std::string_view::npos ||
                  name.find("drops") != std::string_view::npos || name.find("failures") != std::string_view::npos ||
                  name.find("errors") != std::string_view::npos || name.find("truncated") != std::string_view::npos;
      if (layer == "icmp" && (name == "rx_errors" || name == "tx_errors")) drop = false;  // messages, not drops
      if (v && drop) host_drops += fmt::format(" {}:{}.{}={}", h->name(), layer, name, v);
    });
  }
  if (!host_drops.empty()) report.text += "host drops:" + host_drops + "\n";
  report.text += fmt::format("verdict: {}\n\n{}", report.verdict, netstat);
  if (net.capture) report.pcap_bytes = net.capture->bytes();
  if (opt.pcap && !opt.pcap->empty() && net.capture) {
    std::ofstream f(*opt.pcap, std::ios::binary | std::ios::trunc);
    const Bytes& b = net.capture->bytes();
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    f.close();
    if (!f) report.pcap_error = fmt::format("{}: cannot write the capture", *opt.pcap);
    j["pcap"] = *opt.pcap;
    j["pcap_frames"] = net.capture->frames_written();
  }
}

}  // namespace synack::harness

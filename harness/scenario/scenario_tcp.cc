// TCP scenarios: `handshake` (connections opened and closed gracefully) and
// `bulk` (N bytes one way per connection, K connections in parallel, with an
// end-to-end integrity hash per stream).
#include <fmt/core.h>

#include <algorithm>
#include <memory>

#include "harness/cli/units.h"
#include "harness/scenario/common.h"
#include "harness/scenario/tcp_apps.h"

namespace synack::harness {

namespace {
std::string final_states(RoutedLans& net) {
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

ScenarioReport run_transfer(const SimOptions& opt, std::uint64_t bytes, std::uint32_t conns, const char* name) {
  RoutedLans net(opt);
  auto& sink = net.b->run_app<SinkApp>(net.b->host(), 5001);
  std::vector<SourceApp*> sources;
  for (std::uint32_t i = 0; i < conns; ++i)
    sources.push_back(&net.a->run_app<SourceApp>(net.a->host(), socket::SockAddr{addr("10.0.2.2"), 5001}, bytes, i));
  auto all_done = [&] {
    if (!std::all_of(sources.begin(), sources.end(), [](auto* s) { return s->done(); })) return false;
    if (std::any_of(sources.begin(), sources.end(), [](auto* s) { return s->error().has_value(); })) return true;
    return sink.streams.size() == conns &&
           std::all_of(sink.streams.begin(), sink.streams.end(), [](auto& s) { return s.eof || s.error; });
  };
  bool finished = net.world.run_until(all_done, Instant::from_secs(3600));
  Instant end = net.world.now();
  // Let every connection finish closing (TIME-WAIT is 60 s).
  net.world.run_until([&] { return net.a->stack().tcp_connection_count() + net.b->stack().tcp_connection_count() == 0; },
                      net.world.now() + Duration::from_secs(300));
  ScenarioReport rep;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> want, got;
  std::uint32_t errors = 0;
  for (auto* s : sources) {
    want.emplace_back(s->sent(), s->expected_hash());
    errors += s->error().has_value();
  }
  for (auto& s : sink.streams) {
    got.emplace_back(s.bytes, s.hash.h);
    errors += s.error.has_value();
  }
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  bool intact = finished && errors == 0 && want == got;
  std::uint64_t moved = 0;
  for (auto& s : sink.streams) moved += s.bytes;
  double secs = static_cast<double>((end - Instant::zero()).nanos()) / 1e9;
  double mbps = secs > 0 ? static_cast<double>(moved) * 8 / secs / 1e6 : 0;
  const auto& ta = net.a->stack().tcp_stats();
  rep.passed = intact;
  rep.verdict = intact ? fmt::format("ok: {} stream(s), {} bytes each, every byte once, in order, intact", conns, bytes)
                : !finished ? "FAIL: the transfer did not finish within an hour of virtual time"
                : errors   ? fmt::format("FAIL: {} connection(s) failed", errors)
                           : "FAIL: received streams differ from what was sent";
  rep.text = fmt::format("{}: {} x {} bytes 10.0.1.2 -> 10.0.2.2:5001\n", name, conns, bytes);
  rep.text += fmt::format("transferred {} bytes in {} of virtual time: {:.2f} Mbit/s\n", moved,
                          cli::format_duration(end - Instant::zero()), mbps);
  rep.text += fmt::format("sender: {} segments, {} retransmitted, {} RTOs, {} fast retransmits\n", ta.out_segs,
                          ta.retrans_segs, ta.timeouts, ta.fast_retransmits);
  rep.text += final_states(net);
  rep.summary = {{"scenario", name}, {"connections", conns}, {"bytes_per_connection", bytes}, {"bytes_received", moved},
                 {"virtual_seconds", secs}, {"goodput_mbps", mbps}, {"retransmitted_segments", ta.retrans_segs},
                 {"rto_timeouts", ta.timeouts}, {"fast_retransmits", ta.fast_retransmits},
                 {"connections_left", net.a->stack().tcp_connection_count() + net.b->stack().tcp_connection_count()}};
  finish_report(net, opt, rep);
  return rep;
}
}  // namespace

ScenarioReport run_handshake_scenario(const SimOptions& opt) {
  return run_transfer(opt, 1, opt.count ? opt.count : 1, "handshake");
}

ScenarioReport run_bulk_scenario(const SimOptions& opt) { return run_transfer(opt, opt.bytes, opt.connections, "bulk"); }

}  // namespace synack::harness

// `synack replay CAPTURE --as ADDR [--dut sim|kernel] [--listen PORT...]
// [--app sink|echo|capture] [--report FILE] [--expect-match]`: the DUT takes
// the place of the captured host ADDR, the other side of the capture is
// played against it (harness/replay/replay.h), and every exchange is
// compared with what the captured host answered.
// Exit status: 0 when the replay ran (and, with --expect-match, every
// exchange matched); 1 when --expect-match is given and an exchange
// differs; 2 on usage errors, unreadable or unusable captures, or a DUT that
// cannot be built.
#include <fmt/core.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "harness/cli/command.h"
#include "harness/cli/units.h"
#include "harness/pcap/pcap_reader.h"
#include "harness/replay/replay.h"

namespace synack::cli {

namespace {

struct ReplayArgs {
  std::string capture;
  std::string as;
  std::string dut = "sim";
  std::vector<std::uint16_t> listen;
  std::string app = "capture";
  std::string report;
  bool expect_match = false;
  bool json = false;
  std::uint64_t seed = 1;
  std::string max_gap = "1s";
};

int usage(const std::string& why) {
  fmt::print(stderr, "synack replay: {}\n", why);
  return kExitUsage;
}

void print_header(const ReplayArgs& a, const harness::replay::Plan& plan, const std::vector<std::uint16_t>& ports) {
  std::string port_list;
  for (auto p : ports) port_list += (port_list.empty() ? "" : ",") + std::to_string(p);
  std::string udp_list;
  for (auto p : plan.udp_ports) udp_list += (udp_list.empty() ? ", serving UDP on " : ",") + std::to_string(p);
  fmt::print("replay: {} as {} ({}) on {}: {} frames, {} injected, app {}, listening on {}{}\n", a.capture, a.as,
             plan.self_mac.to_string(), a.dut, plan.frames, plan.injections.size(), a.app,
             port_list.empty() ? "nothing" : port_list, udp_list);
  for (const auto& c : plan.conns)
    if (c.zero_filled > 0 && a.app == "capture")
      fmt::print("note: {}: {} stream bytes were not captured (snap length) and are sent as zeros\n",
                 c.flow.to_string(), c.zero_filled);
  if (plan.lost_injections > 0)
    fmt::print("note: {} segments from the other side never reached {} (its SACKs show them lost after the capture "
               "point) and are not injected\n",
               plan.lost_injections, a.as);
  for (const auto& d : plan.datagrams)
    if (d.zero_filled > 0 && a.app == "capture")
      fmt::print("note: {}: {} datagram bytes were not captured (snap length) and are sent as zeros\n",
                 d.flow.to_string(), d.zero_filled);
}

int run(const ReplayArgs& a) {
  using namespace harness::replay;
  auto self = wire::Ipv4Address::parse(a.as);
  if (!self) return usage(fmt::format("--as: '{}' is no IPv4 address", a.as));
  AppKind app = AppKind::Capture;
  if (a.app == "sink") app = AppKind::Sink;
  else if (a.app == "echo") app = AppKind::Echo;
  else if (a.app != "capture") return usage(fmt::format("--app: unknown application '{}' (sink, echo, capture)", a.app));
  if (a.dut != "sim" && a.dut != "kernel") return usage(fmt::format("--dut: unknown DUT '{}' (sim, kernel)", a.dut));
  auto gap = parse_duration(a.max_gap);
  if (!gap) return usage("--max-gap: " + gap.error());

  auto reader = harness::PcapReader::open(a.capture);
  if (!reader) return usage(reader.error().message);
  auto plan = build_plan(*reader, *self);
  if (!plan) return usage(plan.error());

  std::string why;
  bool skip = false;
  auto dut = make_dut(a.dut, *plan, a.seed, why, skip);
  if (!dut) return usage(why);

  // Real time: honour the captured gaps, but not minutes of idleness.
  ReplayOptions opt = a.dut == "kernel" ? harness::replay::real_time_options() : ReplayOptions{};
  opt.app = app;
  opt.listen = a.listen;
  if (a.dut == "kernel") opt.max_gap = *gap;
  std::vector<std::uint16_t> ports = a.listen.empty() ? plan->listen_ports : a.listen;
  print_header(a, *plan, ports);
  auto result = run_replay(*plan, *dut, opt);
  if (!result) return usage(result.error());
  for (std::size_t i = 0; i < result->exchanges.size(); ++i)
    fmt::print("{}\n", format_exchange(i + 1, result->exchanges[i]));
  for (const auto& n : result->notes) fmt::print("note: {}\n", n);
  fmt::print("{}\n", summary_line(*result));

  nlohmann::json header = {{"capture", a.capture}, {"as", a.as}, {"dut", a.dut}, {"app", a.app},
                           {"listen", ports}, {"seed", a.seed}};
  if (!a.report.empty()) {
    std::ofstream out(a.report);
    out << to_json(*result, header).dump(2) << "\n";
    if (!out) return usage(fmt::format("cannot write report {}", a.report));
  }
  if (a.json) fmt::print("{}\n", nlohmann::json{{"exchanges", result->exchanges.size()},
                                                {"match", result->matched},
                                                {"differ", result->differed}}
                                     .dump());
  std::fflush(stdout);
  if (a.expect_match && result->differed > 0) {
    fmt::print(stderr, "synack replay: {} of {} exchanges differ from the capture\n", result->differed,
               result->exchanges.size());
    return kExitCheckFailed;
  }
  return kExitOk;
}

}  // namespace

Action add_replay_command(CLI::App& app) {
  auto args = std::make_shared<ReplayArgs>();
  auto* sub = app.add_subcommand(
      "replay",
      "Replay the other side of a capture against a DUT standing in for the captured host ADDR (its IP and MAC), "
      "translating sequence numbers and timestamps to the DUT's, and report exchange by exchange where the DUT's "
      "answers differ from the captured host's. Exit 0 when it ran, 1 with --expect-match when an exchange "
      "differs, 2 on bad input.");
  sub->add_option("CAPTURE", args->capture, "capture file (pcap or pcapng, Ethernet)")->required();
  sub->add_option("--as", args->as, "the captured host the DUT stands in for (IPv4 address)")->required();
  sub->add_option("--dut", args->dut, "device under test: sim (virtual time) or kernel (real time, needs root)");
  sub->add_option("--listen", args->listen,
                  "ports the DUT's application listens on (default: where ADDR answered a SYN with a SYN-ACK)");
  sub->add_option("--app", args->app,
                  "the DUT's application: sink (read), echo, capture (send what ADDR's application sent; default)");
  sub->add_option("--report", args->report, "write a JSON report of every exchange to FILE");
  sub->add_flag("--expect-match", args->expect_match, "exit 1 when any exchange differs");
  sub->add_flag("--json", args->json, "also print the summary as JSON on stdout");
  sub->add_option("--seed", args->seed, "seed of the simulated DUT (default 1)");
  sub->add_option("--max-gap", args->max_gap, "kernel DUT: longest captured gap honoured in real time (default 1s)");
  return [args] { return run(*args); };
}

}  // namespace synack::cli

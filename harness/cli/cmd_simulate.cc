// `synack simulate SCENARIO [--seed N] [fault flags] [--pcap FILE]
// [--netstat-at T] [--json]`: runs a built-in scenario in the deterministic
// world and prints its summary, integrity verdict and netstat tables.
#include <fmt/core.h>

#include <iostream>
#include <memory>

#include "harness/cli/command.h"
#include "harness/cli/units.h"
#include "harness/scenario/scenario.h"

namespace synack::cli {

namespace {
struct SimulateArgs {
  std::string scenario;
  std::uint64_t seed = 1;
  std::string loss, dup, reorder, corrupt, delay = "50us", jitter, netstat_at, bytes;
  std::uint32_t mtu = 0, connections = 1, count = 0, reorder_distance = 3;
  std::string pcap;
  bool json = false;
};

// Applies one textual flag to the options; returns the error line, if any.
template <class T, class F>
std::optional<std::string> apply(const std::string& text, const char* flag, F parse, T& out) {
  if (text.empty()) return std::nullopt;
  auto v = parse(text);
  if (!v) return fmt::format("{}: {}", flag, v.error());
  out = *v;
  return std::nullopt;
}

std::optional<std::string> build_options(const SimulateArgs& a, harness::SimOptions& o) {
  o.seed = a.seed;
  auto& f = o.faults;
  std::optional<std::string> err;
  if ((err = apply(a.loss, "--loss", parse_probability_ppm, f.loss_ppm))) return err;
  if ((err = apply(a.dup, "--dup", parse_probability_ppm, f.dup_ppm))) return err;
  if ((err = apply(a.reorder, "--reorder", parse_probability_ppm, f.reorder_ppm))) return err;
  if ((err = apply(a.corrupt, "--corrupt", parse_probability_ppm, f.corrupt_ppm))) return err;
  if ((err = apply(a.delay, "--delay", parse_duration, f.delay))) return err;
  if ((err = apply(a.jitter, "--jitter", parse_duration, f.jitter))) return err;
  Duration at;
  if ((err = apply(a.netstat_at, "--netstat-at", parse_duration, at))) return err;
  if (!a.netstat_at.empty()) o.netstat_at = at;
  if ((err = apply(a.bytes, "--bytes", parse_bytes, o.bytes))) return err;
  if (a.mtu != 0 && (a.mtu < 68 || a.mtu > 65535)) return fmt::format("--mtu: {} is outside 68..65535", a.mtu);
  f.mtu = a.mtu;
  f.reorder_distance = a.reorder_distance;
  o.connections = a.connections;
  o.count = a.count;
  if (!a.pcap.empty()) o.pcap = a.pcap;
  return std::nullopt;
}
}  // namespace

Action add_simulate_command(CLI::App& app) {
  auto args = std::make_shared<SimulateArgs>();
  auto* sub = app.add_subcommand("simulate", "Run a built-in scenario in the deterministic simulated world");
  std::string names;
  for (const auto& s : harness::scenarios()) names += fmt::format("\n  {:<10} {}", s.name, s.description);
  sub->footer("Scenarios:" + names +
              "\n\nTopology: a -- switch -- router -- switch -- b. Loss, duplication, reordering and corruption"
              "\napply to a's link (rates are end to end); delay and jitter to every link; --mtu to the"
              "\nrouter-to-b LAN, so the router fragments or sends frag-needed.");
  sub->add_option("SCENARIO", args->scenario, "scenario name (see below)")->required();
  sub->add_option("--seed", args->seed, "world seed (every link and host derives its own)");
  sub->add_option("--loss", args->loss, "loss probability per frame, as a fraction (0.05)");
  sub->add_option("--dup", args->dup, "duplication probability per frame");
  sub->add_option("--reorder", args->reorder, "reordering probability per frame");
  sub->add_option("--reorder-distance", args->reorder_distance, "frames that overtake a reordered one (3)");
  sub->add_option("--corrupt", args->corrupt, "probability of one flipped bit per frame");
  sub->add_option("--delay", args->delay, "one-way delay per link (300us, 2ms, 1.5s; default 50us)");
  sub->add_option("--jitter", args->jitter, "extra uniform random delay per frame");
  sub->add_option("--mtu", args->mtu, "link MTU in bytes (68..65535)");
  sub->add_option("--bytes", args->bytes, "bytes to transfer (bulk; 64K, 1M, ...), or the size of the large file (http)");
  sub->add_option("--connections", args->connections, "parallel transfers (bulk)")->check(CLI::Range(1u, 100000u));
  sub->add_option("--count", args->count, "packets or requests to send (scenario default when 0)");
  sub->add_option("--pcap", args->pcap, "write the first host's link to this pcap file");
  sub->add_option("--netstat-at", args->netstat_at, "also print every host's netstat at this virtual time");
  sub->add_flag("--json", args->json, "print the summary as one JSON object");
  return [args]() {
    const auto* scenario = harness::find_scenario(args->scenario);
    if (!scenario) {
      fmt::print(stderr, "synack simulate: unknown scenario '{}' (see synack simulate --help)\n", args->scenario);
      return kExitUsage;
    }
    harness::SimOptions opt;
    if (auto err = build_options(*args, opt)) {
      fmt::print(stderr, "synack simulate: {}\n", *err);
      return kExitUsage;
    }
    auto report = scenario->run(opt);
    if (!report.pcap_error.empty()) {
      fmt::print(stderr, "synack simulate: {}\n", report.pcap_error);
      return kExitUsage;
    }
    if (args->json) {
      std::cout << report.summary.dump() << "\n";
    } else {
      std::cout << fmt::format("scenario {} (seed {})\n", scenario->name, opt.seed) << report.text;
    }
    if (!report.passed) fmt::print(stderr, "synack simulate: {}\n", report.verdict);
    return report.passed ? kExitOk : kExitCheckFailed;
  };
}

}  // namespace synack::cli

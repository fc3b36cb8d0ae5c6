// `synack ping ADDR [-c N] [-i S] [-s SIZE]` plus the network flags: ICMP
// echo from synack over a TAP in real time, with ping-like output and RTT
// statistics. Exit 0 when at least one reply came back, 1 otherwise.
#include <fmt/core.h>

#include <cmath>
#include <memory>

#include "harness/cli/command.h"
#include "harness/runtime/clients.h"
#include "harness/runtime/session.h"

namespace synack::cli {

namespace {
struct PingArgs {
  harness::NetArgs net;
  std::string dst;
  std::uint32_t count = 4;
  double interval = 1.0;
  std::size_t size = 56;
};
}  // namespace

Action add_ping_command(CLI::App& app) {
  auto args = std::make_shared<PingArgs>();
  auto* sub = app.add_subcommand("ping", "Send ICMP echo requests from synack over a TAP device (needs root)");
  sub->add_option("ADDR", args->dst, "destination IPv4 address")->required();
  sub->add_option("-c,--count", args->count, "requests to send (default 4)")->check(CLI::Range(1u, 1000000u));
  sub->add_option("-i,--interval", args->interval, "seconds between requests (default 1)")
      ->check(CLI::Range(0.001, 3600.0));
  sub->add_option("-s,--size", args->size, "payload bytes (default 56)")->check(CLI::Range(0, 65507));
  harness::add_net_options(sub, args->net);
  return [args]() {
    auto dst = wire::Ipv4Address::parse(args->dst);
    if (!dst) {
      fmt::print(stderr, "synack ping: '{}' is not a dotted IPv4 address\n", args->dst);
      return kExitUsage;
    }
    harness::StopSignalsBlocked blocked;  // until the runtime handles them
    auto session = harness::NetSession::open(args->net);
    if (!session) {
      fmt::print(stderr, "synack ping: {}\n", session.error());
      return kExitUsage;
    }
    auto& s = **session;
    harness::PingOptions opt;
    opt.dst = *dst;
    opt.count = args->count;
    opt.interval = Duration::from_nanos(static_cast<std::int64_t>(std::llround(args->interval * 1e9)));
    opt.size = args->size;
    auto& ping = s.runtime().run_app<harness::PingClient>(s.host(), opt, stdout);
    s.runtime().handle_signals(stdout);
    blocked.release();
    s.runtime().set_done([&ping] { return ping.done(); });
    bool ok = s.runtime().run();
    if (!ok) fmt::print(stderr, "synack ping: {}\n", s.runtime().error());
    if (!ping.error().empty()) {
      fmt::print(stderr, "synack ping: {}\n", ping.error());
      return kExitCheckFailed;
    }
    return ok && ping.summary().received > 0 ? kExitOk : kExitCheckFailed;
  };
}

}  // namespace synack::cli

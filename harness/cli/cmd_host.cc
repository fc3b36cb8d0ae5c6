// `synack host --tap NAME --ip ADDR/LEN [--kernel-ip ADDR/LEN] [--gw ADDR]
// [--mac MAC] [--netns NAME] [--serve SPEC]... [--pcap FILE] [--busy-poll US]`:
// runs the stack on a TAP device in real time with the requested servers
// until SIGINT or SIGTERM; SIGUSR1 prints the netstat table. --busy-poll
// (every TAP command has it, session.h) spins on the TAP before blocking.
#include <fmt/core.h>

#include <filesystem>
#include <memory>

#include "harness/cli/command.h"
#include "harness/runtime/apps.h"
#include "harness/runtime/session.h"

namespace synack::cli {

namespace {
struct HostArgs {
  harness::NetArgs net;
  std::vector<std::string> serve;
};

// Starts the servers; returns the first error line.
std::optional<std::string> start_servers(harness::Realtime& rt, socket::Host& host,
                                         const std::vector<harness::ServeSpec>& specs) {
  for (const auto& s : specs) {
    std::string err;
    if (s.kind == "echo") {
      err = rt.run_app<harness::EchoServer>(host, s.port).error();
      if (err.empty()) err = rt.run_app<harness::UdpEchoServer>(host, s.port).error();
    } else if (s.kind == "discard") {
      err = rt.run_app<harness::DiscardServer>(host, s.port).error();
    } else if (s.kind == "chargen") {
      err = rt.run_app<harness::ChargenServer>(host, s.port).error();
    } else {
      err = rt.run_app<harness::HttpServer>(host, s.port, std::make_unique<harness::http::FsDocumentRoot>(s.dir))
                .error();
    }
    if (!err.empty()) return fmt::format("--serve {}:{}: {}", s.kind, s.port, err);
  }
  return std::nullopt;
}
}  // namespace

Action add_host_command(CLI::App& app) {
  auto args = std::make_shared<HostArgs>();
  auto* sub = app.add_subcommand("host", "Run the stack on a Linux TAP device in real time (needs root)");
  harness::add_net_options(sub, args->net);
  sub->add_option("--serve", args->serve, "echo:PORT, discard:PORT, chargen:PORT or http:PORT:DIR (repeatable)");
  sub->footer("Stops on SIGINT/SIGTERM; SIGUSR1 prints the netstat table to stdout.");
  return [args]() {
    std::vector<harness::ServeSpec> specs;
    for (const auto& text : args->serve) {
      std::string err;
      auto s = harness::parse_serve_spec(text, &err);
      if (!s) {
        fmt::print(stderr, "synack host: {}\n", err);
        return kExitUsage;
      }
      if (s->kind == "http" && !std::filesystem::is_directory(s->dir)) {
        fmt::print(stderr, "synack host: --serve {}: '{}' is not a directory\n", text, s->dir);
        return kExitUsage;
      }
      specs.push_back(*s);
    }
    harness::StopSignalsBlocked blocked;  // until the runtime handles them
    auto session = harness::NetSession::open(args->net);
    if (!session) {
      fmt::print(stderr, "synack host: {}\n", session.error());
      return kExitUsage;
    }
    auto& s = **session;
    if (auto err = start_servers(s.runtime(), s.host(), specs)) {
      fmt::print(stderr, "synack host: {}\n", *err);
      return kExitUsage;
    }
    s.runtime().handle_signals(stdout);
    blocked.release();
    fmt::print("synack host: {} on {} ({}), serving {} service(s); SIGUSR1 prints netstat\n",
               s.address().to_string(), args->net.tap, args->net.netns.empty() ? "this namespace" : args->net.netns,
               specs.size());
    std::fflush(stdout);
    bool ok = s.runtime().run();
    if (!ok) fmt::print(stderr, "synack host: {}\n", s.runtime().error());
    if (auto err = s.close_pcap()) {
      fmt::print(stderr, "synack host: {}\n", *err);
      return kExitUsage;
    }
    return ok ? kExitOk : kExitCheckFailed;
  };
}

}  // namespace synack::cli

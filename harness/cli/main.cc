// Entry point of the `synack` tool: builds the subcommands, parses, and maps
// CLI11's parse errors to the exit status contract (2 and a one-line reason).
#include <fmt/core.h>

#include <cstdio>
#include <utility>
#include <vector>

#include "harness/cli/command.h"

int main(int argc, char** argv) {
  using namespace synack::cli;
  CLI::App app{"synack: a deterministic TCP/IP stack and its conformance harness"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");

  std::vector<std::pair<std::string, Action>> actions;
  actions.emplace_back("dissect", add_dissect_command(app));
  actions.emplace_back("simulate", add_simulate_command(app));
  actions.emplace_back("golden", add_golden_command(app));
  actions.emplace_back("soak", add_soak_command(app));
  actions.emplace_back("host", add_host_command(app));
  actions.emplace_back("ping", add_ping_command(app));
  actions.emplace_back("get", add_get_command(app));
  actions.emplace_back("connect", add_connect_command(app));
  actions.emplace_back("conformance", add_conformance_command(app));
  actions.emplace_back("replay", add_replay_command(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (what.empty()) what = "invalid command line";
    fmt::print(stderr, "synack: {} (see synack --help)\n", what);
    return kExitUsage;
  }
  for (auto& [name, action] : actions) {
    if (app.got_subcommand(name)) return action();
  }
  fmt::print(stderr, "synack: no subcommand given (see synack --help)\n");
  return kExitUsage;
}

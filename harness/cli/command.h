// The `synack` command line: each subcommand lives in its own file and
// registers itself on the application through one function declared here.
// Contract (DESIGN.md): exit 0 on success, 1 when a check fails, 2 on usage
// errors or unreadable input, always with a one-line reason on stderr.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace synack::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitUsage = 2;

// Runs after a successful parse when its subcommand was chosen.
using Action = std::function<int()>;

// Each returns the action to run when its subcommand is selected.
Action add_dissect_command(CLI::App& app);
Action add_simulate_command(CLI::App& app);
Action add_golden_command(CLI::App& app);
Action add_soak_command(CLI::App& app);
Action add_host_command(CLI::App& app);
Action add_ping_command(CLI::App& app);
Action add_get_command(CLI::App& app);
Action add_connect_command(CLI::App& app);
Action add_conformance_command(CLI::App& app);
Action add_replay_command(CLI::App& app);

}  // namespace synack::cli

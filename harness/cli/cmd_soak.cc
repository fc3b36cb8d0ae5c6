// `synack soak [--seeds N] [--first S] [--profile NAME|random] [--jobs N]`:
// runs many seeds of randomized scenarios and prints each failing seed with
// the exact command that replays it and the line that adds it to the
// regression list (corpus/soak-regressions.txt, replayed by ctest).
#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "harness/cli/command.h"
#include "harness/soak/soak.h"

namespace synack::cli {

namespace {
struct SoakArgs {
  std::uint64_t seeds = 100;
  std::uint64_t first = 1;
  std::string profile = "random";
  unsigned jobs = 1;
  bool json = false;
};

int run(const SoakArgs& a) {
  if (!harness::valid_profile(a.profile)) {
    fmt::print(stderr, "synack soak: unknown profile '{}' (clean, lossy, hostile, random)\n", a.profile);
    return kExitUsage;
  }
  std::atomic<std::uint64_t> next{0}, failed{0};
  std::mutex out;
  auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (std::uint64_t i; (i = next.fetch_add(1)) < a.seeds;) {
      auto c = harness::make_soak_case(a.first + i, a.profile);
      auto o = harness::run_soak_case(c);
      if (!o.passed) {
        ++failed;
        std::lock_guard lock(out);
        fmt::print("FAIL seed {}: {}\n  replay: {}\n  scenario: {}\n  add to {}: {}\n", c.seed, o.verdict,
                   harness::soak_replay_command(c), c.command, harness::kSoakRegressionFile,
                   harness::soak_regression_line(c, o.verdict));
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < std::max(1u, a.jobs); ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::uint64_t f = failed.load();
  fmt::print("soak: {} passed, {} failed\n", a.seeds - f, f);
  fmt::print("soak rate: {:.1f} seeds/s over {:.1f} s (profile {}, seeds {}..{})\n", a.seeds / std::max(secs, 1e-9), secs,
             a.profile, a.first, a.first + a.seeds - 1);
  return f ? kExitCheckFailed : kExitOk;
}
}  // namespace

Action add_soak_command(CLI::App& app) {
  auto args = std::make_shared<SoakArgs>();
  auto* sub = app.add_subcommand("soak", "Run many seeds of randomized scenarios under randomized faults");
  sub->add_option("--seeds", args->seeds, "number of seeds (100)")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  sub->add_option("--first", args->first, "first seed (1)");
  sub->add_option("--profile", args->profile, "clean, lossy, hostile or random (random)");
  sub->add_option("--jobs", args->jobs, "parallel workers (1)")->check(CLI::Range(1u, 256u));
  return [args]() { return run(*args); };
}

}  // namespace synack::cli

#include "harness/soak/soak.h"

#include <fmt/core.h>

#include <array>

#include "stack/base/rng.h"

namespace synack::harness {

namespace {
constexpr std::array<std::string_view, 4> kProfiles{"clean", "lossy", "hostile", "random"};
constexpr std::array<std::string_view, 5> kScenarios{"handshake", "bulk", "udp", "dns", "ping"};

std::string ppm_text(std::uint32_t ppm) { return fmt::format("{}.{:06}", ppm / 1000000, ppm % 1000000); }

void randomize_faults(Rng& rng, std::string_view profile, driver::FaultProfile& f) {
  if (profile == "random") profile = kProfiles[rng.below(3)];
  f.delay = Duration::from_micros(10 + rng.below(2000));
  if (profile == "clean") return;
  f.loss_ppm = rng.below(profile == "lossy" ? 100'001 : 300'001);
  if (profile == "hostile") {
    f.dup_ppm = rng.below(100'001);
    f.reorder_ppm = rng.below(100'001);
    f.corrupt_ppm = rng.below(50'001);
    f.jitter = Duration::from_micros(rng.below(3000));
    if (rng.below(4) == 0) f.mtu = 576 + rng.below(1000);
  }
}

std::string command_for(const SoakCase& c) {
  const auto& f = c.options.faults;
  std::string cmd = fmt::format("synack simulate {} --seed {} --delay {}us", c.scenario, c.seed, f.delay.micros());
  if (f.loss_ppm) cmd += " --loss " + ppm_text(f.loss_ppm);
  if (f.dup_ppm) cmd += " --dup " + ppm_text(f.dup_ppm);
  if (f.reorder_ppm) cmd += " --reorder " + ppm_text(f.reorder_ppm);
  if (f.corrupt_ppm) cmd += " --corrupt " + ppm_text(f.corrupt_ppm);
  if (f.jitter.nanos()) cmd += fmt::format(" --jitter {}us", f.jitter.micros());
  if (f.mtu) cmd += fmt::format(" --mtu {}", f.mtu);
  if (c.scenario == "bulk") cmd += fmt::format(" --bytes {} --connections {}", c.options.bytes, c.options.connections);
  if (c.options.count) cmd += fmt::format(" --count {}", c.options.count);
  return cmd;
}
}  // namespace

bool valid_profile(std::string_view profile) {
  for (auto p : kProfiles)
    if (p == profile) return true;
  return false;
}

SoakCase make_soak_case(std::uint64_t seed, std::string_view profile) {
  Rng rng(derive_seed(seed, 0x534f414b));
  SoakCase c;
  c.seed = seed;
  c.scenario = std::string(kScenarios[rng.below(kScenarios.size())]);
  c.options.seed = seed;
  randomize_faults(rng, profile, c.options.faults);
  if (c.scenario == "bulk") {
    c.options.bytes = 1 + rng.below(256 * 1024);
    c.options.connections = 1 + rng.below(4);
  } else if (c.scenario == "handshake") {
    c.options.count = 1 + rng.below(8);
  }
  c.command = command_for(c);
  return c;
}

SoakOutcome run_soak_case(const SoakCase& c) {
  SoakOutcome o{c, false, ""};
  const auto* s = find_scenario(c.scenario);
  if (!s) {
    o.verdict = "unknown scenario";
    return o;
  }
  auto rep = s->run(c.options);
  o.passed = rep.passed;
  o.verdict = rep.verdict;
  return o;
}

}  // namespace synack::harness

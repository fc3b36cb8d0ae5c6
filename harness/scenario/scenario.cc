#include "harness/scenario/scenario.h"

#include <array>

namespace synack::harness {

namespace {
constexpr std::array kScenarios{
    ScenarioInfo{"ping", "ICMP echo across a router, with 4000-byte pings that fragment", run_ping_scenario},
    ScenarioInfo{"udp", "UDP echo exchange across a router", run_udp_scenario},
};
}  // namespace

std::span<const ScenarioInfo> scenarios() { return kScenarios; }

const ScenarioInfo* find_scenario(std::string_view name) {
  for (const auto& s : kScenarios)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace synack::harness

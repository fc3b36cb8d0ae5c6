#include "harness/scenario/scenario.h"

#include <array>

namespace synack::harness {

namespace {
constexpr std::array kScenarios{
    ScenarioInfo{"ping", "ICMP echo across a router, with 4000-byte pings that fragment", run_ping_scenario},
    ScenarioInfo{"udp", "UDP echo exchange across a router", run_udp_scenario},
    ScenarioInfo{"dns", "names resolved by the stub resolver against a simulated DNS server", run_dns_scenario},
    ScenarioInfo{"handshake", "TCP connections (--count) opened, one byte sent, closed gracefully", run_handshake_scenario},
    ScenarioInfo{"bulk", "TCP transfer of --bytes on each of --connections parallel connections", run_bulk_scenario},
    ScenarioInfo{"http", "--count HTTP/1.1 requests (6) on one keep-alive connection, one a --bytes file", run_http_scenario},
};
}  // namespace

std::span<const ScenarioInfo> scenarios() { return kScenarios; }

const ScenarioInfo* find_scenario(std::string_view name) {
  for (const auto& s : kScenarios)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace synack::harness

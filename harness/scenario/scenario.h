// Built-in simulation scenarios for `synack simulate`: each builds a small
// network in a World, runs applications over it under a fault profile, and
// reports a summary with an integrity verdict. Deterministic: the same
// options give the same report and the same pcap bytes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "stack/base/bytes.h"
#include "stack/base/instant.h"
#include "stack/driver/fault_model.h"

namespace synack::harness {

struct SimOptions {
  std::uint64_t seed = 1;
  driver::FaultProfile faults;          // applied to every link, both directions
  std::optional<std::string> pcap;      // capture of the first host's link
  std::optional<Duration> netstat_at;   // netstat snapshot of every host then
  std::uint64_t bytes = 1 << 20;        // bulk: bytes to move; http: size of the large file
  std::uint32_t connections = 1;        // bulk: parallel transfers
  std::uint32_t count = 0;              // packets/requests; 0: the scenario's default
};

struct ScenarioReport {
  bool passed = false;    // the integrity verdict
  std::string verdict;    // one line explaining it
  nlohmann::json summary; // everything printed, machine-readable
  std::string text;       // human-readable summary
  std::string pcap_error; // set when the capture could not be written
  Bytes pcap_bytes;       // the capture, when one was requested
};

using ScenarioFn = ScenarioReport (*)(const SimOptions&);

struct ScenarioInfo {
  std::string_view name;
  std::string_view description;
  ScenarioFn run;
};

std::span<const ScenarioInfo> scenarios();
const ScenarioInfo* find_scenario(std::string_view name);

// The individual scenarios (scenario_*.cc).
ScenarioReport run_ping_scenario(const SimOptions& opt);
ScenarioReport run_udp_scenario(const SimOptions& opt);
ScenarioReport run_dns_scenario(const SimOptions& opt);
ScenarioReport run_handshake_scenario(const SimOptions& opt);
ScenarioReport run_bulk_scenario(const SimOptions& opt);
ScenarioReport run_http_scenario(const SimOptions& opt);

}  // namespace synack::harness

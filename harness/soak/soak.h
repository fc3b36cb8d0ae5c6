// Soak testing: many seeds of randomized scenarios under randomized fault
// profiles. Every case is a pure function of (seed, profile), printed as the
// exact `synack simulate` command that replays it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/scenario/scenario.h"

namespace synack::harness {

struct SoakCase {
  std::uint64_t seed = 0;
  std::string scenario;
  SimOptions options;
  std::string command;  // `synack simulate ...` reproducing it
};

// Profiles: "clean", "lossy" (up to 10% loss), "hostile" (loss up to 30%,
// duplication, reordering, corruption, jitter, small MTUs), "random" (any).
bool valid_profile(std::string_view profile);
SoakCase make_soak_case(std::uint64_t seed, std::string_view profile);

struct SoakOutcome {
  SoakCase c;
  bool passed = false;
  std::string verdict;
};
SoakOutcome run_soak_case(const SoakCase& c);

}  // namespace synack::harness

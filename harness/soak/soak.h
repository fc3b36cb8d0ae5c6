// Soak testing: many seeds of randomized scenarios under randomized fault
// profiles. Every case is a pure function of (seed, profile), printed as the
// exact `synack simulate` command that replays it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"

namespace synack::harness {

struct SoakCase {
  std::uint64_t seed = 0;
  std::string profile;  // as given: clean, lossy, hostile or random
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

// The regression list (corpus/soak-regressions.txt): one case per line,
// "PROFILE SEED  # why", replayed by harness/soak/soak_regressions_sim_test.cc
// through make_soak_case/run_soak_case (the same path as `synack soak`).
// Blank lines and lines starting with '#' are ignored.
inline constexpr std::string_view kSoakRegressionFile = "corpus/soak-regressions.txt";

struct SoakRegression {
  std::string profile;
  std::uint64_t seed = 0;
  std::string why;
  std::size_t line = 0;  // 1-based, for messages
};

// Parses the list; a malformed line yields an error naming it.
struct SoakRegressionList {
  std::vector<SoakRegression> entries;
  std::vector<std::string> errors;
};
SoakRegressionList parse_soak_regressions(std::string_view text);

// The line to append to the regression list for a failing case, and the
// command that replays exactly that case through `synack soak`.
std::string soak_regression_line(const SoakCase& c, std::string_view why);
std::string soak_replay_command(const SoakCase& c);

}  // namespace synack::harness

// Golden traces: the pcaps of chosen simulation scenarios under fault
// profiles, kept in corpus/golden/ and re-run byte for byte ("did my change
// alter anything on the wire?"). Beside each NAME.pcap a NAME.txt holds a
// one-line-per-frame summary so that a re-bless shows a reviewable diff.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "harness/scenario/scenario.h"
#include "stack/base/bytes.h"

namespace synack::harness {

struct GoldenCase {
  std::string_view name;
  std::string_view scenario;
  std::string_view flags;  // the `synack simulate` flags that reproduce it
  SimOptions options;
};

std::span<const GoldenCase> golden_cases();
const GoldenCase* find_golden(std::string_view name);

// Runs the case's scenario and returns its capture.
Bytes run_golden(const GoldenCase& c);
// One line per frame: number, time and the main header fields.
std::string golden_summary(ConstBytes pcap);
// Describes the first difference between two captures (nullopt when equal):
// the first differing frame decoded field by field on both sides.
std::optional<std::string> golden_diff(ConstBytes expected, ConstBytes actual);
// The command that re-runs a case by hand.
std::string golden_command(const GoldenCase& c);

std::filesystem::path golden_dir(const std::filesystem::path& source_root);

}  // namespace synack::harness

// Parsing of command-line quantities: probabilities as fractions ("0.05"),
// durations with units ("300us", "2ms", "1.5s", "2m"), byte counts with
// suffixes ("64K", "1M", "1G" = powers of 1024). Errors are one-line reasons.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stack/base/instant.h"
#include "stack/base/result.h"

namespace synack::cli {

Result<std::uint32_t, std::string> parse_probability_ppm(std::string_view s);
Result<Duration, std::string> parse_duration(std::string_view s);
Result<std::uint64_t, std::string> parse_bytes(std::string_view s);
std::string format_duration(Duration d);  // "1.234ms"

}  // namespace synack::cli

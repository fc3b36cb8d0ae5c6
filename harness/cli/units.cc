#include "harness/cli/units.h"

#include <fmt/core.h>

#include <cmath>
#include <cstdlib>

namespace synack::cli {

namespace {
// Parses a non-negative decimal number with an optional fraction, exactly:
// returns the value scaled by 10^9 to avoid binary floating point.
Result<std::uint64_t, std::string> parse_fixed9(std::string_view s, std::string_view what) {
  if (s.empty()) return Err{fmt::format("empty {}", what)};
  std::uint64_t whole = 0, frac = 0;
  int frac_digits = 0;
  bool dot = false, digits = false;
  for (char c : s) {
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return Err{fmt::format("invalid {} '{}'", what, s)};
    digits = true;
    if (!dot) {
      if (whole > 1'000'000'000'000ULL) return Err{fmt::format("{} '{}' is too large", what, s)};
      whole = whole * 10 + static_cast<std::uint64_t>(c - '0');
    } else if (frac_digits < 9) {
      frac = frac * 10 + static_cast<std::uint64_t>(c - '0');
      ++frac_digits;
    }
  }
  if (!digits) return Err{fmt::format("invalid {} '{}'", what, s)};
  while (frac_digits < 9) {
    frac *= 10;
    ++frac_digits;
  }
  return whole * 1'000'000'000ULL + frac;
}
}  // namespace

Result<std::uint32_t, std::string> parse_probability_ppm(std::string_view s) {
  auto v = parse_fixed9(s, "probability");
  if (!v) return Err{v.error()};
  if (*v > 1'000'000'000ULL) return Err{fmt::format("probability '{}' is above 1", s)};
  return static_cast<std::uint32_t>(*v / 1000);
}

Result<Duration, std::string> parse_duration(std::string_view s) {
  struct Unit {
    std::string_view suffix;
    std::int64_t ns;
  };
  constexpr Unit kUnits[] = {{"ns", 1}, {"us", 1000}, {"ms", 1'000'000}, {"s", 1'000'000'000}, {"m", 60'000'000'000}};
  for (const auto& u : kUnits) {
    if (s.size() > u.suffix.size() && s.ends_with(u.suffix)) {
      auto num = s.substr(0, s.size() - u.suffix.size());
      // "ms" also ends with "s": make sure what remains is a number.
      if (!num.empty() && (num.back() < '0' || num.back() > '9') && num.back() != '.') continue;
      auto v = parse_fixed9(num, "duration");
      if (!v) return Err{v.error()};
      long double ns = static_cast<long double>(*v) / 1e9L * static_cast<long double>(u.ns);
      if (ns > 9.2e18L) return Err{fmt::format("duration '{}' is too large", s)};
      return Duration::from_nanos(static_cast<std::int64_t>(std::llround(ns)));
    }
  }
  return Err{fmt::format("duration '{}' needs a unit (ns, us, ms, s, m)", s)};
}

Result<std::uint64_t, std::string> parse_bytes(std::string_view s) {
  std::uint64_t mult = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'K': case 'k': mult = 1ULL << 10; break;
      case 'M': mult = 1ULL << 20; break;
      case 'G': mult = 1ULL << 30; break;
      default: break;
    }
    if (mult != 1) s.remove_suffix(1);
  }
  if (s.empty() || s.find('.') != std::string_view::npos) return Err{fmt::format("invalid byte count '{}'", s)};
  auto v = parse_fixed9(s, "byte count");
  if (!v) return Err{v.error()};
  std::uint64_t n = *v / 1'000'000'000ULL;
  if (n > (1ULL << 50) / mult) return Err{fmt::format("byte count '{}' is too large", s)};
  return n * mult;
}

std::string format_duration(Duration d) {
  auto ns = d.nanos();
  if (ns < 1000) return fmt::format("{}ns", ns);
  if (ns < 1'000'000) return fmt::format("{:.3f}us", static_cast<double>(ns) / 1e3);
  if (ns < 1'000'000'000) return fmt::format("{:.3f}ms", static_cast<double>(ns) / 1e6);
  return fmt::format("{:.3f}s", static_cast<double>(ns) / 1e9);
}

}  // namespace synack::cli

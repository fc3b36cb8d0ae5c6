// See coverage.h. This file is compiled without sanitizer coverage
// (fuzz/CMakeLists.txt): an instrumented translation unit declares the
// counter section's bounds itself, and a second declaration here would
// replace the ones its module constructor registers with libFuzzer.
#include "fuzz/common/coverage.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

// Bounds of the counter section, defined by the linker when inline 8-bit
// counters exist in the executable; weak, so null when they do not.
extern "C" {
extern std::uint8_t __start___sancov_cntrs[] __attribute__((weak, visibility("hidden")));  // NOLINT
extern std::uint8_t __stop___sancov_cntrs[] __attribute__((weak, visibility("hidden")));   // NOLINT
}

namespace synack::fuzz {
namespace {

std::size_t counter_bytes() {
  if (__start___sancov_cntrs == nullptr || __stop___sancov_cntrs == nullptr) return 0;
  return static_cast<std::size_t>(__stop___sancov_cntrs - __start___sancov_cntrs);
}

std::vector<std::uint8_t>& saved_counters() {
  static std::vector<std::uint8_t> saved;  // sized once, then reused
  return saved;
}

}  // namespace

void forget_coverage() {
  if (std::size_t n = counter_bytes()) std::memset(__start___sancov_cntrs, 0, n);
}

void save_coverage() {
  std::size_t n = counter_bytes();
  if (n == 0) return;
  auto& s = saved_counters();
  s.resize(n);
  std::memcpy(s.data(), __start___sancov_cntrs, n);
}

void restore_coverage() {
  std::size_t n = counter_bytes();
  auto& s = saved_counters();
  if (n == 0 || s.size() != n) return;
  std::memcpy(__start___sancov_cntrs, s.data(), n);
}

}  // namespace synack::fuzz

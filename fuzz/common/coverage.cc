// See coverage.h. This file is compiled without sanitizer coverage
// (fuzz/CMakeLists.txt): an instrumented translation unit declares the
// counter section's bounds itself, and a second declaration here would
// replace the ones its module constructor registers with libFuzzer.
#include "fuzz/common/coverage.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

// Bounds of the counter section, defined by the linker when inline 8-bit
// counters exist in the executable; weak, so null when they do not.
extern "C" {
extern std::uint8_t __start___sancov_cntrs[] __attribute__((weak, visibility("hidden")));  // NOLINT
extern std::uint8_t __stop___sancov_cntrs[] __attribute__((weak, visibility("hidden")));   // NOLINT
}

namespace synack::fuzz {

void forget_coverage() {
  if (__start___sancov_cntrs == nullptr || __stop___sancov_cntrs == nullptr) return;
  std::memset(__start___sancov_cntrs, 0, static_cast<std::size_t>(__stop___sancov_cntrs - __start___sancov_cntrs));
}

}  // namespace synack::fuzz

// Invariant checks for fuzz targets. A violated invariant is a finding:
// FUZZ_CHECK prints what was expected and aborts, so libFuzzer saves the
// input as a crash and the regression replay fails on it.
// Header-only; shared by every fuzz/fuzz_*.cc target.
#pragma once

#include <cstdio>
#include <cstdlib>

// Invariant checkers carry no coverage instrumentation: their branches and
// comparisons are not the code under test, and under libFuzzer they would
// cost time on every step and fill the table of recent comparisons (TORC)
// with the checker's operands instead of the stack's.
#if defined(__clang__)
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_NO_COVERAGE
#endif

#define FUZZ_CHECK(cond, ...)                                                          \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "fuzz invariant violated at %s:%d: %s\n  ", __FILE__, __LINE__, \
                   #cond);                                                             \
      std::fprintf(stderr, __VA_ARGS__);                                               \
      std::fputc('\n', stderr);                                                        \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

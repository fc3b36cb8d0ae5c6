// SYNACK_ASSERT checks internal invariants only; it stays on in every build.
// Untrusted input (frames, files, peers) must never reach an assert: it is
// dropped and counted instead.
#pragma once

#include <cstdio>
#include <cstdlib>

#define SYNACK_ASSERT(cond)                                                                   \
  do {                                                                                        \
    if (!(cond)) [[unlikely]] {                                                               \
      std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond);       \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)

// Keeping a fuzz target's fixed set-up and tear-down out of its coverage.
//
// A stateful target builds the same starting state for every input (a host
// with a listener, an established connection, ...) and destroys it at the
// end. Those edges are hit by every input alike (tear-down: nearly alike),
// so they tell libFuzzer nothing, yet it walks and weighs every hit counter
// after every run (feature collection and the entropic frequency update are
// about half of fuzz_host_frames' time). Zeroing the module's inline 8-bit
// counters once the set-up is done leaves only what the input itself
// reached; an edge the input hits again is counted again. Saving them before
// the tear-down and putting them back afterwards drops the tear-down's hits
// the same way. The tear-down still runs inside the input's run, so a crash
// or leak there is reported with the input that built the state.
#pragma once

namespace synack::fuzz {

// Zeroes this executable's sanitizer-coverage counters (a no-op when the
// build has none: the regression replays).
void forget_coverage();

// Copies the counters aside (save_coverage) and writes that copy back
// (restore_coverage), undoing every hit in between. No-ops without counters.
void save_coverage();
void restore_coverage();

}  // namespace synack::fuzz

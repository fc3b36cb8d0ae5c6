// Forgetting the coverage of a fuzz target's fixed set-up.
//
// A stateful target builds the same starting state for every input (a host
// with a listener, an established connection, ...). Those edges are hit by
// every input alike, so they tell libFuzzer nothing, yet it walks and weighs
// every hit counter after every run (feature collection and the entropic
// frequency update were a quarter of fuzz_host_frames' time). Zeroing the
// module's inline 8-bit counters once the set-up is done leaves only what
// the input itself reached; an edge the input hits again is counted again.
#pragma once

namespace synack::fuzz {

// Zeroes this executable's sanitizer-coverage counters (a no-op when the
// build has none: the regression replays).
void forget_coverage();

}  // namespace synack::fuzz

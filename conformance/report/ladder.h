// Ladder (sequence) diagram of one conformance case as a standalone SVG
// fragment, for embedding in the HTML report.
//
// Layout: the script peer's timeline on the left, the DUT's on the right;
// one row per event in time order (y proportional to the order, not the time,
// so bursts stay readable), the time offset in seconds at the left margin.
// A packet is an arrow with its one-line summary: injected frames point right
// in one colour, the DUT's frames point left in another. Syscalls are grey
// notes at the DUT's line. The packet (or call) whose script line is the
// case's first mismatch is drawn highlighted. All text is XML-escaped; the
// SVG uses no ids, so many diagrams can share one HTML document.
#pragma once

#include <string>

#include "conformance/runner/result.h"

namespace synack::conformance {

std::string ladder_svg(const CaseResult& r);

}  // namespace synack::conformance

// The packetdrill-script interpreter: runs a parsed `.pkt` script against a
// device under test ("sim": synack in a simulated world; "kernel": the Linux
// kernel behind a TAP device in a private network namespace) and reports a
// CaseResult (result.h) with every packet and call it saw.
//
// Semantics follow packetdrill: events run at their script times (relative
// times count from the previous event, and from the actual time of a matched
// outbound packet); outbound packets must arrive within the tolerance
// (--tolerance_usecs, DUT default unless RunOptions overrides it) and match
// flags, sequence range, ack, window, options and length; an unexpected DUT
// packet before an injected one, or after the last event, fails the case.
// A NAME.pkt.xfail-<dut> file turns Fail into XFail and Pass into XPass.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "conformance/runner/dut.h"
#include "conformance/runner/pkt_ast.h"
#include "conformance/runner/result.h"

namespace synack::conformance {

struct RunOptions {
  std::optional<std::int64_t> tolerance_usecs;  // overrides the script and the DUT default
  bool pcap = true;                             // fill CaseResult::pcap
  bool verbose = false;                         // echo events and packets to stderr
};

CaseResult run_case(const RunOptions& opts, const std::filesystem::path& script,
                    const std::filesystem::path& suite_root, std::string_view dut);

// Runs script text (tests, tools). `xfail`: the reason from an xfail file, if any.
CaseResult run_script_text(const RunOptions& opts, std::string_view text, std::string_view dut,
                           const std::string& name = "inline.pkt",
                           const std::optional<std::string>& xfail = std::nullopt);

// Builds a DUT for `script` ("sim" or "kernel"); on failure `why` says why
// and `skip` whether the case should be skipped rather than errored.
std::unique_ptr<Dut> make_dut(std::string_view dut, const Script& script, std::string& why, bool& skip);

}  // namespace synack::conformance

// The live display of `synack conformance` while cases run.
//
// On a terminal: one status line redrawn in place with \r (a bar, done/total,
// counts by verdict, the case last started); failures are printed above it
// as they happen. Otherwise one line per finished case,
//   "PASS sim tcp/handshake.pkt (0.010s)"
//   "FAIL kernel tcp/rst.pkt (0.120s): line 7: expected R. ..., got nothing"
// and at the end, in both modes, the totals line (see totals_line()).
// Calls may come from several runner threads: each is serialised.
#pragma once

#include <cstddef>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "conformance/report/text.h"
#include "conformance/runner/result.h"

namespace synack::conformance {

// "conformance: <p> passed, <f> failed" where failed counts Fail, XPass and
// Error; followed by ", <k> xfail, <s> skipped, <e> errors" when any of
// these three is non-zero. No trailing newline.
std::string totals_line(const Tally& t);

// "PASS sim tcp/handshake.pkt (0.010s)", plus ": <message>" (on one line)
// for results other than Pass. No trailing newline.
std::string result_line(const CaseResult& r);

class Progress {
 public:
  Progress(std::ostream& out, bool is_tty, std::size_t total);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void started(std::string_view name, std::string_view dut);
  void finished(const CaseResult& r);
  // Clears the status line (terminal) and prints the totals line. Once.
  void done();

  const Tally& counts() const noexcept { return tally_; }

 private:
  void redraw();  // with mutex_ held
  void clear_line();

  std::mutex mutex_;
  std::ostream& out_;
  bool tty_;
  std::size_t total_;
  std::size_t running_ = 0;
  std::string current_;  // "name (dut)" last started
  Tally tally_;
  bool done_ = false;
};

}  // namespace synack::conformance

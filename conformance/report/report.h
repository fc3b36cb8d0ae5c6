// The reports of `synack conformance`, as pure functions of the runner's
// CaseResults (conformance/runner/result.h):
//   junit.h     write_junit(results, dut, out)    JUnit XML for one DUT
//   html.h      write_html(results, options, out) the self-contained HTML page
//   ladder.h    ladder_svg(result)                one case's ladder diagram
//   progress.h  Progress                          the live display while running
// and here the JSON summary and the writer of a whole report directory.
//
// Contract: the outputs depend only on the results (and, for the HTML, on
// the script texts); no clock, no environment. Invalid UTF-8 in runner
// strings becomes U+FFFD rather than an exception.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/report/html.h"
#include "conformance/report/junit.h"
#include "conformance/report/ladder.h"
#include "conformance/runner/result.h"
#include "stack/base/result.h"

namespace synack::conformance {

// The machine-readable summary (`synack conformance --json`, summary.json):
// {
//   "ok": true if every result is as expected (pass, xfail, skip),
//   "totals": {"total", "pass", "fail", "xfail", "xpass", "skip", "error"},
//   "duts":   {"<dut>": {same counts}},
//   "rfcs":   {"<RFC label>": {same counts, "duts": {"<dut>": {same counts}}}},
//   "cases":  [{"name", "dut", "rfc", "file", "verdict", "message", "line",
//               "expected", "actual", "seconds", "packets", "calls"}]   (input order)
// }
// Cases without an RFC are grouped under "(no RFC)".
nlohmann::json summary_json(const std::vector<CaseResult>& results);

// Writes into `dir` (created if needed): junit-<dut>.xml for each DUT
// present, summary.json, index.html (scripts read from disk by
// CaseResult::file) and pcaps/<dut>/<name without .pkt>.pcap for each result
// with a capture. On failure, a one-line reason naming the path.
Result<void, std::string> write_reports(const std::vector<CaseResult>& results, const std::filesystem::path& dir);

// Same, with HTML options (title, script source, embedding cap).
Result<void, std::string> write_reports(const std::vector<CaseResult>& results, const std::filesystem::path& dir,
                                        HtmlOptions html);

}  // namespace synack::conformance

// The self-contained HTML report of a conformance run: one file, inline CSS,
// no scripts and no external assets, readable offline in light or dark mode.
//
// Contents: a summary line; a matrix of cases x DUTs whose coloured verdict
// cells link to the per-case sections; a per-RFC totals table; and per case
// (script x DUT) the verdict with the first mismatch explained (script line,
// expected, actual), the script text with that line highlighted, a ladder
// diagram of the exchanged packets (ladder.h), the syscall list, and the
// case's pcap as a download link (a data: URI; captures above
// max_embedded_pcap bytes are not embedded, and a note says so).
// Sections of cases that did not go as expected start unfolded.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "conformance/runner/result.h"

namespace synack::conformance {

struct HtmlOptions {
  std::string title = "synack conformance report";
  // Fetches the text of a script by CaseResult::file; nullopt when it cannot.
  // Unset: the file is read from disk (relative to the working directory).
  std::function<std::optional<std::string>(const std::string& file)> script_text;
  // Captures larger than this are not embedded in the page.
  std::size_t max_embedded_pcap = 256 * 1024;
  // Set when the pcaps are also written beside the report (write_reports):
  // each case then links to its file at pcap_relative_path() as well, which
  // is the only link for captures too large to embed.
  bool link_pcap_files = false;
};

void write_html(const std::vector<CaseResult>& results, const HtmlOptions& options, std::ostream& out);

// The anchor id of results[index]'s section ("case-<index>").
std::string case_anchor(std::size_t index);

}  // namespace synack::conformance

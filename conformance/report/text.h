// Text helpers shared by the conformance reports: escaping for XML and HTML,
// base64 for the embedded pcaps, safe file names, and verdict tallies.
//
// Contract: every function is pure. xml_escape() output is valid XML 1.0
// character data and attribute text whatever the input bytes are (control
// characters XML forbids and invalid UTF-8 become U+FFFD), so a runner message
// quoting raw bytes cannot break a report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/result.h"
#include "stack/base/bytes.h"

namespace synack::conformance {

// Escapes & < > " ' and replaces characters XML cannot carry. With
// `attribute`, tab, newline and carriage return become character references
// so that attribute-value normalisation keeps them.
std::string xml_escape(std::string_view s, bool attribute = false);

// Replaces invalid UTF-8 sequences with U+FFFD (JSON and XML need valid text).
std::string valid_utf8(std::string_view s);

// RFC 4648 §4 base64 with padding, and its inverse (nullopt on bad input).
std::string base64_encode(ConstBytes b);
std::optional<Bytes> base64_decode(std::string_view s);

// A path component made safe for a file name: letters, digits, '-', '_' and
// '.' are kept, anything else becomes '_'; "", "." and ".." become "_".
std::string safe_component(std::string_view s);

// The relative path of a case's pcap under a report directory:
// "pcaps/<dut>/<name without .pkt>.pcap", each component made safe.
std::string pcap_relative_path(const CaseResult& r);

// The JUnit classname of a case: its RFC section, else the directory of its
// name ("tcp"), else "conformance".
std::string case_classname(const CaseResult& r);

// "1.250s" / "0.010s": wall time with a precision that suits its size.
std::string format_seconds(double s);
// "+1.234567s"-style offset in microseconds since the case began.
std::string format_offset_us(std::int64_t t_us);

// Counts of results by verdict.
struct Tally {
  std::size_t pass = 0, fail = 0, xfail = 0, xpass = 0, skip = 0, error = 0;
  void add(Verdict v) noexcept;
  std::size_t total() const noexcept { return pass + fail + xfail + xpass + skip + error; }
  // Fail + XPass + Error: the results that make a run fail.
  std::size_t failed() const noexcept { return fail + xpass + error; }
};
Tally tally(const std::vector<CaseResult>& results);

// The distinct values of a field in order of first appearance (deterministic
// for a given input order, which the runner keeps stable).
std::vector<std::string> distinct_duts(const std::vector<CaseResult>& results);
std::vector<std::string> distinct_names(const std::vector<CaseResult>& results);
// The RFC label used for grouping: r.rfc, or "(no RFC)".
std::string rfc_label(const CaseResult& r);

}  // namespace synack::conformance

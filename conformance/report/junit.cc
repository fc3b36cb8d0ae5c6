// JUnit XML writer (see junit.h).
#include "conformance/report/junit.h"

#include <fmt/core.h>

#include <cmath>
#include <string>

#include "conformance/report/text.h"

namespace synack::conformance {
namespace {

std::string junit_time(double s) {
  if (!std::isfinite(s) || s < 0) s = 0;
  return fmt::format("{:.6f}", s);
}

// "line 12: expected ...\nactual ..." — the body of a failure element.
std::string mismatch_details(const CaseResult& r) {
  std::string body;
  if (r.line > 0) body += fmt::format("script line {}\n", r.line);
  if (!r.expected.empty()) body += "expected: " + r.expected + "\n";
  if (!r.actual.empty()) body += "actual:   " + r.actual + "\n";
  if (!r.file.empty()) body += "script: " + r.file + "\n";
  return body;
}

void write_case(const CaseResult& r, std::ostream& out) {
  out << "    <testcase classname=\"" << xml_escape(case_classname(r), true) << "\" name=\""
      << xml_escape(r.name, true) << "\" time=\"" << junit_time(r.seconds) << "\"";
  const std::string message = xml_escape(r.message, true);
  switch (r.verdict) {
    case Verdict::Pass:
      out << "/>\n";
      return;
    case Verdict::Fail:
      out << ">\n      <failure type=\"mismatch\" message=\"" << message << "\">"
          << xml_escape(mismatch_details(r)) << "</failure>\n";
      break;
    case Verdict::XPass:
      out << ">\n      <failure type=\"xpass\" message=\""
          << xml_escape("passed although expected to fail: " + r.message, true) << "\">"
          << xml_escape(mismatch_details(r)) << "</failure>\n";
      break;
    case Verdict::Skip:
      out << ">\n      <skipped message=\"" << message << "\"/>\n";
      break;
    case Verdict::XFail:
      out << ">\n      <skipped type=\"xfail\" message=\"" << xml_escape("expected failure: " + r.message, true)
          << "\"/>\n";
      break;
    case Verdict::Error:
      out << ">\n      <error type=\"error\" message=\"" << message << "\">"
          << xml_escape(mismatch_details(r)) << "</error>\n";
      break;
  }
  out << "    </testcase>\n";
}

}  // namespace

void write_junit(const std::vector<CaseResult>& results, std::string_view dut, std::ostream& out) {
  Tally t;
  double seconds = 0;
  for (const auto& r : results) {
    if (r.dut != dut) continue;
    t.add(r.verdict);
    if (std::isfinite(r.seconds) && r.seconds > 0) seconds += r.seconds;
  }
  const std::string name = xml_escape(dut, true);
  const std::string counts =
      fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\"", t.total(),
                  t.fail + t.xpass, t.error, t.skip + t.xfail, junit_time(seconds));
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"synack conformance (" << name << ")\" " << counts << ">\n";
  out << "  <testsuite name=\"" << name << "\" " << counts << ">\n";
  for (const auto& r : results) {
    if (r.dut == dut) write_case(r, out);
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace synack::conformance

// JUnit XML for one device under test, in the common schema CI systems read
// (testsuites > testsuite > testcase, as Jenkins, GitLab and GitHub parse it).
//
// Mapping: one <testsuite name="<dut>">; one <testcase> per script with
// classname = the RFC section (else the script's directory), name = the
// script's name, time in seconds. Fail and XPass carry <failure>, Error
// <error>, Skip and XFail <skipped message="reason">. Message, expected and
// actual are XML-escaped; the output is valid XML 1.0 for any input bytes.
#pragma once

#include <ostream>
#include <string_view>
#include <vector>

#include "conformance/runner/result.h"

namespace synack::conformance {

// Writes the results whose dut equals `dut` (others are ignored).
void write_junit(const std::vector<CaseResult>& results, std::string_view dut, std::ostream& out);

}  // namespace synack::conformance

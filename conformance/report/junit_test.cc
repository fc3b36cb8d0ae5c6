// JUnit XML: structure, counts, verdict mapping and escaping.
#include "conformance/report/junit.h"

#include <fmt/core.h>
#include <gmock/gmock.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "conformance/report/test_cases.h"

namespace synack::conformance {
namespace {

using testing::balanced_tags;
using testing::count;
using testing::handshake;
using ::testing::HasSubstr;
using ::testing::Not;

std::string junit(const std::vector<CaseResult>& rs, std::string_view dut) {
  std::ostringstream out;
  write_junit(rs, dut, out);
  return out.str();
}

std::vector<CaseResult> all_verdicts() {
  std::vector<CaseResult> rs;
  for (Verdict v : {Verdict::Pass, Verdict::Fail, Verdict::XFail, Verdict::XPass, Verdict::Skip, Verdict::Error}) {
    rs.push_back(handshake("sim", v));
    rs.back().name = fmt::format("tcp/{}.pkt", to_string(v));
  }
  rs.push_back(handshake("kernel", Verdict::Pass));
  return rs;
}

TEST(Junit, OneSuitePerDutWithCounts) {
  const std::string xml = junit(all_verdicts(), "sim");
  EXPECT_TRUE(balanced_tags(xml)) << xml;
  EXPECT_THAT(xml, ::testing::StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
  EXPECT_EQ(count(xml, "<testsuite "), 1u);
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"sim\" tests=\"6\" failures=\"2\" errors=\"1\" skipped=\"2\""));
  EXPECT_EQ(count(xml, "<testcase "), 6u);
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"RFC 9293 §3.5\" name=\"tcp/pass.pkt\" time=\"0.012500\"/>"));
  EXPECT_EQ(count(xml, "<failure "), 2u);
  EXPECT_EQ(count(xml, "<skipped "), 2u);
  EXPECT_EQ(count(xml, "<error "), 1u);
  // Fail: message plus expected/actual and the line in the body.
  EXPECT_THAT(xml, HasSubstr("<failure type=\"mismatch\" message=\"missing option mss\">script line 9\n"
                             "expected: S. 0:0(0) ack 1 &lt;mss 1460&gt;\nactual:   S. 0:0(0) ack 1 win 65535\n"));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"xpass\" message=\"passed although expected to fail"));
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"kernel DUT needs root\"/>"));
  EXPECT_THAT(xml, HasSubstr("<skipped type=\"xfail\" message=\"expected failure: kernel sends no MSS here\"/>"));
  EXPECT_THAT(xml, HasSubstr("<error type=\"error\" message=\"line 4: unknown syscall frob()\">"));
}

TEST(Junit, OtherDutsAreLeftOut) {
  const std::string xml = junit(all_verdicts(), "kernel");
  EXPECT_TRUE(balanced_tags(xml));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"kernel\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""));
  EXPECT_EQ(count(xml, "<testcase "), 1u);
  const std::string none = junit(all_verdicts(), "qemu");
  EXPECT_TRUE(balanced_tags(none));
  EXPECT_THAT(none, HasSubstr("tests=\"0\""));
}

TEST(Junit, EscapesNamesMessagesAndDetails) {
  CaseResult r = handshake("s<i>m", Verdict::Fail);
  r.name = "tcp/a&b\"c'<d>.pkt";
  r.rfc = "RFC <793> & \"9293\"";
  r.message = "got <R.> & 'nothing'\nsecond line";
  r.expected = "</failure><x>";
  r.actual = "]]> \x01 \xff";
  const std::string xml = junit({r}, "s<i>m");
  EXPECT_TRUE(balanced_tags(xml)) << xml;
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"s&lt;i&gt;m\""));
  EXPECT_THAT(xml, HasSubstr("name=\"tcp/a&amp;b&quot;c&#39;&lt;d&gt;.pkt\""));
  EXPECT_THAT(xml, HasSubstr("classname=\"RFC &lt;793&gt; &amp; &quot;9293&quot;\""));
  EXPECT_THAT(xml, HasSubstr("message=\"got &lt;R.&gt; &amp; &#39;nothing&#39;&#10;second line\""));
  EXPECT_THAT(xml, HasSubstr("expected: &lt;/failure&gt;&lt;x&gt;"));
  EXPECT_THAT(xml, HasSubstr("actual:   ]]&gt; \xEF\xBF\xBD \xEF\xBF\xBD"));
  EXPECT_THAT(xml, Not(HasSubstr("<x>")));
}

// A real XML parser when the machine has one (libxml2's xmllint).
TEST(Junit, XmllintAcceptsIt) {
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint not installed";
  CaseResult odd = handshake("sim", Verdict::Fail);
  odd.message = "a<b & \"c\" \x02 \xfe";
  auto rs = all_verdicts();
  rs.push_back(odd);
  const auto path = std::filesystem::temp_directory_path() / fmt::format("junit_test_{}.xml", ::getpid());
  {
    std::ofstream f(path);
    write_junit(rs, "sim", f);
  }
  const int rc = std::system(("xmllint --noout '" + path.string() + "'").c_str());
  std::filesystem::remove(path);
  EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace synack::conformance

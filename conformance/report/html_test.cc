// The HTML report: matrix, RFC table, per-case sections, script, pcap link.
#include "conformance/report/html.h"

#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "conformance/report/test_cases.h"
#include "conformance/report/text.h"

namespace synack::conformance {
namespace {

using testing::balanced_tags;
using testing::count;
using testing::handshake;
using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string> kVoid = {"meta", "br", "hr", "img", "input", "link"};

constexpr std::string_view kScript =
    "// RFC 9293 §3.5: passive open\n"
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0 bind(3, ..., ...) = 0\n"
    "+0 listen(3, 1) = 0\n"
    "+0 < S 0:0(0) win 65535\n"
    "+0 > S. 0:0(0) ack 1 <mss 1460>\n";

std::string html(const std::vector<CaseResult>& rs, HtmlOptions o = {}) {
  if (!o.script_text) {
    o.script_text = [](const std::string& file) -> std::optional<std::string> {
      if (file == "missing.pkt") return std::nullopt;
      return std::string(kScript);
    };
  }
  std::ostringstream out;
  write_html(rs, o, out);
  return out.str();
}

std::vector<CaseResult> two_duts() {
  CaseResult fail = handshake("sim", Verdict::Fail);
  fail.line = 6;
  CaseResult other = handshake("sim", Verdict::Pass);
  other.name = "tcp/rst_closed_port.pkt";
  other.rfc = "RFC 9293 §3.10.7.1";
  return {fail, handshake("kernel", Verdict::XFail), other};
}

TEST(Html, IsAWellFormedSelfContainedPage) {
  const std::string page = html(two_duts());
  EXPECT_THAT(page, ::testing::StartsWith("<!DOCTYPE html>\n<html lang=\"en\">"));
  EXPECT_TRUE(balanced_tags(page, kVoid));
  EXPECT_THAT(page, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(page, HasSubstr("<style>"));
  EXPECT_THAT(page, HasSubstr("prefers-color-scheme:dark"));
  // Nothing fetched from elsewhere.
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("src=")));
  // The only URL is the SVG namespace name (not fetched).
  EXPECT_EQ(count(page, "http"), count(page, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(page, Not(HasSubstr("<link")));
}

TEST(Html, MatrixHasOneRowPerCaseAndOneColumnPerDut) {
  const std::string page = html(two_duts());
  EXPECT_THAT(page, HasSubstr("<table class=\"matrix\">\n<thead><tr><th>case</th><th>RFC</th><th>sim</th>"
                              "<th>kernel</th></tr></thead>"));
  EXPECT_THAT(page, HasSubstr("<td class=\"mono\">tcp/passive_open_handshake.pkt</td><td>RFC 9293 §3.5</td>"
                              "<td class=\"v v-fail\" title=\"missing option mss\"><a href=\"#case-0\">fail</a>"
                              "</td><td class=\"v v-xfail\" title=\"kernel sends no MSS here\">"
                              "<a href=\"#case-1\">xfail</a></td></tr>"));
  // The second case did not run on kernel.
  EXPECT_THAT(page, HasSubstr("<td class=\"v v-pass\"><a href=\"#case-2\">pass</a></td><td class=\"v v-none\">&ndash;</td></tr>"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(page, HasSubstr(fmt::format("<section class=\"case\" id=\"case-{}\">", i)));
  }
}

TEST(Html, RfcTable) {
  const std::string page = html(two_duts());
  EXPECT_THAT(page, HasSubstr("<h2 id=\"rfcs\">By RFC</h2>"));
  // §3.5: sim 0/1 (a failure), kernel 1/1 (an xfail), all 1/2.
  EXPECT_THAT(page, HasSubstr("<tr><td>RFC 9293 §3.5</td><td class=\"bad\""));
  EXPECT_THAT(page, HasSubstr(">0/1</td><td class=\"ok\""));
  EXPECT_THAT(page, HasSubstr(">1/2</td><td>0</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td></tr>"));
  EXPECT_THAT(page, HasSubstr("<tr><td>RFC 9293 §3.10.7.1</td>"));
}

TEST(Html, CaseSectionExplainsTheMismatch) {
  const std::string page = html(two_duts());
  EXPECT_THAT(page, HasSubstr("<span class=\"badge v v-fail\">FAIL</span>"));
  EXPECT_THAT(page, HasSubstr("<dt>line</dt><dd>6</dd><dt>expected</dt><dd><code>S. 0:0(0) ack 1 &lt;mss 1460&gt;"
                              "</code></dd><dt>actual</dt><dd><code>S. 0:0(0) ack 1 win 65535</code></dd>"));
  // The script with line 6 highlighted, once for the failing case only.
  EXPECT_THAT(page, HasSubstr("<span class=\"l hl\"><span class=\"n\">6</span>+0 &gt; S. 0:0(0) ack 1 "
                              "&lt;mss 1460&gt;</span>"));
  EXPECT_EQ(count(page, "class=\"l hl\""), 1u);  // the xfail's line 9 is past the script's end
  EXPECT_EQ(count(page, "<svg "), 3u);
  EXPECT_THAT(page, HasSubstr("<summary>Syscalls (2)</summary>"));
  EXPECT_THAT(page, HasSubstr("<td class=\"mono\">listen(3, 1) = 0</td>"));
}

TEST(Html, PcapLinkDecodesToTheCapture) {
  const auto rs = two_duts();
  const std::string page = html(rs);
  const std::string prefix = "href=\"data:application/vnd.tcpdump.pcap;base64,";
  std::size_t at = page.find(prefix);
  ASSERT_NE(at, std::string::npos);
  at += prefix.size();
  const std::string b64 = page.substr(at, page.find('"', at) - at);
  const auto bytes = base64_decode(b64);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(*bytes, rs[0].pcap);
  EXPECT_EQ(bytes->size(), 24u + 3 * (16 + 54));
  EXPECT_THAT(page, HasSubstr("download=\"sim-tcp_passive_open_handshake.pcap\""));
  EXPECT_EQ(count(page, prefix), 3u);
}

TEST(Html, LargeCapturesAreNotEmbedded) {
  auto rs = two_duts();
  rs[0].pcap.resize(300 * 1024, 0xab);
  HtmlOptions o;
  o.link_pcap_files = true;
  const std::string page = html(rs, o);
  EXPECT_EQ(count(page, "base64,"), 2u);
  EXPECT_THAT(page, HasSubstr("is larger than 256 KiB and is not embedded"));
  EXPECT_THAT(page, HasSubstr("<a href=\"pcaps/sim/tcp/passive_open_handshake.pcap\">"));
  EXPECT_LT(page.size(), 200u * 1024);
}

TEST(Html, EscapesEverythingFromTheRunner) {
  CaseResult r = handshake("<dut>", Verdict::Error);
  r.name = "a<b>&\"c'.pkt";
  r.message = "<script>alert('x')</script> & \"q\"";
  r.rfc = "RFC <1>";
  r.file = "missing.pkt";
  r.packets[0].summary = "<evil> & 'summary'";
  r.calls[0].text = "write(3, \"<b>\", 3) = 3";
  const std::string page = html({r});
  EXPECT_TRUE(balanced_tags(page, kVoid));
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("<evil>")));
  EXPECT_THAT(page, Not(HasSubstr("<b>")));
  EXPECT_THAT(page, Not(HasSubstr("<dut>")));
  EXPECT_THAT(page, HasSubstr("a&lt;b&gt;&amp;&quot;c&#39;.pkt"));
  EXPECT_THAT(page, HasSubstr("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"));
  EXPECT_THAT(page, HasSubstr("The script text is not available."));
}

TEST(Html, EmptyRunAndCaseWithoutPackets) {
  EXPECT_THAT(html({}), HasSubstr("No cases were run."));
  CaseResult r = handshake("sim", Verdict::Skip);
  r.packets.clear();
  r.calls.clear();
  r.pcap.clear();
  const std::string page = html({r});
  EXPECT_TRUE(balanced_tags(page, kVoid));
  EXPECT_THAT(page, HasSubstr("No capture."));
  EXPECT_THAT(page, HasSubstr("no packets exchanged"));
}

TEST(Html, ScriptsAreFetchedOncePerFile) {
  std::map<std::string, int> fetched;
  HtmlOptions o;
  o.script_text = [&](const std::string& f) -> std::optional<std::string> {
    ++fetched[f];
    return std::string(kScript);
  };
  (void)html(two_duts(), o);
  EXPECT_EQ(fetched.size(), 1u);
  EXPECT_EQ(fetched.begin()->second, 1);
}

}  // namespace
}  // namespace synack::conformance

// The SVG ladder diagram: rows, directions, colours, highlight, escaping.
#include "conformance/report/ladder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "conformance/report/test_cases.h"

namespace synack::conformance {
namespace {

using testing::balanced_tags;
using testing::count;
using testing::handshake;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(Ladder, OneArrowPerPacketBetweenTwoLifelines) {
  const CaseResult r = handshake("sim", Verdict::Pass);
  const std::string svg = ladder_svg(r);
  EXPECT_THAT(svg, ::testing::StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(svg, ::testing::EndsWith("</svg>"));
  EXPECT_TRUE(balanced_tags(svg)) << svg;
  EXPECT_EQ(count(svg, "<polygon "), 3u);       // one arrowhead per packet
  EXPECT_EQ(count(svg, "<circle "), 2u);        // one note per syscall
  EXPECT_EQ(count(svg, "stroke-width=\"2\"/>"), 2u);  // the two lifelines
  EXPECT_THAT(svg, HasSubstr(">script</text>"));
  EXPECT_THAT(svg, HasSubstr(">DUT (sim)</text>"));
  // Injected frames go left to right in blue, the DUT's right to left in orange.
  EXPECT_THAT(svg, HasSubstr("<line x1=\"150\" y1=\"119\" x2=\"692\" y2=\"119\" stroke=\"#2f7fd8\""));
  EXPECT_THAT(svg, HasSubstr("<line x1=\"700\" y1=\"149\" x2=\"158\" y2=\"149\" stroke=\"#d9822b\""));
  EXPECT_THAT(svg, HasSubstr(">S. 1000:1000(0) ack 1 win 65535</text>"));
  EXPECT_THAT(svg, HasSubstr(">0.100050</text>"));
  EXPECT_THAT(svg, Not(HasSubstr("#d93a3a")));  // nothing highlighted on a pass
  EXPECT_THAT(svg, Not(HasSubstr(" id=")));     // safe to embed many times
}

TEST(Ladder, RowsFollowTimeThenScriptLine) {
  CaseResult r = handshake("sim", Verdict::Pass);
  r.calls.push_back({100000, "accept(3, ..., ...) = 4", 11});  // after the SYN at the same instant
  r.calls.insert(r.calls.begin(), {100000, "early(3) = 0", 7});  // before it (line 7 < 8)
  std::rotate(r.calls.begin(), r.calls.begin() + 1, r.calls.end() - 1);  // keep time order
  const std::string svg = ladder_svg(r);
  const auto at = [&](std::string_view s) { return svg.find(s); };
  EXPECT_LT(at("listen(3, 1)"), at("early(3)"));
  EXPECT_LT(at("early(3)"), at(">S 0:0(0)"));
  EXPECT_LT(at(">S 0:0(0)"), at("accept(3"));
  EXPECT_LT(at("accept(3"), at(">S. 1000"));
}

TEST(Ladder, HighlightsTheMismatchingPacket) {
  const CaseResult r = handshake("sim", Verdict::Fail);  // line 9: the SYN-ACK
  const std::string svg = ladder_svg(r);
  EXPECT_EQ(count(svg, "<rect "), 1u);
  EXPECT_THAT(svg, HasSubstr("<line x1=\"700\" y1=\"149\" x2=\"158\" y2=\"149\" stroke=\"#d93a3a\" "
                             "stroke-width=\"2.5\"/>"));
  CaseResult unknown = r;
  unknown.line = 42;  // no packet matched that line: nothing highlighted
  EXPECT_EQ(count(ladder_svg(unknown), "<rect "), 0u);
}

TEST(Ladder, EscapesAndShortensLabels) {
  CaseResult r = handshake("<k&>", Verdict::Pass);
  r.packets[0].summary = "P. 1:2(1) <nop,sack 1:2> & 'x' \"y\"";
  r.packets[1].summary = std::string(200, 'a');
  const std::string svg = ladder_svg(r);
  EXPECT_TRUE(balanced_tags(svg));
  EXPECT_THAT(svg, HasSubstr(">P. 1:2(1) &lt;nop,sack 1:2&gt; &amp; &#39;x&#39; &quot;y&quot;</text>"));
  EXPECT_THAT(svg, HasSubstr("DUT (&lt;k&amp;&gt;)"));
  EXPECT_THAT(svg, HasSubstr(">" + std::string(80, 'a') + "\xE2\x80\xA6</text>"));
  EXPECT_THAT(svg, HasSubstr("<title>DUT sent " + std::string(200, 'a')));  // full text on hover
}

// The SVG is XML on its own: a real parser accepts it when the machine has one.
TEST(Ladder, XmllintAcceptsIt) {
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint not installed";
  CaseResult r = handshake("sim", Verdict::Fail);
  r.packets[0].summary = "<odd> & \x01 \xff";
  const auto path = std::filesystem::temp_directory_path() / ("ladder_test_" + std::to_string(::getpid()) + ".svg");
  std::ofstream(path) << ladder_svg(r);
  const int rc = std::system(("xmllint --noout '" + path.string() + "'").c_str());
  std::filesystem::remove(path);
  EXPECT_EQ(rc, 0);
}

TEST(Ladder, EmptyCase) {
  CaseResult r;
  r.dut = "sim";
  const std::string svg = ladder_svg(r);
  EXPECT_TRUE(balanced_tags(svg));
  EXPECT_THAT(svg, HasSubstr("no packets exchanged"));
}

}  // namespace
}  // namespace synack::conformance

// The progress display: per-case lines, the terminal bar, the totals line.
#include "conformance/report/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "conformance/report/test_cases.h"

namespace synack::conformance {
namespace {

using testing::handshake;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(TotalsLine, ExactFormat) {
  Tally t;
  EXPECT_EQ(totals_line(t), "conformance: 0 passed, 0 failed");
  t.pass = 9;
  t.fail = 1;
  t.xpass = 1;
  EXPECT_EQ(totals_line(t), "conformance: 9 passed, 2 failed");
  t.xfail = 3;
  EXPECT_EQ(totals_line(t), "conformance: 9 passed, 2 failed, 3 xfail, 0 skipped, 0 errors");
  t.error = 2;
  t.skip = 4;
  EXPECT_EQ(totals_line(t), "conformance: 9 passed, 4 failed, 3 xfail, 4 skipped, 2 errors");
}

TEST(Progress, OneLinePerCaseWithoutATerminal) {
  std::ostringstream out;
  Progress p(out, false, 3);
  CaseResult pass = handshake("sim", Verdict::Pass);
  pass.seconds = 0.01;
  CaseResult fail = handshake("sim", Verdict::Fail);
  fail.message = "missing option mss\n(second line)";
  CaseResult skip = handshake("kernel", Verdict::Skip);
  p.started(pass.name, pass.dut);
  p.finished(pass);
  p.started(fail.name, fail.dut);
  p.started(skip.name, skip.dut);
  p.finished(fail);
  p.finished(skip);
  p.done();
  p.done();  // idempotent
  EXPECT_EQ(out.str(),
            "PASS sim tcp/passive_open_handshake.pkt (0.010s)\n"
            "FAIL sim tcp/passive_open_handshake.pkt (0.013s): line 9: missing option mss (second line)\n"
            "SKIP kernel tcp/passive_open_handshake.pkt (0.013s): kernel DUT needs root\n"
            "conformance: 1 passed, 1 failed, 0 xfail, 1 skipped, 0 errors\n");
  EXPECT_EQ(p.counts().total(), 3u);
}

TEST(Progress, RedrawsOneLineOnATerminal) {
  std::ostringstream out;
  Progress p(out, true, 4);
  p.started("tcp/a.pkt", "sim");
  p.finished(handshake("sim", Verdict::Pass));
  p.started("tcp/b.pkt", "sim");
  p.finished(handshake("sim", Verdict::Fail));
  p.done();
  const std::string bar0(16, '.');
  const std::string bar1 = std::string(4, '#') + std::string(12, '.');
  const std::string bar2 = std::string(8, '#') + std::string(8, '.');
  EXPECT_EQ(out.str(),
            "\r\x1b[K[" + bar0 + "] 0/4 pass 0 fail 0 xfail 0 skip 0 | tcp/a.pkt (sim)" +
            "\r\x1b[K[" + bar1 + "] 1/4 pass 1 fail 0 xfail 0 skip 0" +
            "\r\x1b[K[" + bar1 + "] 1/4 pass 1 fail 0 xfail 0 skip 0 | tcp/b.pkt (sim)" +
            // Only results that need attention get a line of their own.
            "\r\x1b[KFAIL sim tcp/passive_open_handshake.pkt (0.013s): line 9: missing option mss\n" +
            "\r\x1b[K[" + bar2 + "] 2/4 pass 1 fail 1 xfail 0 skip 0" +
            "\r\x1b[Kconformance: 1 passed, 1 failed\n");
}

TEST(Progress, LongNamesDoNotWrapTheStatusLine) {
  std::ostringstream out;
  Progress p(out, true, 1);
  p.started(std::string(100, 'n') + "/end.pkt", "kernel");
  EXPECT_THAT(out.str(), HasSubstr(" | ...nnn"));
  EXPECT_THAT(out.str(), ::testing::EndsWith("/end.pkt (kernel)"));
  EXPECT_LE(out.str().size(), 4u + 80u);  // "\r\x1b[K" and one terminal row
}

}  // namespace
}  // namespace synack::conformance

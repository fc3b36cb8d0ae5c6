// The packetdrill runner against the Linux kernel (the reference DUT): every
// suite script passes (or carries an xfail-kernel with a reason), and the
// must-fail scripts fail here too. Skipped without root.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "conformance/runner/runner.h"

namespace synack::conformance {
namespace {

namespace fs = std::filesystem;

std::string explain(const CaseResult& r) {
  std::string s = r.name + " [" + std::string(to_string(r.verdict)) + "] " + r.message + "\n";
  for (const auto& p : r.packets) s += "  " + std::to_string(p.t_us) + "us " + p.summary + "\n";
  for (const auto& c : r.calls) s += "  " + std::to_string(c.t_us) + "us " + c.text + "\n";
  return s;
}

CaseResult run_kernel(const std::string& text) { return run_script_text(RunOptions{}, text, "kernel"); }

bool skipped(const CaseResult& r) { return r.verdict == Verdict::Skip; }

TEST(RunnerKernel, EverySuiteScriptIsAsExpected) {
  fs::path root = fs::path(SYNACK_SOURCE_DIR) / "conformance";
  std::vector<fs::path> scripts;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.path().extension() == ".pkt") scripts.push_back(e.path());
  std::sort(scripts.begin(), scripts.end());
  ASSERT_FALSE(scripts.empty());
  for (const auto& p : scripts) {
    CaseResult r = run_case(RunOptions{}, p, root, "kernel");
    if (skipped(r)) GTEST_SKIP() << r.message;
    // The kernel runs in real time on a shared machine: a case whose packet
    // misses its tolerance because another process held the CPU is run again
    // (twice at most). A real difference fails every run.
    for (int retry = 0; retry < 2 && !as_expected(r.verdict); ++retry) {
      std::printf("re-running after a kernel-DUT miss: %s", explain(r).c_str());
      r = run_case(RunOptions{}, p, root, "kernel");
    }
    EXPECT_TRUE(as_expected(r.verdict)) << explain(r);
  }
}

constexpr const char* kPassiveOpen =
    "// RFC 9293 §3.5: test prologue\n"
    "--tolerance_usecs=10000\n"
    "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
    "+0  bind(3, ..., ...) = 0\n"
    "+0  listen(3, 1) = 0\n"
    "+0  < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"
    "+0  > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 7>\n"
    "+.1 < . 1:1(0) ack 1 win 257\n"
    "+0  accept(3, ..., ...) = 4\n";

TEST(RunnerKernel, PassiveOpenPasses) {
  CaseResult r = run_kernel(kPassiveOpen);
  if (skipped(r)) GTEST_SKIP() << r.message;
  EXPECT_EQ(r.verdict, Verdict::Pass) << explain(r);
}

TEST(RunnerKernel, WrongErrnoFails) {
  CaseResult r = run_kernel(std::string(kPassiveOpen) + "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n" +
                            "+0 read(4, ..., 1000) = -1 ECONNRESET\n");
  if (skipped(r)) GTEST_SKIP() << r.message;
  ASSERT_EQ(r.verdict, Verdict::Fail) << explain(r);
  EXPECT_EQ(r.line, 12);
  EXPECT_NE(r.message.find("EAGAIN"), std::string::npos) << r.message;
}

TEST(RunnerKernel, MissingPacketFails) {
  CaseResult r = run_kernel(std::string(kPassiveOpen) + "+0 > P. 1:11(10) ack 1\n");
  if (skipped(r)) GTEST_SKIP() << r.message;
  ASSERT_EQ(r.verdict, Verdict::Fail) << explain(r);
  EXPECT_EQ(r.line, 11);
  EXPECT_NE(r.message.find("got no packet"), std::string::npos) << r.message;
}

TEST(RunnerKernel, WrongFlagsFail) {
  CaseResult r = run_kernel(std::string(kPassiveOpen) + "+0 close(4) = 0\n+0 > R. 1:1(0) ack 1\n");
  if (skipped(r)) GTEST_SKIP() << r.message;
  ASSERT_EQ(r.verdict, Verdict::Fail) << explain(r);
  EXPECT_EQ(r.line, 12);
  EXPECT_NE(r.message.find("expected R. 1:1(0) ack 1 at "), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("got F. 1:1(0) ack 1"), std::string::npos) << r.message;
}

TEST(RunnerKernel, PacketTooEarlyFails) {
  CaseResult r = run_kernel(std::string(kPassiveOpen) + "+0 close(4) = 0\n+.05 > F. 1:1(0) ack 1\n");
  if (skipped(r)) GTEST_SKIP() << r.message;
  ASSERT_EQ(r.verdict, Verdict::Fail) << explain(r);
  EXPECT_EQ(r.line, 12);
  EXPECT_NE(r.message.find("too early"), std::string::npos) << r.message;
}

TEST(RunnerKernel, UnexpectedPacketFails) {
  CaseResult r = run_kernel(std::string(kPassiveOpen) + "+0 close(4) = 0\n+.1 < . 1:1(0) ack 1 win 257\n");
  if (skipped(r)) GTEST_SKIP() << r.message;
  ASSERT_EQ(r.verdict, Verdict::Fail) << explain(r);
  EXPECT_EQ(r.line, 12);
  EXPECT_NE(r.message.find("unexpected packet"), std::string::npos) << r.message;
}

TEST(RunnerKernel, BlockingAcceptWaitsForTheHandshake) {
  CaseResult r = run_kernel(
      "// RFC 9293 §3.5: blocking accept\n"
      "--tolerance_usecs=10000\n"
      "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0  bind(3, ..., ...) = 0\n"
      "+0  listen(3, 1) = 0\n"
      "+0...0.2 accept(3, ..., ...) = 4\n"
      "+.1 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"
      "+0  > S. 0:0(0) ack 1 <...>\n"
      "+.1 < . 1:1(0) ack 1 win 257\n"
      "+0  close(4) = 0\n"
      "+0  > F. 1:1(0) ack 1\n");
  if (skipped(r)) GTEST_SKIP() << r.message;
  EXPECT_EQ(r.verdict, Verdict::Pass) << explain(r);
}

}  // namespace
}  // namespace synack::conformance

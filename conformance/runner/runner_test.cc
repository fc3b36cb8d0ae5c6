// The packetdrill runner on the simulated DUT: every suite script passes (or
// carries an honest xfail-sim), and scripts that must fail do fail with the
// right explanation.
#include "conformance/runner/runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace synack::conformance {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> suite_scripts() {
  std::vector<fs::path> out;
  fs::path root = fs::path(SYNACK_SOURCE_DIR) / "conformance";
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.path().extension() == ".pkt") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string explain(const CaseResult& r) {
  std::string s = r.name + " [" + std::string(to_string(r.verdict)) + "] " + r.message + "\n";
  for (const auto& p : r.packets) s += "  " + std::to_string(p.t_us) + "us " + p.summary + "\n";
  for (const auto& c : r.calls) s += "  " + std::to_string(c.t_us) + "us " + c.text + "\n";
  return s;
}

TEST(RunnerSim, EverySuiteScriptIsAsExpected) {
  auto scripts = suite_scripts();
  ASSERT_FALSE(scripts.empty());
  fs::path root = fs::path(SYNACK_SOURCE_DIR) / "conformance";
  for (const auto& p : scripts) {
    CaseResult r = run_case(RunOptions{}, p, root, "sim");
    EXPECT_TRUE(as_expected(r.verdict)) << explain(r);
    EXPECT_FALSE(r.rfc.empty()) << r.name << ": first line must name the RFC section";
    EXPECT_EQ(r.dut, "sim");
  }
}

// A listener with a handshake done, shared by the must-fail scripts.
constexpr const char* kPassiveOpen =
    "// RFC 9293 §3.5: test prologue\n"
    "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
    "+0  bind(3, ..., ...) = 0\n"
    "+0  listen(3, 1) = 0\n"
    "+0  < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"
    "+0  > S. 0:0(0) ack 1 <...>\n"
    "+.1 < . 1:1(0) ack 1 win 257\n"
    "+0  accept(3, ..., ...) = 4\n";

CaseResult run_sim(const std::string& text) { return run_script_text(RunOptions{}, text, "sim"); }

TEST(RunnerSim, PassiveOpenPassesAndRecords) {
  CaseResult r = run_sim(kPassiveOpen);
  ASSERT_EQ(r.verdict, Verdict::Pass) << explain(r);
  EXPECT_EQ(r.rfc, "RFC 9293 §3.5");
  ASSERT_GE(r.packets.size(), 3u);
  auto syn = std::find_if(r.packets.begin(), r.packets.end(), [](const PacketRecord& p) { return p.script_line == 6; });
  ASSERT_NE(syn, r.packets.end());
  EXPECT_FALSE(syn->from_dut);
  EXPECT_EQ(syn->summary.substr(0, 4), "< S ");
  EXPECT_EQ(r.calls.size(), 5u);
  EXPECT_EQ(r.calls[4].text, "accept(3, ..., ...) = 4");
  EXPECT_GT(r.pcap.size(), 24u);
}

TEST(RunnerSim, WrongErrnoFails) {
  CaseResult r = run_sim(std::string(kPassiveOpen) + "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n" +
                         "+0 read(4, ..., 1000) = -1 ECONNRESET\n");
  ASSERT_EQ(r.verdict, Verdict::Fail) << explain(r);
  EXPECT_EQ(r.line, 11);
  EXPECT_NE(r.message.find("EAGAIN"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("ECONNRESET"), std::string::npos) << r.message;
}

TEST(RunnerSim, MissingPacketFails) {
  CaseResult r = run_sim(std::string(kPassiveOpen) + "+0 > P. 1:11(10) ack 1\n");
  ASSERT_EQ(r.verdict, Verdict::Fail) << explain(r);
  EXPECT_EQ(r.line, 10);
  EXPECT_NE(r.message.find("got no packet"), std::string::npos) << r.message;
}

TEST(RunnerSim, WrongFlagsFail) {
  CaseResult r = run_sim(std::string(kPassiveOpen) + "+0 close(4) = 0\n+0 > R. 1:1(0) ack 1\n");
  ASSERT_EQ(r.verdict, Verdict::Fail) << explain(r);
  EXPECT_EQ(r.line, 11);
  EXPECT_NE(r.message.find("expected R. 1:1(0) ack 1 at 0.100s, got F. 1:1(0) ack 1"), std::string::npos)
      << r.message;
  EXPECT_EQ(r.actual.substr(0, 2), "F.");
}

TEST(RunnerSim, PacketTooEarlyFails) {
  CaseResult r = run_sim(std::string(kPassiveOpen) + "+0 close(4) = 0\n+.05 > F. 1:1(0) ack 1\n");
  ASSERT_EQ(r.verdict, Verdict::Fail) << explain(r);
  EXPECT_EQ(r.line, 11);
  EXPECT_NE(r.message.find("too early"), std::string::npos) << r.message;
}

TEST(RunnerSim, UnexpectedPacketFails) {
  CaseResult r = run_sim(std::string(kPassiveOpen) + "+0 close(4) = 0\n+.1 < . 1:1(0) ack 1 win 257\n");
  ASSERT_EQ(r.verdict, Verdict::Fail) << explain(r);
  EXPECT_EQ(r.line, 11);
  EXPECT_NE(r.message.find("unexpected packet"), std::string::npos) << r.message;
}

TEST(RunnerSim, UnsupportedCallIsAnError) {
  CaseResult r = run_sim(std::string(kPassiveOpen) + "+0 sendmsg(4, {}, 0) = 0\n");
  ASSERT_EQ(r.verdict, Verdict::Error) << explain(r);
  EXPECT_EQ(r.line, 10);
  EXPECT_NE(r.message.find("sendmsg"), std::string::npos);
}

TEST(RunnerSim, XfailTurnsFailIntoXFailAndPassIntoXPass) {
  CaseResult f = run_script_text(RunOptions{}, std::string(kPassiveOpen) + "+0 > P. 1:11(10) ack 1\n", "sim",
                                 "x.pkt", std::string("known bug"));
  EXPECT_EQ(f.verdict, Verdict::XFail);
  EXPECT_NE(f.message.find("known bug"), std::string::npos);
  CaseResult p = run_script_text(RunOptions{}, kPassiveOpen, "sim", "x.pkt", std::string("known bug"));
  EXPECT_EQ(p.verdict, Verdict::XPass);
}

TEST(RunnerSim, BlockingAcceptWaitsForTheHandshake) {
  CaseResult r = run_sim(
      "// RFC 9293 §3.5: blocking accept\n"
      "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0  bind(3, ..., ...) = 0\n"
      "+0  listen(3, 1) = 0\n"
      "+0...0.2 accept(3, ..., ...) = 4\n"
      "+.1 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"
      "+0  > S. 0:0(0) ack 1 <...>\n"
      "+.1 < . 1:1(0) ack 1 win 257\n"
      "+0  close(4) = 0\n"
      "+0  > F. 1:1(0) ack 1\n");
  EXPECT_EQ(r.verdict, Verdict::Pass) << explain(r);
}

// Struct arguments ({l_onoff=.., l_linger=..}, pollfd, sockaddr_in) reach
// the DUT by field value (they once threw std::out_of_range).
TEST(RunnerSim, StructArgumentsAreEvaluated) {
  CaseResult r = run_sim(std::string(kPassiveOpen) +
                         "+0 poll([{fd=4, events=POLLOUT, revents=POLLOUT}], 1, 0) = 1\n"
                         "+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n"
                         "+0 close(4) = 0\n"
                         "+0 > R. 1:1(0) ack 1\n"
                         "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 5\n"
                         "+0 bind(5, {sin_family=AF_INET, sin_port=htons(9000), sin_addr=inet_addr(\"0.0.0.0\")}, 16) = 0\n");
  EXPECT_EQ(r.verdict, Verdict::Pass) << explain(r);
}

// A %{ }% block after accept() reads the accepted connection, not the listener.
TEST(RunnerSim, TcpInfoAfterAcceptReadsTheConnection) {
  CaseResult r = run_sim(std::string(kPassiveOpen) + "+0 %{ assert tcpi_state == 1 }%\n");
  EXPECT_EQ(r.verdict, Verdict::Pass) << explain(r);
}

TEST(RunnerSim, ParseErrorIsAnError) {
  CaseResult r = run_sim("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 > S 0:0(0) bogus\n");
  EXPECT_EQ(r.verdict, Verdict::Error);
  EXPECT_EQ(r.line, 2);
}

}  // namespace
}  // namespace synack::conformance

// The packetdrill runner on the simulated DUT: every suite script passes (or
// carries an honest xfail-sim), and scripts that must fail do fail with the
// right explanation.
#include "conformance/runner/runner.h"
#include "conformance/runner/matcher.h"
#include "conformance/runner/sim_dut.h"

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
TEST(RunnerSim, TcpInfoAfterAcceptReadsTheAcceptedSocket) {
  CaseResult r = run_sim(std::string(kPassiveOpen) + "+0  %{ assert tcpi_state == 1 }%\n");
  EXPECT_EQ(r.verdict, Verdict::Pass) << explain(r);
}

TEST(RunnerSim, RstAckWithAbsoluteZeroSeqMatchesSeqZero) {
  // A listener's child closed by the script peer's own RST, then a SYN with a
  // new sequence number: the RST,ACK that a closed port sends carries the
  // absolute sequence number 0 although the DUT's ISN is known by then.
  CaseResult r = run_sim(
      "// RFC 9293 §3.10.7.1: RST,ACK with absolute sequence number 0\n"
      "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0  bind(3, ..., ...) = 0\n"
      "+0  listen(3, 1) = 0\n"
      "+0  < S 0:0(0) win 32792 <mss 1000>\n"
      "+0  > S. 0:0(0) ack 1 <...>\n"
      "+0  close(3) = 0\n"
      "+0  > R. 1:1(0) ack 1\n"
      "+.1 < S 100:100(0) win 32792 <mss 1000>\n"
      "+0  > R. 0:0(0) ack 101\n");
  EXPECT_EQ(r.verdict, Verdict::Pass) << explain(r);
}

TEST(RunnerSim, ParseErrorIsAnError) {
  CaseResult r = run_sim("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 > S 0:0(0) bogus\n");
  EXPECT_EQ(r.verdict, Verdict::Error);
  EXPECT_EQ(r.line, 2);
}

TEST(RunnerSim, TcpInfoAfterAcceptReadsTheConnection) {
  CaseResult r = run_sim(std::string(kPassiveOpen) + "+0 %{\nassert tcpi_state == 1\n}%\n");
  EXPECT_EQ(r.verdict, Verdict::Pass) << explain(r);
}

TEST(RunnerSim, IgnorePshOptionMasksOnlyPsh) {
  std::string body = std::string(kPassiveOpen) + "+0 write(4, ..., 100) = 100\n+0 > . 1:101(100) ack 1\n";
  CaseResult strict = run_sim(body);
  EXPECT_EQ(strict.verdict, Verdict::Fail) << explain(strict);
  CaseResult lenient = run_sim("--ignore_psh\n" + body);
  EXPECT_EQ(lenient.verdict, Verdict::Pass) << explain(lenient);
  CaseResult flags = run_sim("--ignore_psh\n" + std::string(kPassiveOpen) +
                             "+0 write(4, ..., 100) = 100\n+0 > F. 1:101(100) ack 1\n");
  EXPECT_EQ(flags.verdict, Verdict::Fail) << explain(flags);
}

TEST(RunnerSim, InjectedUdpChecksumZeroOrBad) {
  UdpPacketEvent ev{Direction::Inbound, {}, {}, 10};
  wire::MacAddress mac{{2, 0, 0, 0, 0, 1}};
  Bytes good = build_udp_frame(ev, SeqState{}, mac);
  ev.checksum = UdpChecksum::Zero;
  Bytes zero = build_udp_frame(ev, SeqState{}, mac);
  ev.checksum = UdpChecksum::Bad;
  Bytes bad = build_udp_frame(ev, SeqState{}, mac);
  constexpr std::size_t kCsum = 14 + 20 + 6;
  EXPECT_NE(good[kCsum] | good[kCsum + 1], 0);
  EXPECT_EQ(zero[kCsum] | zero[kCsum + 1], 0);
  EXPECT_NE(bad[kCsum] | bad[kCsum + 1], 0);
  EXPECT_TRUE(bad[kCsum] != good[kCsum] || bad[kCsum + 1] != good[kCsum + 1]);
}

TEST(RunnerSim, SysctlCongestionControlSetsTheDefault) {
  iface::StackConfig cfg;
  EXPECT_TRUE(apply_sysctl("sysctl -q net.ipv4.tcp_congestion_control=reno", cfg));
  EXPECT_EQ(cfg.tcp.congestion, tcp::CcAlgorithm::NewReno);
  EXPECT_TRUE(apply_sysctl("sysctl -q net.ipv4.tcp_congestion_control=cubic", cfg));
  EXPECT_EQ(cfg.tcp.congestion, tcp::CcAlgorithm::Cubic);
  EXPECT_FALSE(apply_sysctl("sysctl -q net.ipv4.tcp_congestion_control=bbr", cfg));
  EXPECT_EQ(cfg.tcp.congestion, tcp::CcAlgorithm::Cubic);
}

TEST(RunnerSim, SysctlAppliesEveryAssignmentOfOneCommand) {
  iface::StackConfig cfg;
  EXPECT_TRUE(apply_sysctl("sysctl -q net.ipv4.tcp_frto=0 net.ipv4.tcp_retries2=3 net.ipv4.tcp_sack=0", cfg));
  EXPECT_EQ(cfg.tcp.retries2, 3);
  EXPECT_FALSE(cfg.tcp.sack);
}

}  // namespace
}  // namespace synack::conformance

// `synack replay` (harness/cli/cmd_replay.cc) on the simulated DUT, run both
// in process and through the built binary: the --app, --listen, --report,
// --json and --expect-match flags, and exit 2 with a one-line reason for
// every unusable capture (no traffic for the address, truncated, other link
// type, one-sided) and every bad argument.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

#include "harness/cli/cli_test_run.h"
#include "harness/pcap/pcap_writer.h"
#include "harness/replay/test_frames.h"

namespace synack::cli {
namespace {

using testing::CliRun;
using testing::describe;
using testing::read_text;
using testing::Runner;
using testing::TempDir;

std::string capture(const char* file) { return std::string(SYNACK_SOURCE_DIR) + "/corpus/captures/" + file; }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

void write_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

class ReplayCli : public ::testing::TestWithParam<Runner> {
 protected:
  CliRun run(const std::vector<std::string>& args) {
    std::vector<std::string> full{"replay"};
    full.insert(full.end(), args.begin(), args.end());
    return testing::run_cli(GetParam(), full);
  }
  // A usage error: exit 2, nothing replayed, and the reason on stderr.
  void expect_refused(const std::vector<std::string>& args, const std::string& reason) {
    CliRun r = run(args);
    EXPECT_EQ(r.status, 2) << describe(r);
    EXPECT_TRUE(contains(r.err, reason)) << "expected '" << reason << "'\n" << describe(r);
    EXPECT_FALSE(contains(r.out, "exchanges")) << describe(r);
  }
};

// The HTTP server side of http.pcapng: the `capture` application (the
// default) sends exactly what the captured server sent, so every exchange
// matches on sim.
TEST_P(ReplayCli, CaptureAppMatchesTheHttpServer) {
  for (bool explicit_app : {false, true}) {
    std::vector<std::string> args{capture("http.pcapng"), "--as", "10.200.0.2", "--expect-match"};
    if (explicit_app) args.insert(args.end(), {"--app", "capture"});
    CliRun r = run(args);
    EXPECT_EQ(r.status, 0) << describe(r);
    EXPECT_TRUE(contains(r.out, "on sim: 14 frames, 7 injected, app capture, listening on 80")) << describe(r);
    EXPECT_TRUE(contains(r.out, "replay: 7 exchanges, 7 match, 0 differ")) << describe(r);
    EXPECT_FALSE(contains(r.out, "DIFFER")) << describe(r);
    EXPECT_EQ(r.err, "");
  }
}

// The senders of udp_unreach.pcap and icmp_frag.pcap: the `capture`
// application sends the captured datagrams and echo requests, and notes the
// port unreachable errors its sockets get; sink sends nothing, so the
// application's exchanges differ.
TEST_P(ReplayCli, CaptureAppSendsDatagramsAndEchoRequests) {
  CliRun udp = run({capture("udp_unreach.pcap"), "--as", "10.200.0.1", "--expect-match"});
  EXPECT_EQ(udp.status, 0) << describe(udp);
  EXPECT_TRUE(contains(udp.out, "note: udp 10.200.0.1:47056 10.200.0.2:9: ECONNREFUSED")) << describe(udp);
  CliRun ping = run({capture("icmp_frag.pcap"), "--as", "10.200.0.1", "--expect-match"});
  EXPECT_EQ(ping.status, 0) << describe(ping);
  EXPECT_TRUE(contains(ping.out, "replay: 10 exchanges, 10 match, 0 differ")) << describe(ping);
  CliRun sink = run({capture("udp_unreach.pcap"), "--as", "10.200.0.1", "--app", "sink", "--expect-match"});
  EXPECT_EQ(sink.status, 1) << describe(sink);
}

// The UDP echo server of udp_echo.pcap: port 7 is bound before the first
// request, and both the capture and the echo application answer every one.
TEST_P(ReplayCli, UdpServerAnswersWithCaptureAndEcho) {
  for (const char* app : {"capture", "echo"}) {
    CliRun r = run({capture("udp_echo.pcap"), "--as", "10.200.0.2", "--app", app, "--expect-match"});
    EXPECT_EQ(r.status, 0) << app << "\n" << describe(r);
    EXPECT_TRUE(contains(r.out, std::string("app ") + app + ", listening on nothing, serving UDP on 7")) << describe(r);
    EXPECT_TRUE(contains(r.out, "#3 0.204807 10.200.0.1:40007 > 10.200.0.2:7 UDP len 1200: match (UDP 1200)"))
        << describe(r);
  }
}

// sink and echo cannot produce the server's HTTP response: the exchanges
// after the request differ, which is exit 1 only with --expect-match.
TEST_P(ReplayCli, AppsThatCannotReproduceTheCaptureDiffer) {
  for (const char* app : {"sink", "echo"}) {
    std::vector<std::string> args{capture("http.pcapng"), "--as", "10.200.0.2", "--app", app};
    CliRun r = run(args);
    EXPECT_EQ(r.status, 0) << app << "\n" << describe(r);
    EXPECT_TRUE(contains(r.out, std::string("app ") + app + ", listening on 80")) << describe(r);
    EXPECT_TRUE(contains(r.out, "replay: 7 exchanges, 3 match, 4 differ")) << app << "\n" << describe(r);
    EXPECT_TRUE(contains(r.out, ": DIFFER expected ")) << describe(r);

    args.push_back("--expect-match");
    CliRun strict = run(args);
    EXPECT_EQ(strict.status, 1) << app << "\n" << describe(strict);
    EXPECT_TRUE(contains(strict.err, "synack replay: 4 of 7 exchanges differ from the capture")) << describe(strict);
  }
}

// --listen replaces the inferred ports: on 81 only, the client's SYN to 80
// is refused with a RST where the captured server answered SYN-ACK.
TEST_P(ReplayCli, ListenOverridesTheInferredPorts) {
  CliRun off = run({capture("http.pcapng"), "--as", "10.200.0.2", "--listen", "81"});
  EXPECT_EQ(off.status, 0) << describe(off);
  EXPECT_TRUE(contains(off.out, "app capture, listening on 81\n")) << describe(off);
  EXPECT_TRUE(contains(off.out, "DIFFER expected SYN-ACK")) << describe(off);
  EXPECT_TRUE(contains(off.out, "replay: 7 exchanges, 1 match, 6 differ")) << describe(off);
  CliRun strict = run({capture("http.pcapng"), "--as", "10.200.0.2", "--listen", "81", "--expect-match"});
  EXPECT_EQ(strict.status, 1) << describe(strict);

  CliRun both = run({capture("http.pcapng"), "--as", "10.200.0.2", "--listen", "8080", "--listen", "80",
                     "--expect-match"});
  EXPECT_EQ(both.status, 0) << describe(both);
  EXPECT_TRUE(contains(both.out, "listening on 8080,80\n")) << describe(both);
  EXPECT_TRUE(contains(both.out, "replay: 7 exchanges, 7 match, 0 differ")) << describe(both);
}

// A crafted capture of a server (10.200.0.2:80) that acknowledged every
// second of four 1000-byte segments a client sent in one flight (within
// the handshake's 1 ms round trip, exchange.h). synack, on sim, in its
// quick-ACK start, acknowledges each: the exchanges of the first and the
// third segment differ in their pure ACKs alone, and by the end of the
// flight both sides told the client the same, so they match by the ACK
// flight rule, say so on their line, and are counted in the summary and
// the report.
std::string ack_flight_capture(const std::string& path) {
  namespace tf = harness::replay::testing;
  harness::PcapWriter w = harness::PcapWriter::in_memory();
  const Bytes mss{2, 4, 0x05, 0xb4};
  auto at = [](std::int64_t us) { return Instant::zero() + Duration::from_micros(us); };
  auto peer = [](tf::Tcp t) {
    t.sport = 40000;
    t.dport = 80;
    return tf::tcp_frame(t);
  };
  auto self = [](tf::Tcp t) {
    t.sport = 80;
    t.dport = 40000;
    return tf::tcp_frame(t, {.src = tf::kSelf, .dst = tf::kPeer});
  };
  bool ok = w.write(at(0), peer({.seq = 1000, .flags = 0x02, .window = 64240, .options = mss})) &&
            w.write(at(10), self({.seq = 5000, .ack = 1001, .flags = 0x12, .window = 64240, .options = mss})) &&
            w.write(at(1000), peer({.seq = 1001, .ack = 5001, .window = 64240}));
  for (std::uint32_t i = 0; i < 4; ++i) {
    std::uint32_t seq = 1001 + 1000 * i;
    ok = ok &&
         w.write(at(2000 + 20 * i), peer({.seq = seq, .ack = 5001, .flags = 0x18, .window = 64240, .payload = 1000}));
    if (i % 2 == 1) ok = ok && w.write(at(2010 + 20 * i), self({.seq = 5001, .ack = seq + 1000, .window = 64240}));
  }
  write_file(path, ok ? std::string(w.bytes().begin(), w.bytes().end()) : "");
  return path;
}

TEST_P(ReplayCli, AckFlightMatchesAreShownAndCounted) {
  TempDir dir("replay-flight");
  std::string path = dir / "flight.json";
  CliRun r = run({ack_flight_capture(dir / "flight.pcap"), "--as", "10.200.0.2", "--report", path});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "replay: 6 exchanges, 6 match, 0 differ (2 matched by their ACK flight)")) << describe(r);
  EXPECT_TRUE(contains(r.out, "#3 0.002000 10.200.0.1:40000 > 10.200.0.2:80 P. seq 1001 ack 5001 win 64240 len 1000: "
                              "match by ACK flight (nothing; got ACK ack=seq+1000 win>0)"))
      << describe(r);
  auto j = nlohmann::json::parse(read_text(path), nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["summary"]["matched_by_ack_flight"], 2);
  std::size_t flagged = 0;
  for (const auto& x : j["exchanges"])
    if (x.contains("ack_flight")) {
      ++flagged;
      EXPECT_TRUE(x["match"].get<bool>()) << x.dump();
      EXPECT_NE(x["expected"], x["actual"]) << x.dump();
    }
  EXPECT_EQ(flagged, 2u);
}

// The JSON report: the command's header, one entry per exchange (with the
// difference when there is one), the notes and the summary counts.
TEST_P(ReplayCli, ReportIsJsonOfEveryExchange) {
  TempDir dir("replay-report");
  for (const char* app : {"capture", "sink"}) {
    std::string path = dir / (std::string(app) + ".json");
    CliRun r = run({capture("http.pcapng"), "--as", "10.200.0.2", "--app", app, "--report", path});
    ASSERT_EQ(r.status, 0) << describe(r);
    auto j = nlohmann::json::parse(read_text(path), nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << read_text(path);
    EXPECT_EQ(j["capture"], capture("http.pcapng"));
    EXPECT_EQ(j["as"], "10.200.0.2");
    EXPECT_EQ(j["dut"], "sim");
    EXPECT_EQ(j["app"], app);
    EXPECT_EQ(j["listen"], nlohmann::json::array({80}));
    EXPECT_EQ(j["seed"], 1);
    ASSERT_TRUE(j["exchanges"].is_array());
    ASSERT_EQ(j["exchanges"].size(), 7u);
    std::size_t differ = 0;
    for (const auto& x : j["exchanges"]) {
      EXPECT_EQ(x["match"], !x.contains("difference")) << x.dump();
      differ += x.contains("difference") ? 1 : 0;
    }
    const std::size_t want_differ = std::string(app) == "capture" ? 0 : 4;
    EXPECT_EQ(differ, want_differ);
    EXPECT_EQ(j["summary"], (nlohmann::json{{"exchanges", 7},
                                            {"match", 7 - want_differ},
                                            {"differ", want_differ},
                                            {"matched_by_ack_flight", 0}}));
    // The handshake: probe frame 3 (after the ARP pair), answered SYN-ACK.
    const auto& syn = j["exchanges"][1];
    EXPECT_EQ(syn["probe_frame"], 3);
    EXPECT_EQ(syn["expected"], nlohmann::json::array({"SYN-ACK ack=seq+1 win>0 <mss,ws,sackOK,ts>"}));
    EXPECT_EQ(syn["actual"], syn["expected"]);
  }
}

TEST_P(ReplayCli, JsonFlagPrintsTheSummary) {
  CliRun r = run({capture("tcp_rst.pcap"), "--as", "10.200.0.2", "--json"});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "replay: 1 exchanges, 1 match, 0 differ\n{\"differ\":0,\"exchanges\":1,\"match\":1}\n"))
      << describe(r);
}

TEST_P(ReplayCli, UnwritableReportIsAUsageError) {
  CliRun r = run({capture("tcp_rst.pcap"), "--as", "10.200.0.2", "--report", "/nonexistent-synack-dir/r.json"});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "cannot write report /nonexistent-synack-dir/r.json")) << describe(r);
}

// The captures CorpusReplay.RefusesUnusableCaptures feeds build_plan, here
// through the command: exit 2 and the reason.
TEST_P(ReplayCli, RefusesUnusableCaptures) {
  TempDir dir("replay-bad");
  const std::string rst = read_text(capture("tcp_rst.pcap"));
  ASSERT_GT(rst.size(), 40u);

  expect_refused({capture("tcp_rst.pcap"), "--as", "10.9.9.9"}, "no traffic for 10.9.9.9");

  write_file(dir / "cut.pcap", rst.substr(0, rst.size() - 10));
  expect_refused({dir / "cut.pcap", "--as", "10.200.0.2"}, dir / "cut.pcap" + ": frame 2: truncated dump file");

  write_file(dir / "short.pcap", rst.substr(0, 10));
  expect_refused({dir / "short.pcap", "--as", "10.200.0.2"}, "truncated dump file");

  std::string raw = rst;
  raw[20] = 101;  // LINKTYPE_RAW (little-endian header)
  write_file(dir / "raw.pcap", raw);
  expect_refused({dir / "raw.pcap", "--as", "10.200.0.2"}, "only Ethernet (EN10MB) captures are accepted");

  // Only the replayed host's side: nothing to inject.
  namespace tf = harness::replay::testing;
  harness::PcapWriter w = harness::PcapWriter::in_memory();
  ASSERT_TRUE(w.write(Instant::zero(), tf::tcp_frame({.flags = 0x02}, {.src = tf::kSelf, .dst = tf::kPeer})));
  write_file(dir / "one_sided.pcap", std::string(w.bytes().begin(), w.bytes().end()));
  expect_refused({dir / "one_sided.pcap", "--as", "10.200.0.2"}, "one-sided");

  expect_refused({dir / "absent.pcap", "--as", "10.200.0.2"}, dir / "absent.pcap");
}

TEST_P(ReplayCli, RefusesBadArguments) {
  const std::string c = capture("tcp_rst.pcap");
  expect_refused({c, "--as", "10.200.0.2", "--dut", "qemu"}, "--dut: unknown DUT 'qemu' (sim, kernel)");
  expect_refused({c}, "--as is required");
  expect_refused({"--as", "10.200.0.2"}, "CAPTURE is required");
  expect_refused({c, "--as", "10.200.0"}, "--as: '10.200.0' is no IPv4 address");
  expect_refused({c, "--as", "10.200.0.2", "--app", "web"}, "--app: unknown application 'web' (sink, echo, capture)");
  expect_refused({c, "--as", "10.200.0.2", "--max-gap", "5"}, "--max-gap: duration '5' needs a unit");
  expect_refused({c, "--as", "10.200.0.2", "--listen", "http"}, "--listen");
  expect_refused({c, "--as", "10.200.0.2", "--frobnicate"}, "--frobnicate");
}

INSTANTIATE_TEST_SUITE_P(Runners, ReplayCli, ::testing::Values(Runner::InProcess, Runner::Binary),
                         testing::runner_name);

}  // namespace
}  // namespace synack::cli

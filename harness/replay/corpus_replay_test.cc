// Replaying the kernel capture corpus (corpus/captures, recorded by
// corpus/record.sh) against the simulated DUT and, as root, against the
// Linux kernel. The kernel replaying its own traffic is the control: it
// must match, within a tolerance stated (with its reason) per capture.
// Also the replay's refusals: damaged files, other link types, captures
// without traffic for the address, one-sided captures.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "harness/pcap/pcap_reader.h"
#include "harness/pcap/pcap_writer.h"
#include "harness/replay/replay.h"
#include "harness/replay/test_frames.h"

namespace synack::harness::replay {
namespace {

struct Case {
  const char* file;
  const char* as;
  // Exchanges allowed to differ on sim, and why (0: all must match).
  std::size_t sim_differ;
  const char* sim_reason;
  // Fraction of exchanges allowed to differ on the kernel, and why.
  double kernel_differ;
  const char* kernel_reason;
};

const Case kCases[] = {
    {"http.pcapng", "10.200.0.2", 0, "", 0, ""},
    {"http.pcapng", "10.200.0.1", 1,
     "synack ACKs a FIN at once; Linux (in pingpong mode) delays the ACK and the client's FIN carries it", 0, ""},
    {"tcp_rst.pcap", "10.200.0.2", 0, "", 0, ""},
    {"tcp_rst.pcap", "10.200.0.1", 0, "", 0, ""},
    {"udp_unreach.pcap", "10.200.0.2", 0, "", 0, ""},
    // The DUT as the UDP sender: its application sends the two captured
    // datagrams; the port unreachable errors quote them.
    {"udp_unreach.pcap", "10.200.0.1", 0, "", 0, ""},
    {"icmp_frag.pcap", "10.200.0.2", 0, "", 0, ""},
    // The DUT as the pinger: its application sends the three 4000-byte echo
    // requests through a ping socket bound to the captured identifier.
    {"icmp_frag.pcap", "10.200.0.1", 0, "", 0.2,
     "the kernel's request leaves ~0.13 ms before the next captured probe; read late from the TAP, its last "
     "fragments count towards that probe (1 run in 4)"},
    {"nmap.pcap", "10.200.0.2", 0, "", 0.02,
     "nmap fires ~200 probes within 1 ms; injected in real time on a loaded machine a few can race the kernel's "
     "answers"},
    // Measured on sim (deterministic: 245 of 949 with seeds 1, 2 and 7):
    // ARP, handshake, request and the first 22 exchanges match; from there
    // the captured Linux sender had more in flight per ACK than synack sends
    // (19 segments against 15 at exchange 23), and the capture's losses and
    // retransmissions (SACKed holes, retransmission timing) provoke answers
    // this replay's lossless link never calls for. 240 of the 245 are a
    // captured ACK after which Linux sent data and synack, out of step with
    // the capture, sent nothing. A regression guard: more differences mean
    // synack's sender changed; fewer, lower the bound.
    {"bulk_loss.pcap", "10.200.0.1", 245,
     "a 2 MB transfer: the pace of the sender (initial window, congestion control, buffer sizes) decides which "
     "segments each captured ACK provokes, and the captured ACKs report losses this replay's link never had",
     0.75,
     "real-time pacing: how many segments the kernel sends between two injected ACKs depends on scheduling; only "
     "the handshake and request are held to exactness"},
    // The DUT as the client: it connects at the captured time and sends the
    // captured GET; the server's 1,449 segments are injected, except 29
    // (every 50th) that were dropped on the captured client's input, after
    // the capture point: plan.cc finds them by the client's SACK blocks and
    // the server's retransmissions and does not inject them. Measured on
    // sim (deterministic, seeds 1, 2 and 7): 887 of 1502. Up to exchange
    // 452, 189 differ, for reasons of the stacks, not of the replay: synack
    // sends a SACK duplicate ACK for every out-of-order segment (RFC 5681
    // §4.2) where Linux compresses them (tcp_comp_sack_nr: 112 exchanges
    // where it sent nothing), and synack's ACK-every-second-segment schedule
    // after quick-ACK mode runs in another phase than Linux's (67). At
    // exchange 453 the captured server has 218 KB in flight past a hole,
    // which Linux's autotuned receive window allowed; synack's stays at 64
    // KiB (no receive-buffer autotuning), so it drops what lies beyond,
    // which the capture never retransmits, and keeps a hole to the end:
    // from there almost every exchange differs. (With an 8 MiB receive
    // buffer the same replay differs on 546.)
    {"bulk_loss.pcap", "10.200.0.2", 887,
     "Linux compresses SACK duplicate ACKs and grows its receive window; synack does neither (see above)", 0.75,
     "placeholder"},
};

std::string path_of(const char* file) { return std::string(SYNACK_SOURCE_DIR) + "/corpus/captures/" + file; }

Plan load(const Case& c) {
  auto reader = PcapReader::open(path_of(c.file));
  EXPECT_TRUE(reader) << (reader ? "" : reader.error().message);
  auto plan = build_plan(*reader, *wire::Ipv4Address::parse(c.as));
  EXPECT_TRUE(plan) << (plan ? "" : plan.error());
  return std::move(*plan);
}

std::string dump(const ReplayResult& r) {
  std::string s;
  for (std::size_t i = 0; i < r.exchanges.size(); ++i) s += format_exchange(i + 1, r.exchanges[i]) + "\n";
  for (const auto& n : r.notes) s += "note: " + n + "\n";
  return s + summary_line(r);
}

ReplayResult replay(const Plan& plan, conformance::Dut& dut, bool kernel) {
  ReplayOptions opt;
  if (kernel) {
    opt.max_gap = Duration::from_secs(1);
    opt.tick = Duration::from_millis(1);
    opt.start_delay = Duration::from_millis(50);
  }
  auto r = run_replay(plan, dut, opt);
  EXPECT_TRUE(r) << (r ? "" : r.error());
  return std::move(*r);
}

class CorpusReplay : public ::testing::TestWithParam<Case> {};

TEST_P(CorpusReplay, Sim) {
  const Case& c = GetParam();
  Plan plan = load(c);
  std::string why;
  bool skip = false;
  auto dut = make_dut("sim", plan, 1, why, skip);
  ASSERT_TRUE(dut) << why;
  ReplayResult r = replay(plan, *dut, false);
  EXPECT_GT(r.exchanges.size(), 0u);
  EXPECT_EQ(r.matched + r.differed, r.exchanges.size());
  if (c.sim_differ != SIZE_MAX) {
    EXPECT_LE(r.differed, c.sim_differ) << c.sim_reason << "\n" << dump(r);
  }
}

TEST_P(CorpusReplay, Kernel) {
  const Case& c = GetParam();
  if (::geteuid() != 0) GTEST_SKIP() << "kernel DUT needs root (TAP device and network namespace)";
  Plan plan = load(c);
  std::string why;
  bool skip = false;
  auto dut = make_dut("kernel", plan, 1, why, skip);
  if (!dut && skip) GTEST_SKIP() << why;
  ASSERT_TRUE(dut) << why;
  ReplayResult r = replay(plan, *dut, true);
  ASSERT_GT(r.exchanges.size(), 0u);
  auto allowed = static_cast<std::size_t>(c.kernel_differ * static_cast<double>(r.exchanges.size()));
  // Real time on a shared machine: a run disturbed by load is repeated (twice
  // at most); a real difference shows in every run.
  for (int retry = 0; retry < 2 && r.differed > allowed; ++retry) {
    std::printf("re-running after %zu differing exchanges (allowed %zu)\n", r.differed, allowed);
    dut = make_dut("kernel", plan, 1, why, skip);
    ASSERT_TRUE(dut) << why;
    r = replay(plan, *dut, true);
  }
  EXPECT_LE(r.differed, allowed) << c.kernel_reason << "\n" << dump(r);
  // The first exchanges (ARP, handshake, first request) always match.
  for (std::size_t i = 0; i < std::min<std::size_t>(3, r.exchanges.size()); ++i)
    EXPECT_EQ(difference(r.exchanges[i]), "") << "exchange " << i + 1 << "\n" << dump(r);
}

INSTANTIATE_TEST_SUITE_P(Captures, CorpusReplay, ::testing::ValuesIn(kCases), [](const auto& param_info) {
  std::string n = std::string(param_info.param.file) + "_as_" + param_info.param.as;
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

TEST(CorpusReplay, SimIsDeterministic) {
  Plan plan = load(kCases[0]);
  std::string a, b;
  for (std::string* out : {&a, &b}) {
    std::string why;
    bool skip = false;
    auto dut = make_dut("sim", plan, 7, why, skip);
    *out = dump(replay(plan, *dut, false));
  }
  EXPECT_EQ(a, b);
}

TEST(CorpusReplay, PlanOfTheHttpServer) {
  Plan plan = load(kCases[0]);
  EXPECT_EQ(plan.self_mac.to_string(), "02:00:00:c8:00:02");
  EXPECT_EQ(plan.listen_ports, std::vector<std::uint16_t>{80});
  ASSERT_EQ(plan.conns.size(), 1u);
  const AppConn& c = plan.conns[0];
  EXPECT_FALSE(c.active);
  ASSERT_EQ(c.writes.size(), 2u);  // headers, then the body
  std::string head(c.writes[0].data.begin(), c.writes[0].data.end());
  EXPECT_EQ(head.rfind("HTTP/1.0 200 OK", 0), 0u);
  std::string body(c.writes[1].data.begin(), c.writes[1].data.end());
  EXPECT_EQ(body, "hello from synack corpus\n");
  EXPECT_TRUE(c.fin_t_ns);
  EXPECT_EQ(c.zero_filled, 0u);
  EXPECT_EQ(plan.peers.size(), 1u);
}

TEST(CorpusReplay, PlanOfTheHttpClientConnectsOut) {
  Plan plan = load(kCases[1]);
  EXPECT_TRUE(plan.listen_ports.empty());
  ASSERT_EQ(plan.conns.size(), 1u);
  EXPECT_TRUE(plan.conns[0].active);
  EXPECT_EQ(plan.conns[0].flow.local_port, 49558);
  std::string get(plan.conns[0].writes.at(0).data.begin(), plan.conns[0].writes.at(0).data.end());
  EXPECT_EQ(get.rfind("GET /hello.txt HTTP/1.1", 0), 0u);
}

TEST(CorpusReplay, PlanOfTheUdpSender) {
  Plan plan = load(Case{"udp_unreach.pcap", "10.200.0.1", 0, "", 0, ""});
  ASSERT_EQ(plan.datagrams.size(), 2u);
  EXPECT_EQ(plan.datagrams[0].flow.to_string(), "udp 10.200.0.1:47056 10.200.0.2:9");
  EXPECT_EQ(std::string(plan.datagrams[0].payload.begin(), plan.datagrams[0].payload.end()), "hello");
  EXPECT_EQ(plan.datagrams[1].flow.remote_port, 33434);
  EXPECT_EQ(plan.datagrams[1].payload, Bytes(100, 'x'));
  EXPECT_GT(plan.datagrams[1].t_ns, 1'100'000'000);
}

// The DUT's application keeps its UDP sockets open and connected, so the
// stack matches each port unreachable to its socket (RFC 1122 4.1.3.3).
TEST(CorpusReplay, UdpSenderGetsEconnrefusedOnSimAndKernel) {
  Plan plan = load(Case{"udp_unreach.pcap", "10.200.0.1", 0, "", 0, ""});
  for (const char* name : {"sim", "kernel"}) {
    if (std::string(name) == "kernel" && ::geteuid() != 0) continue;
    std::string why;
    bool skip = false;
    auto dut = make_dut(name, plan, 1, why, skip);
    if (!dut && skip) continue;
    ASSERT_TRUE(dut) << why;
    ReplayResult r = replay(plan, *dut, std::string(name) == "kernel");
    std::string d = dump(r);
    EXPECT_EQ(r.differed, 0u) << name << "\n" << d;
    EXPECT_NE(d.find("note: udp 10.200.0.1:47056 10.200.0.2:9: ECONNREFUSED"), std::string::npos) << name << "\n" << d;
    EXPECT_NE(d.find("note: udp 10.200.0.1:59671 10.200.0.2:33434: ECONNREFUSED"), std::string::npos) << name << "\n" << d;
  }
}

TEST(CorpusReplay, PlanOfThePinger) {
  Plan plan = load(Case{"icmp_frag.pcap", "10.200.0.1", 0, "", 0, ""});
  ASSERT_EQ(plan.datagrams.size(), 3u);
  Bytes data(4000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
  for (std::uint16_t i = 0; i < 3; ++i) {
    const AppDatagram& d = plan.datagrams[i];
    EXPECT_EQ(d.flow.kind, FlowKey::Kind::Echo);
    EXPECT_EQ(d.flow.local_port, 0x5301);  // the identifier
    EXPECT_EQ(d.echo_seq, i + 1);
    EXPECT_EQ(d.payload, data);  // reassembled from three fragments
  }
}

TEST(CorpusReplay, PlanReassemblesAFragmentedDatagramTheHostSent) {
  // 3000 bytes of UDP payload from kSelf in three fragments, the last one
  // captured first; then a reply so the capture is not one-sided.
  Bytes udp(8 + 3000);
  for (std::size_t i = 0; i < udp.size(); ++i) udp[i] = static_cast<std::uint8_t>(i * 7);
  store_be16(udp, 0, 5353);
  store_be16(udp, 2, 53);
  store_be16(udp, 4, static_cast<std::uint16_t>(udp.size()));
  auto frag = [&](std::size_t off, std::size_t len, bool more) {
    return testing::ipv4_frame({.src = testing::kSelf, .dst = testing::kPeer, .proto = 17, .id = 42,
                                .frag = static_cast<std::uint16_t>((more ? 0x2000 : 0) | off / 8)},
                               Bytes(udp.begin() + static_cast<std::ptrdiff_t>(off),
                                     udp.begin() + static_cast<std::ptrdiff_t>(off + len)),
                               false);
  };
  PcapWriter w = PcapWriter::in_memory();
  ASSERT_TRUE(w.write(Instant::zero(), frag(2960, 48, false)));
  ASSERT_TRUE(w.write(Instant::zero() + Duration::from_micros(1), frag(0, 1480, true)));
  ASSERT_TRUE(w.write(Instant::zero() + Duration::from_micros(2), frag(1480, 1480, true)));
  ASSERT_TRUE(w.write(Instant::zero() + Duration::from_micros(3), testing::tcp_frame({})));
  auto reader = PcapReader::from_memory(w.bytes(), "frag.pcap");
  ASSERT_TRUE(reader);
  auto plan = build_plan(*reader, testing::kSelf);
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_EQ(plan->datagrams.size(), 1u);
  EXPECT_EQ(plan->datagrams[0].flow.local_port, 5353);
  EXPECT_EQ(plan->datagrams[0].t_ns, 0);
  EXPECT_EQ(plan->datagrams[0].payload, Bytes(udp.begin() + 8, udp.end()));
  EXPECT_EQ(plan->datagrams[0].zero_filled, 0u);
}

std::string plan_error(ConstBytes capture, const char* as) {
  auto reader = PcapReader::from_memory(capture, "test.pcap");
  if (!reader) return reader.error().message;
  auto plan = build_plan(*reader, *wire::Ipv4Address::parse(as));
  return plan ? "" : plan.error();
}

Bytes file_bytes(const char* file) {
  std::ifstream in(path_of(file), std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

TEST(CorpusReplay, RefusesUnusableCaptures) {
  Bytes rst = file_bytes("tcp_rst.pcap");
  EXPECT_NE(plan_error(rst, "10.9.9.9").find("no traffic for 10.9.9.9"), std::string::npos);
  Bytes cut(rst.begin(), rst.end() - 10);
  EXPECT_NE(plan_error(cut, "10.200.0.2").find("test.pcap"), std::string::npos);
  EXPECT_NE(plan_error(Bytes(rst.begin(), rst.begin() + 10), "10.200.0.2"), "");
  Bytes other_link = rst;
  other_link[20] = 101;  // LINKTYPE_RAW (little-endian header)
  EXPECT_NE(plan_error(other_link, "10.200.0.2"), "");
  // Only the replayed host's side: nothing to inject.
  PcapWriter w = PcapWriter::in_memory();
  ASSERT_TRUE(w.write(Instant::zero(), testing::tcp_frame({.flags = 0x02}, {.src = testing::kSelf, .dst = testing::kPeer})));
  EXPECT_NE(plan_error(w.bytes(), "10.200.0.2").find("one-sided"), std::string::npos);
}

}  // namespace
}  // namespace synack::harness::replay

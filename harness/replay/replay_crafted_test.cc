// Replays of small crafted captures, on sim and (as root) on the kernel:
//  - the replayed host's own datagrams come back quoted in ICMP errors: the
//    replay must rewrite the quote to what the DUT sent (translate.h
//    translate_icmp_quote), or the DUT's stack does not match the error to
//    its socket and the conversation goes on where the captured one ended;
//  - the captured peer acknowledges more than the DUT has sent: the replay
//    must lower the acknowledgment (replay.cc gate), or the DUT drops it;
//  - a router on the peer's side says "fragmentation needed" about a data
//    segment the DUT sent with DF: the DUT lowers its MSS to the next-hop
//    MTU (RFC 1191) and resends the data in smaller segments.
#include <gtest/gtest.h>

#include <unistd.h>

#include <string>

#include "harness/pcap/pcap_reader.h"
#include "harness/pcap/pcap_writer.h"
#include "harness/replay/replay.h"
#include "harness/replay/test_frames.h"

namespace synack::harness::replay {
namespace {

using namespace testing;

constexpr std::uint8_t kSelfMac[6] = {0x02, 0, 0, 0xc8, 0, 0x02};
constexpr std::uint8_t kPeerMac[6] = {0x02, 0, 0, 0xc8, 0, 0x01};

// test_frames.h builds every frame with the same MACs: give each side its own.
Bytes from(bool self, Bytes f) {
  for (std::size_t i = 0; i < 6; ++i) {
    f[i] = self ? kPeerMac[i] : kSelfMac[i];
    f[6 + i] = self ? kSelfMac[i] : kPeerMac[i];
  }
  return f;
}

Bytes arp(bool request) {
  Bytes f(42, 0);
  for (std::size_t i = 0; i < 6; ++i) {
    f[i] = request ? 0xff : kPeerMac[i];
    f[6 + i] = request ? kPeerMac[i] : kSelfMac[i];
    f[22 + i] = request ? kPeerMac[i] : kSelfMac[i];
    if (!request) f[32 + i] = kPeerMac[i];
  }
  store_be16(f, 12, 0x0806);
  store_be16(f, 14, 1);
  store_be16(f, 16, 0x0800);
  f[18] = 6;
  f[19] = 4;
  store_be16(f, 20, request ? 1 : 2);
  store_be32(f, 28, request ? kPeer.value : kSelf.value);
  store_be32(f, 38, request ? kSelf.value : kPeer.value);
  return f;
}

// The ICMP error (type 3) a router or host on the peer's side sends about
// `quoted`, a frame kSelf sent; the whole datagram is quoted.
Bytes unreachable(std::uint8_t code, const Bytes& quoted) {
  Bytes icmp(8, 0);
  icmp[0] = 3;
  icmp[1] = code;
  icmp.insert(icmp.end(), quoted.begin() + 14, quoted.end());
  store_be16(icmp, 2, wire::checksum(icmp));
  return from(false, ipv4_frame({.src = kPeer, .dst = kSelf, .proto = 1, .id = 300}, icmp));
}

Plan plan_of(const std::vector<std::pair<std::int64_t, Bytes>>& frames) {
  PcapWriter w = PcapWriter::in_memory();
  for (const auto& [ms, f] : frames) EXPECT_TRUE(w.write(Instant::zero() + Duration::from_millis(ms), f));
  auto reader = PcapReader::from_memory(w.bytes(), "crafted.pcap");
  EXPECT_TRUE(reader);
  auto plan = build_plan(*reader, kSelf);
  EXPECT_TRUE(plan) << (plan ? "" : plan.error());
  return std::move(*plan);
}

// The captured host connects to the peer's port 80; the peer's host says
// port unreachable, quoting the SYN; the captured host gives up (RFC 1122
// 4.2.3.9 hard error; ECONNREFUSED) and sends nothing more. An ARP request
// 1.5 s later shows the replay went on past the DUT's first SYN
// retransmission time (1 s): a DUT that did not match the error to its
// connection retransmits its SYN there.
Plan refused_connect() {
  // Linux's SYN options: MSS 1460, SACK permitted, timestamps, window scale 7.
  Bytes opts = concat(Bytes{2, 4, 0x05, 0xb4, 4, 2}, concat(ts_option(5000, 0), Bytes{1, 3, 3, 7}));
  opts.erase(opts.begin() + 6, opts.begin() + 8);  // ts_option's leading NOPs
  Bytes syn = from(true, tcp_frame({.sport = 40000, .dport = 80, .seq = 1000, .flags = 0x02, .window = 64240,
                                    .options = opts},
                                   {.src = kSelf, .dst = kPeer, .id = 7}));
  return plan_of({{0, syn}, {1, unreachable(3, syn)}, {1500, arp(true)}, {1500, arp(false)}});
}

ReplayResult run(const Plan& plan, const char* dut_name, bool& skipped) {
  std::string why;
  bool skip = false;
  auto dut = make_dut(dut_name, plan, 1, why, skip);
  skipped = !dut && skip;
  if (!dut) return {};
  ReplayOptions opt = std::string(dut_name) == "kernel" ? real_time_options() : ReplayOptions{};
  auto r = run_replay(plan, *dut, opt);
  EXPECT_TRUE(r) << (r ? "" : r.error());
  return r ? std::move(*r) : ReplayResult{};
}

TEST(ReplayQuote, PlanKnowsTheConnectionAnErrorQuotes) {
  Plan plan = refused_connect();
  ASSERT_EQ(plan.injections.size(), 2u);
  EXPECT_EQ(plan.injections[0].flow.kind, FlowKey::Kind::Tcp);
  EXPECT_EQ(plan.injections[0].cap_isn, 1000u);
  ASSERT_EQ(plan.conns.size(), 1u);
  EXPECT_TRUE(plan.conns[0].active);
}

TEST(ReplayQuote, SimAbortsTheConnectThePortUnreachableQuotes) {
  Plan plan = refused_connect();
  bool skipped = false;
  ReplayResult r = run(plan, "sim", skipped);
  ASSERT_EQ(r.exchanges.size(), 3u) << dump(r);  // the SYN, the error, the ARP request
  EXPECT_EQ(r.differed, 0u) << dump(r);
  EXPECT_NE(dump(r).find("note: tcp 10.200.0.2:40000 10.200.0.1:80: ECONNREFUSED"), std::string::npos) << dump(r);
}

TEST(ReplayQuote, KernelAbortsTheConnectThePortUnreachableQuotes) {
  if (::geteuid() != 0) GTEST_SKIP() << "kernel DUT needs root (TAP device and network namespace)";
  Plan plan = refused_connect();
  bool skipped = false;
  ReplayResult r = run(plan, "kernel", skipped);
  if (skipped) GTEST_SKIP() << "kernel DUT unavailable";
  ASSERT_EQ(r.exchanges.size(), 3u) << dump(r);
  EXPECT_EQ(r.differed, 0u) << dump(r);
  EXPECT_NE(dump(r).find("note: tcp 10.200.0.2:40000 10.200.0.1:80: ECONNREFUSED"), std::string::npos) << dump(r);
}

// A server that sent 20 segments at once where the DUT (initial window 10
// segments of its MSS) sends fewer: the client's ACK of all 20 is ahead of
// the DUT. After the wait the replay lowers it to what the DUT has sent;
// injected as captured, the DUT would drop it as acknowledging unsent data
// and every later ACK too, and the transfer would stall until the end.
Plan fast_server() {
  Bytes mss{2, 4, 0x05, 0xb4};
  auto peer = [](Tcp t) {
    t.sport = 40000;
    t.dport = 80;
    return from(false, tcp_frame(t, {.src = kPeer, .dst = kSelf}));
  };
  auto self = [](Tcp t) {
    t.sport = 80;
    t.dport = 40000;
    return from(true, tcp_frame(t, {.src = kSelf, .dst = kPeer}));
  };
  std::vector<std::pair<std::int64_t, Bytes>> frames{
      {0, peer({.seq = 100, .flags = 0x02, .window = 65535, .options = mss})},
      {0, self({.seq = 5000, .ack = 101, .flags = 0x12, .window = 65535, .options = mss})},
      {1, peer({.seq = 101, .ack = 5001, .flags = 0x10, .window = 65535})},
      {1, peer({.seq = 101, .ack = 5001, .flags = 0x18, .window = 65535, .payload = 10})}};
  for (std::uint32_t i = 0; i < 20; ++i)
    frames.push_back({2, self({.seq = 5001 + 1000 * i, .ack = 111, .flags = 0x10, .window = 65535, .payload = 1000})});
  frames.push_back({3, peer({.seq = 111, .ack = 25001, .flags = 0x10, .window = 65535})});
  frames.push_back({3, self({.seq = 25001, .ack = 111, .flags = 0x11, .window = 65535})});
  frames.push_back({4, peer({.seq = 111, .ack = 25002, .flags = 0x11, .window = 65535})});
  frames.push_back({4, self({.seq = 25002, .ack = 112, .flags = 0x10, .window = 65535})});
  return plan_of(frames);
}

TEST(ReplayLag, AnAckAheadOfTheDutIsLoweredAndTheTransferCompletes) {
  Plan plan = fast_server();
  bool skipped = false;
  ReplayResult r = run(plan, "sim", skipped);
  std::string d = dump(r);
  ASSERT_GE(r.exchanges.size(), 5u) << d;
  EXPECT_GT(r.clamped, 0u) << d;
  // The DUT sent the whole response and its FIN (it splits it at its own
  // MSS and sends the last of it when the client's ACKs allow, so the
  // exchanges differ in shape).
  std::size_t sent = 0;
  bool fin = false;
  for (const auto& e : r.exchanges)
    for (const auto& a : e.actual) {
      if (a.cls.rfind("data", 0) == 0) sent += a.data;
      fin = fin || a.cls.find("FIN") != std::string::npos;
    }
  EXPECT_GE(sent, 20000u) << d;  // with a retransmission its RTO sent during the wait
  EXPECT_TRUE(fin) << d;
  EXPECT_EQ(d.find("RST"), std::string::npos) << d;
}

// The client's 2920-byte request leaves as two 1460-byte segments with DF
// set; a router on the way (10.200.1.254, beyond the peer) answers the
// first with ICMP "fragmentation needed" (type 3 code 4, RFC 1191 §4),
// next-hop MTU 1000, quoting its IP header and 8 bytes (RFC 792); the
// client lowers its MSS to 960 (1000 less 40 bytes of headers: the
// connection has no TCP options after the SYN) and resends everything
// unacknowledged; the server acknowledges all of it. The resent segments
// are Linux's (tcp_simple_retransmit marks both segments lost, and each is
// cut at the new MSS as it is retransmitted: 960 + 500, 960 + 500), so the
// kernel DUT must match exactly. synack repacks the unacknowledged bytes
// into full segments of the new MSS (960 x3 + 40): the same bytes, every
// segment within the new MSS, cut differently; on sim the exchange differs
// by that and nothing else.
constexpr wire::Ipv4Address kRouter = wire::Ipv4Address::from_octets(10, 200, 1, 254);

Bytes frag_needed(std::uint16_t mtu, const Bytes& quoted) {
  Bytes icmp(8, 0);
  icmp[0] = 3;
  icmp[1] = 4;
  store_be16(icmp, 6, mtu);
  icmp.insert(icmp.end(), quoted.begin() + 14, quoted.begin() + 14 + 20 + 8);
  store_be16(icmp, 2, wire::checksum(icmp));
  return from(false, ipv4_frame({.src = kRouter, .dst = kSelf, .proto = 1, .id = 301}, icmp));
}

Plan mtu_lowered() {
  Bytes opts = concat(Bytes{2, 4, 0x05, 0xb4, 4, 2}, concat(ts_option(5000, 0), Bytes{1, 3, 3, 7}));
  opts.erase(opts.begin() + 6, opts.begin() + 8);
  auto self = [](Tcp t, std::uint16_t id) {
    t.sport = 40000;
    t.dport = 80;
    return from(true, tcp_frame(t, {.src = kSelf, .dst = kPeer, .id = id, .frag = 0x4000}));  // DF
  };
  auto peer = [](Tcp t) {
    t.sport = 80;
    t.dport = 40000;
    return from(false, tcp_frame(t, {.src = kPeer, .dst = kSelf}));
  };
  Bytes first = self({.seq = 1001, .ack = 7001, .flags = 0x10, .window = 64240, .payload = 1460}, 2);
  std::vector<std::pair<std::int64_t, Bytes>> frames{
      {0, self({.seq = 1000, .flags = 0x02, .window = 64240, .options = opts}, 0)},
      {1, peer({.seq = 7000, .ack = 1001, .flags = 0x12, .window = 65535, .options = {2, 4, 0x05, 0xb4}})},
      {1, self({.seq = 1001, .ack = 7001, .flags = 0x10, .window = 64240}, 1)},
      {2, first},
      {2, self({.seq = 2461, .ack = 7001, .flags = 0x18, .window = 64240, .payload = 1460}, 3)},
      {3, frag_needed(1000, first)}};
  std::uint32_t seq = 1001;
  for (std::uint16_t i = 0; i < 4; ++i) {
    std::size_t len = i % 2 == 0 ? 960 : 500;
    frames.push_back({3, self({.seq = seq, .ack = 7001, .flags = static_cast<std::uint8_t>(i == 3 ? 0x18 : 0x10),
                               .window = 64240, .payload = len},
                              static_cast<std::uint16_t>(4 + i))});
    seq += static_cast<std::uint32_t>(len);
  }
  frames.push_back({4, peer({.seq = 7001, .ack = 3921, .flags = 0x10, .window = 65535})});
  return plan_of(frames);
}

ReplayResult replay_mtu_lowered(const char* dut, bool& skipped) {
  Plan plan = mtu_lowered();
  EXPECT_EQ(plan.conns.size(), 1u);
  std::size_t written = 0;
  for (const auto& w : plan.conns.at(0).writes) written += w.data.size();
  EXPECT_EQ(written, 2920u);  // the retransmissions add no stream bytes
  return run(plan, dut, skipped);
}

// The data segments the DUT sent in answer to the error.
std::vector<std::size_t> resent(const ReplayResult& r) {
  std::vector<std::size_t> out;
  for (const auto& a : r.exchanges.at(2).actual)
    if (a.cls.rfind("data", 0) == 0) out.push_back(a.data);
  return out;
}

TEST(ReplayPmtu, SimLowersItsMssOnFragmentationNeeded) {
  bool skipped = false;
  ReplayResult r = replay_mtu_lowered("sim", skipped);
  std::string d = dump(r);
  // The SYN, the SYN-ACK (ACK and the request), the error, the final ACK.
  ASSERT_EQ(r.exchanges.size(), 4u) << d;
  EXPECT_EQ(r.differed, 1u) << d;
  EXPECT_EQ(resent(r), (std::vector<std::size_t>{960, 960, 960, 40})) << d;
  EXPECT_EQ(difference(r.exchanges[2]), "frame 2 of 4: expected data 500 ack=7001 win>0; got data 960 ack=7001 win>0")
      << d;
}

TEST(ReplayPmtu, KernelLowersItsMssOnFragmentationNeeded) {
  if (::geteuid() != 0) GTEST_SKIP() << "kernel DUT needs root (TAP device and network namespace)";
  bool skipped = false;
  ReplayResult r = replay_mtu_lowered("kernel", skipped);
  if (skipped) GTEST_SKIP() << "kernel DUT unavailable";
  std::string d = dump(r);
  ASSERT_EQ(r.exchanges.size(), 4u) << d;
  EXPECT_EQ(r.differed, 0u) << d;
  EXPECT_EQ(resent(r), (std::vector<std::size_t>{960, 500, 960, 500})) << d;
}

}  // namespace
}  // namespace synack::harness::replay

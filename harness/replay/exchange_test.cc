// The exchange classifier, comparison and attribution (exchange.h) and the
// frame summaries under them (frame_info.h).
#include "harness/replay/exchange.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "harness/replay/test_frames.h"

namespace synack::harness::replay {
namespace {

using namespace testing;

FrameInfo info(const Bytes& b) {
  auto f = parse_frame(b);
  EXPECT_TRUE(f.has_value());
  return *f;
}

// A frame the replayed host (kSelf) sends to the peer.
Bytes from_self(const Tcp& t) { return tcp_frame(t, Ip{.src = kSelf, .dst = kPeer}); }

TEST(Classify, TcpClasses) {
  EXPECT_EQ(classify(info(from_self({.flags = 0x04}))).cls, "RST");
  EXPECT_EQ(classify(info(from_self({.flags = 0x14}))).cls, "RST-ACK");
  EXPECT_EQ(classify(info(from_self({.flags = 0x02}))).cls, "SYN");
  EXPECT_EQ(classify(info(from_self({.flags = 0x12}))).cls, "SYN-ACK");
  EXPECT_EQ(classify(info(from_self({.flags = 0x10}))).cls, "ACK");
  EXPECT_EQ(classify(info(from_self({.flags = 0x11}))).cls, "ACK+FIN");
  EXPECT_EQ(classify(info(from_self({.flags = 0x18, .payload = 5}))).cls, "data");
  EXPECT_EQ(classify(info(from_self({.flags = 0x19, .payload = 5}))).cls, "data+FIN");
}

TEST(Classify, RstAckFields) {
  Response r = classify(info(from_self({.ack = 42, .flags = 0x14, .window = 0})));
  EXPECT_EQ(r.ack, 42u);
  EXPECT_EQ(r.window_zero, true);
  EXPECT_EQ(r.data, 0u);
  // A bare RST has no acknowledgment to compare.
  EXPECT_FALSE(classify(info(from_self({.ack = 42, .flags = 0x04}))).ack);
}

TEST(Classify, OptionKindsAreASortedSetWithoutPadding) {
  Bytes opts{2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7};
  Response r = classify(info(from_self({.flags = 0x12, .options = concat(opts, ts_option(1, 2))})));
  EXPECT_EQ(r.options, (std::vector<std::uint8_t>{2, 3, 4, 8}));
}

TEST(Classify, DataAmountComesFromTheIpLengthEvenWhenTruncated) {
  Bytes b = from_self({.flags = 0x18, .payload = 1448});
  b.resize(256);  // a 256-byte snap length
  Response r = classify(info(b));
  EXPECT_EQ(r.cls, "data");
  EXPECT_EQ(r.data, 1448u);
}

TEST(Classify, IcmpArpUdpAndFragments) {
  Bytes unreach(8 + 28, 0);
  unreach[0] = 3;
  unreach[1] = 3;
  Response icmp = classify(info(ipv4_frame({.src = kSelf, .dst = kPeer, .proto = 1}, unreach)));
  EXPECT_EQ(icmp.cls, "ICMP 3/3");
  EXPECT_EQ(icmp.data, 28u);
  Response udp = classify(info(ipv4_frame({.src = kSelf, .dst = kPeer, .proto = 17}, Bytes(8 + 5, 0))));
  EXPECT_EQ(udp.cls, "UDP");
  EXPECT_EQ(udp.data, 5u);
  Response frag = classify(info(ipv4_frame({.src = kSelf, .dst = kPeer, .proto = 1, .frag = 185}, Bytes(1048, 0))));
  EXPECT_EQ(frag.cls, "fragment");
  EXPECT_EQ(frag.data, 1048u);

  Bytes arp(42, 0);
  store_be16(arp, 12, 0x0806);
  store_be16(arp, 14, 1);
  store_be16(arp, 16, 0x0800);
  arp[18] = 6;
  arp[19] = 4;
  store_be16(arp, 20, 2);
  store_be32(arp, 28, kSelf.value);
  store_be32(arp, 38, kPeer.value);
  FrameInfo a = info(arp);
  EXPECT_EQ(classify(a).cls, "ARP reply");
  EXPECT_TRUE(compared(a, kSelf));
  store_be16(arp, 20, 1);  // the host's own ARP request: not compared
  EXPECT_FALSE(compared(info(arp), kSelf));
}

TEST(Describe, AckRelativeToTheProbe) {
  FrameInfo probe = info(tcp_frame({.seq = 1000, .flags = 0x02}));
  Response r = classify(info(from_self({.ack = 1001, .flags = 0x12, .window = 100, .options = {2, 4, 5, 0xb4}})));
  EXPECT_EQ(describe(r, &probe), "SYN-ACK ack=seq+1 win>0 <mss>");
  EXPECT_EQ(describe(r, nullptr), "SYN-ACK ack=1001 win>0 <mss>");
  std::vector<Response> many(3, classify(info(from_self({.ack = 1000, .flags = 0x18, .payload = 10}))));
  EXPECT_EQ(describe(many, &probe), "data 10 ack=seq+0 win>0 x3");
  EXPECT_EQ(describe(std::vector<Response>{}, &probe), "nothing");
}

TEST(Difference, NamesWhatDiffers) {
  Exchange e;
  e.probe = info(tcp_frame({.dport = 81, .seq = 1000, .flags = 0x02}));
  e.expected = {classify(info(from_self({.ack = 1001, .flags = 0x14, .window = 0})))};
  e.actual = e.expected;
  EXPECT_EQ(difference(e), "");
  e.actual = {};
  EXPECT_EQ(difference(e), "expected RST-ACK ack=seq+1 win=0; got nothing");
  e.actual = {classify(info(from_self({.ack = 1000, .flags = 0x14, .window = 0})))};
  EXPECT_EQ(difference(e), "expected RST-ACK ack=seq+1 win=0; got RST-ACK ack=seq+0 win=0");
  e.actual = {classify(info(from_self({.ack = 1001, .flags = 0x14, .window = 5})))};
  EXPECT_NE(difference(e).find("win>0"), std::string::npos);
}

TEST(Attributor, AnswersGoToTheLastProbeOfTheirFlow) {
  Attributor a(kSelf);
  // Two probes on different ports back to back, answered in the other order.
  a.probe({1, {}}, info(tcp_frame({.sport = 1, .dport = 21, .flags = 0x02})));
  a.probe({2, {}}, info(tcp_frame({.sport = 1, .dport = 22, .flags = 0x02})));
  EXPECT_EQ(a.attribute(info(from_self({.sport = 22, .dport = 1, .flags = 0x14}))).probe_frame, 2u);
  EXPECT_EQ(a.attribute(info(from_self({.sport = 21, .dport = 1, .flags = 0x14}))).probe_frame, 1u);
  a.probe({3, {}}, info(tcp_frame({.sport = 1, .dport = 21, .flags = 0x10})));
  EXPECT_EQ(a.attribute(info(from_self({.sport = 21, .dport = 1, .flags = 0x04}))).probe_frame, 3u);
}

TEST(Attributor, UnprobedFlowsAreAppExchanges) {
  Attributor a(kSelf);
  ExchangeId id = a.attribute(info(from_self({.sport = 5000, .dport = 80, .flags = 0x02})));
  EXPECT_EQ(id.probe_frame, 0u);
  EXPECT_EQ(id.app_flow.kind, FlowKey::Kind::Tcp);
  EXPECT_EQ(id.app_flow.local_port, 5000);
  a.probe({7, {}}, info(tcp_frame({.sport = 80, .dport = 5000, .flags = 0x12})));
  EXPECT_EQ(a.attribute(info(from_self({.sport = 5000, .dport = 80, .flags = 0x10}))).probe_frame, 7u);
}

TEST(Attributor, FragmentsFollowTheirFirstFragment) {
  Attributor a(kSelf);
  Bytes echo(8 + 100, 0);
  echo[0] = 8;
  store_be16(echo, 4, 0x5301);
  a.probe({1, {}}, info(ipv4_frame({.proto = 1, .id = 9, .frag = 0x2000}, echo)));
  a.probe({2, {}}, info(ipv4_frame({.proto = 1, .id = 9, .frag = 14}, Bytes(40, 0))));
  Bytes reply = echo;
  reply[0] = 0;
  EXPECT_EQ(a.attribute(info(ipv4_frame({.src = kSelf, .dst = kPeer, .proto = 1, .id = 4, .frag = 0x2000}, reply)))
                .probe_frame,
            2u);
  EXPECT_EQ(
      a.attribute(info(ipv4_frame({.src = kSelf, .dst = kPeer, .proto = 1, .id = 4, .frag = 14}, Bytes(40, 0))))
          .probe_frame,
      2u);
}

// Data probes of 100 bytes from seq 1000 on one flow (peer 80 -> self 5000).
FrameInfo data_probe(std::uint32_t seq) { return info(tcp_frame({.sport = 80, .dport = 5000, .seq = seq, .payload = 100})); }
FrameInfo ack_from_self(std::uint32_t ack, Bytes options = {}) {
  return info(from_self({.sport = 5000, .dport = 80, .seq = 1, .ack = ack, .options = std::move(options)}));
}

TEST(Attributor, AnAdvancingAckBelongsToTheProbeThatLetItAckThatFar) {
  Attributor a(kSelf);
  // A burst of four segments; a real-time host answers after the burst.
  for (std::uint64_t i = 0; i < 4; ++i) a.probe({10 + i, {}}, data_probe(1000 + 100 * static_cast<std::uint32_t>(i)));
  EXPECT_EQ(a.attribute(ack_from_self(1100)).probe_frame, 10u);
  EXPECT_EQ(a.attribute(ack_from_self(1300)).probe_frame, 12u);  // a delayed ACK of two segments
  EXPECT_EQ(a.attribute(ack_from_self(1300)).probe_frame, 13u);  // not advancing: the last probe
  EXPECT_EQ(a.attribute(ack_from_self(1400)).probe_frame, 13u);
}

TEST(Attributor, SackDuplicateAcksFollowTheirFirstBlockAndAHoleFillFollowsTheRetransmission) {
  Attributor a(kSelf);
  a.probe({1, {}}, data_probe(1000));
  // 1100 is lost; 1200 and 1300 arrive out of order.
  a.probe({3, {}}, data_probe(1200));
  a.probe({4, {}}, data_probe(1300));
  EXPECT_EQ(a.attribute(ack_from_self(1100)).probe_frame, 1u);
  EXPECT_EQ(a.attribute(ack_from_self(1100, sack_option(1200, 1300))).probe_frame, 3u);
  EXPECT_EQ(a.attribute(ack_from_self(1100, sack_option(1200, 1400))).probe_frame, 4u);
  // The retransmission fills the hole: the ACK to 1400 answers it, not
  // probe 4 (which ends at 1400 too but could not be acknowledged alone).
  a.probe({5, {}}, data_probe(1100));
  a.probe({6, {}}, info(tcp_frame({.sport = 81, .dport = 5000, .flags = 0x02})));  // another flow in between
  EXPECT_EQ(a.attribute(ack_from_self(1400)).probe_frame, 5u);
}

TEST(Attributor, DataAnswersKeepTheLastProbeOfTheirFlow) {
  Attributor a(kSelf);
  a.probe({1, {}}, data_probe(1000));
  a.probe({2, {}}, data_probe(1100));
  EXPECT_EQ(a.attribute(info(from_self({.sport = 5000, .dport = 80, .seq = 1, .ack = 1100, .payload = 10})))
                .probe_frame,
            2u);
}

// ---- ACK flights (exchange.h apply_ack_flights) ----

// A peer's data segment (a probe) at `t_us`, `len` bytes at `seq`, and the
// pure ACKs the host answered with.
Exchange data_probe(std::uint64_t frame, std::int64_t t_us, std::uint32_t seq, std::vector<Response> expected,
                    std::vector<Response> actual) {
  Exchange e;
  e.id = ExchangeId{frame, {}};
  e.t_ns = t_us * 1000;
  e.probe = info(tcp_frame({.sport = 80, .dport = 40000, .seq = seq, .ack = 1, .flags = 0x10, .payload = 1000}));
  e.expected = std::move(expected);
  e.actual = std::move(actual);
  return e;
}

Response ack(std::uint32_t n, std::vector<std::uint8_t> options = {}, bool zero = false) {
  return Response{"ACK", n, zero, std::move(options), 0};
}

std::map<FlowKey, std::int64_t> rtt_of(std::int64_t us) {
  FlowKey k{FlowKey::Kind::Tcp, kSelf, kPeer, 40000, 80};
  return {{k, us * 1000}};
}

std::size_t differing(std::vector<Exchange>& xs, std::int64_t rtt_us) {
  apply_ack_flights(xs, kSelf, rtt_of(rtt_us));
  return static_cast<std::size_t>(std::count_if(xs.begin(), xs.end(), [](const Exchange& e) {
    return !difference(e).empty();
  }));
}

// Four segments 1 us apart, round trip 30 us: the captured host ACKed the
// second and the fourth, the DUT every one. Both told the peer "up to
// 5000" by the end of the flight: everything matches.
TEST(AckFlight, AckEverySegmentMatchesAckEveryOtherWithinAFlight) {
  std::vector<Exchange> xs{data_probe(1, 100, 1000, {}, {ack(2000)}),
                           data_probe(2, 101, 2000, {ack(3000)}, {ack(3000)}),
                           data_probe(3, 102, 3000, {}, {ack(4000)}),
                           data_probe(4, 103, 4000, {ack(5000)}, {ack(5000)})};
  EXPECT_EQ(differing(xs, 30), 0u);
  EXPECT_TRUE(xs[0].flight_acks_agree);
  // Spaced more than a round trip apart they are four flights: the
  // ACK the capture does not have is a real difference there.
  EXPECT_EQ(differing(xs, 0), 2u);
}

// Compressed SACK duplicates (Linux) against one per out-of-order segment.
TEST(AckFlight, SackDuplicatesCompressedOrNotMatch) {
  std::vector<std::uint8_t> sack{5, 8};
  std::vector<Exchange> xs{data_probe(1, 100, 2000, {ack(1000, sack)}, {ack(1000, sack)}),
                           data_probe(2, 101, 3000, {}, {ack(1000, sack)}),
                           data_probe(3, 102, 4000, {ack(1000, sack)}, {ack(1000, sack)})};
  EXPECT_EQ(differing(xs, 30), 0u);
}

// The rule still flags what the peer would have seen differently.
TEST(AckFlight, RealDifferencesAreStillCaught) {
  std::vector<std::uint8_t> sack{5, 8};
  // The DUT acknowledges less by the end of the flight.
  std::vector<Exchange> less{data_probe(1, 100, 1000, {}, {ack(2000)}),
                             data_probe(2, 101, 2000, {ack(3000)}, {})};
  EXPECT_EQ(differing(less, 30), 2u);
  // The DUT acknowledges nothing at all.
  std::vector<Exchange> none{data_probe(1, 100, 1000, {}, {}), data_probe(2, 101, 2000, {ack(3000)}, {})};
  EXPECT_EQ(differing(none, 30), 1u);
  // A zero window, or SACK blocks, only one side sent.
  std::vector<Exchange> zero{data_probe(1, 100, 1000, {ack(2000, {}, true)}, {ack(2000)})};
  EXPECT_EQ(differing(zero, 30), 1u);
  std::vector<Exchange> nosack{data_probe(1, 100, 2000, {ack(1000, sack)}, {}),
                               data_probe(2, 101, 3000, {}, {ack(1000)})};
  EXPECT_EQ(differing(nosack, 30), 2u);
  // Data is compared frame by frame whatever the ACKs.
  Response data{"data", 1, false, {}, 1448};
  std::vector<Exchange> moved{data_probe(1, 100, 1000, {data}, {ack(2000)}),
                              data_probe(2, 101, 2000, {ack(3000)}, {data, ack(3000)})};
  EXPECT_EQ(differing(moved, 30), 2u);
  // Another connection's probe neither joins nor breaks a flight.
  std::vector<Exchange> other{data_probe(1, 100, 1000, {}, {ack(2000)}),
                              data_probe(2, 101, 2000, {ack(3000)}, {ack(3000)})};
  other[1].probe = info(tcp_frame({.sport = 81, .dport = 40000, .seq = 2000, .ack = 1, .flags = 0x10, .payload = 1000}));
  EXPECT_EQ(differing(other, 30), 1u);
}

TEST(FrameInfo, IcmpErrorsBelongToTheQuotedFlow) {
  Bytes quoted = tcp_frame({.sport = 40000, .dport = 81, .flags = 0x02});
  Bytes icmp(8, 0);
  icmp[0] = 3;
  icmp[1] = 3;
  icmp.insert(icmp.end(), quoted.begin() + 14, quoted.begin() + 14 + 28);
  FlowKey k = flow_of(info(ipv4_frame({.src = kSelf, .dst = kPeer, .proto = 1}, icmp)), kSelf);
  EXPECT_EQ(k.kind, FlowKey::Kind::Tcp);
  EXPECT_EQ(k.local_port, 81);
  EXPECT_EQ(k.remote_port, 40000);
  EXPECT_EQ(k, flow_of(info(quoted), kSelf));
}

TEST(FrameInfo, NeverReadsPastShortFrames) {
  Bytes full = from_self({.flags = 0x12, .options = ts_option(1, 2), .payload = 20});
  for (std::size_t n = 0; n < full.size(); ++n) {
    Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    auto f = parse_frame(cut);
    EXPECT_EQ(f.has_value(), n >= 14);
  }
}

}  // namespace
}  // namespace synack::harness::replay

// Sequence and timestamp translation of injected frames (translate.h).
#include "harness/replay/translate.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/replay/test_frames.h"
#include "stack/wire/tcp.h"

namespace synack::harness::replay {
namespace {

using namespace testing;

bool checksum_ok(const Bytes& frame) {
  auto f = parse_frame(frame);
  auto p = wire::TcpPacket::checked(ConstBytes(frame).subspan(f->l4_offset, f->l4_len));
  return p && p->verify_checksum(f->src, f->dst);
}

TEST(Translate, ShiftsAckSackAndTsecrButNotThePeersOwnNumbers) {
  Bytes frame = tcp_frame({.seq = 5000, .ack = 1001, .flags = 0x10,
                           .options = concat(ts_option(777, 100), sack_option(2001, 3001)), .payload = 10});
  ASSERT_TRUE(checksum_ok(frame));
  Offsets off{.seq = 0x10000000u, .ts = 50u};
  ASSERT_TRUE(translate_to_dut(frame, off));
  auto f = parse_frame(frame);
  ASSERT_TRUE(f && f->tcp);
  EXPECT_EQ(f->tcp->seq, 5000u);
  EXPECT_EQ(f->tcp->ack, 1001u + 0x10000000u);
  EXPECT_EQ(f->tcp->tsval, 777u);
  EXPECT_EQ(f->tcp->tsecr, 150u);
  std::size_t sack = f->l4_offset + 20 + 12 + 4;  // after the TS option and the SACK's NOP NOP kind len
  EXPECT_EQ(load_be32(frame, sack), 2001u + 0x10000000u);
  EXPECT_EQ(load_be32(frame, sack + 4), 3001u + 0x10000000u);
  EXPECT_TRUE(checksum_ok(frame));
}

TEST(Translate, WrapsModulo2To32) {
  Bytes frame = tcp_frame({.ack = 0xfffffff0u, .flags = 0x10, .options = ts_option(1, 0xfffffffeu)});
  ASSERT_TRUE(translate_to_dut(frame, Offsets{.seq = 0x20u, .ts = 4u}));
  auto f = parse_frame(frame);
  EXPECT_EQ(f->tcp->ack, 0x10u);
  EXPECT_EQ(f->tcp->tsecr, 2u);
  EXPECT_TRUE(checksum_ok(frame));
}

TEST(Translate, WithoutAckFlagAckAndTsecrStay) {
  // A SYN's ACK field and TSecr carry no meaning (RFC 9293 §3.1, RFC 7323 §3.2).
  Bytes frame = tcp_frame({.ack = 1234, .flags = 0x02, .options = ts_option(9, 99)});
  Bytes before = frame;
  ASSERT_TRUE(translate_to_dut(frame, Offsets{.seq = 5u, .ts = 5u}));
  EXPECT_EQ(frame, before);  // checksum rewritten to the same value
}

TEST(Translate, OnlyTheKnownOffsetsApply) {
  Bytes frame = tcp_frame({.ack = 10, .flags = 0x10, .options = ts_option(1, 20)});
  ASSERT_TRUE(translate_to_dut(frame, Offsets{.seq = std::nullopt, .ts = 3u}));
  auto f = parse_frame(frame);
  EXPECT_EQ(f->tcp->ack, 10u);
  EXPECT_EQ(f->tcp->tsecr, 23u);
}

TEST(Translate, LeavesNonTcpFragmentsAndTruncatedFramesAlone) {
  Bytes udp = ipv4_frame({.proto = 17}, Bytes(12, 0));
  Bytes before = udp;
  EXPECT_FALSE(translate_to_dut(udp, Offsets{.seq = 1u}));
  EXPECT_EQ(udp, before);
  Bytes frag = tcp_frame({.flags = 0x10}, Ip{.frag = 0x2000});
  EXPECT_FALSE(translate_to_dut(frag, Offsets{.seq = 1u}));
  Bytes cut = tcp_frame({.flags = 0x10, .payload = 100});
  cut.resize(cut.size() - 50);
  EXPECT_FALSE(translate_to_dut(cut, Offsets{.seq = 1u}));
}

TEST(Translate, PadToWireRestoresLengthAndChecksum) {
  Bytes frame = tcp_frame({.flags = 0x18, .payload = 100});
  std::size_t wire_len = frame.size();
  frame.resize(80);
  EXPECT_EQ(pad_to_wire(frame, wire_len), wire_len - 80);
  EXPECT_EQ(frame.size(), wire_len);
  EXPECT_TRUE(recompute_l4_checksum(frame));
  EXPECT_TRUE(checksum_ok(frame));
  EXPECT_EQ(pad_to_wire(frame, wire_len), 0u);
}

TcpFields segment(std::uint32_t seq, std::uint16_t flags, std::size_t len, std::optional<std::uint32_t> tsval = {}) {
  TcpFields t;
  t.seq = seq;
  t.flags = flags;
  t.payload_len = len;
  t.tsval = tsval;
  return t;
}

TEST(DutConnections, LearnsIsnAndTimestampFromSynAck) {
  DutConnections c;
  FlowKey k{FlowKey::Kind::Tcp, kSelf, kPeer, 80, 40000};
  EXPECT_TRUE(c.ahead_of_dut(k, 1));
  EXPECT_FALSE(c.offsets(k, 100, 7).any());
  c.sent(k, segment(5000, 0x12, 0, 9000));
  Offsets o = c.offsets(k, 100, 7000);
  EXPECT_EQ(o.seq, 4900u);
  EXPECT_EQ(o.ts, 2000u);
  // Captured host without timestamps: only the sequence offset.
  EXPECT_FALSE(c.offsets(k, 100, std::nullopt).ts);
  EXPECT_FALSE(c.ahead_of_dut(k, 5001));  // SYN-ACK occupies 5000
  EXPECT_TRUE(c.ahead_of_dut(k, 5002));
  c.sent(k, segment(5001, 0x18, 1448));
  EXPECT_FALSE(c.ahead_of_dut(k, 6449));
  EXPECT_TRUE(c.ahead_of_dut(k, 6450));
  // A retransmission does not lower the highest sequence sent.
  c.sent(k, segment(5001, 0x10, 100));
  EXPECT_FALSE(c.ahead_of_dut(k, 6449));
  // FIN takes one.
  c.sent(k, segment(6449, 0x11, 0));
  EXPECT_FALSE(c.ahead_of_dut(k, 6450));
}

TEST(DutConnections, NewSynStartsANewConnection) {
  DutConnections c;
  FlowKey k{FlowKey::Kind::Tcp, kSelf, kPeer, 5555, 80};
  c.sent(k, segment(100, 0x02, 0));
  c.sent(k, segment(101, 0x18, 1000));
  c.sent(k, segment(100, 0x02, 0));  // retransmitted SYN: same connection
  EXPECT_FALSE(c.ahead_of_dut(k, 1101));
  c.sent(k, segment(9000, 0x02, 0));
  EXPECT_EQ(c.find(k)->isn, 9000u);
  EXPECT_EQ(c.find(k)->snd_max, 9001u);
}

// Translating by an offset and then by its negation gives the frame back.
RC_GTEST_PROP(TranslateProp, InverseOffsetsRoundTrip, (std::uint32_t ack, std::uint32_t tsecr, std::uint32_t left,
                                                        std::uint32_t dseq, std::uint32_t dts, std::uint8_t payload)) {
  Bytes frame = tcp_frame({.ack = ack, .flags = 0x10,
                           .options = concat(ts_option(5, tsecr), sack_option(left, left + 100)),
                           .payload = payload});
  Bytes original = frame;
  RC_ASSERT(translate_to_dut(frame, Offsets{.seq = dseq, .ts = dts}));
  RC_ASSERT(checksum_ok(frame));
  RC_ASSERT(parse_frame(frame)->tcp->ack == ack + dseq);
  RC_ASSERT(translate_to_dut(frame, Offsets{.seq = 0u - dseq, .ts = 0u - dts}));
  RC_ASSERT(frame == original);
}

TEST(ClampAck, LowersTheAckAndCutsSackBlocksAtWhatTheDutSent) {
  // Two SACK blocks: one below what the DUT sent, one straddling it.
  Bytes sack{1, 1, 5, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  store_be32(sack, 4, 1500);
  store_be32(sack, 8, 1600);
  store_be32(sack, 12, 1800);
  store_be32(sack, 16, 2500);
  Bytes frame = tcp_frame({.ack = 3000, .flags = 0x10, .options = sack});
  ASSERT_TRUE(clamp_ack(frame, 2000));
  auto f = parse_frame(frame);
  EXPECT_EQ(f->tcp->ack, 2000u);
  using Blocks = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
  EXPECT_EQ(f->tcp->sack, (Blocks{{1500, 1600}, {1800, 2000}}));
  EXPECT_TRUE(checksum_ok(frame));
  // A block wholly beyond disappears (its bytes become NOPs).
  Bytes beyond = tcp_frame({.ack = 1000, .flags = 0x10, .options = sack_option(2100, 2200)});
  ASSERT_TRUE(clamp_ack(beyond, 2000));
  f = parse_frame(beyond);
  EXPECT_EQ(f->tcp->ack, 1000u);
  EXPECT_TRUE(f->tcp->sack.empty());
  EXPECT_TRUE(f->tcp->option_kinds.empty());
  EXPECT_TRUE(checksum_ok(beyond));
  // Nothing beyond: unchanged.
  Bytes fine = tcp_frame({.ack = 1000, .flags = 0x10, .options = sack_option(1100, 1200)});
  Bytes copy = fine;
  EXPECT_FALSE(clamp_ack(fine, 2000));
  EXPECT_EQ(fine, copy);
}

// An ICMP error from the peer's side about `quoted` (a frame kSelf sent):
// its IP header and the first `keep` bytes of its payload (all when 0).
Bytes icmp_error(std::uint8_t type, std::uint8_t code, std::uint16_t mtu, const Bytes& quoted, std::size_t keep = 0) {
  std::size_t take = 20 + (keep ? keep : quoted.size() - 34);
  Bytes icmp(8, 0);
  icmp[0] = type;
  icmp[1] = code;
  store_be16(icmp, 6, mtu);
  icmp.insert(icmp.end(), quoted.begin() + 14, quoted.begin() + 14 + static_cast<std::ptrdiff_t>(take));
  store_be16(icmp, 2, wire::checksum(icmp));
  return ipv4_frame({.src = kPeer, .dst = kSelf, .proto = 1, .id = 77}, icmp);
}

bool icmp_checksums_ok(const Bytes& frame) {
  auto f = parse_frame(frame);
  ConstBytes msg = ConstBytes(frame).subspan(f->l4_offset, f->l4_len);
  std::size_t ihl = std::size_t{static_cast<std::uint8_t>(msg[8] & 0x0f)} * 4;
  return wire::checksum(msg) == 0 && wire::checksum(msg.subspan(8, ihl)) == 0;
}

TEST(TranslateQuote, FragNeededQuotingATcpSegmentGetsTheDutsSequenceNumberAndIpId) {
  Bytes seg = tcp_frame({.sport = 5000, .dport = 80, .seq = 1000, .ack = 9, .payload = 40}, {.src = kSelf, .dst = kPeer, .id = 11});
  Bytes err = icmp_error(3, 4, 1200, seg);  // the whole segment quoted
  ASSERT_TRUE(icmp_checksums_ok(err));
  ASSERT_TRUE(translate_icmp_quote(err, QuoteFix{.seq = 0x7000'0000u, .ip_id = 4242}));
  auto f = parse_frame(err);
  ASSERT_TRUE(f && f->icmp && f->icmp->quoted);
  EXPECT_EQ(*f->icmp->inner_seq, 1000u + 0x7000'0000u);
  EXPECT_EQ(f->icmp->inner_ip_id, 4242);
  EXPECT_EQ(f->icmp->inner_sport, 5000);
  EXPECT_EQ(load_be16(err, f->l4_offset + 6), 1200);  // the MTU stays
  EXPECT_TRUE(icmp_checksums_ok(err));
  // The quoted TCP checksum was updated in place: it equals the one of the
  // segment the DUT would have sent.
  Bytes dut = tcp_frame({.sport = 5000, .dport = 80, .seq = 1000u + 0x7000'0000u, .ack = 9, .payload = 40},
                        {.src = kSelf, .dst = kPeer, .id = 4242});
  std::size_t quoted_tcp = f->l4_offset + 8 + 20;
  EXPECT_EQ(load_be16(err, quoted_tcp + 16), load_be16(dut, 34 + 16));
  EXPECT_TRUE(std::equal(dut.begin() + 14, dut.end(), err.begin() + static_cast<std::ptrdiff_t>(f->l4_offset + 8)));
}

TEST(TranslateQuote, AnEightByteQuoteGetsItsSequenceNumberWithoutAChecksum) {
  Bytes seg = tcp_frame({.sport = 5000, .dport = 80, .seq = 0xfffffff0u, .flags = 0x02}, {.src = kSelf, .dst = kPeer});
  Bytes err = icmp_error(3, 3, 0, seg, 8);  // RFC 792's minimum
  ASSERT_TRUE(translate_icmp_quote(err, QuoteFix{.seq = 0x20u}));
  auto f = parse_frame(err);
  EXPECT_EQ(*f->icmp->inner_seq, 0x10u);  // wraps
  EXPECT_EQ(f->icmp->inner_ip_id, 1);     // no id given: as captured
  EXPECT_TRUE(icmp_checksums_ok(err));
}

TEST(TranslateQuote, PortUnreachableQuotingUdpTakesTheDutsIpId) {
  Bytes udp(8 + 5, 0);
  store_be16(udp, 0, 47056);
  store_be16(udp, 2, 9);
  store_be16(udp, 4, 13);
  Bytes dgram = ipv4_frame({.src = kSelf, .dst = kPeer, .proto = 17, .id = 5}, udp);
  Bytes err = icmp_error(3, 3, 0, dgram);
  std::uint16_t udp_sum = load_be16(dgram, 34 + 6);
  ASSERT_TRUE(translate_icmp_quote(err, QuoteFix{.seq = 99u, .ip_id = 0xbeef}));  // seq: no meaning for UDP
  auto f = parse_frame(err);
  EXPECT_EQ(f->icmp->inner_ip_id, 0xbeef);
  EXPECT_EQ(load_be16(err, f->l4_offset + 8 + 20 + 6), udp_sum);  // the id is not in the UDP checksum
  EXPECT_EQ(load_be16(err, f->l4_offset + 8 + 20), 47056);
  EXPECT_TRUE(icmp_checksums_ok(err));
}

TEST(TranslateQuote, LeavesOtherFramesAlone) {
  Bytes seg = tcp_frame({});
  Bytes before = seg;
  EXPECT_FALSE(translate_icmp_quote(seg, QuoteFix{.seq = 1u}));
  Bytes echo(8 + 4, 0);
  echo[0] = 8;
  Bytes ping = ipv4_frame({.proto = 1}, echo);
  EXPECT_FALSE(translate_icmp_quote(ping, QuoteFix{.seq = 1u}));
  EXPECT_EQ(seg, before);
  // A quote cut inside its IP header.
  Bytes err = icmp_error(3, 3, 0, tcp_frame({}, {.src = kSelf, .dst = kPeer}), 0);
  err.resize(14 + 20 + 8 + 12);
  store_be16(err, 16, static_cast<std::uint16_t>(20 + 8 + 12));
  EXPECT_FALSE(translate_icmp_quote(err, QuoteFix{.seq = 1u}));
}

}  // namespace
}  // namespace synack::harness::replay

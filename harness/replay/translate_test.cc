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

}  // namespace
}  // namespace synack::harness::replay

// Loss recovery at the socket, segment by segment: RFC 6675 with SACK
// (scoreboard updates from RFC 2018 blocks, DupThresh and IsLost, pipe,
// NextSeg rules 1 and 2, limited transmit, exit at RecoveryPoint, RTO
// during recovery), and NewReno (RFC 6582) for connections without SACK.
// Sequence offsets in comments are relative to ISS + 1; MSS 1000, no
// timestamps, CUBIC unless said otherwise (ssthresh = 0.7 * FlightSize).
#include <initializer_list>
#include <utility>

#include "stack/transport/tcp/tcp_test_fixture.h"

namespace synack::tcp::testing {
namespace {

constexpr std::uint32_t kSeg = 1000;

class RecoveryTest : public SocketTest {
 protected:
  // ESTABLISHED with MSS 1000, a 64 KiB send buffer, SACK when `sack`.
  void establish(bool sack, CcAlgorithm cc = CcAlgorithm::Cubic) {
    env.config.sack = sack;
    env.config.sndbuf = 64 * 1024;
    env.config.congestion = cc;
    s = std::make_unique<Socket>(env.config);
    socket_syn_sent();
    TcpRepr synack{.seq = kRemoteIss, .ack = iss + 1, .flags = kTcpSyn | kTcpAck, .window = 65535};
    synack.options.push_mss(kSeg);
    if (sack) synack.options.push_sack_permitted();
    deliver(synack);
    ASSERT_EQ(s->state(), State::Established);
    expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
  }
  SeqNumber at(std::uint32_t off) const { return iss + 1 + off; }
  // An ACK from the peer: cumulative `ack` (offset) and SACK blocks (offsets).
  void ack(std::uint32_t off, std::initializer_list<std::pair<std::uint32_t, std::uint32_t>> sacks = {}) {
    TcpRepr t{.seq = kRemoteIss + 1, .ack = at(off), .flags = kTcpAck, .window = 65535};
    if (sacks.size() > 0) {
      std::vector<wire::SackBlock> b;
      for (auto [l, r] : sacks) b.push_back({at(l), at(r)});
      t.options.push_nop();
      t.options.push_nop();
      t.options.push_sack(b);
    }
    deliver(t);
  }
  // Expects a data segment [off, off + len), PSH when `psh`.
  void expect_data(std::uint32_t off, std::uint32_t len = kSeg, bool psh = false) {
    std::uint16_t flags = kTcpAck | (psh ? kTcpPsh : 0);
    expect_emitted({.seq = at(off), .ack = kRemoteIss + 1, .flags = flags, .window = kBuf}, len);
  }
  void send_bytes(std::size_t n) { ASSERT_EQ(send_text(std::string(n, 'd')), n); }
  // The initial window of ten segments [0, 10000).
  // PSH on the last one when it ends the queued data.
  void send_initial_window(bool psh_last = false) {
    for (std::uint32_t i = 0; i < 10; ++i) expect_data(i * kSeg, kSeg, psh_last && i == 9);
  }
};

TEST_F(RecoveryTest, SackLimitedTransmitThenFastRetransmitOnThirdDupack) {
  establish(true);
  send_bytes(14000);
  send_initial_window();
  expect_nothing();  // cwnd 10000 full
  ack(0, {{1000, 2000}});  // dupack 1: one segment SACKed leaves the pipe
  expect_data(10000);      // RFC 3042 limited transmit
  expect_nothing();
  ack(0, {{1000, 3000}});  // dupack 2
  expect_data(11000);
  expect_nothing();
  ack(0, {{1000, 4000}});  // dupack 3 = DupThresh: recovery, first hole resent
  expect_data(0);
  EXPECT_EQ(env.stats.sack_recoveries, 1u);
  EXPECT_EQ(env.stats.fast_retransmits, 1u);
  // ssthresh = cwnd = 0.7 * 12000; pipe = 1000 (resent) + 8000 = 9000.
  EXPECT_EQ(s->info(env.ctx()).cwnd, 8400u);
  EXPECT_EQ(s->info(env.ctx()).sacked, 3u);
  expect_nothing();
  ack(0, {{1000, 5000}});  // pipe 8000: 400 left, less than an SMSS
  expect_nothing();
  ack(0, {{1000, 6000}});  // pipe 7000: one new segment (rule 2)
  expect_data(12000);
  expect_nothing();
  ack(12000);  // covers RecoveryPoint (12000): recovery ends, cwnd = ssthresh
  EXPECT_EQ(s->info(env.ctx()).cwnd, 8400u);
  EXPECT_EQ(s->info(env.ctx()).sacked, 0u);
  expect_data(13000, kSeg, true);
  deliver({.seq = kRemoteIss + 1, .ack = at(14000), .flags = kTcpAck, .window = 65535});
  EXPECT_EQ(s->info(env.ctx()).unacked, 0u);
  EXPECT_EQ(env.stats.timeouts, 0u);
}

TEST_F(RecoveryTest, SackRetransmitsEachLostHoleOnceThenExits) {
  establish(true);
  send_bytes(15000);
  send_initial_window();
  // Segments 0 and 3000 are lost.
  ack(0, {{1000, 2000}});
  expect_data(10000);
  ack(0, {{1000, 3000}});
  expect_data(11000);
  ack(0, {{4000, 5000}, {1000, 3000}});  // third dupack: IsLost(0) (3000 bytes above)
  expect_data(0);
  expect_nothing();  // pipe 1000 + 1000 + 7000 = 9000 > cwnd 8400
  ack(0, {{4000, 6000}, {1000, 3000}});  // [3000,4000) not yet lost: pipe 8000
  expect_nothing();
  ack(0, {{4000, 7000}, {1000, 3000}});  // now 3000 bytes above 3000: lost; pipe 6000
  expect_data(3000);                     // rule 1: the next lost hole
  expect_data(12000);                    // rule 2: new data while cwnd - pipe >= SMSS
  expect_nothing();                      // pipe 8000
  ack(0, {{4000, 8000}, {1000, 3000}});  // pipe 7000
  expect_data(13000);
  expect_nothing();
  ack(3000, {{4000, 8000}});  // partial ACK (the first retransmission arrived)
  expect_data(14000, kSeg, true);
  expect_nothing();  // no hole is resent twice: HighRxt is past both
  ack(12000);        // RecoveryPoint: exit
  EXPECT_EQ(s->info(env.ctx()).cwnd, 8400u);
  ack(15000);
  EXPECT_EQ(s->info(env.ctx()).unacked, 0u);
  EXPECT_EQ(env.stats.retrans_segs, 2u);
  EXPECT_EQ(env.stats.retrans_bytes, 2000u);
  EXPECT_EQ(env.stats.timeouts, 0u);
}

TEST_F(RecoveryTest, SackedBytesBeyondDupThreshEnterRecoveryWithoutThreeDupacks) {
  establish(true);
  send_bytes(10000);
  send_initial_window(true);
  // One ACK SACKing three segments: (DupThresh - 1) * SMSS bytes exceeded.
  ack(0, {{1000, 4000}});
  EXPECT_EQ(env.stats.sack_recoveries, 1u);
  expect_data(0);
  expect_nothing();
}

TEST_F(RecoveryTest, TwoSackedSegmentsAreNotALoss) {
  establish(true);
  send_bytes(10000);
  send_initial_window(true);
  ack(0, {{2000, 3000}});
  ack(0, {{2000, 3000}, {4000, 5000}});
  EXPECT_EQ(env.stats.sack_recoveries, 0u);
  expect_nothing();  // no new data to send: limited transmit has nothing
  ack(0, {{2000, 3000}, {4000, 5000}});  // no new SACK information: not a dupack
  EXPECT_EQ(env.stats.sack_recoveries, 0u);
  expect_nothing();
}

TEST_F(RecoveryTest, RtoDuringSackRecoveryClearsScoreboardAndSkipsLaterSacks) {
  establish(true);
  send_bytes(10000);
  send_initial_window(true);
  ack(0, {{1000, 4000}});
  expect_data(0);
  EXPECT_EQ(s->info(env.ctx()).sacked, 3u);
  // The retransmission is lost too: the RTO fires (RFC 6675 §5.1).
  Context c = env.ctx();
  env.now = *s->poll_at(c);
  expect_data(0);  // go back N from SND.UNA, cwnd one segment
  EXPECT_EQ(env.stats.timeouts, 1u);
  EXPECT_EQ(s->info(env.ctx()).sacked, 0u);  // scoreboard cleared
  EXPECT_EQ(s->info(env.ctx()).cwnd, kSeg);
  expect_nothing();
  // The peer repeats its SACK for [1000, 4000) with the ACK of the resent
  // segment... a cumulative ACK up to 1000 with [1000,4000) is really 4000:
  // here the peer ACKs 0..1000 and SACKs [2000,4000) again (1000 is lost).
  ack(1000, {{2000, 4000}});
  // Slow start: cwnd 2000; [1000,2000) is resent, then [2000,4000) is
  // skipped as SACKed, and 4000 follows.
  expect_data(1000);
  expect_data(4000);
  expect_nothing();
  EXPECT_EQ(env.stats.sack_recoveries, 1u);  // no new recovery below RecoveryPoint
}

// A hostile or broken peer SACKs a block that straddles SND.UNA without
// advancing its ACK (found by fuzz_tcp_conversation): recovery starts but
// there is no hole at SND.UNA to resend. The socket must not stay due (a
// busy loop in every runtime) and the RTO must still recover.
TEST_F(RecoveryTest, SackBlockCoveringSndUnaLeavesNothingDueButTheRto) {
  establish(true);
  send_bytes(10000);
  send_initial_window(true);
  ack(0, {{0u - 100u, 4000}});
  EXPECT_EQ(env.stats.sack_recoveries, 1u);
  expect_nothing();
  Context c = env.ctx();
  auto at = s->poll_at(c);
  ASSERT_TRUE(at.has_value());
  EXPECT_GT(*at, env.now);
  env.now = *at;
  expect_data(0);  // the RTO goes back to SND.UNA
  EXPECT_EQ(env.stats.timeouts, 1u);
}

TEST_F(RecoveryTest, WithoutSackNewRenoRetransmitsOneHolePerPartialAck) {
  establish(false, CcAlgorithm::NewReno);
  send_bytes(12000);
  send_initial_window();
  // Segments 0 and 3000 lost; plain duplicate ACKs.
  ack(0);
  expect_data(10000);  // RFC 3042
  ack(0);
  expect_data(11000, kSeg, true);
  ack(0);
  expect_data(0);  // fast retransmit (RFC 6582 §3.2 step 2)
  EXPECT_EQ(env.stats.reno_recoveries, 1u);
  EXPECT_EQ(env.stats.sack_recoveries, 0u);
  EXPECT_EQ(s->info(env.ctx()).cwnd, 6000u);  // FlightSize 12000 / 2
  ack(3000);           // partial ACK: the next hole goes at once (step 5)
  expect_data(3000);
  ack(12000);  // full ACK: exit
  EXPECT_EQ(s->info(env.ctx()).cwnd, 6000u);
  EXPECT_EQ(env.stats.retrans_segs, 2u);
}

TEST_F(RecoveryTest, SackRecoveryRetransmitsFinWithLastHole) {
  establish(true);
  send_bytes(4000);
  Context c = env.ctx();
  s->close(c);  // FIN rides on the last segment
  expect_data(0);
  expect_data(1000);
  expect_data(2000);
  expect_emitted({.seq = at(3000), .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh | kTcpFin, .window = kBuf}, kSeg);
  // Segment 0 lost; 3000 SACKed bytes above it.
  ack(0, {{1000, 4001}});
  expect_data(0);
  ack(4001);
  EXPECT_EQ(s->state(), State::FinWait2);
}

}  // namespace
}  // namespace synack::tcp::testing

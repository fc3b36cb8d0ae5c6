// Connection teardown (RFC 9293 §3.6, §3.10.4, §3.10.7.4 steps 2, 4, 5, 8):
// every transition out of ESTABLISHED through TIME-WAIT or LAST-ACK, RSTs
// and challenge ACKs (RFC 5961), RFC 1337 and TIME-WAIT reuse.
#include "stack/transport/tcp/tcp_test_fixture.h"

namespace synack::tcp::testing {
namespace {

TEST_F(SocketTest, ActiveCloseFinWait1ToFinWait2ToTimeWait) {
  socket_time_wait();
  // 2 * MSL later the socket is gone.
  fire_at(env.now + Duration::from_secs(59));
  EXPECT_EQ(s->state(), State::TimeWait);
  fire_at(env.now + Duration::from_secs(1));
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_TRUE(s->closed());
}

TEST_F(SocketTest, FinWait1FinAndAckTogetherToTimeWait) {
  socket_fin_wait_1();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 2, .flags = kTcpFin | kTcpAck, .window = 8192});
  EXPECT_EQ(s->state(), State::TimeWait);
  expect_emitted({.seq = iss + 2, .ack = kRemoteIss + 2, .flags = kTcpAck, .window = kBuf});
}

TEST_F(SocketTest, SimultaneousCloseThroughClosing) {
  socket_closing();
  deliver({.seq = kRemoteIss + 2, .ack = iss + 2, .flags = kTcpAck, .window = 8192});
  EXPECT_EQ(s->state(), State::TimeWait);
}

TEST_F(SocketTest, ClosingIgnoresAckNotCoveringFin) {
  socket_closing();
  deliver({.seq = kRemoteIss + 2, .ack = iss + 1, .flags = kTcpAck, .window = 8192});
  EXPECT_EQ(s->state(), State::Closing);
}

TEST_F(SocketTest, PassiveCloseThroughLastAck) {
  socket_last_ack();
  deliver({.seq = kRemoteIss + 2, .ack = iss + 2, .flags = kTcpAck, .window = 8192});
  EXPECT_EQ(s->state(), State::Closed);
  expect_nothing();
}

TEST_F(SocketTest, CloseWaitReadsEndOfStream) {
  socket_close_wait();
  EXPECT_EQ(recv_text(), "");
  EXPECT_TRUE(s->readiness().rdhup);
  EXPECT_EQ(send_text("late"), 4u);  // sending in CLOSE-WAIT is allowed
}

TEST_F(SocketTest, RstInCloseWaitReportsBrokenPipe) {
  // RFC 9293 §3.10.7.4 second: CLOSE-WAIT resets like ESTABLISHED; Linux
  // reports it as EPIPE since the peer had already finished sending.
  socket_close_wait();
  deliver({.seq = kRemoteIss + 2, .flags = kTcpRst});
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_EQ(s->take_error(), SockError::Pipe);
  expect_nothing();
}

TEST_F(SocketTest, TimeWaitAcksTextAndIgnoresIt) {
  // RFC 9293 §3.10.7.4 seventh: TIME-WAIT ignores segment text; like Linux
  // it still answers with an ACK of the old connection's end.
  socket_time_wait();
  SeqNumber rcv_nxt = kRemoteIss + 2;
  deliver({.seq = rcv_nxt, .ack = iss + 2, .flags = kTcpAck, .window = 8192});
  expect_nothing();  // a bare ACK gets no ACK
  deliver({.seq = rcv_nxt, .ack = iss + 2, .flags = kTcpAck | kTcpPsh, .window = 8192}, std::string("late"));
  expect_emitted({.seq = iss + 2, .ack = rcv_nxt, .flags = kTcpAck, .window = kBuf}, 0, false);
  EXPECT_EQ(s->state(), State::TimeWait);
}

TEST_F(SocketTest, FinRetransmittedUntilAcked) {
  socket_fin_wait_1();
  Context c = env.ctx();
  env.now = *s->poll_at(c);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpFin | kTcpAck, .window = kBuf});
}

TEST_F(SocketTest, TimeWaitAcksRetransmittedFinAndRestarts2Msl) {
  socket_time_wait();
  env.advance(Duration::from_secs(30));
  deliver({.seq = kRemoteIss + 1, .ack = iss + 2, .flags = kTcpFin | kTcpAck, .window = 8192});
  expect_emitted({.seq = iss + 2, .ack = kRemoteIss + 2, .flags = kTcpAck, .window = kBuf});
  fire_at(env.now + Duration::from_secs(59));
  EXPECT_EQ(s->state(), State::TimeWait);
  fire_at(env.now + Duration::from_secs(1));
  EXPECT_EQ(s->state(), State::Closed);
}

TEST_F(SocketTest, TimeWaitIgnoresRstRfc1337) {
  socket_time_wait();
  deliver({.seq = kRemoteIss + 2, .flags = kTcpRst});
  EXPECT_EQ(s->state(), State::TimeWait);
}

TEST_F(SocketTest, TimeWaitSynReuse) {
  socket_time_wait();
  EXPECT_TRUE(s->acceptable_time_wait_syn(inbound({.seq = kRemoteIss + 100, .flags = kTcpSyn})));
  EXPECT_FALSE(s->acceptable_time_wait_syn(inbound({.seq = kRemoteIss, .flags = kTcpSyn})));
  EXPECT_FALSE(s->acceptable_time_wait_syn(
      inbound({.seq = kRemoteIss + 100, .ack = iss, .flags = kTcpSyn | kTcpAck})));
}

TEST_F(SocketTest, ExactRstResetsEstablished) {
  socket_established();
  deliver({.seq = kRemoteIss + 1, .flags = kTcpRst});
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_EQ(recv_text(), "<ECONNRESET>");
  expect_nothing();
}

TEST_F(SocketTest, InWindowRstGetsChallengeAck) {
  socket_established();
  deliver({.seq = kRemoteIss + 100, .flags = kTcpRst});
  EXPECT_EQ(s->state(), State::Established);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
  EXPECT_EQ(env.stats.challenge_acks, 1u);
}

TEST_F(SocketTest, OutOfWindowRstDroppedSilently) {
  socket_established();
  deliver({.seq = kRemoteIss + 100000, .flags = kTcpRst});
  EXPECT_EQ(s->state(), State::Established);
  expect_nothing();
}

TEST_F(SocketTest, SynInEstablishedGetsChallengeAck) {
  socket_established();
  deliver({.seq = kRemoteIss + 1, .flags = kTcpSyn, .window = 8192});
  EXPECT_EQ(s->state(), State::Established);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
}

TEST_F(SocketTest, ChallengeAckRateLimited) {
  env.config.challenge_ack_limit = 2;
  env.config.invalid_ratelimit = Duration::zero();  // the count per second alone
  socket_established();
  for (int i = 0; i < 5; ++i) {
    deliver({.seq = kRemoteIss + 50, .flags = kTcpRst});
    poll();
  }
  EXPECT_EQ(env.stats.challenge_acks, 2u);
  EXPECT_EQ(env.stats.challenge_acks_limited, 3u);
  env.advance(Duration::from_secs(1));
  deliver({.seq = kRemoteIss + 50, .flags = kTcpRst});
  EXPECT_EQ(env.stats.challenge_acks, 3u);
}

TEST_F(SocketTest, ChallengeAndOutOfWindowAcksShareAnInterval) {
  // Linux tcp_invalid_ratelimit (500 ms): one ACK per interval answers a
  // challenge or an out-of-window bare segment; text is always answered.
  socket_established();
  deliver({.seq = kRemoteIss + 1, .flags = kTcpSyn, .window = 8192});
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
  env.advance(Duration::from_millis(100));
  deliver({.seq = kRemoteIss + 50, .flags = kTcpRst});
  deliver({.seq = kRemoteIss + 100000, .ack = iss + 1, .flags = kTcpAck, .window = 8192});
  expect_nothing();
  EXPECT_EQ(env.stats.challenge_acks_limited, 1u);
  deliver({.seq = kRemoteIss + 100000, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, std::string("x"));
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
  env.advance(Duration::from_millis(400));
  deliver({.seq = kRemoteIss + 100000, .ack = iss + 1, .flags = kTcpAck, .window = 8192});
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
}

TEST_F(SocketTest, AckOfUnsentDataGetsAck) {
  socket_established();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1000, .flags = kTcpAck, .window = 8192});
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
}

TEST_F(SocketTest, RstInEveryDesynchronizingState) {
  struct Case {
    void (SocketTest::*fixture)();
    SeqNumber seq_off;
    State after;
  };
  // RFC 9293 §3.10.7.4 second step, per state.
  socket_fin_wait_2();
  deliver({.seq = kRemoteIss + 1, .flags = kTcpRst});
  EXPECT_EQ(s->state(), State::Closed);
}

TEST_F(SocketTest, RstInLastAckCloses) {
  socket_last_ack();
  deliver({.seq = kRemoteIss + 2, .flags = kTcpRst});
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_FALSE(s->take_error().has_value());
}

TEST_F(SocketTest, CloseWithUnreadDataSendsRst) {
  socket_established();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck | kTcpPsh, .window = 8192},
          std::string("hello"));
  poll();  // (delayed) ACK not due yet
  Context c = env.ctx();
  s->close(c);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 6, .flags = kTcpRst | kTcpAck});
  EXPECT_EQ(s->state(), State::Closed);
}

TEST_F(SocketTest, DataAfterCloseInFinWait2ResetsWithSeqFromAck) {
  // RFC 1122 4.2.2.13: new data after CLOSE draws a RST; Linux's has
  // <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.1 form), without ACK.
  socket_fin_wait_2();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 2, .flags = kTcpAck | kTcpPsh, .window = 8192}, std::string("late"));
  expect_emitted({.seq = iss + 2, .flags = kTcpRst}, 0, false);
  EXPECT_EQ(s->state(), State::Closed);
}

TEST_F(SocketTest, AbortSendsRst) {
  socket_established();
  Context c = env.ctx();
  s->abort(c);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpRst | kTcpAck});
  EXPECT_TRUE(s->closed());
}

TEST_F(SocketTest, OrphanFinWait2TimesOut) {
  socket_fin_wait_2();
  fire_at(env.now + Duration::from_secs(60));
  EXPECT_EQ(s->state(), State::Closed);
}

TEST_F(SocketTest, ShutdownWriteKeepsReading) {
  socket_established();
  Context c = env.ctx();
  ASSERT_TRUE(s->shutdown(c, Shutdown::Write).ok());
  EXPECT_EQ(s->state(), State::FinWait1);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpFin | kTcpAck, .window = kBuf});
  deliver({.seq = kRemoteIss + 1, .ack = iss + 2, .flags = kTcpAck, .window = 8192});
  EXPECT_EQ(s->state(), State::FinWait2);
  deliver({.seq = kRemoteIss + 1, .ack = iss + 2, .flags = kTcpAck | kTcpPsh, .window = 8192},
          std::string("data"));
  EXPECT_EQ(recv_text(), "data");
  EXPECT_EQ(s->send(ConstBytes{}).error(), SockError::Pipe);
  // Not an orphan: FIN-WAIT-2 waits for the peer without a timeout.
  Context c2 = env.ctx();
  auto next = s->poll_at(c2);
  EXPECT_TRUE(!next || *next < env.now + Duration::from_secs(1));  // only the delayed ACK
}

TEST_F(SocketTest, ShutdownReadKeepsAcceptingDataInEstablished) {
  socket_established();
  Context c = env.ctx();
  ASSERT_TRUE(s->shutdown(c, Shutdown::Read).ok());
  EXPECT_EQ(recv_text(), "");  // empty queue: end of stream, not EAGAIN
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck | kTcpPsh, .window = 8192},
          std::string("late"));
  EXPECT_EQ(s->state(), State::Established);
  EXPECT_EQ(recv_text(), "late");
}

TEST_F(SocketTest, ShutdownBothResetsOnDataInFinWait) {
  socket_established();
  Context c = env.ctx();
  ASSERT_TRUE(s->shutdown(c, Shutdown::Both).ok());
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpFin | kTcpAck, .window = kBuf});
  deliver({.seq = kRemoteIss + 1, .ack = iss + 2, .flags = kTcpAck | kTcpPsh, .window = 8192},
          std::string("data"));
  expect_emitted({.seq = iss + 2, .flags = kTcpRst});
  EXPECT_EQ(s->send(ConstBytes{}).error(), SockError::ConnReset);
}

}  // namespace
}  // namespace synack::tcp::testing

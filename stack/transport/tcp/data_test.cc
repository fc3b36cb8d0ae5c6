// Data transfer (RFC 9293 §3.8, §3.10.7.4 steps 1 and 7): the RFC 793 p.69
// acceptability table row by row, out-of-order data, SACK/D-SACK generation,
// delayed ACKs, Nagle, zero-window probing, keepalive, urgent pointer.
#include <cctype>

#include "stack/transport/tcp/tcp_test_fixture.h"

namespace synack::tcp::testing {
namespace {

std::string text(std::size_t n, char c = 'x') { return std::string(n, c); }

TEST_F(SocketTest, SendsQueuedDataWithPsh) {
  socket_established();
  EXPECT_EQ(send_text("hello"), 5u);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh, .window = kBuf}, 5);
  EXPECT_EQ(std::string(last_payload.begin(), last_payload.end()), "hello");
  expect_nothing();  // waits for the ACK
  deliver({.seq = kRemoteIss + 1, .ack = iss + 6, .flags = kTcpAck, .window = 8192});
  EXPECT_EQ(s->info(env.ctx()).unacked, 0u);
}

TEST_F(SocketTest, NagleHoldsSmallSegmentWhileUnacked) {
  socket_established();
  send_text("a");
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh, .window = kBuf}, 1);
  send_text("b");
  expect_nothing();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 2, .flags = kTcpAck, .window = 8192});
  expect_emitted({.seq = iss + 2, .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh, .window = kBuf}, 1);
}

TEST_F(SocketTest, NodelaySendsAtOnce) {
  socket_established();
  s->set_nodelay(true);
  send_text("a");
  poll();
  send_text("b");
  expect_emitted({.seq = iss + 2, .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh, .window = kBuf}, 1);
}

TEST_F(SocketTest, SegmentsLimitedByMss) {
  socket_established();  // peer sent no MSS option: 536
  EXPECT_EQ(send_text(text(1000)), 1000u);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf}, 536);
  expect_emitted({.seq = iss + 537, .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh, .window = kBuf}, 464);
}

TEST_F(SocketTest, SendBufferFullGivesAgain) {
  socket_established();
  EXPECT_EQ(send_text(text(kBuf + 10)), kBuf);
  EXPECT_EQ(s->send(ConstBytes(reinterpret_cast<const std::uint8_t*>("x"), 1)).error(), SockError::Again);
  EXPECT_FALSE(s->readiness().writable);
}

TEST_F(SocketTest, ReceiveInOrderDelayedAck) {
  socket_established();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck | kTcpPsh, .window = 8192}, std::string("abc"));
  expect_nothing();  // delayed
  Context c = env.ctx();
  auto at = s->poll_at(c);
  ASSERT_TRUE(at);
  EXPECT_EQ(*at - env.now, Duration::from_millis(40));
  env.now = *at;
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 4, .flags = kTcpAck, .window = kBuf - 3});
  EXPECT_EQ(recv_text(), "abc");
}

TEST_F(SocketTest, NoWindowUpdateWhenTheAnnouncedWindowCannotGrow) {
  // RFC 9293 §3.8.6.2.2: a window update is worth sending only when the
  // announced window grows; unscaled, 128 KiB of window space (a 256 KiB
  // buffer) is announced as 65535 before and after the read.
  env.config.rcvbuf = 256 * 1024;
  s = std::make_unique<Socket>(env.config);
  socket_syn_sent();
  deliver({.seq = kRemoteIss, .ack = iss + 1, .flags = kTcpSyn | kTcpAck, .window = 8192});
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = 65535});
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck | kTcpPsh, .window = 8192}, std::string("abc"));
  Context c = env.ctx();
  env.now = *s->poll_at(c);  // the delayed ACK
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 4, .flags = kTcpAck, .window = 65535});
  EXPECT_EQ(recv_text(), "abc");
  expect_nothing();  // no window update: the field would still say 65535
}

// Linux ping-pong mode: a reply sent within the delayed-ACK timeout of the
// request turns quick ACKs off; the next request's ACK waits 40 ms, and that
// timer firing on its own turns them back on.
TEST_F(SocketTest, PingPongDelaysAckUntilTimerThenQuickAgain) {
  env.config.quickacks = 16;
  s = std::make_unique<Socket>(env.config);
  socket_established();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck | kTcpPsh, .window = 8192}, std::string("req1"));
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 5, .flags = kTcpAck}, 0, false);  // quick ACK
  EXPECT_EQ(recv_text(), "req1");
  send_text("resp");
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 5, .flags = kTcpAck | kTcpPsh}, 4, false);
  env.now = env.now + Duration::from_millis(10);
  deliver({.seq = kRemoteIss + 5, .ack = iss + 5, .flags = kTcpAck | kTcpPsh, .window = 8192}, std::string("req2"));
  expect_nothing();  // delayed: ping-pong
  Context c = env.ctx();
  auto at = s->poll_at(c);
  ASSERT_TRUE(at);
  EXPECT_EQ(*at - env.now, Duration::from_millis(40));
  fire_at(*at);
  expect_emitted({.seq = iss + 5, .ack = kRemoteIss + 9, .flags = kTcpAck}, 0, false);
  deliver({.seq = kRemoteIss + 9, .ack = iss + 5, .flags = kTcpAck | kTcpPsh, .window = 8192}, std::string("req3"));
  expect_emitted({.seq = iss + 5, .ack = kRemoteIss + 13, .flags = kTcpAck}, 0, false);  // quick again
}

TEST_F(SocketTest, AckEverySecondFullSegment) {
  socket_established();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(kMss));
  expect_nothing();
  deliver({.seq = kRemoteIss + 1 + kMss, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(kMss));
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1 + 2 * kMss, .flags = kTcpAck}, 0, false);
}

TEST_F(SocketTest, OutOfOrderDataAckedAtOnceThenReassembled) {
  socket_established();
  deliver({.seq = kRemoteIss + 4, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, std::string("def"));
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
  EXPECT_EQ(recv_text(), "<EAGAIN>");
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, std::string("abc"));
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 7, .flags = kTcpAck, .window = kBuf - 6});
  EXPECT_EQ(recv_text(), "abcdef");
}

TEST_F(SocketTest, FinBeyondHoleWaitsForData) {
  socket_established();
  deliver({.seq = kRemoteIss + 4, .ack = iss + 1, .flags = kTcpAck | kTcpFin, .window = 8192}, std::string("def"));
  EXPECT_EQ(s->state(), State::Established);
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, std::string("abc"));
  EXPECT_EQ(s->state(), State::CloseWait);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 8, .flags = kTcpAck}, 0, false);
  EXPECT_EQ(recv_text(), "abcdef");
  EXPECT_EQ(recv_text(), "");
}

// RFC 793 p.69 / RFC 9293 §3.10.7.4 "first": the four acceptability cases.
struct AcceptRow {
  const char* name;
  bool zero_window;
  std::int32_t seq_off;  // relative to RCV.NXT
  std::size_t len;
  bool accepted;  // data taken / ACK processed
};

class AcceptabilityTest : public SocketTest, public ::testing::WithParamInterface<AcceptRow> {};

TEST_P(AcceptabilityTest, Row) {
  const AcceptRow& row = GetParam();
  socket_established();
  SeqNumber nxt = kRemoteIss + 1;
  if (row.zero_window) {
    deliver({.seq = nxt, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(kBuf));
    nxt = nxt + kBuf;
    while (poll()) {}
    ASSERT_EQ(s->info(env.ctx()).rcv_wnd, 0u);
  }
  send_text("q");  // so that an accepted ACK is visible
  poll();
  std::uint64_t dropped = env.stats.dropped;
  deliver({.seq = nxt + static_cast<std::uint32_t>(row.seq_off), .ack = iss + 2, .flags = kTcpAck, .window = 8192},
          text(row.len));
  bool took = env.stats.dropped == dropped;
  EXPECT_EQ(took, row.accepted) << row.name;
  if (!row.accepted) {
    // "send an acknowledgment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"
    auto out = poll();
    ASSERT_TRUE(out);
    EXPECT_EQ(out->tcp.ack, nxt);
    EXPECT_EQ(s->info(env.ctx()).unacked, 1u);
  } else {
    EXPECT_EQ(s->info(env.ctx()).unacked, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rfc793Page69, AcceptabilityTest,
    ::testing::Values(
        AcceptRow{"len0 wnd0 seq=nxt", true, 0, 0, true},
        AcceptRow{"len0 wnd0 seq=nxt+1", true, 1, 0, false},
        AcceptRow{"len0 wnd0 seq=nxt-1", true, -1, 0, false},
        AcceptRow{"len0 wnd>0 seq=nxt", false, 0, 0, true},
        AcceptRow{"len0 wnd>0 seq=nxt+wnd-1", false, kBuf - 1, 0, true},
        AcceptRow{"len0 wnd>0 seq=nxt+wnd", false, kBuf, 0, false},
        AcceptRow{"len0 wnd>0 seq=nxt-1", false, -1, 0, false},
        // >0 / 0: never acceptable; the ACK at RCV.NXT is still processed
        // ("special allowance"), which the table row test sees as accepted.
        AcceptRow{"len>0 wnd0 seq=nxt+1", true, 1, 10, false},
        AcceptRow{"len>0 wnd0 seq=nxt-10", true, -10, 10, false},
        AcceptRow{"len>0 wnd>0 start in", false, 0, 10, true},
        AcceptRow{"len>0 wnd>0 end in", false, -5, 10, true},
        AcceptRow{"len>0 wnd>0 last in", false, kBuf - 1, 10, true},
        AcceptRow{"len>0 wnd>0 old", false, -10, 10, false},
        AcceptRow{"len>0 wnd>0 beyond", false, kBuf, 10, false}),
    [](const auto& row_info) {
      std::string n;
      for (char c : std::string(row_info.param.name)) {
        if (std::isalnum(static_cast<unsigned char>(c))) n += c;
        else if (c == '+') n += "plus";
        else if (c == '-') n += "minus";
        else if (c == '>') n += "gt";
        else n += '_';
      }
      return n;
    });

TEST_F(SocketTest, ZeroWindowDataAtRcvNxtDroppedButAckProcessed) {
  socket_established();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(kBuf));
  while (poll()) {}
  send_text("q");
  poll();
  deliver({.seq = kRemoteIss + 1 + kBuf, .ack = iss + 2, .flags = kTcpAck, .window = 8192}, text(5));
  EXPECT_EQ(s->info(env.ctx()).unacked, 0u);
  expect_emitted({.seq = iss + 2, .ack = kRemoteIss + 1 + kBuf, .flags = kTcpAck, .window = 0});
}

// RFC 9293 §3.8.6.2.2 / Linux tcp_cleanup_rbuf: a read sends a window
// update only when the window left had shrunk to half the buffer or less.
TEST_F(SocketTest, ReadSendsWindowUpdateOnlyWhenWindowWasSmall) {
  socket_established();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(1000));
  while (poll()) {}
  EXPECT_EQ(recv_text().size(), 1000u);
  expect_nothing();  // 3096 of 4096 bytes were still open: no update
  deliver({.seq = kRemoteIss + 1001, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(kBuf - 1000));
  while (poll()) {}
  EXPECT_EQ(recv_text().size(), kBuf - 1000);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1 + kBuf, .flags = kTcpAck, .window = kBuf});
}

TEST_F(SocketTest, DuplicateDataGetsDsack) {
  env.config.sack = true;
  s = std::make_unique<Socket>(env.config);
  Context c = env.ctx();
  ASSERT_TRUE(s->connect(c, kLocal, kRemote, kMss).ok());
  iss = poll()->tcp.seq;
  TcpRepr synack{.seq = kRemoteIss, .ack = iss + 1, .flags = kTcpSyn | kTcpAck, .window = 8192};
  synack.options.push_sack_permitted();
  deliver(synack);
  poll();
  // Out of order: SACK block for it.
  deliver({.seq = kRemoteIss + 11, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(10));
  auto out = poll();
  ASSERT_TRUE(out);
  auto blocks = out->tcp.options.sack_blocks();
  ASSERT_TRUE(blocks);
  ASSERT_EQ(blocks->count, 1u);
  EXPECT_EQ(blocks->blocks[0].left, kRemoteIss + 11);
  EXPECT_EQ(blocks->blocks[0].right, kRemoteIss + 21);
  // Second island: newest first (RFC 2018 §4).
  deliver({.seq = kRemoteIss + 31, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(10));
  blocks = poll()->tcp.options.sack_blocks();
  ASSERT_EQ(blocks->count, 2u);
  EXPECT_EQ(blocks->blocks[0].left, kRemoteIss + 31);
  EXPECT_EQ(blocks->blocks[1].left, kRemoteIss + 11);
  // Fill the first hole, then resend old data: D-SACK (RFC 2883).
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(10));
  poll();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(10));
  blocks = poll()->tcp.options.sack_blocks();
  ASSERT_TRUE(blocks);
  EXPECT_EQ(blocks->blocks[0].left, kRemoteIss + 1);
  EXPECT_EQ(blocks->blocks[0].right, kRemoteIss + 11);
  EXPECT_EQ(blocks->blocks[1].left, kRemoteIss + 31);
}

// RFC 2883 §4.1.3: a duplicate of out-of-order data is a D-SACK block
// followed by the SACK block that contains it.
TEST_F(SocketTest, DuplicateOutOfOrderDataGetsDsackThenSack) {
  env.config.sack = true;
  s = std::make_unique<Socket>(env.config);
  Context c = env.ctx();
  ASSERT_TRUE(s->connect(c, kLocal, kRemote, kMss).ok());
  iss = poll()->tcp.seq;
  TcpRepr synack{.seq = kRemoteIss, .ack = iss + 1, .flags = kTcpSyn | kTcpAck, .window = 8192};
  synack.options.push_sack_permitted();
  deliver(synack);
  poll();
  deliver({.seq = kRemoteIss + 11, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(20));
  poll();
  deliver({.seq = kRemoteIss + 16, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, text(5));
  auto blocks = poll()->tcp.options.sack_blocks();
  ASSERT_TRUE(blocks);
  ASSERT_EQ(blocks->count, 2u);
  EXPECT_EQ(blocks->blocks[0].left, kRemoteIss + 16);
  EXPECT_EQ(blocks->blocks[0].right, kRemoteIss + 21);
  EXPECT_EQ(blocks->blocks[1].left, kRemoteIss + 11);
  EXPECT_EQ(blocks->blocks[1].right, kRemoteIss + 31);
}

TEST_F(SocketTest, RetransmitOnRtoWithBackoff) {
  socket_established();
  send_text("hello");
  poll();
  Context c = env.ctx();
  Instant first = *s->poll_at(c);
  env.now = first;
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh, .window = kBuf}, 5);
  EXPECT_EQ(s->info(env.ctx()).retransmits, 1u);
  Context c2 = env.ctx();
  Instant second = *s->poll_at(c2);
  EXPECT_GT(second - first, Duration::from_millis(300));  // backed off
}

TEST_F(SocketTest, UserTimeoutAborts) {
  socket_established();
  s->set_user_timeout(Duration::from_secs(5));
  send_text("hello");
  poll();
  for (int i = 0; i < 20 && s->state() != State::Closed; ++i) {
    Context c = env.ctx();
    env.now = *s->poll_at(c);
    poll();
  }
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_EQ(s->take_error(), SockError::TimedOut);
}

// RFC 5482 as Linux: the user timeout counts from the first retransmission and
// the last RTO is clamped to it, so the abort comes exactly when it runs out.
TEST_F(SocketTest, UserTimeoutClampsTheLastRto) {
  socket_established();
  s->set_user_timeout(Duration::from_millis(1000));
  send_text("hello");
  poll();
  Context c = env.ctx();
  env.now = *s->poll_at(c);  // first retransmission
  poll();
  Instant first = env.now;
  for (int i = 0; i < 20 && s->state() != State::Closed; ++i) {
    Context ci = env.ctx();
    env.now = *s->poll_at(ci);
    poll();
  }
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_EQ(env.now - first, Duration::from_millis(1000));
  EXPECT_EQ(s->take_error(), SockError::TimedOut);
}

TEST_F(SocketTest, ZeroWindowProbe) {
  socket_established();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 0});
  send_text("hello");
  expect_nothing();
  Context c = env.ctx();
  auto at = s->poll_at(c);
  ASSERT_TRUE(at);
  env.now = *at;
  expect_emitted({.seq = iss, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
  EXPECT_EQ(s->timer_description(env.now).substr(0, 5), "probe");
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 100});
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh, .window = kBuf}, 5);
}

// An iface calls poll_output only when poll_at is due: a write into a
// window that is already zero must still get the persist timer armed.
TEST_F(SocketTest, ZeroWindowWriteMakesPollAtDueForPersistTimer) {
  socket_established();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 0});
  send_text("hello");
  Context c = env.ctx();
  auto due = s->poll_at(c);
  ASSERT_TRUE(due);
  EXPECT_EQ(*due, env.now);
  expect_nothing();  // arms the persist timer
  Context c2 = env.ctx();
  auto at = s->poll_at(c2);
  ASSERT_TRUE(at);
  EXPECT_GT(*at, env.now);
  EXPECT_EQ(s->timer_description(env.now).substr(0, 5), "probe");
}

TEST_F(SocketTest, KeepaliveProbesThenTimesOut) {
  socket_established();
  Context c = env.ctx();
  s->set_keepalive(c, true);
  s->set_keepalive_params(Duration::from_secs(10), Duration::from_secs(2), 3);
  s->set_keepalive(c, true);
  EXPECT_EQ(s->timer_description(env.now), "keepalive (10.00/0/0)");
  for (int i = 0; i < 3; ++i) {
    Context cc = env.ctx();
    env.now = *s->poll_at(cc);
    expect_emitted({.seq = iss, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
  }
  Context cc = env.ctx();
  env.now = *s->poll_at(cc);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpRst | kTcpAck});
  EXPECT_EQ(s->take_error(), SockError::TimedOut);
}

TEST_F(SocketTest, KeepaliveAnsweredKeepsConnection) {
  socket_established();
  Context c = env.ctx();
  s->set_keepalive_params(Duration::from_secs(10), Duration::from_secs(2), 3);
  s->set_keepalive(c, true);
  env.now = env.now + Duration::from_secs(10);
  expect_emitted({.seq = iss, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 8192});
  EXPECT_EQ(s->timer_description(env.now), "keepalive (10.00/0/0)");
}

// Linux: TCP_KEEPIDLE after SO_KEEPALIVE moves the running timer.
TEST_F(SocketTest, KeepIdleAfterKeepaliveMovesTheTimer) {
  socket_established();
  Context c = env.ctx();
  s->set_keepalive(c, true);  // config idle: 2 hours
  s->set_keepalive_params(Duration::from_secs(1), std::nullopt, std::nullopt);
  env.now = env.now + Duration::from_secs(1);
  expect_emitted({.seq = iss, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
}

TEST_F(SocketTest, UrgentPointerTrackedDataInline) {
  socket_established();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck | kTcpUrg, .window = 8192, .urgent = 3},
          std::string("abc"));
  EXPECT_EQ(recv_text(), "abc");
}


// Linux tcp_acceptable_seq: a pure ACK carries the highest sequence number
// sent, not the SND.NXT that go-back-N rewound after an RTO. Otherwise an ACK
// below the peer's RCV.NXT is unacceptable there (RFC 9293 §3.10.7.4) and two
// ends retransmitting at once never accept each other's ACKs (found by the
// connection model, tcp_model_prop_test).
TEST_F(SocketTest, PureAckAfterRtoCarriesTheHighestSequenceSent) {
  socket_established();
  const std::uint32_t mss = s->info(env.ctx()).snd_mss;
  send_text(std::string(mss + 1, 'x'));
  while (poll()) {
  }
  Context c = env.ctx();
  env.now = *s->poll_at(c);
  auto rtx = poll();  // one segment from SND.UNA (cwnd is one segment now)
  ASSERT_TRUE(rtx);
  EXPECT_EQ(rtx->tcp.seq, iss + 1);
  while (poll()) {
  }
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck | kTcpPsh, .window = 8192}, std::string("abc"));
  Context c2 = env.ctx();
  if (auto at = s->poll_at(c2); at && *at > env.now) env.now = *at;  // a delayed ACK is fine too
  auto ack = poll();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->tcp.ack, kRemoteIss + 4);
  EXPECT_TRUE(ack->payload.empty());
  EXPECT_EQ(ack->tcp.seq, iss + 1 + mss + 1);
}

}  // namespace
}  // namespace synack::tcp::testing

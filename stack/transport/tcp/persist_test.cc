// Zero-window probing gives up like Linux's tcp_probe_timer (RFC 9293
// §3.8.6.1, RFC 1122 4.2.2.17): probes answered with a zero window keep the
// connection open indefinitely; tcp_retries2 unanswered probes in a row, or
// TCP_USER_TIMEOUT since the first probe, abort it with ETIMEDOUT and no RST.
#include "stack/transport/tcp/tcp_test_fixture.h"

namespace synack::tcp::testing {
namespace {

class PersistTest : public SocketTest {
 protected:
  // ESTABLISHED, the peer's window closed, "hello" waiting.
  void zero_window(int retries2 = 3) {
    env.config.retries2 = retries2;
    s = std::make_unique<Socket>(env.config);
    socket_established();
    deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 0});
    send_text("hello");
    expect_nothing();
  }
  // Advances to the next deadline.
  void to_next_deadline() {
    Context c = env.ctx();
    auto at = s->poll_at(c);
    ASSERT_TRUE(at.has_value());
    env.now = *at;
  }
  void expect_probe() {
    expect_emitted({.seq = iss, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
  }
  void answer_zero_window() {
    deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 0});
  }
};

TEST_F(PersistTest, UnansweredProbesAbortAfterRetries2) {
  zero_window(3);
  std::vector<Duration> gaps;
  Instant last = env.now;
  for (int i = 0; i < 3; ++i) {
    to_next_deadline();
    gaps.push_back(env.now - last);
    last = env.now;
    expect_probe();
    EXPECT_EQ(s->state(), State::Established);
  }
  // Backoff doubles (from the 1 s initial RTO: no RTT sample yet).
  EXPECT_EQ(gaps[1], gaps[0] * 2);
  EXPECT_EQ(gaps[2], gaps[1] * 2);
  to_next_deadline();
  expect_nothing();  // Linux tcp_write_err: no RST
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_EQ(s->take_error(), SockError::TimedOut);
  EXPECT_EQ(env.stats.window_probes, 3u);
}

TEST_F(PersistTest, AnsweredProbesKeepTheConnectionOpen) {
  zero_window(3);
  for (int i = 0; i < 12; ++i) {
    to_next_deadline();
    expect_probe();
    answer_zero_window();  // RFC 1122 4.2.2.17: the receiver is alive
  }
  EXPECT_EQ(s->state(), State::Established);
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 100});
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh, .window = kBuf}, 5);
  EXPECT_EQ(s->timer_description(env.now).substr(0, 2), "on");
}

TEST_F(PersistTest, OneAnswerResetsTheUnansweredCount) {
  zero_window(3);
  for (int i = 0; i < 2; ++i) {
    to_next_deadline();
    expect_probe();
  }
  answer_zero_window();
  for (int i = 0; i < 3; ++i) {
    to_next_deadline();
    expect_probe();
  }
  EXPECT_EQ(s->state(), State::Established);
  to_next_deadline();
  expect_nothing();
  EXPECT_EQ(s->state(), State::Closed);
}

TEST_F(PersistTest, UserTimeoutAbortsEvenWhenProbesAreAnswered) {
  zero_window(15);
  s->set_user_timeout(Duration::from_secs(5));
  to_next_deadline();
  Instant first = env.now;
  expect_probe();
  answer_zero_window();
  while (s->state() != State::Closed) {
    to_next_deadline();
    if (s->state() == State::Closed) break;
    if (poll()) answer_zero_window();
    ASSERT_LE(env.now - first, Duration::from_secs(5));
  }
  // Linux clamps the last wait to the user timeout: closed exactly then.
  EXPECT_EQ(env.now - first, Duration::from_secs(5));
  EXPECT_EQ(s->take_error(), SockError::TimedOut);
}

TEST_F(PersistTest, WindowOpeningEndsTheSpell) {
  zero_window(15);
  s->set_user_timeout(Duration::from_secs(5));
  to_next_deadline();
  expect_probe();
  env.advance(Duration::from_secs(4));
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 100});
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh, .window = kBuf}, 5);
  deliver({.seq = kRemoteIss + 1, .ack = iss + 6, .flags = kTcpAck, .window = 0});
  send_text("world");
  expect_nothing();
  iss = iss + 5;  // probes now carry SND.UNA - 1 = ISS + 5
  // A new zero-window spell: the user timeout counts from its first probe.
  to_next_deadline();
  Instant first = env.now;
  expect_probe();
  answer_zero_window();
  while (s->state() != State::Closed) {
    to_next_deadline();
    if (poll()) answer_zero_window();
  }
  EXPECT_EQ(env.now - first, Duration::from_secs(5));
}

// A zero-window ACK that arrives after the data went out (reordered behind
// the update that opened the window) leaves data in flight with nothing
// usable: the RTO resends the head anyway, as Linux's tcp_retransmit_timer
// does ("receiver dastardly shrinks window"), instead of sending nothing
// until the retries run out (found by the handshake property).
TEST_F(PersistTest, RtoResendsTheHeadWhenTheWindowClosedOnDataInFlight) {
  s = std::make_unique<Socket>(env.config);
  socket_established();
  send_text("hello");
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh}, 5, false);
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 0});
  expect_nothing();
  to_next_deadline();
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck | kTcpPsh}, 5, false);
  EXPECT_EQ(s->state(), State::Established);
}

}  // namespace
}  // namespace synack::tcp::testing

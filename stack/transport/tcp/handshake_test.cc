// Connection establishment (RFC 9293 §3.5, §3.10.7.3): active open, SYN
// retransmission, RST handling in SYN-SENT, simultaneous open, options.
#include "stack/transport/tcp/rst.h"
#include "stack/transport/tcp/tcp_test_fixture.h"

namespace synack::tcp::testing {
namespace {

TEST(StateNames, RfcSpellings) {
  EXPECT_EQ(to_string(State::SynReceived), "SYN-RECEIVED");
  EXPECT_EQ(to_string(State::FinWait2), "FIN-WAIT-2");
  EXPECT_EQ(to_string(State::TimeWait), "TIME-WAIT");
  EXPECT_EQ(to_string(State::CloseWait), "CLOSE-WAIT");
}

TEST_F(SocketTest, ConnectSendsSynWithMss) {
  Context c = env.ctx();
  ASSERT_TRUE(s->connect(c, kLocal, kRemote, kMss).ok());
  EXPECT_EQ(s->state(), State::SynSent);
  auto syn = poll();
  ASSERT_TRUE(syn);
  EXPECT_EQ(syn->tcp.flags, kTcpSyn);
  EXPECT_EQ(syn->tcp.options.mss(), kMss);
  EXPECT_EQ(syn->tcp.window, kSynWnd);
  expect_nothing();
  EXPECT_EQ(s->connect(c, kLocal, kRemote, kMss).error(), SockError::Already);
}

TEST_F(SocketTest, SynSentToEstablished) {
  socket_established();
  EXPECT_EQ(s->connect(*std::make_unique<Context>(env.ctx()), kLocal, kRemote, kMss).error(),
            SockError::IsConn);
  EXPECT_TRUE(s->readiness().writable);
}

TEST_F(SocketTest, SynAckWithBadAckGetsRst) {
  socket_syn_sent();
  deliver({.seq = kRemoteIss, .ack = iss + 5, .flags = kTcpSyn | kTcpAck, .window = 8192});
  expect_emitted({.seq = iss + 5, .flags = kTcpRst});
  EXPECT_EQ(s->state(), State::SynSent);
}

TEST_F(SocketTest, BadAckInSynSentResendsSynSoon) {
  // Linux: an unacceptable ACK (with or without RST) in SYN-SENT re-arms the
  // SYN retransmission to TCP_TIMEOUT_MIN instead of the 1 s initial RTO.
  socket_syn_sent();
  Instant t0 = env.now;
  deliver({.seq = SeqNumber(0), .ack = iss + 9, .flags = kTcpRst | kTcpAck});
  expect_nothing();
  Context c = env.ctx();
  auto next = s->poll_at(c);
  ASSERT_TRUE(next);
  EXPECT_EQ((*next - t0).millis(), 8);
  env.now = *next;
  expect_emitted({.seq = iss, .flags = kTcpSyn, .window = kSynWnd,
                  .options = [] { wire::TcpOptions o; o.push_mss(kMss); return o; }()});
  EXPECT_EQ(s->state(), State::SynSent);
}

TEST_F(SocketTest, RstWithGoodAckRefusesConnection) {
  socket_syn_sent();
  deliver({.seq = SeqNumber(0), .ack = iss + 1, .flags = kTcpRst | kTcpAck});
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_EQ(s->take_error(), SockError::ConnRefused);
  expect_nothing();
}

TEST_F(SocketTest, RstWithoutAckIgnoredInSynSent) {
  socket_syn_sent();
  deliver({.seq = SeqNumber(0), .flags = kTcpRst});
  EXPECT_EQ(s->state(), State::SynSent);
}

TEST_F(SocketTest, SegmentWithoutSynOrRstDroppedInSynSent) {
  socket_syn_sent();
  deliver({.seq = kRemoteIss, .ack = iss + 1, .flags = kTcpAck});
  EXPECT_EQ(s->state(), State::SynSent);
  expect_nothing();
}

TEST_F(SocketTest, SimultaneousOpen) {
  socket_syn_sent();
  deliver({.seq = kRemoteIss, .flags = kTcpSyn, .window = 8192});
  EXPECT_EQ(s->state(), State::SynReceived);
  expect_emitted({.seq = iss, .ack = kRemoteIss + 1, .flags = kTcpSyn | kTcpAck, .window = kSynWnd,
                  .options = [] { wire::TcpOptions o; o.push_mss(kMss); return o; }()});
  // The peer's SYN-ACK (figure 8) completes the handshake; its SYN repeats
  // sequence space already received and is acknowledged (as Linux does).
  deliver({.seq = kRemoteIss, .ack = iss + 1, .flags = kTcpSyn | kTcpAck, .window = 8192});
  EXPECT_EQ(s->state(), State::Established);
  expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
}

TEST_F(SocketTest, SimultaneousOpenWithAck) {
  socket_syn_sent();
  deliver({.seq = kRemoteIss, .flags = kTcpSyn, .window = 8192});
  poll();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpAck, .window = 8192});
  EXPECT_EQ(s->state(), State::Established);
}

TEST_F(SocketTest, SynReceivedBadAckGetsRst) {
  socket_syn_sent();
  deliver({.seq = kRemoteIss, .flags = kTcpSyn, .window = 8192});
  poll();
  deliver({.seq = kRemoteIss + 1, .ack = iss + 7, .flags = kTcpAck, .window = 8192});
  expect_emitted({.seq = iss + 7, .flags = kTcpRst});
  EXPECT_EQ(s->state(), State::SynReceived);
}

TEST_F(SocketTest, RstInActiveSynReceivedRefuses) {
  socket_syn_sent();
  deliver({.seq = kRemoteIss, .flags = kTcpSyn, .window = 8192});
  poll();
  deliver({.seq = kRemoteIss + 1, .flags = kTcpRst});
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_EQ(s->take_error(), SockError::ConnRefused);
}

TEST_F(SocketTest, SynRetransmissionBackoffAndTimeout) {
  socket_syn_sent();
  Instant t0 = env.now;
  // RFC 6298 initial RTO 1 s, doubled each time: 1, 3, 7, 15, 31, 63, then 127 s.
  std::int64_t expect_at[] = {1, 3, 7, 15, 31, 63};
  for (std::int64_t at : expect_at) {
    Context c = env.ctx();
    auto next = s->poll_at(c);
    ASSERT_TRUE(next);
    EXPECT_EQ((*next - t0).secs(), at);
    env.now = *next;
    expect_emitted({.seq = iss, .flags = kTcpSyn, .window = kSynWnd,
                    .options = [] { wire::TcpOptions o; o.push_mss(kMss); return o; }()});
  }
  Context c = env.ctx();
  env.now = *s->poll_at(c);
  EXPECT_EQ((env.now - t0).secs(), 127);
  expect_nothing();
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_EQ(s->take_error(), SockError::TimedOut);
}

TEST_F(SocketTest, IcmpPortUnreachableAbortsSynSent) {
  socket_syn_sent();
  Context c = env.ctx();
  s->on_icmp_error(c, IcmpError{.kind = IcmpError::Kind::Unreachable, .code = 3, .seq = iss});
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_EQ(s->take_error(), SockError::ConnRefused);
}

// RFC 1122 4.2.3.9 hard error; the errno is Linux's (icmp_err_convert).
TEST_F(SocketTest, IcmpProtocolUnreachableAbortsSynSentWithEnoprotoopt) {
  socket_syn_sent();
  Context c = env.ctx();
  s->on_icmp_error(c, IcmpError{.kind = IcmpError::Kind::Unreachable, .code = 2, .seq = iss});
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_EQ(s->take_error(), SockError::NoProtoOpt);
}

TEST_F(SocketTest, IcmpHostUnreachableIsSoftAndReportedOnTimeout) {
  socket_syn_sent();
  Context c = env.ctx();
  s->on_icmp_error(c, IcmpError{.kind = IcmpError::Kind::Unreachable, .code = 1, .seq = iss});
  EXPECT_EQ(s->state(), State::SynSent);
  for (int i = 0; i < 10 && s->state() != State::Closed; ++i) {
    Context cc = env.ctx();
    env.now = *s->poll_at(cc);
    poll();
  }
  EXPECT_EQ(s->take_error(), SockError::HostUnreach);
}

TEST_F(SocketTest, OptionsNegotiatedOnlyWhenBothSend) {
  env.config = TcpConfig{};
  s = std::make_unique<Socket>(env.config);
  Context c = env.ctx();
  ASSERT_TRUE(s->connect(c, kLocal, kRemote, kMss).ok());
  auto syn = poll();
  ASSERT_TRUE(syn);
  EXPECT_EQ(syn->tcp.options.mss(), kMss);
  EXPECT_TRUE(syn->tcp.options.sack_permitted());
  EXPECT_TRUE(syn->tcp.options.timestamps().has_value());
  EXPECT_EQ(syn->tcp.options.window_scale(), 7);  // sized for rmem_max (6 MiB), as Linux
  iss = syn->tcp.seq;
  // The peer offers only MSS 1000 and a (too large) window scale.
  TcpRepr synack{.seq = kRemoteIss, .ack = iss + 1, .flags = kTcpSyn | kTcpAck, .window = 1000};
  synack.options.push_mss(1000);
  synack.options.push_wscale(20);
  deliver(synack);
  TcpInfo info = s->info(env.ctx());
  EXPECT_EQ(info.snd_mss, 1000);
  EXPECT_TRUE(info.wscale);
  EXPECT_EQ(info.snd_wscale, 14);  // RFC 7323 §2.3
  EXPECT_FALSE(info.sack);
  EXPECT_FALSE(info.timestamps);
  EXPECT_EQ(info.snd_wnd, 1000u);  // the SYN-ACK window is never scaled
}

TEST_F(SocketTest, MssDefaultsTo536) {
  socket_syn_sent();
  deliver({.seq = kRemoteIss, .ack = iss + 1, .flags = kTcpSyn | kTcpAck, .window = 8192});
  EXPECT_EQ(s->info(env.ctx()).snd_mss, 536);
}

TEST(RstForUnmatched, Rfc9293Section31071) {
  SegmentIn syn = inbound({.seq = SeqNumber(100), .flags = kTcpSyn});
  auto r = rst_for_unmatched(syn);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->tcp.flags, kTcpRst | kTcpAck);
  EXPECT_EQ(r->tcp.seq, SeqNumber(0));
  EXPECT_EQ(r->tcp.ack, SeqNumber(101));
  EXPECT_EQ(r->src, kLocal.addr);
  EXPECT_EQ(r->tcp.dst_port, kRemote.port);

  std::uint8_t data[5] = {};
  auto r2 = rst_for_unmatched(inbound({.seq = SeqNumber(7), .flags = kTcpFin}, data));
  EXPECT_EQ(r2->tcp.ack, SeqNumber(13));

  auto r3 = rst_for_unmatched(inbound({.seq = SeqNumber(7), .ack = SeqNumber(99), .flags = kTcpAck}));
  EXPECT_EQ(r3->tcp.flags, kTcpRst);
  EXPECT_EQ(r3->tcp.seq, SeqNumber(99));

  EXPECT_FALSE(rst_for_unmatched(inbound({.seq = SeqNumber(7), .flags = kTcpRst})));
}

TEST_F(SocketTest, ClosedSocketAnswersWithRst) {
  deliver({.seq = SeqNumber(5), .ack = SeqNumber(77), .flags = kTcpAck});
  auto out = poll();
  ASSERT_TRUE(out);
  EXPECT_EQ(out->tcp.flags, kTcpRst);
  EXPECT_EQ(out->tcp.seq, SeqNumber(77));
}

}  // namespace
}  // namespace synack::tcp::testing

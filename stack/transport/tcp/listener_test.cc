// Passive open through a Listener (RFC 9293 §3.10.7.2): SYN queue, accept
// queue, backlog overflow, SYN cookies, end to end with a client Socket.
#include "stack/transport/tcp/listener.h"
#include "stack/transport/tcp/tcp_test_fixture.h"

#include <algorithm>
#include <set>

namespace synack::tcp::testing {
namespace {

struct ListenerHarness {
  explicit ListenerHarness(std::uint32_t backlog, TcpConfig config = Env::plain_config()) {
    server.config = config;
    listener = std::make_unique<Listener>(server.config, kRemote, backlog);
  }
  Env server;
  std::unique_ptr<Listener> listener;
  std::vector<std::unique_ptr<Env>> client_envs;
  std::vector<std::unique_ptr<Socket>> clients;

  Socket& add_client(std::uint16_t port) {
    client_envs.push_back(std::make_unique<Env>());
    client_envs.back()->config = server.config;
    clients.push_back(std::make_unique<Socket>(client_envs.back()->config));
    Context c = client_envs.back()->ctx();
    EXPECT_TRUE(clients.back()->connect(c, {kLocal.addr, port}, kRemote, kMss).ok());
    return *clients.back();
  }
  // Moves segments both ways until quiet; `drop_server` drops server output.
  void shuttle(bool drop_server = false) {
    for (int guard = 0; guard < 1000; ++guard) {
      bool moved = false;
      for (std::size_t i = 0; i < clients.size(); ++i) {
        Context c = client_envs[i]->ctx();
        while (auto out = clients[i]->poll_output(c)) {
          moved = true;
          Context sc = server.ctx();
          std::vector<std::uint8_t> p(out->payload.begin(), out->payload.end());
          listener->process(sc, SegmentIn{out->src, out->dst, out->tcp, p}, kMss);
        }
      }
      Context sc = server.ctx();
      while (auto out = listener->poll_output(sc)) {
        moved = true;
        if (drop_server) continue;
        for (std::size_t i = 0; i < clients.size(); ++i) {
          if (clients[i]->tuple().local.port == out->tcp.dst_port) {
            Context c = client_envs[i]->ctx();
            clients[i]->process(c, SegmentIn{out->src, out->dst, out->tcp, out->payload});
          }
        }
      }
      if (!moved) return;
    }
  }
};

// Linux: options set before listen() (TCP_MAXSEG) carry over to connections.
TEST(Listener, ConnectionsInheritTheListenersMaxseg) {
  ListenerHarness h(8);
  SocketOptions o;
  o.maxseg = 1000;
  h.listener = std::make_unique<Listener>(h.server.config, kRemote, 8, o);
  Socket& c = h.add_client(40000);
  h.shuttle();
  ASSERT_EQ(c.state(), State::Established);
  auto server = h.listener->accept();
  ASSERT_TRUE(server);
  EXPECT_EQ(server->options().maxseg, std::optional<std::uint16_t>(1000));
  EXPECT_EQ(c.info(h.client_envs[0]->ctx()).snd_mss, 1000u);  // from the SYN-ACK's MSS option
}

TEST(Listener, ThreeWayHandshakeAndAccept) {
  ListenerHarness h(8);
  Socket& c = h.add_client(40000);
  h.shuttle();
  EXPECT_EQ(c.state(), State::Established);
  ASSERT_TRUE(h.listener->readable());
  auto s = h.listener->accept();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state(), State::Established);
  EXPECT_EQ(s->tuple().remote.port, 40000);
  EXPECT_EQ(h.server.stats.passive_opens, 1u);
  EXPECT_FALSE(h.listener->accept());
}

TEST(Listener, AcceptQueueFullDropsSyn) {
  ListenerHarness h(1);
  h.add_client(40000);
  h.add_client(40001);
  h.shuttle();
  // The SYN queue (backlog 1) is full, so the second SYN gets a cookie; its
  // final ACK finds the accept queue full and is dropped (Linux): the client
  // believes it is connected.
  EXPECT_EQ(h.listener->accept_queue_len(), 1u);
  EXPECT_EQ(h.listener->syn_queue_len(), 0u);
  EXPECT_GE(h.server.stats.listen_overflows, 1u);
  ASSERT_TRUE(h.listener->accept());
  Socket& third = h.add_client(40002);
  h.shuttle();
  EXPECT_EQ(third.state(), State::Established);
}

TEST(Listener, SynCookiesWhenSynQueueFull) {
  TcpConfig cfg = TcpConfig{};
  cfg.max_syn_backlog = 1;
  ListenerHarness h(16, cfg);
  // First client's handshake stays half-open: its ACK never reaches us.
  h.add_client(40000);
  {
    Context c = h.client_envs[0]->ctx();
    auto syn = h.clients[0]->poll_output(c);
    Context sc = h.server.ctx();
    h.listener->process(sc, SegmentIn{syn->src, syn->dst, syn->tcp, {}}, kMss);
  }
  EXPECT_EQ(h.listener->syn_queue_len(), 1u);
  Socket& second = h.add_client(40001);
  h.shuttle();
  EXPECT_EQ(h.server.stats.syncookies_sent, 1u);
  EXPECT_EQ(h.server.stats.syncookies_recv, 1u);
  EXPECT_EQ(second.state(), State::Established);
  EXPECT_TRUE(second.info(h.client_envs[1]->ctx()).sack);  // carried in the TSval
  auto first = h.listener->accept();
  auto s = h.listener->accept();
  ASSERT_TRUE(first && s);
  if (s->tuple().remote.port != 40001) std::swap(first, s);
  EXPECT_EQ(s->tuple().remote.port, 40001);
  EXPECT_TRUE(s->info(h.server.ctx()).wscale);
  EXPECT_TRUE(s->info(h.server.ctx()).timestamps);
}

TEST(Listener, BogusAckGetsRst) {
  ListenerHarness h(4);
  Context sc = h.server.ctx();
  h.listener->process(sc, inbound({.seq = SeqNumber(5), .ack = SeqNumber(99), .flags = kTcpAck}, {}, kLocal, kRemote), kMss);
  auto out = h.listener->poll_output(sc);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->tcp.flags, kTcpRst);
  EXPECT_EQ(out->tcp.seq, SeqNumber(99));
}

TEST(Listener, InWindowSynInSynReceivedResetsTheChild) {
  // RFC 9293 §3.10.7.4 fourth: a passive SYN-RECEIVED connection returns to
  // LISTEN on an in-window SYN; the peer is told with <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>.
  ListenerHarness h(4);
  Context sc = h.server.ctx();
  h.listener->process(sc, inbound({.seq = SeqNumber(5), .flags = kTcpSyn, .window = 8192}, {}, kLocal, kRemote), kMss);
  auto synack = h.listener->poll_output(sc);
  ASSERT_TRUE(synack && synack->tcp.has(kTcpSyn));
  h.listener->process(sc, inbound({.seq = SeqNumber(10), .flags = kTcpSyn, .window = 8192}, {}, kLocal, kRemote), kMss);
  auto out = h.listener->poll_output(sc);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->tcp.flags, kTcpRst | kTcpAck);
  EXPECT_EQ(out->tcp.seq, SeqNumber(0));
  EXPECT_EQ(out->tcp.ack, SeqNumber(11));
  EXPECT_EQ(h.listener->syn_queue_len(), 0u);
  EXPECT_FALSE(h.listener->poll_output(sc));
}

TEST(Listener, SynFinIsDropped) {
  // RFC 9293 §3.10.7.2 third step, as Linux: a SYN,FIN opens nothing and
  // draws no reply.
  ListenerHarness h(4);
  Context sc = h.server.ctx();
  h.listener->process(sc, inbound({.seq = SeqNumber(5), .flags = kTcpSyn | wire::kTcpFin, .window = 8192}, {}, kLocal, kRemote), kMss);
  EXPECT_FALSE(h.listener->poll_output(sc));
  EXPECT_EQ(h.listener->syn_queue_len(), 0u);
}

TEST(Listener, SynAckRetransmittedThenChildDropped) {
  ListenerHarness h(4);
  h.add_client(40000);
  {
    Context c = h.client_envs[0]->ctx();
    auto syn = h.clients[0]->poll_output(c);
    Context sc = h.server.ctx();
    h.listener->process(sc, SegmentIn{syn->src, syn->dst, syn->tcp, {}}, kMss);
  }
  int synacks = 0;
  for (int i = 0; i < 20 && h.listener->syn_queue_len() > 0; ++i) {
    Context sc = h.server.ctx();
    auto at = h.listener->poll_at(sc);
    if (!at) break;
    h.server.now = std::max(h.server.now, *at);
    Context sc2 = h.server.ctx();
    while (auto out = h.listener->poll_output(sc2)) synacks += out->tcp.has(kTcpSyn);
  }
  EXPECT_EQ(synacks, 6);  // the first plus synack_retries = 5
  EXPECT_EQ(h.listener->syn_queue_len(), 0u);
}

// The SYN queue length is a counter kept by the listener: it follows
// children out when their SYN-ACK retransmissions give up and into
// ESTABLISHED (accept queue); poll_at comes from the deadline index.
TEST(Listener, SynQueueCountsHalfOpenChildrenOnly) {
  TcpConfig cfg = Env::plain_config();
  cfg.synack_retries = 1;
  ListenerHarness h(16, cfg);
  for (std::uint16_t p = 40000; p < 40005; ++p) h.add_client(p);
  h.shuttle(true);  // SYN-ACKs lost: every child stays half-open
  EXPECT_EQ(h.listener->syn_queue_len(), 5u);
  EXPECT_EQ(h.listener->accept_queue_len(), 0u);
  Context sc = h.server.ctx();
  auto at = h.listener->poll_at(sc);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(*at - h.server.now, Duration::from_secs(1));  // the SYN-ACK RTO
  // Nobody answers: after synack_retries the children are forgotten.
  for (int i = 0; i < 8; ++i) {
    Context c = h.server.ctx();
    auto next = h.listener->poll_at(c);
    if (!next) break;
    h.server.now = *next;
    Context c2 = h.server.ctx();
    while (h.listener->poll_output(c2)) {}
  }
  EXPECT_EQ(h.listener->syn_queue_len(), 0u);
  EXPECT_EQ(h.listener->accept_queue_len(), 0u);
  Context c3 = h.server.ctx();
  EXPECT_FALSE(h.listener->poll_at(c3).has_value());
  // Completed handshakes leave the SYN queue for the accept queue.
  ListenerHarness h2(16);
  h2.add_client(41000);
  h2.add_client(41001);
  h2.shuttle();
  EXPECT_EQ(h2.listener->syn_queue_len(), 0u);
  EXPECT_EQ(h2.listener->accept_queue_len(), 2u);
  EXPECT_TRUE(h2.listener->accept() != nullptr);
  EXPECT_TRUE(h2.listener->accept() != nullptr);
  EXPECT_EQ(h2.listener->accept(), nullptr);
}

// Many children at once: the 4-tuple table grows (and shrinks its probe runs
// on removal), due children leave in 4-tuple order whatever the order they
// arrived in, and each completed handshake is accepted exactly once.
TEST(Listener, ManyChildrenLeaveInTupleOrderAndAreAcceptedOnce) {
  ListenerHarness h(256);
  std::vector<std::uint16_t> ports;
  for (std::uint16_t k = 0; k < 200; ++k) ports.push_back(static_cast<std::uint16_t>(40000 + (k * 7919) % 200));
  for (std::uint16_t p : ports) h.add_client(p);
  h.shuttle(true);  // first SYN-ACKs lost: all 200 half-open
  EXPECT_EQ(h.listener->syn_queue_len(), 200u);
  for (std::uint16_t p : ports) EXPECT_TRUE(h.listener->owns({kRemote, {kLocal.addr, p}}));
  EXPECT_FALSE(h.listener->owns({kRemote, {kLocal.addr, 39999}}));
  // The retransmitted SYN-ACKs come due together and leave lowest tuple first.
  Context sc = h.server.ctx();
  auto at = h.listener->poll_at(sc);
  ASSERT_TRUE(at.has_value());
  h.server.now = *at;
  Context sc2 = h.server.ctx();
  std::vector<std::uint16_t> order;
  while (auto out = h.listener->poll_output(sc2)) {
    order.push_back(out->tcp.dst_port);
    for (std::size_t i = 0; i < h.clients.size(); ++i) {
      if (h.clients[i]->tuple().local.port != out->tcp.dst_port) continue;
      Context c = h.client_envs[i]->ctx();
      h.clients[i]->process(c, SegmentIn{out->src, out->dst, out->tcp, out->payload});
    }
  }
  ASSERT_EQ(order.size(), 200u);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  h.shuttle();  // the clients' ACKs complete the handshakes
  EXPECT_EQ(h.listener->syn_queue_len(), 0u);
  EXPECT_EQ(h.listener->accept_queue_len(), 200u);
  std::set<std::uint16_t> accepted;
  while (auto s = h.listener->accept()) {
    EXPECT_EQ(s->state(), State::Established);
    EXPECT_TRUE(accepted.insert(s->tuple().remote.port).second);
    EXPECT_FALSE(h.listener->owns(s->tuple()));
  }
  EXPECT_EQ(accepted.size(), 200u);
  Context sc3 = h.server.ctx();
  EXPECT_FALSE(h.listener->poll_at(sc3).has_value());
}

// close() resets every child, queued or half-open, and the listener is
// closed once their RSTs have left.
TEST(Listener, CloseResetsEveryChild) {
  ListenerHarness h(64);
  for (std::uint16_t p = 40000; p < 40010; ++p) h.add_client(p);
  h.shuttle();  // 10 established, waiting in the accept queue
  h.add_client(41000);
  {
    Context c = h.client_envs.back()->ctx();
    auto syn = h.clients.back()->poll_output(c);
    Context sc = h.server.ctx();
    h.listener->process(sc, SegmentIn{syn->src, syn->dst, syn->tcp, {}}, kMss);  // one half-open
  }
  Context sc = h.server.ctx();
  h.listener->close(sc);
  EXPECT_FALSE(h.listener->closed());
  int rsts = 0;
  while (auto out = h.listener->poll_output(sc)) rsts += out->tcp.has(wire::kTcpRst);
  EXPECT_EQ(rsts, 11);
  EXPECT_TRUE(h.listener->closed());
  EXPECT_EQ(h.listener->accept(), nullptr);
}

}  // namespace
}  // namespace synack::tcp::testing

// TCP end to end through the socket API in the world: handshake, data,
// close, TIME-WAIT, resets, and transfers under faults.
#include <gtest/gtest.h>

#include "harness/world/host_node.h"

namespace synack::harness {
namespace {

using socket::SockAddr;
using socket::SockType;
using wire::Ipv4Address;

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

struct Net {
  explicit Net(std::uint64_t seed, driver::FaultProfile p = {}) : w(seed), a(add_host(w, "a")), b(add_host(w, "b")) {
    p.delay = p.delay == Duration::zero() ? Duration::from_micros(100) : p.delay;
    connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24", p, p);
  }
  bool run(const std::function<bool()>& done, Duration limit = Duration::from_secs(60)) {
    return w.run_until(done, w.now() + limit);
  }
  World w;
  HostNode& a;
  HostNode& b;
};

struct Conn {
  int listener, server, client;
};

Conn establish(Net& n, std::uint16_t port = 80) {
  auto& a = n.a.host();
  auto& b = n.b.host();
  Conn c{};
  c.listener = *b.socket(50, SockType::Stream);
  EXPECT_TRUE(b.bind(c.listener, {Ipv4Address::any(), port}).ok());
  EXPECT_TRUE(b.listen(c.listener, 16).ok());
  c.client = *a.socket(60, SockType::Stream);
  auto r = a.connect(c.client, {ip("10.0.0.2"), port});
  EXPECT_EQ(r.error(), SockError::InProgress);
  EXPECT_TRUE(n.run([&] { return b.poll(c.listener)->readable && a.poll(c.client)->writable; }));
  SockAddr peer;
  c.server = *b.accept(c.listener, &peer);
  EXPECT_EQ(peer.addr, ip("10.0.0.1"));
  return c;
}

TEST(TcpSim, HandshakeDataAndGracefulClose) {
  Net n(1);
  auto& a = n.a.host();
  auto& b = n.b.host();
  Conn c = establish(n);
  EXPECT_EQ(a.tcp_info(c.client)->state, tcp::State::Established);
  EXPECT_EQ(b.tcp_info(c.server)->state, tcp::State::Established);
  EXPECT_EQ(*a.getpeername(c.client), (SockAddr{ip("10.0.0.2"), 80}));
  EXPECT_EQ(a.connect(c.client, {ip("10.0.0.2"), 80}).error(), SockError::IsConn);
  Bytes msg{'h', 'e', 'l', 'l', 'o'};
  ASSERT_EQ(*a.send(c.client, msg), 5u);
  ASSERT_TRUE(n.run([&] { return b.poll(c.server)->readable; }));
  std::uint8_t buf[64];
  ASSERT_EQ(*b.recv(c.server, buf), 5u);
  EXPECT_EQ(Bytes(buf, buf + 5), msg);
  // Active close from a: a passes FIN-WAIT-1/2 to TIME-WAIT, b CLOSE-WAIT.
  ASSERT_TRUE(a.close(c.client).ok());
  ASSERT_TRUE(n.run([&] { return b.poll(c.server)->readable; }));
  EXPECT_EQ(*b.recv(c.server, buf), 0u);  // end of stream
  EXPECT_EQ(b.tcp_info(c.server)->state, tcp::State::CloseWait);
  ASSERT_TRUE(b.close(c.server).ok());
  n.run([] { return false; }, Duration::from_secs(1));
  bool time_wait = false;
  for (auto& row : a.netstat()) time_wait |= row.state == "TIME-WAIT";
  EXPECT_TRUE(time_wait);
  // After 2 MSL nothing is left but b's listener.
  n.run([] { return false; }, Duration::from_secs(61));
  EXPECT_EQ(n.a.stack().tcp_connection_count(), 0u) << socket::format_netstat(a.netstat());
  EXPECT_EQ(n.b.stack().tcp_connection_count(), 0u);
  auto rows = b.netstat();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, "LISTEN");
  EXPECT_EQ(rows[0].pid, 50u);
}

TEST(TcpSim, ConnectToClosedPortIsRefused) {
  Net n(2);
  auto& a = n.a.host();
  int s = *a.socket(1, SockType::Stream);
  EXPECT_EQ(a.connect(s, {ip("10.0.0.2"), 9}).error(), SockError::InProgress);
  ASSERT_TRUE(n.run([&] { return a.poll(s)->error; }));
  EXPECT_EQ(*a.getsockopt(s, socket::SockOpt::Error), static_cast<int>(SockError::ConnRefused) + 1);
  EXPECT_EQ(n.b.stack().stats().tcp.tx_resets, 1u);
}

TEST(TcpSim, ConnectTimesOutWhenNobodyAnswers) {
  driver::FaultProfile dead;
  dead.loss_ppm = 1'000'000;
  Net n(3, dead);
  auto& a = n.a.host();
  n.a.stack().arp().add_static(ip("10.0.0.2"), wire::MacAddress{{2, 0, 0, 0, 1, 1}});
  int s = *a.socket(1, SockType::Stream);
  EXPECT_EQ(a.connect(s, {ip("10.0.0.2"), 80}).error(), SockError::InProgress);
  ASSERT_TRUE(n.run([&] { return a.poll(s)->error; }, Duration::from_secs(300)));
  // Linux: 6 SYN retries with backoff from 1 s: gives up after 127 s.
  EXPECT_GE(n.w.now(), Instant::from_secs(126));
  EXPECT_LE(n.w.now(), Instant::from_secs(129));
  EXPECT_EQ(*a.getsockopt(s, socket::SockOpt::Error), static_cast<int>(SockError::TimedOut) + 1);
}

void transfer(Net& n, std::size_t total) {
  auto& a = n.a.host();
  auto& b = n.b.host();
  Conn c = establish(n, 5001);
  Bytes data(total);
  for (std::size_t i = 0; i < total; ++i) data[i] = static_cast<std::uint8_t>(i * 131 + (i >> 13));
  std::size_t sent = 0;
  Bytes got;
  std::uint8_t buf[65536];
  bool closed = false;
  bool ok = n.run(
      [&] {
        while (sent < total) {
          auto r = a.send(c.client, ConstBytes(data).subspan(sent));
          if (!r) break;
          sent += *r;
        }
        if (sent == total && !closed) {
          (void)a.close(c.client);
          closed = true;
        }
        while (true) {
          auto r = b.recv(c.server, buf);
          if (!r || *r == 0) break;
          got.insert(got.end(), buf, buf + *r);
        }
        return got.size() == total;
      },
      Duration::from_secs(600));
  ASSERT_TRUE(ok) << "seed " << n.w.seed() << ": got " << got.size() << " of " << total;
  EXPECT_TRUE(got == data) << "seed " << n.w.seed();
  (void)b.close(c.server);
  n.run([] { return false; }, Duration::from_secs(200));
  EXPECT_EQ(n.a.stack().tcp_connection_count(), 0u) << "seed " << n.w.seed();
  EXPECT_EQ(n.b.stack().tcp_connection_count(), 0u) << "seed " << n.w.seed();
}

TEST(TcpSim, BulkTransferCleanLink) {
  Net n(4);
  transfer(n, 4 << 20);
}

TEST(TcpSim, BulkTransferUnderLossDuplicationReorderingCorruption) {
  for (std::uint64_t seed : {5, 6, 7}) {
    driver::FaultProfile p;
    p.loss_ppm = 50'000;
    p.dup_ppm = 20'000;
    p.reorder_ppm = 20'000;
    p.corrupt_ppm = 10'000;
    p.jitter = Duration::from_micros(200);
    Net n(seed, p);
    transfer(n, 1 << 20);
  }
}

TEST(TcpSim, BulkTransferUnderHeavyLoss) {
  driver::FaultProfile p;
  p.loss_ppm = 200'000;
  Net n(8, p);
  transfer(n, 256 << 10);
}

}  // namespace
}  // namespace synack::harness

namespace synack::harness {
namespace {

// The handshake's last ACK is lost: the server retransmits its SYN-ACK and
// the (already ESTABLISHED) client must answer it with an ACK.
TEST(TcpSim, LostFinalAckIsRecovered) {
  driver::FaultProfile a_to_b;
  a_to_b.delay = Duration::from_micros(100);
  a_to_b.partitions.push_back({Instant::from_micros(150), Instant::from_micros(250)});
  driver::FaultProfile b_to_a;
  b_to_a.delay = Duration::from_micros(100);
  World w(9);
  auto& ha = add_host(w, "a");
  auto& hb = add_host(w, "b");
  connect_hosts(w, ha, "10.0.0.1/24", hb, "10.0.0.2/24", a_to_b, b_to_a);
  ha.stack().arp().add_static(ip("10.0.0.2"), hb.stack().interfaces()[0].mac);
  hb.stack().arp().add_static(ip("10.0.0.1"), ha.stack().interfaces()[0].mac);
  auto& a = ha.host();
  auto& b = hb.host();
  int l = *b.socket(1, SockType::Stream);
  ASSERT_TRUE(b.bind(l, {Ipv4Address::any(), 80}).ok());
  ASSERT_TRUE(b.listen(l, 4).ok());
  int c = *a.socket(2, SockType::Stream);
  ASSERT_EQ(a.connect(c, {ip("10.0.0.2"), 80}).error(), SockError::InProgress);
  ASSERT_TRUE(w.run_until([&] { return b.poll(l)->readable; }, Instant::from_secs(10)))
      << socket::format_netstat(a.netstat()) << socket::format_netstat(b.netstat());
  EXPECT_GE(w.now(), Instant::from_millis(900));  // the SYN-ACK came again after ~1 s
}

}  // namespace
}  // namespace synack::harness

namespace synack::harness {
namespace {

// bind() then time passing then listen(): the port stays reserved (a fresh
// CLOSED socket is not a finished connection to reap).
TEST(TcpSim, BindSurvivesPollsBeforeListen) {
  Net n(12);
  auto& b = n.b.host();
  int l = *b.socket(1, SockType::Stream);
  ASSERT_TRUE(b.bind(l, {Ipv4Address::any(), 8080}).ok());
  n.run([] { return false; }, Duration::from_millis(100));
  ASSERT_TRUE(b.listen(l, 4).ok());
  EXPECT_EQ(b.getsockname(l)->port, 8080);
  int other = *b.socket(1, SockType::Stream);
  EXPECT_EQ(b.bind(other, {Ipv4Address::any(), 8080}).error(), SockError::AddrInUse);
}

}  // namespace
}  // namespace synack::harness

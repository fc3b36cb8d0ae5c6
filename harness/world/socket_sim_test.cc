// The BSD-style socket facade and netstat over the world.
#include <gtest/gtest.h>

#include "harness/world/host_node.h"

namespace synack::harness {
namespace {

using socket::SockAddr;
using socket::SockType;
using wire::Ipv4Address;

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

struct Pair {
  Pair() : w(11), a(add_host(w, "a")), b(add_host(w, "b")) { connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24"); }
  World w;
  HostNode& a;
  HostNode& b;
};

TEST(SocketApi, DescriptorsAreLowestFreeFromThree) {
  Pair p;
  auto& h = p.a.host();
  EXPECT_EQ(*h.socket(100, SockType::Dgram), 3);
  EXPECT_EQ(*h.socket(100, SockType::Dgram), 4);
  EXPECT_EQ(*h.socket(101, SockType::Dgram), 5);
  ASSERT_TRUE(h.close(4).ok());
  EXPECT_EQ(*h.socket(102, SockType::Dgram), 4);
  EXPECT_EQ(h.close(42).error(), SockError::BadF);
  EXPECT_EQ(h.open_descriptors(), 3u);
}

TEST(SocketApi, BindErrors) {
  Pair p;
  auto& h = p.a.host();
  int s1 = *h.socket(1, SockType::Dgram), s2 = *h.socket(1, SockType::Dgram);
  ASSERT_TRUE(h.bind(s1, {Ipv4Address::any(), 5000}).ok());
  EXPECT_EQ(h.bind(s2, {Ipv4Address::any(), 5000}).error(), SockError::AddrInUse);
  EXPECT_EQ(h.bind(s2, {ip("10.9.9.9"), 5001}).error(), SockError::AddrNotAvail);
  EXPECT_EQ(h.bind(s1, {Ipv4Address::any(), 5002}).error(), SockError::Inval);
  // SO_REUSEADDR on both allows sharing (BSD semantics for UDP).
  int s3 = *h.socket(1, SockType::Dgram), s4 = *h.socket(1, SockType::Dgram);
  ASSERT_TRUE(h.setsockopt(s3, socket::SockOpt::ReuseAddr, 1).ok());
  ASSERT_TRUE(h.setsockopt(s4, socket::SockOpt::ReuseAddr, 1).ok());
  ASSERT_TRUE(h.bind(s3, {Ipv4Address::any(), 6000}).ok());
  EXPECT_TRUE(h.bind(s4, {Ipv4Address::any(), 6000}).ok());
  // Ephemeral ports come from the configured range.
  int s5 = *h.socket(1, SockType::Dgram);
  ASSERT_TRUE(h.bind(s5, {Ipv4Address::any(), 0}).ok());
  auto name = *h.getsockname(s5);
  EXPECT_GE(name.port, 32768);
  EXPECT_LE(name.port, 60999);
  EXPECT_EQ(h.getpeername(s5).error(), SockError::NotConn);
}

TEST(SocketApi, SendRecvAndReadiness) {
  Pair p;
  auto& a = p.a.host();
  auto& b = p.b.host();
  int srv = *b.socket(7, SockType::Dgram);
  ASSERT_TRUE(b.bind(srv, {Ipv4Address::any(), 53}).ok());
  int cli = *a.socket(8, SockType::Dgram);
  EXPECT_EQ(a.send(cli, Bytes{1}).error(), SockError::DestAddrReq);
  EXPECT_EQ(a.sendto(cli, Bytes{1}, {ip("10.0.0.255"), 53}).error(), SockError::Acces);
  ASSERT_EQ(*a.sendto(cli, Bytes{1, 2, 3}, {ip("10.0.0.2"), 53}), 3u);
  EXPECT_FALSE(b.poll(srv)->readable);
  std::uint8_t buf[16];
  EXPECT_EQ(b.recv(srv, buf).error(), SockError::Again);
  p.w.run_until([&] { return b.poll(srv)->readable; }, Instant::from_secs(1));
  auto r = b.recvfrom(srv, buf);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, 3u);
  EXPECT_EQ(r->second.addr, ip("10.0.0.1"));
  EXPECT_EQ(r->second.port, a.getsockname(cli)->port);
}

TEST(SocketApi, BroadcastNeedsSoBroadcast) {
  Pair p;
  auto& a = p.a.host();
  auto& b = p.b.host();
  int srv = *b.socket(7, SockType::Dgram);
  ASSERT_TRUE(b.bind(srv, {Ipv4Address::any(), 67}).ok());
  int cli = *a.socket(8, SockType::Dgram);
  ASSERT_TRUE(a.setsockopt(cli, socket::SockOpt::Broadcast, 1).ok());
  ASSERT_TRUE(a.sendto(cli, Bytes{9}, {Ipv4Address::broadcast(), 67}).ok());
  p.w.run_until([&] { return b.poll(srv)->readable; }, Instant::from_secs(1));
  EXPECT_TRUE(b.poll(srv)->readable);
}

TEST(SocketApi, PingSocket) {
  Pair p;
  auto& a = p.a.host();
  int s = *a.socket(9, SockType::Dgram, socket::SockProto::Icmp);
  ASSERT_TRUE(a.send_ping(s, ip("10.0.0.2"), 1, Bytes(32, 1)).ok());
  p.w.run_until([&] { return a.poll(s)->readable; }, Instant::from_secs(1));
  auto r = a.recv_ping(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seq, 1);
  EXPECT_EQ(r->payload_len, 32u);
}

// bind() on a ping socket chooses its echo identifier, as on Linux.
TEST(SocketApi, PingSocketBindSetsTheIdentifier) {
  Pair p;
  auto& a = p.a.host();
  int s = *a.socket(9, SockType::Dgram, socket::SockProto::Icmp);
  int other = *a.socket(9, SockType::Dgram, socket::SockProto::Icmp);
  ASSERT_TRUE(a.bind(s, {Ipv4Address::any(), 0x5301}).ok());
  EXPECT_EQ(a.bind(other, {Ipv4Address::any(), 0x5301}).error(), SockError::AddrInUse);
  ASSERT_TRUE(a.send_ping(s, ip("10.0.0.2"), 7, Bytes(8, 1)).ok());
  p.w.run_until([&] { return a.poll(s)->readable; }, Instant::from_secs(1));
  auto r = a.recv_ping(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ident, 0x5301);
  EXPECT_EQ(r->seq, 7);
}

TEST(Netstat, ListsSocketsWithOwners) {
  Pair p;
  auto& a = p.a.host();
  int s1 = *a.socket(1234, SockType::Dgram);
  ASSERT_TRUE(a.bind(s1, {Ipv4Address::any(), 53}).ok());
  int s2 = *a.socket(99, SockType::Dgram);
  ASSERT_TRUE(a.connect(s2, {ip("10.0.0.2"), 7}).ok());
  auto rows = a.netstat();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].proto, "udp");
  EXPECT_EQ(rows[0].local, "0.0.0.0:53");
  EXPECT_EQ(rows[0].foreign, "0.0.0.0:*");
  EXPECT_EQ(rows[0].pid, 1234u);
  EXPECT_EQ(rows[1].state, "ESTABLISHED");
  EXPECT_EQ(rows[1].foreign, "10.0.0.2:7");
  EXPECT_EQ(rows[1].local.rfind("10.0.0.1:", 0), 0u);
  auto text = socket::format_netstat(rows);
  EXPECT_NE(text.find("Proto Recv-Q Send-Q Local Address"), std::string::npos);
  EXPECT_NE(text.find("1234"), std::string::npos);
  p.w.run_for(Duration::from_millis(10));
  auto counters = socket::format_counters(a.stack().stats());
  EXPECT_NE(counters.find("tx_gratuitous 1"), std::string::npos);
}

// Options set on a listening socket (before or after listen) are what its
// connections inherit, as Linux copies them into each child.
TEST(SocketApi, AcceptedConnectionsInheritTheListenersOptions) {
  Pair p;
  auto& a = p.a.host();
  auto& b = p.b.host();
  using socket::SockOpt;
  int lfd = *b.socket(7, SockType::Stream);
  ASSERT_TRUE(b.setsockopt(lfd, SockOpt::UserTimeout, 5000).ok());
  ASSERT_TRUE(b.bind(lfd, {Ipv4Address::any(), 80}).ok());
  ASSERT_TRUE(b.listen(lfd, 8).ok());
  ASSERT_TRUE(b.setsockopt(lfd, SockOpt::Congestion, 0).ok());
  ASSERT_TRUE(b.setsockopt(lfd, SockOpt::RcvBuf, 4096).ok());
  ASSERT_TRUE(b.setsockopt(lfd, SockOpt::SndBuf, 8192).ok());
  ASSERT_TRUE(b.setsockopt(lfd, SockOpt::NoDelay, 1).ok());
  ASSERT_TRUE(b.setsockopt(lfd, SockOpt::KeepIdle, 77).ok());
  EXPECT_EQ(b.setsockopt(lfd, SockOpt::KeepIdle, 0).error(), SockError::Inval);
  EXPECT_EQ(b.setsockopt(lfd, SockOpt::Broadcast, 1).error(), SockError::NoProtoOpt);
  EXPECT_EQ(*b.getsockopt(lfd, SockOpt::RcvBuf), 8192);
  EXPECT_EQ(*b.getsockopt(lfd, SockOpt::KeepIdle), 77);
  EXPECT_EQ(*b.getsockopt(lfd, SockOpt::Congestion), 0);
  EXPECT_EQ(*b.getsockopt(lfd, SockOpt::Error), 0);

  int cfd = *a.socket(8, SockType::Stream);
  ASSERT_TRUE(a.connect(cfd, {ip("10.0.0.2"), 80}).error() == SockError::InProgress);
  p.w.run_until([&] { return b.poll(lfd)->readable; }, Instant::from_secs(1));
  int afd = *b.accept(lfd);
  EXPECT_EQ(*b.getsockopt(afd, SockOpt::Congestion), 0);
  EXPECT_EQ(*b.getsockopt(afd, SockOpt::RcvBuf), 8192);
  EXPECT_EQ(*b.getsockopt(afd, SockOpt::SndBuf), 16384);
  EXPECT_EQ(*b.getsockopt(afd, SockOpt::NoDelay), 1);
  EXPECT_EQ(*b.getsockopt(afd, SockOpt::KeepIdle), 77);
  EXPECT_EQ(*b.getsockopt(afd, SockOpt::UserTimeout), 5000);
  // The 8 KiB receive buffer has 4 KiB of window space; the SYN-ACK offers
  // the whole segments of it (2 × 1448 with timestamps), as Linux does.
  EXPECT_EQ(a.tcp_info(cfd)->snd_wnd, 2896u);
}

// Linux accepts SO_SNDBUF/SO_RCVBUF and TCP_CONGESTION on a connected
// socket: the buffer grows (never dropping queued data) and the congestion
// controller changes, keeping cwnd.
TEST(SocketApi, BuffersAndCongestionChangeOnALiveConnection) {
  Pair p;
  auto& a = p.a.host();
  auto& b = p.b.host();
  using socket::SockOpt;
  int lfd = *b.socket(7, SockType::Stream);
  ASSERT_TRUE(b.bind(lfd, {Ipv4Address::any(), 80}).ok());
  ASSERT_TRUE(b.listen(lfd, 8).ok());
  int cfd = *a.socket(8, SockType::Stream);
  (void)a.connect(cfd, {ip("10.0.0.2"), 80});
  p.w.run_until([&] { return a.poll(cfd)->writable; }, Instant::from_secs(1));
  int afd = *b.accept(lfd);
  ASSERT_TRUE(a.setsockopt(cfd, SockOpt::SndBuf, 2304).ok());
  Bytes big(300000, 'x');
  std::size_t small = *a.send(cfd, big);
  EXPECT_EQ(small, 2u * 2304);
  ASSERT_TRUE(a.setsockopt(cfd, SockOpt::SndBuf, 100000).ok());
  EXPECT_EQ(*a.getsockopt(cfd, SockOpt::SndBuf), 200000);
  std::size_t more = *a.send(cfd, ConstBytes(big).subspan(small));
  EXPECT_EQ(small + more, 200000u);
  std::uint32_t cwnd = a.tcp_info(cfd)->cwnd;
  ASSERT_TRUE(a.setsockopt(cfd, SockOpt::Congestion, 0).ok());
  EXPECT_EQ(*a.getsockopt(cfd, SockOpt::Congestion), 0);
  EXPECT_EQ(a.tcp_info(cfd)->cwnd, cwnd);
  ASSERT_TRUE(b.setsockopt(afd, SockOpt::RcvBuf, 200000).ok());
  EXPECT_EQ(*b.getsockopt(afd, SockOpt::RcvBuf), 400000);
  // Requests are clamped to net.core.wmem_max (212,992) before doubling.
  ASSERT_TRUE(a.setsockopt(cfd, SockOpt::SndBuf, 1 << 30).ok());
  EXPECT_EQ(*a.getsockopt(cfd, SockOpt::SndBuf), 2 * 212992);
  // Every byte arrives, in order.
  std::size_t got = 0;
  std::vector<std::uint8_t> buf(65536);
  p.w.run_until(
      [&] {
        while (auto r = b.recv(afd, buf)) {
          if (*r == 0) break;
          for (std::size_t i = 0; i < *r; ++i) EXPECT_EQ(buf[i], 'x');
          got += *r;
        }
        return got == small + more;
      },
      Instant::from_secs(60));
  EXPECT_EQ(got, small + more);
}

}  // namespace
}  // namespace synack::harness

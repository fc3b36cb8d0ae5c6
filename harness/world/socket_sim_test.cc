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

}  // namespace
}  // namespace synack::harness

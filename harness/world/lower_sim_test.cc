// End-to-end tests of the lower stack in the deterministic world: ARP, IPv4
// routing and fragmentation through a router host, ICMP, UDP.
#include <gtest/gtest.h>

#include "harness/world/host_node.h"

namespace synack::harness {
namespace {

using wire::Ipv4Address;

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

// a (10.0.1.2) -- router (10.0.1.1 | 10.0.2.1) -- b (10.0.2.2)
struct RoutedPair {
  explicit RoutedPair(std::uint64_t seed, driver::FaultProfile p = {}) : world(seed) {
    iface::StackConfig rcfg;
    rcfg.forwarding = true;
    a = &add_host(world, "a");
    router = &add_host(world, "router", rcfg);
    b = &add_host(world, "b");
    connect_hosts(world, *a, "10.0.1.2/24", *router, "10.0.1.1/24", p, p);
    connect_hosts(world, *router, "10.0.2.1/24", *b, "10.0.2.2/24", p, p);
    a->stack().add_default_gateway(ip("10.0.1.1"));
    b->stack().add_default_gateway(ip("10.0.2.1"));
  }
  World world;
  HostNode* a;
  HostNode* router;
  HostNode* b;
};

std::vector<iface::PingReply> ping(World& w, iface::Stack& from, Ipv4Address to, int count, std::size_t size,
                                   Duration wait = Duration::from_secs(5)) {
  auto h = from.ping_open();
  for (int i = 0; i < count; ++i) from.ping(h)->queue({to, static_cast<std::uint16_t>(i + 1), Bytes(size, 0xab)});
  std::vector<iface::PingReply> got;
  w.run_until(
      [&] {
        while (auto r = from.ping(h)->pop_reply()) got.push_back(std::move(*r));
        return got.size() == static_cast<std::size_t>(count);
      },
      w.now() + wait);
  return got;
}

TEST(LowerSim, PingThroughRouter) {
  RoutedPair t(1);
  auto replies = ping(t.world, t.a->stack(), ip("10.0.2.2"), 3, 56);
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].from, ip("10.0.2.2"));
  EXPECT_EQ(replies[0].ttl, 63);  // one router hop
  EXPECT_EQ(replies[2].payload, Bytes(56, 0xab));
  EXPECT_EQ(t.router->stack().stats().ip.forwarded, 6u);
  EXPECT_EQ(t.a->stack().arp().entries().size(), 1u);
}

TEST(LowerSim, LargePingsFragmentAndReassemble) {
  RoutedPair t(2);
  auto replies = ping(t.world, t.a->stack(), ip("10.0.2.2"), 2, 4000);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].payload_len, 4000u);
  EXPECT_EQ(replies[1].payload, Bytes(4000, 0xab));
  EXPECT_GE(t.a->stack().stats().ip.fragments_created, 6u);
  EXPECT_EQ(t.b->stack().stats().ip.reassembled, 2u);
  EXPECT_EQ(t.a->stack().stats().ip.reassembled, 2u);
}

TEST(LowerSim, RouterFragmentsOntoSmallerMtu) {
  World w(3);
  iface::StackConfig rcfg;
  rcfg.forwarding = true;
  auto& a = add_host(w, "a");
  auto& r = add_host(w, "r", rcfg);
  auto& b = add_host(w, "b");
  connect_hosts(w, a, "10.0.1.2/24", r, "10.0.1.1/24");
  driver::FaultProfile small;
  small.mtu = 576;
  connect_hosts(w, r, "10.0.2.1/24", b, "10.0.2.2/24", small, small);
  a.stack().add_default_gateway(ip("10.0.1.1"));
  b.stack().add_default_gateway(ip("10.0.2.1"));
  auto replies = ping(w, a.stack(), ip("10.0.2.2"), 1, 1400);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_GT(r.stack().stats().ip.fragments_created, 0u);
}

TEST(LowerSim, TtlExpiresAtRouter) {
  RoutedPair t(4);
  // Send a datagram with TTL 1 straight through the IP layer.
  Bytes l4(8, 0);
  store_be16(l4, 0, 1000);
  store_be16(l4, 2, 2000);
  store_be16(l4, 4, 8);
  ASSERT_TRUE(t.a->stack().send_ipv4(t.world.now(), {ip("10.0.1.2"), ip("10.0.2.2"), 17, 1, 0, false, l4}).ok());
  t.world.run_for(Duration::from_secs(1));
  EXPECT_EQ(t.router->stack().stats().ip.rx_ttl_exceeded, 1u);
  EXPECT_EQ(t.a->stack().stats().icmp.rx_errors, 1u);
}

TEST(LowerSim, UdpEchoAndPortUnreachable) {
  RoutedPair t(5);
  auto& sa = t.a->stack();
  auto& sb = t.b->stack();
  auto server = sb.udp_open();
  ASSERT_TRUE(sb.udp_bind(server, {Ipv4Address::any(), 7}).ok());
  auto client = sa.udp_open();
  ASSERT_TRUE(sa.udp_connect(client, {ip("10.0.2.2"), 7}).ok());
  Bytes msg{'h', 'i'};
  ASSERT_TRUE(sa.udp_send(client, std::nullopt, msg).ok());
  t.world.run_until([&] { return sb.udp(server)->readable(); }, t.world.now() + Duration::from_secs(2));
  std::uint8_t buf[64];
  auto got = sb.udp(server)->recv(buf);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->first, 2u);
  EXPECT_EQ(got->second.addr, ip("10.0.1.2"));
  ASSERT_TRUE(sb.udp_send(server, got->second, ConstBytes(buf, got->first)).ok());
  t.world.run_until([&] { return sa.udp(client)->readable(); }, t.world.now() + Duration::from_secs(2));
  auto back = sa.udp(client)->recv(buf);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->first, 2u);

  // A connected socket learns ECONNREFUSED from ICMP port unreachable.
  auto c2 = sa.udp_open();
  ASSERT_TRUE(sa.udp_connect(c2, {ip("10.0.2.2"), 9999}).ok());
  ASSERT_TRUE(sa.udp_send(c2, std::nullopt, msg).ok());
  t.world.run_until([&] { return sa.udp(c2)->readable(); }, t.world.now() + Duration::from_secs(2));
  auto err = sa.udp(c2)->recv(buf);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error(), SockError::ConnRefused);
  EXPECT_EQ(sb.stats().udp.rx_no_port, 1u);
}

TEST(LowerSim, ArpFailureReachesTheSender) {
  World w(6);
  auto& a = add_host(w, "a");
  auto& b = add_host(w, "b");
  connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24");
  auto s = a.stack().udp_open();
  ASSERT_TRUE(a.stack().udp_connect(s, {ip("10.0.0.77"), 53}).ok());  // nobody there
  ASSERT_TRUE(a.stack().udp_send(s, std::nullopt, Bytes{1}).ok());
  w.run_for(Duration::from_secs(10));
  std::uint8_t buf[8];
  auto r = a.stack().udp(s)->recv(buf);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), SockError::HostUnreach);
  EXPECT_EQ(a.stack().arp().stats().failed, 1u);
  EXPECT_EQ(a.stack().arp().stats().requests_sent, 3u);
}

TEST(LowerSim, GratuitousArpAndUnknownProtocol) {
  World w(7);
  auto& a = add_host(w, "a");
  auto& b = add_host(w, "b");
  connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24");
  w.run_for(Duration::from_millis(1));
  EXPECT_EQ(a.stack().stats().arp.tx_gratuitous, 1u);
  Bytes l4(4, 0);
  ASSERT_TRUE(a.stack().send_ipv4(w.now(), {ip("10.0.0.1"), ip("10.0.0.2"), 99, 0, 0, false, l4}).ok());
  w.run_for(Duration::from_secs(1));
  EXPECT_EQ(b.stack().stats().ip.rx_unknown_protocol, 1u);
  EXPECT_EQ(a.stack().stats().icmp.rx_errors, 1u);
}

TEST(LowerSim, UdpUnderLossDeliversWhatArrivesIntact) {
  driver::FaultProfile lossy;
  lossy.loss_ppm = 100'000;
  lossy.corrupt_ppm = 50'000;
  lossy.dup_ppm = 50'000;
  RoutedPair t(8, lossy);
  auto& sa = t.a->stack();
  auto& sb = t.b->stack();
  auto server = sb.udp_open();
  ASSERT_TRUE(sb.udp_bind(server, {Ipv4Address::any(), 9}).ok());
  auto client = sa.udp_open();
  ASSERT_TRUE(sa.udp_connect(client, {ip("10.0.2.2"), 9}).ok());
  for (int i = 0; i < 50; ++i) {
    Bytes msg(100, static_cast<std::uint8_t>(i));
    ASSERT_TRUE(sa.udp_send(client, std::nullopt, msg).ok());
    t.world.run_for(Duration::from_millis(10));
  }
  t.world.run_for(Duration::from_secs(2));
  int got = 0;
  std::uint8_t buf[200];
  while (true) {
    auto r = sb.udp(server)->recv(buf);
    if (!r) break;
    ASSERT_EQ(r->first, 100u);
    for (std::size_t i = 1; i < 100; ++i) ASSERT_EQ(buf[i], buf[0]);  // corruption never delivered
    ++got;
  }
  EXPECT_GT(got, 20);
  EXPECT_LT(got, 60);
}

}  // namespace
}  // namespace synack::harness

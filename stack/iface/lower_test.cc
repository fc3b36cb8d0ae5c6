// Unit tests for the interface layer's pure parts: ARP cache, routing table,
// IPv4 reassembly.
#include <gtest/gtest.h>

#include "stack/iface/arp_cache.h"
#include "stack/iface/reassembly.h"
#include "stack/iface/route.h"

namespace synack::iface {
namespace {

using wire::Ipv4Address;
using wire::Ipv4Cidr;
using wire::MacAddress;

constexpr Ipv4Address kA = Ipv4Address::from_octets(10, 0, 0, 2);
constexpr MacAddress kMacA{{0x02, 0, 0, 0, 0, 2}};

Instant at_ms(std::int64_t ms) { return Instant::from_millis(ms); }

TEST(ArpCache, ResolvesAndReleasesWaitingPackets) {
  ArpCache c;
  EXPECT_FALSE(c.lookup(kA, at_ms(0)));
  ASSERT_TRUE(c.enqueue(kA, {0, Bytes{1, 2, 3}}, at_ms(0)));
  auto p = c.poll(at_ms(0));
  ASSERT_EQ(p.requests.size(), 1u);
  EXPECT_EQ(p.requests[0], kA);
  auto released = c.learn(kA, kMacA, at_ms(5), false);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].ip_packet, (Bytes{1, 2, 3}));
  EXPECT_EQ(c.lookup(kA, at_ms(6)), kMacA);
  EXPECT_EQ(c.pending_count(), 0u);
}

TEST(ArpCache, RetriesWithBackoffThenFails) {
  ArpConfig cfg;
  cfg.max_retries = 3;
  ArpCache c(cfg);
  ASSERT_TRUE(c.enqueue(kA, {0, Bytes{9}}, at_ms(0)));
  std::vector<std::int64_t> sent;
  std::vector<PendingPacket> failed;
  while (auto t = c.poll_at()) {
    auto r = c.poll(*t);
    if (!r.requests.empty()) sent.push_back(t->millis());
    for (auto& f : r.failed) failed.push_back(std::move(f));
    if (t->millis() > 100000) break;
  }
  EXPECT_EQ(sent, (std::vector<std::int64_t>{0, 1000, 3000}));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(c.stats().failed, 1u);
  EXPECT_EQ(c.size(), 0u);
}

TEST(ArpCache, UnsolicitedRepliesDoNotCreateEntries) {
  ArpCache c;
  c.learn(kA, kMacA, at_ms(0), false);
  EXPECT_EQ(c.size(), 0u);
  c.learn(kA, kMacA, at_ms(0), true);
  EXPECT_EQ(c.size(), 1u);
}

TEST(ArpCache, GoesStaleRefreshesAndGarbageCollects) {
  ArpCache c;
  c.learn(kA, kMacA, at_ms(0), true);
  EXPECT_EQ(c.entries()[0].state, NeighborState::Reachable);
  EXPECT_EQ(c.lookup(kA, at_ms(31000)), kMacA);  // stale but usable
  EXPECT_EQ(c.entries()[0].state, NeighborState::Stale);
  auto r = c.poll(at_ms(31000));
  EXPECT_EQ(r.requests.size(), 1u);  // refresh
  c.learn(kA, kMacA, at_ms(31001), false);
  EXPECT_EQ(c.entries()[0].state, NeighborState::Reachable);
  // Unused: stale after 30 s, removed 60 s after last use.
  c.poll(at_ms(200000));
  EXPECT_EQ(c.size(), 0u);
}

TEST(ArpCache, RemovingAResolvingEntryHandsBackItsPacketsAndFreesTheirPlaces) {
  ArpConfig cfg;
  cfg.max_pending = 2;
  ArpCache c(cfg);
  ASSERT_TRUE(c.enqueue(kA, {0, Bytes{1}}, at_ms(0)));
  ASSERT_TRUE(c.enqueue(kA, {0, Bytes{2}}, at_ms(0)));
  auto waiting = c.remove(kA);
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[1].ip_packet, (Bytes{2}));
  EXPECT_EQ(c.pending_count(), 0u);
  // The places are free again: the bound counts only what still waits.
  EXPECT_TRUE(c.enqueue(kA, {0, Bytes{3}}, at_ms(1)));
  EXPECT_TRUE(c.enqueue(kA, {0, Bytes{4}}, at_ms(1)));
  EXPECT_TRUE(c.remove(Ipv4Address{0x0c000001}).empty());
}

TEST(ArpCache, BoundedUnderFloods) {
  ArpConfig cfg;
  cfg.max_entries = 16;
  cfg.max_pending = 4;
  ArpCache c(cfg);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    c.learn(Ipv4Address{0x0a000000 + i}, kMacA, at_ms(0), true);
    (void)c.enqueue(Ipv4Address{0x0b000000 + i}, {0, Bytes(100, 0)}, at_ms(0));
  }
  EXPECT_LE(c.size(), 16u);
  EXPECT_LE(c.pending_count(), 4u);
  EXPECT_GT(c.stats().table_full + c.stats().pending_dropped, 0u);
}

TEST(ArpCache, StaticEntriesStay) {
  ArpCache c;
  c.add_static(kA, kMacA);
  c.poll(at_ms(10'000'000));
  EXPECT_EQ(c.lookup(kA, at_ms(10'000'000)), kMacA);
  c.learn(kA, MacAddress{{2, 2, 2, 2, 2, 2}}, at_ms(1), true);
  EXPECT_EQ(c.lookup(kA, at_ms(2)), kMacA);
}

TEST(RouteTable, LongestPrefixWins) {
  RouteTable t;
  t.add({*Ipv4Cidr::parse("0.0.0.0/0"), Ipv4Address::from_octets(10, 0, 0, 1), 0, 0});
  t.add({*Ipv4Cidr::parse("10.0.0.0/24"), std::nullopt, 0, 0});
  t.add({*Ipv4Cidr::parse("10.0.1.0/24"), std::nullopt, 1, 0});
  t.add({*Ipv4Cidr::parse("10.0.1.128/25"), Ipv4Address::from_octets(10, 0, 1, 1), 1, 0});
  auto nh = t.next_hop(Ipv4Address::from_octets(10, 0, 0, 7));
  ASSERT_TRUE(nh);
  EXPECT_EQ(nh->iface, 0u);
  EXPECT_EQ(nh->address, Ipv4Address::from_octets(10, 0, 0, 7));
  nh = t.next_hop(Ipv4Address::from_octets(10, 0, 1, 200));
  EXPECT_EQ(nh->address, Ipv4Address::from_octets(10, 0, 1, 1));
  nh = t.next_hop(Ipv4Address::from_octets(8, 8, 8, 8));
  EXPECT_EQ(nh->address, Ipv4Address::from_octets(10, 0, 0, 1));
  EXPECT_EQ(t.size(), 4u);
  EXPECT_TRUE(t.remove(*Ipv4Cidr::parse("0.0.0.0/0")));
  EXPECT_FALSE(t.next_hop(Ipv4Address::from_octets(8, 8, 8, 8)));
}

TEST(RouteTable, ManyRoutes) {
  RouteTable t;
  for (std::uint32_t i = 0; i < 10000; ++i) t.add({{Ipv4Address{0x0a000000 + (i << 8)}, 24}, std::nullopt, i % 4, 0});
  EXPECT_EQ(t.size(), 10000u);
  auto r = t.lookup(Ipv4Address{0x0a000000 + (1234u << 8) + 5});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->iface, 1234u % 4);
}

FragmentKey key(std::uint16_t id) { return {kA, Ipv4Address::from_octets(10, 0, 0, 3), 17, id}; }

TEST(Reassembler, InOrderAndOutOfOrder) {
  Reassembler r;
  Bytes hdr(20, 0x45), a(16, 1), b(16, 2), c(5, 3);
  EXPECT_FALSE(r.add(at_ms(0), key(1), 16, true, b, hdr));
  EXPECT_FALSE(r.add(at_ms(0), key(1), 32, false, c, hdr));
  auto done = r.add(at_ms(1), key(1), 0, true, a, hdr);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->payload.size(), 37u);
  EXPECT_EQ(done->payload[16], 2);
  EXPECT_EQ(done->payload[36], 3);
  EXPECT_EQ(r.datagrams(), 0u);
  EXPECT_EQ(r.memory(), 0u);
}

TEST(Reassembler, OverlapDropsDatagram) {
  Reassembler r;
  Bytes hdr(20, 0), a(16, 1);
  r.add(at_ms(0), key(2), 0, true, a, hdr);
  EXPECT_FALSE(r.add(at_ms(0), key(2), 8, true, a, hdr));
  EXPECT_EQ(r.stats().overlaps, 1u);
  EXPECT_EQ(r.datagrams(), 0u);
}

TEST(Reassembler, TimeoutReportsOnlyWithFirstFragment) {
  Reassembler r;
  Bytes hdr(20, 0x45), a(16, 1);
  r.add(at_ms(0), key(3), 0, true, a, hdr);
  r.add(at_ms(0), key(4), 16, true, a, hdr);
  EXPECT_EQ(r.poll_at(), Instant::from_secs(30));
  EXPECT_TRUE(r.poll(at_ms(29999)).empty());
  auto t = r.poll(at_ms(30000));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].key.ident, 3);
  EXPECT_EQ(t[0].quote.size(), 28u);
  EXPECT_EQ(r.stats().timeouts, 2u);
}

TEST(Reassembler, RefusesOversizeAndStaysWithinMemory) {
  ReassemblyConfig cfg;
  cfg.high_thresh = 64 * 1024;
  cfg.low_thresh = 48 * 1024;
  Reassembler r(cfg);
  Bytes hdr(20, 0), big(1480, 7);
  EXPECT_FALSE(r.add(at_ms(0), key(5), 65000, true, big, hdr));
  EXPECT_EQ(r.stats().oversize, 1u);
  for (std::uint16_t id = 0; id < 2000; ++id) r.add(at_ms(0), key(id), 8, true, big, hdr);
  for (std::uint16_t id = 0; id < 2000; ++id) r.add(at_ms(0), key(static_cast<std::uint16_t>(id + 30000)), 8, true, {}, hdr);
  EXPECT_LE(r.memory(), cfg.high_thresh);
  EXPECT_GT(r.stats().evicted, 0u);
}

}  // namespace
}  // namespace synack::iface

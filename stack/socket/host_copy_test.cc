// Copying a Host (socket::Host, iface::Stack, tcp::Socket, tcp::Listener):
// a copy taken in the middle of a lossy transfer, with out-of-order data
// held ahead in the receive ring, a SACK scoreboard, a child in a
// listener's accept queue and data queued, continues exactly as the original
// does (the same frames, the same bytes delivered), and the two share no
// state: running the copy to the end first leaves the original unchanged.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "stack/socket/host.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::socket {
namespace {

using wire::Ipv4Address;

class Wire final : public driver::Device {
 public:
  driver::DeviceCaps capabilities() const override { return {1500}; }
  bool transmit(Instant, ConstBytes f) override {
    out.emplace_back(f.begin(), f.end());
    return true;
  }
  std::vector<Bytes> out;
};

iface::StackConfig config(const char* name, std::uint64_t seed) {
  iface::StackConfig c;
  c.name = name;
  c.seed = seed;
  return c;
}

constexpr wire::MacAddress kMacA{{2, 0, 0, 0, 0, 1}};
constexpr wire::MacAddress kMacB{{2, 0, 0, 0, 0, 2}};
constexpr Ipv4Address kIpA = Ipv4Address::from_octets(10, 0, 0, 1);
constexpr Ipv4Address kIpB = Ipv4Address::from_octets(10, 0, 0, 2);

// True for a frame carrying TCP payload (a data segment).
bool is_data(const Bytes& f) {
  auto eth = wire::EthernetFrame::checked(f);
  if (!eth || eth->ethertype() != wire::kEtherTypeIpv4) return false;
  auto ip = wire::Ipv4Packet::checked(eth->payload());
  if (!ip || ip->protocol() != wire::kIpProtoTcp) return false;
  auto t = wire::TcpPacket::checked(ip->payload());
  return t && !t->payload().empty();
}

// Two hosts on a wire that the test moves frames across, a client `a`
// connecting to a listener on `b`.
struct Pair {
  Pair() : a(config("a", 1)), b(config("b", 2)) {
    a.stack().add_interface(wa, kMacA, {kIpA, 24}, "eth0");
    b.stack().add_interface(wb, kMacB, {kIpB, 24}, "eth0");
    a.stack().arp().add_static(kIpB, kMacB);
    b.stack().arp().add_static(kIpA, kMacA);
  }
  // The same hosts in the same state on wires of their own.
  Pair(const Pair& o) : a(o.a), b(o.b), now(o.now), client(o.client), listener(o.listener), server(o.server),
                        received(o.received), log(o.log), dropped(o.dropped) {
    a.stack().set_device(0, wa);
    b.stack().set_device(0, wb);
  }

  // One round: both hosts polled, frames delivered (the `drop`-th data frame
  // from a to b lost), the server reads. The clock moves 1 ms, or to the
  // next deadline when nothing moved.
  void round(int drop) {
    a.poll(now);
    b.poll(now);
    bool moved = !wa.out.empty() || !wb.out.empty();
    for (auto& f : wa.out) {
      log.push_back(f);
      if (is_data(f) && ++data_frames == drop) {
        ++dropped;
        continue;
      }
      b.receive(now, 0, f);
    }
    for (auto& f : wb.out) {
      log.push_back(f);
      a.receive(now, 0, f);
    }
    wa.out.clear();
    wb.out.clear();
    if (server < 0) {
      if (auto c = b.accept(listener)) server = *c;
    }
    std::uint8_t buf[4096];
    if (server >= 0) {
      while (auto r = b.recv(server, buf)) {
        if (*r == 0) break;
        received.insert(received.end(), buf, buf + *r);
      }
    }
    Instant next = now + Duration::from_millis(1);
    if (!moved) {  // idle: on to the next deadline
      std::optional<Instant> due;
      for (auto at : {a.poll_at(), b.poll_at()})
        if (at && *at > now && (!due || *at < *due)) due = at;
      if (due && *due > next) next = *due;
    }
    now = next;
  }

  Wire wa, wb;
  Host a, b;
  Instant now = Instant::from_secs(1);
  int client = -1, listener = -1, server = -1;
  Bytes received;
  std::vector<Bytes> log;
  int data_frames = 0;
  int dropped = 0;
};

Bytes pattern(std::size_t n) {
  Bytes d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
  return d;
}

// The pair in the middle of a transfer with the 3rd data segment lost.
Pair mid_transfer(const Bytes& data) {
  Pair p;
  p.listener = *p.b.socket(1, SockType::Stream);
  EXPECT_TRUE(p.b.bind(p.listener, {Ipv4Address::any(), 80}).ok());
  EXPECT_TRUE(p.b.listen(p.listener, 4).ok());
  p.client = *p.a.socket(1, SockType::Stream);
  (void)p.a.connect(p.client, {kIpB, 80});  // non-blocking: in progress
  for (int i = 0; i < 6; ++i) p.round(3);
  EXPECT_GE(p.server, 0);
  // A second connection that b does not accept (a child in its listener's
  // accept queue when the pair is copied).
  int second = *p.a.socket(1, SockType::Stream);
  (void)p.a.connect(second, {kIpB, 80});
  for (int i = 0; i < 3; ++i) p.round(0);
  EXPECT_EQ(*p.a.send(p.client, data), data.size());
  // Rounds until a has heard of data beyond the hole (SACK), before it
  // resends: b holds that data out of order.
  for (int i = 0; i < 50; ++i) {
    p.round(3);
    auto info = p.a.tcp_info(p.client);
    if (info.ok() && info->sacked > 0) break;
  }
  EXPECT_EQ(p.dropped, 1);
  return p;
}

void finish(Pair& p, std::size_t want) {
  for (int i = 0; i < 3000 && p.received.size() < want; ++i) p.round(0);
  (void)p.a.close(p.client);
  for (int i = 0; i < 50; ++i) p.round(0);
}

TEST(HostCopy, CopyContinuesExactlyLikeTheOriginal) {
  Bytes data = pattern(60000);
  Pair orig = mid_transfer(data);
  ASSERT_LT(orig.received.size(), data.size());  // the hole holds the rest back
  // a has been SACKed; b has a connection waiting in its accept queue.
  auto info = orig.a.tcp_info(orig.client);
  ASSERT_TRUE(info.ok());
  EXPECT_GT(info->sacked, 0u);
  bool queued = false;
  for (const auto& r : orig.b.netstat()) queued = queued || (r.state == "LISTEN" && r.recv_q == 1);
  EXPECT_TRUE(queued) << format_netstat(orig.b.netstat());
  std::size_t logged = orig.log.size();
  Pair copy(orig);

  // The copy runs to the end first; the original must not notice.
  finish(copy, data.size());
  EXPECT_EQ(orig.log.size(), logged);
  EXPECT_TRUE(orig.wa.out.empty() && orig.wb.out.empty());
  finish(orig, data.size());

  EXPECT_EQ(copy.received, data);
  EXPECT_EQ(orig.received, copy.received);
  EXPECT_EQ(orig.now, copy.now);
  ASSERT_EQ(orig.log.size(), copy.log.size());
  for (std::size_t i = 0; i < orig.log.size(); ++i) ASSERT_EQ(orig.log[i], copy.log[i]) << "frame " << i;
  EXPECT_EQ(format_netstat(orig.a.netstat()), format_netstat(copy.a.netstat()));
  EXPECT_EQ(format_netstat(orig.b.netstat()), format_netstat(copy.b.netstat()));
  EXPECT_GT(copy.a.stack().tcp_stats().retrans_segs, 0u);  // the copy did recover the loss
  EXPECT_EQ(orig.a.stack().tcp_stats().retrans_segs, copy.a.stack().tcp_stats().retrans_segs);
}

}  // namespace
}  // namespace synack::socket

// In-world applications run before their host flushes its output at an
// instant (HostNode::poll), so their answers ride on the ACKs TCP queued, and
// they get another turn at the same instant when a timer firing in that
// flush changes a socket's readiness. Both applications here are
// event-driven over Host's readiness events (watch_ready/take_ready).
#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

#include "harness/world/host_node.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::harness {
namespace {

using socket::SockType;
using wire::Ipv4Address;

const Ipv4Address kA = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address kB = Ipv4Address::from_octets(10, 0, 0, 2);
constexpr std::uint16_t kPort = 7;

struct Net {
  explicit Net(std::uint64_t seed, driver::FaultProfile a_to_b = {})
      : w(seed), a(add_host(w, "a")), b(add_host(w, "b")) {
    driver::FaultProfile b_to_a;
    a_to_b.delay = b_to_a.delay = Duration::from_micros(100);
    link = &connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24", a_to_b, b_to_a);
    // Static neighbours: only TCP segments cross the link.
    a.stack().arp().add_static(kB, b.stack().interfaces()[0].mac);
    b.stack().arp().add_static(kA, a.stack().interfaces()[0].mac);
  }
  World w;
  HostNode& a;
  HostNode& b;
  Link* link = nullptr;
};

// One lifecycle from the client's side: connect, send a byte, read the
// reply, close; `failed_at` is when it saw an error.
class Client final : public App {
 public:
  // `wake_at`: an instant at which the app asks to be polled once.
  explicit Client(socket::Host& h, std::optional<Instant> wake_at = std::nullopt) : h_(h), wake_at_(wake_at) {
    h_.watch_ready();
  }
  void poll(Instant now) override {
    if (wake_at_ && now >= *wake_at_) {
      woken = true;
      wake_at_.reset();
    }
    if (fd_ < 0) {
      fd_ = *h_.socket(60, SockType::Stream);
      (void)h_.connect(fd_, {kB, kPort});
    }
    h_.take_ready(ready_);
    for (int fd : ready_) {
      if (fd != fd_ || done) continue;
      auto r = *h_.poll(fd);
      if (r.error) {
        failed_at = now;  // left open, so the test can look at it too
        done = true;
      } else if (!sent && r.writable) {
        const std::uint8_t byte = 'x';
        sent = h_.send(fd, ConstBytes(&byte, 1)).ok();
      } else if (sent && r.readable) {
        std::uint8_t buf[8];
        auto n = h_.recv(fd, buf);
        got = n ? *n : 0;
        (void)h_.close(fd_);
        done = true;
      }
    }
  }
  std::optional<Instant> poll_at() const override { return wake_at_; }

  bool sent = false;
  bool done = false;
  bool woken = false;
  std::size_t got = 0;
  std::optional<Instant> failed_at;

 private:
  socket::Host& h_;
  int fd_ = -1;
  std::vector<int> ready_;
  std::optional<Instant> wake_at_;
};

// Accepts, answers one byte with one byte, closes at the end of stream.
class Server final : public App {
 public:
  explicit Server(socket::Host& h) : h_(h) {
    h_.watch_ready();
    listener_ = *h_.socket(50, SockType::Stream);
    EXPECT_TRUE(h_.bind(listener_, {Ipv4Address::any(), kPort}).ok());
    EXPECT_TRUE(h_.listen(listener_, 16).ok());
  }
  void poll(Instant) override {
    h_.take_ready(ready_);
    for (int fd : ready_) {
      if (fd == listener_) {
        while (auto s = h_.accept(listener_)) {
          fd_ = *s;
          serve();
        }
      } else if (fd == fd_) {
        serve();
      }
    }
  }
  bool closed = false;

 private:
  void serve() {
    std::uint8_t buf[8];
    while (!closed) {
      auto r = h_.recv(fd_, buf);
      if (!r) return;
      if (*r > 0) {
        (void)h_.send(fd_, ConstBytes(buf, *r));
      } else {
        (void)h_.close(fd_);
        closed = true;
      }
    }
  }
  socket::Host& h_;
  int listener_ = -1;
  int fd_ = -1;
  std::vector<int> ready_;
};

struct Seg {
  bool from_a;
  std::uint16_t flags;
  std::size_t len;
  bool operator==(const Seg&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Seg& s) {
  return os << (s.from_a ? "a>b" : "b>a") << " flags=0x" << std::hex << s.flags << std::dec << " len=" << s.len;
}

TEST(AppOrderSim, OneLifecycleBetweenInWorldAppsIsSevenFrames) {
  Net n(1);
  std::vector<Seg> segs;
  // Side 0's view: frames a sends and frames delivered to a (each once).
  n.link->add_capture(0, [&](Instant, ConstBytes frame) {
    auto eth = wire::EthernetFrame::checked(frame);
    if (!eth || eth->ethertype() != 0x0800) return;
    auto ip = wire::Ipv4Packet::checked(eth->payload());
    ASSERT_TRUE(ip.ok());
    auto tcp = wire::TcpPacket::checked(ip->payload());
    ASSERT_TRUE(tcp.ok());
    segs.push_back({ip->src() == kA, tcp->flags(), tcp->payload().size()});
  });
  auto& server = n.b.run_app<Server>(n.b.host());
  auto& client = n.a.run_app<Client>(n.a.host());
  // Through TIME-WAIT: nothing else may leave afterwards.
  n.w.run_for(Duration::from_secs(120));
  EXPECT_TRUE(client.done);
  EXPECT_EQ(client.got, 1u);
  EXPECT_TRUE(server.closed);
  using namespace wire;
  const std::vector<Seg> want{
      {true, kTcpSyn, 0},                    // SYN
      {false, kTcpSyn | kTcpAck, 0},         // SYN-ACK
      {true, kTcpAck | kTcpPsh, 1},          // the handshake's ACK rides on the byte
      {false, kTcpAck | kTcpPsh, 1},         // the reply carries the ACK of the byte
      {true, kTcpFin | kTcpAck, 0},          // close() answers the reply: FIN with its ACK
      {false, kTcpFin | kTcpAck, 0},         // EOF read, close(): FIN with the ACK of a's FIN
      {true, kTcpAck, 0},                    // the last ACK
  };
  EXPECT_EQ(segs, want);
  EXPECT_EQ(n.a.stack().tcp_connection_count(), 0u);
  EXPECT_EQ(n.b.stack().tcp_connection_count(), 0u);
}

// Every SYN is lost: the connection fails when the last SYN retransmission
// timer fires, at an instant T (learnt from a first run; the world is
// deterministic). In a second run the client app asks to be polled at T, so
// it runs at T before its host fires that timer and sees nothing yet: it
// must get another turn at T to see the error.
struct BlackHoleRun {
  std::optional<Instant> error_at;  // first instant after which the error shows
  std::optional<Instant> app_saw_at;
  bool woken = false;
};

BlackHoleRun run_black_hole(std::optional<Instant> wake_at) {
  driver::FaultProfile black_hole;
  black_hole.loss_ppm = 1'000'000;
  Net n(2, black_hole);
  auto& client = n.a.run_app<Client>(n.a.host(), wake_at);
  BlackHoleRun out;
  const int fd = 3;  // the client's only descriptor
  n.w.run_until(
      [&] {
        if (auto r = n.a.host().poll(fd); r && r->error && !out.error_at) out.error_at = n.w.now();
        return out.error_at.has_value() && n.w.now() > *out.error_at;
      },
      Instant::zero() + Duration::from_secs(600));
  EXPECT_GT(n.a.stack().tcp_stats().retrans_segs, 0u);
  out.app_saw_at = client.failed_at;
  out.woken = client.woken;
  return out;
}

TEST(AppOrderSim, TimerFiringAtTheInstantOfAppWorkIsSeenInThatInstant) {
  BlackHoleRun first = run_black_hole(std::nullopt);
  ASSERT_TRUE(first.error_at.has_value());
  EXPECT_GT(first.error_at->nanos(), Duration::from_secs(60).nanos());  // 6 SYN retries: ~127 s
  BlackHoleRun second = run_black_hole(first.error_at);
  EXPECT_TRUE(second.woken);
  ASSERT_TRUE(second.error_at.has_value());
  EXPECT_EQ(*second.error_at, *first.error_at);
  ASSERT_TRUE(second.app_saw_at.has_value()) << "the app never saw the error";
  EXPECT_EQ(*second.app_saw_at, *second.error_at);
}

// Host's readiness events, driven from outside the world: each descriptor
// once per take, listeners when a connection is ready to accept, nothing for
// a closed descriptor.
TEST(AppOrderSim, ReadyEventsNameTheDescriptorsThatChanged) {
  Net n(3);
  auto& a = n.a.host();
  auto& b = n.b.host();
  a.watch_ready();
  b.watch_ready();
  const int l = *b.socket(50, SockType::Stream);
  ASSERT_TRUE(b.bind(l, {Ipv4Address::any(), kPort}).ok());
  ASSERT_TRUE(b.listen(l, 16).ok());
  const int c = *a.socket(60, SockType::Stream);
  (void)a.connect(c, {kB, kPort});
  const std::uint64_t gen0 = a.ready_generation();
  n.w.run_for(Duration::from_millis(1));
  std::vector<int> ra, rb;
  a.take_ready(ra);
  b.take_ready(rb);
  EXPECT_EQ(ra, std::vector<int>{c});  // the SYN-ACK arrived
  EXPECT_EQ(rb, std::vector<int>{l});  // a connection to accept
  EXPECT_GT(a.ready_generation(), gen0);
  a.take_ready(ra);
  EXPECT_TRUE(ra.empty());  // each event is taken once
  const int s = *b.accept(l);
  const std::uint8_t byte = 'x';
  ASSERT_TRUE(a.send(c, ConstBytes(&byte, 1)).ok());
  n.w.run_for(Duration::from_millis(1));
  b.take_ready(rb);
  EXPECT_EQ(rb, std::vector<int>{s});
  ASSERT_TRUE(a.close(c).ok());
  n.w.run_for(Duration::from_millis(1));
  a.take_ready(ra);
  EXPECT_TRUE(ra.empty());  // closed: nobody to tell
  b.take_ready(rb);
  EXPECT_EQ(rb, std::vector<int>{s});  // the FIN
}

}  // namespace
}  // namespace synack::harness

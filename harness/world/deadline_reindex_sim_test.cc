// The host re-indexes a TCP socket's deadline after send() and recv() only
// when the call may have moved it (tcp::Socket::take_deadline_moved). A
// missed re-index would leave a segment waiting for a timer that never
// comes, so these tests check that the calls that do move it make the host
// due at once: a send after EAGAIN, and a read that reopens a closed window.
// Each checks poll_at() right after the call, then that the segment really
// leaves well before any timer (persist_min and the RTO are 200 ms or more)
// could have sent it instead.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "harness/world/host_node.h"

namespace synack::harness {
namespace {

using socket::SockAddr;
using socket::SockOpt;
using socket::SockType;
using wire::Ipv4Address;

struct Net {
  Net() : w(5), a(add_host(w, "a")), b(add_host(w, "b")) {
    driver::FaultProfile p;
    p.delay = Duration::from_micros(100);
    connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24", p, p);
  }
  void run_for(Duration d) { w.run_for(d); }
  bool due_now(socket::Host& h) const {
    auto t = h.poll_at();
    return t && *t <= w.now();
  }
  World w;
  HostNode& a;
  HostNode& b;
};

struct Conn {
  int server = -1, client = -1;
};

// A connection from a (client) to b (server) with small buffers on both
// sides: a's send buffer fills while b does not read.
Conn establish(Net& n) {
  auto& a = n.a.host();
  auto& b = n.b.host();
  Conn c;
  int l = *b.socket(1, SockType::Stream);
  EXPECT_TRUE(b.setsockopt(l, SockOpt::RcvBuf, 4096).ok());
  EXPECT_TRUE(b.bind(l, {Ipv4Address::any(), 80}).ok());
  EXPECT_TRUE(b.listen(l, 4).ok());
  c.client = *a.socket(2, SockType::Stream);
  EXPECT_TRUE(a.setsockopt(c.client, SockOpt::SndBuf, 4096).ok());
  (void)a.connect(c.client, {*Ipv4Address::parse("10.0.0.2"), 80});
  n.w.run_until([&] { return b.poll(l)->readable && a.poll(c.client)->writable; }, n.w.now() + Duration::from_secs(1));
  SockAddr peer;
  c.server = *b.accept(l, &peer);
  return c;
}

// Sends until EAGAIN; returns the bytes queued.
std::size_t fill(socket::Host& h, int fd) {
  std::vector<std::uint8_t> chunk(1000, 0x5a);
  std::size_t total = 0;
  while (auto r = h.send(fd, chunk)) total += *r;
  return total;
}

std::size_t drain(socket::Host& h, int fd) {
  std::uint8_t buf[4096];
  std::size_t total = 0;
  while (auto r = h.recv(fd, buf)) {
    if (*r == 0) break;
    total += *r;
  }
  return total;
}

TEST(DeadlineReindex, SendAfterEagainIsTransmittedAtOnce) {
  Net n;
  auto& a = n.a.host();
  auto& b = n.b.host();
  Conn c = establish(n);
  std::size_t sent = fill(a, c.client);
  ASSERT_GT(sent, 0u);
  ASSERT_EQ(a.send(c.client, Bytes(10, 1)).error(), SockError::Again);
  // b reads everything until a's queue is empty and all of it is acknowledged.
  std::size_t got = 0;
  for (int i = 0; i < 200 && (got < sent || a.tcp_info(c.client)->unacked > 0); ++i) {
    n.run_for(Duration::from_millis(1));
    got += drain(b, c.server);
  }
  ASSERT_EQ(got, sent);
  ASSERT_EQ(a.tcp_info(c.client)->unacked, 0u);
  n.run_for(Duration::from_millis(5));  // quiet: nothing in flight, no timer for the data
  EXPECT_EQ(drain(b, c.server), 0u);
  // After EAGAIN, then a drained queue, a new write is due at once...
  ASSERT_EQ(*a.send(c.client, Bytes(10, 1)), 10u);
  EXPECT_TRUE(n.due_now(a));
  // ...and arrives long before any timer could have sent it.
  n.run_for(Duration::from_millis(2));
  EXPECT_EQ(drain(b, c.server), 10u);
}

TEST(DeadlineReindex, ReadThatReopensTheWindowSendsAnUpdateAtOnce) {
  Net n;
  auto& a = n.a.host();
  auto& b = n.b.host();
  Conn c = establish(n);
  // b does not read: its window closes, and a keeps data queued behind it.
  std::size_t queued = fill(a, c.client);
  n.run_for(Duration::from_millis(20));
  queued += fill(a, c.client);
  n.run_for(Duration::from_millis(20));
  ASSERT_EQ(a.tcp_info(c.client)->snd_wnd, 0u) << "b's window should be closed";
  // Reading everything makes b's window update due at once (RFC 9293
  // §3.8.6.2.2)...
  std::size_t got = drain(b, c.server);
  ASSERT_GT(got, 0u);
  EXPECT_TRUE(n.due_now(b));
  // ...so a resumes within a couple of round trips, not at its next
  // zero-window probe (persist_min is 200 ms; the window closed 20 ms ago).
  n.run_for(Duration::from_millis(2));
  EXPECT_GT(drain(b, c.server), 0u);
}

}  // namespace
}  // namespace synack::harness

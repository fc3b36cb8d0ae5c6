// Test-only helpers for the TCP socket tests (STYLE B3.10): an environment
// with a fixed seed, per-state fixtures, deliver()/expect_emitted() named from
// the socket's point of view, and a two-socket loopback harness.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stack/transport/tcp/config.h"
#include "stack/transport/tcp/isn.h"
#include "stack/transport/tcp/socket.h"
#include "stack/transport/tcp/syn_cookies.h"

namespace synack::tcp::testing {

using wire::kTcpAck;
using wire::kTcpFin;
using wire::kTcpPsh;
using wire::kTcpRst;
using wire::kTcpSyn;
using wire::kTcpUrg;
using wire::SeqNumber;
using wire::TcpRepr;

inline const Endpoint kLocal{wire::Ipv4Address::from_octets(10, 0, 0, 1), 49152};
inline const Endpoint kRemote{wire::Ipv4Address::from_octets(10, 0, 0, 2), 80};
inline constexpr std::uint16_t kMss = 1460;
inline const SeqNumber kRemoteIss{10000};
inline constexpr std::uint32_t kBuf = 4096;
// A SYN offers the whole segments of the window space (2 × 1460).
inline constexpr std::uint16_t kSynWnd = initial_window(kBuf, kMss);

// Everything Context refers to, owned in one place.
struct Env {
  TcpConfig config = plain_config();
  TcpStats stats;
  Rng rng{42};
  IsnGenerator isn{SipKey{1, 2}};
  SynCookies cookies{SipKey{3, 4}, SipKey{5, 6}};
  Instant now = Instant::from_secs(1000);

  // No options and small buffers, so expected segments are easy to write.
  static TcpConfig plain_config() {
    TcpConfig c;
    c.window_scaling = false;
    c.sack = false;
    c.timestamps = false;
    c.quickacks = 0;  // delayed-ACK rules from the first segment
    c.rcvbuf = 2 * kBuf;  // kBuf of window space (rcv_space)
    c.sndbuf = kBuf;
    return c;
  }
  Context ctx() { return Context{now, rng, config, stats, isn, cookies}; }
  void advance(Duration d) { now += d; }
};

inline std::string describe(const TcpRepr& t, std::size_t len) {
  return wire::tcp_flags_to_string(t.flags) + " seq " + std::to_string(t.seq.raw()) + " ack " +
         std::to_string(t.ack.raw()) + " win " + std::to_string(t.window) + " len " +
         std::to_string(len) + " opts [" + t.options.to_string() + "]";
}

// Fills in ports when left zero (segment from remote to local).
inline SegmentIn inbound(TcpRepr t, ConstBytes payload = {}, Endpoint from = kRemote,
                         Endpoint to = kLocal) {
  if (t.src_port == 0) t.src_port = from.port;
  if (t.dst_port == 0) t.dst_port = to.port;
  return SegmentIn{from.addr, to.addr, t, payload};
}

class SocketTest : public ::testing::Test {
 protected:
  Env env;
  std::unique_ptr<Socket> s = std::make_unique<Socket>(env.config);
  SeqNumber iss;  // ours, read from the SYN
  std::vector<std::uint8_t> last_payload;

  void deliver(TcpRepr t, ConstBytes payload = {}) {
    Context c = env.ctx();
    s->process(c, inbound(t, payload));
  }
  void deliver(TcpRepr t, const std::string& text) {
    deliver(t, ConstBytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
  std::optional<SegmentOut> poll() {
    Context c = env.ctx();
    auto out = s->poll_output(c);
    if (out) last_payload.assign(out->payload.begin(), out->payload.end());
    return out;
  }
  // Expects exactly this segment next (ports and addresses filled in). The
  // window is compared unless `check_window` is false.
  void expect_emitted(TcpRepr want, std::size_t payload_len = 0, bool check_window = true) {
    auto out = poll();
    ASSERT_TRUE(out.has_value()) << "expected " << describe(want, payload_len) << ", got nothing";
    want.src_port = kLocal.port;
    want.dst_port = kRemote.port;
    if (!check_window) want.window = out->tcp.window;
    EXPECT_EQ(out->src, kLocal.addr);
    EXPECT_EQ(out->dst, kRemote.addr);
    EXPECT_TRUE(out->tcp == want && out->payload.size() == payload_len)
        << "expected " << describe(want, payload_len) << "\n     got " << describe(out->tcp, out->payload.size());
  }
  void expect_nothing() {
    auto out = poll();
    EXPECT_FALSE(out.has_value()) << "unexpected " << describe(out->tcp, out->payload.size());
  }
  std::size_t send_text(const std::string& text) {
    auto r = s->send(ConstBytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    return r ? *r : 0;
  }
  std::string recv_text(std::size_t max = 65536) {
    std::vector<std::uint8_t> buf(max);
    auto r = s->recv(buf);
    if (!r) return "<" + std::string(errno_name(r.error())) + ">";
    return std::string(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*r));
  }
  void fire_at(Instant t) {
    env.now = t;
    Context c = env.ctx();
    s->on_timer(c);
  }

  // ---- per-state fixtures (active opener; remote ISS is kRemoteIss) ----
  void socket_syn_sent() {
    Context c = env.ctx();
    ASSERT_TRUE(s->connect(c, kLocal, kRemote, kMss).ok());
    auto syn = poll();
    ASSERT_TRUE(syn && syn->tcp.flags == kTcpSyn);
    iss = syn->tcp.seq;
  }
  void socket_established() {
    socket_syn_sent();
    deliver({.seq = kRemoteIss, .ack = iss + 1, .flags = kTcpSyn | kTcpAck, .window = 8192});
    ASSERT_EQ(s->state(), State::Established);
    expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpAck, .window = kBuf});
  }
  void socket_fin_wait_1() {
    socket_established();
    Context c = env.ctx();
    s->close(c);
    ASSERT_EQ(s->state(), State::FinWait1);
    expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 1, .flags = kTcpFin | kTcpAck, .window = kBuf});
  }
  void socket_fin_wait_2() {
    socket_fin_wait_1();
    deliver({.seq = kRemoteIss + 1, .ack = iss + 2, .flags = kTcpAck, .window = 8192});
    ASSERT_EQ(s->state(), State::FinWait2);
  }
  void socket_close_wait() {
    socket_established();
    deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpFin | kTcpAck, .window = 8192});
    ASSERT_EQ(s->state(), State::CloseWait);
    expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 2, .flags = kTcpAck, .window = kBuf});
  }
  void socket_last_ack() {
    socket_close_wait();
    Context c = env.ctx();
    s->close(c);
    ASSERT_EQ(s->state(), State::LastAck);
    expect_emitted({.seq = iss + 1, .ack = kRemoteIss + 2, .flags = kTcpFin | kTcpAck, .window = kBuf});
  }
  void socket_closing() {
    socket_fin_wait_1();
    deliver({.seq = kRemoteIss + 1, .ack = iss + 1, .flags = kTcpFin | kTcpAck, .window = 8192});
    ASSERT_EQ(s->state(), State::Closing);
    expect_emitted({.seq = iss + 2, .ack = kRemoteIss + 2, .flags = kTcpAck, .window = kBuf});
  }
  void socket_time_wait() {
    socket_fin_wait_2();
    deliver({.seq = kRemoteIss + 1, .ack = iss + 2, .flags = kTcpFin | kTcpAck, .window = 8192});
    ASSERT_EQ(s->state(), State::TimeWait);
    expect_emitted({.seq = iss + 2, .ack = kRemoteIss + 2, .flags = kTcpAck, .window = kBuf});
  }
};

// Two sockets joined back to back. Segments go through `shuttle`, which can
// drop chosen ones; time advances to the next deadline when both are idle.
class Loopback {
 public:
  explicit Loopback(TcpConfig config = Env::plain_config()) {
    a_env.config = config;
    b_env.config = config;
    a = std::make_unique<Socket>(a_env.config);
    b = std::make_unique<Socket>(b_env.config);
  }
  Env a_env, b_env;
  std::unique_ptr<Socket> a, b;
  // Return true to drop the segment (from a when `from_a`).
  std::function<bool(const SegmentOut&, bool from_a)> drop = [](const SegmentOut&, bool) { return false; };
  std::size_t sent_a = 0, sent_b = 0, dropped = 0;

  // Moves all pending segments until both sides are quiet.
  void shuttle() {
    for (int guard = 0; guard < 100000; ++guard) {
      bool moved = step(true) | step(false);
      if (!moved) return;
    }
    FAIL() << "loopback did not settle";
  }
  // Runs until `done` or `limit` virtual time has passed, firing timers.
  bool run_until(const std::function<bool()>& done, Duration limit = Duration::from_secs(600)) {
    Instant end = a_env.now + limit;
    while (!done()) {
      shuttle();
      if (done()) return true;
      Context ca = a_env.ctx(), cb = b_env.ctx();
      auto ta = a->poll_at(ca), tb = b->poll_at(cb);
      std::optional<Instant> t = ta;
      if (tb && (!t || *tb < *t)) t = tb;
      if (!t || *t > end) return done();
      if (*t > a_env.now) a_env.now = b_env.now = *t;
      else if (!step(true) && !step(false)) {
        a_env.now = b_env.now = a_env.now + Duration::from_micros(1);
      }
    }
    return true;
  }

 private:
  bool step(bool from_a) {
    Env& se = from_a ? a_env : b_env;
    Env& de = from_a ? b_env : a_env;
    Socket& src = from_a ? *a : *b;
    Socket& dst = from_a ? *b : *a;
    Context sc = se.ctx();
    auto out = src.poll_output(sc);
    if (!out) return false;
    (from_a ? sent_a : sent_b)++;
    if (drop(*out, from_a)) {
      ++dropped;
      return true;
    }
    std::vector<std::uint8_t> copy(out->payload.begin(), out->payload.end());
    SegmentIn in{out->src, out->dst, out->tcp, copy};
    Context dc = de.ctx();
    dst.process(dc, in);
    return true;
  }
};

}  // namespace synack::tcp::testing

// Property-based tests of TCP handshakes and transfers in the world
// (RapidCheck). Every case is a seed plus options; a failure shrinks to a
// minimal one and prints it, and the seed replays it exactly.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "harness/world/host_node.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::harness {
namespace {

using socket::SockType;
using wire::Ipv4Address;

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

struct Side {
  bool sack, timestamps, wscale;
  std::uint32_t mtu;
};

rc::Gen<Side> gen_side() {
  return rc::gen::construct<Side>(rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(),
                                  rc::gen::inRange<std::uint32_t>(576, 9001));
}

iface::StackConfig config_for(const Side& s) {
  iface::StackConfig c;
  c.tcp.sack = s.sack;
  c.tcp.timestamps = s.timestamps;
  c.tcp.window_scaling = s.wscale;
  return c;
}

struct Pair {
  Pair(std::uint64_t seed, const Side& sa, const Side& sb, driver::FaultProfile faults)
      : w(seed), a(add_host(w, "a", config_for(sa))), b(add_host(w, "b", config_for(sb))) {
    driver::FaultProfile ab = faults, ba = faults;
    ab.mtu = sa.mtu;
    ba.mtu = sb.mtu;
    ab.delay = ba.delay = Duration::from_micros(300);
    link = &connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24", ab, ba);
  }
  World w;
  Link* link = nullptr;
  HostNode& a;
  HostNode& b;
};

driver::FaultProfile gen_faults(bool with_loss) {
  driver::FaultProfile f;
  f.loss_ppm = with_loss ? *rc::gen::inRange<std::uint32_t>(0, 300'001) : 0;
  f.dup_ppm = *rc::gen::inRange<std::uint32_t>(0, 200'001);
  f.reorder_ppm = *rc::gen::inRange<std::uint32_t>(0, 200'001);
  f.jitter = Duration::from_micros(*rc::gen::inRange<std::int64_t>(0, 2000));
  return f;
}

// Both ends reach ESTABLISHED with the options RFC 7323/2018 and the MSS
// rules say, or (under loss) connect fails with ETIMEDOUT.
RC_GTEST_PROP(TcpHandshake, EstablishedWithAgreedOptions, ()) {
  auto seed = *rc::gen::arbitrary<std::uint64_t>();
  Side sa = *gen_side(), sb = *gen_side();
  auto faults = gen_faults(true);
  Pair p(seed, sa, sb, faults);
  auto& a = p.a.host();
  auto& b = p.b.host();
  int l = *b.socket(1, SockType::Stream);
  RC_ASSERT(b.bind(l, {Ipv4Address::any(), 80}).ok());
  RC_ASSERT(b.listen(l, 8).ok());
  int c = *a.socket(2, SockType::Stream);
  RC_ASSERT(a.connect(c, {ip("10.0.0.2"), 80}).error() == SockError::InProgress);
  int s = -1;
  p.w.run_until(
      [&] {
        if (s < 0) {
          if (auto r = b.accept(l)) s = *r;
        }
        // The client can be ESTABLISHED while its last ACK is lost: wait for
        // the server side to complete too (it retransmits its SYN-ACK).
        return a.poll(c)->error || (s >= 0 && a.tcp_info(c)->state == tcp::State::Established &&
                                    b.tcp_info(s)->state == tcp::State::Established);
      },
      Instant::from_secs(300));
  if (a.poll(c)->error) {
    RC_ASSERT(*a.getsockopt(c, socket::SockOpt::Error) == static_cast<int>(SockError::TimedOut) + 1);
    return;
  }
  if (s < 0) {
    // The client's last ACK and all five SYN-ACK retransmissions (or their
    // ACKs) were lost: the client is ESTABLISHED, the server dropped the
    // half-open connection. Linux ends the same way; only loss can do it.
    RC_ASSERT(a.tcp_info(c)->state == tcp::State::Established);
    RC_ASSERT(faults.loss_ppm > 0u);
    return;
  }
  auto ia = *a.tcp_info(c), ib = *b.tcp_info(s);
  RC_ASSERT(ia.state == tcp::State::Established);
  RC_ASSERT(ib.state == tcp::State::Established);
  RC_ASSERT(ia.sack == (sa.sack && sb.sack));
  RC_ASSERT(ib.sack == ia.sack);
  RC_ASSERT(ia.timestamps == (sa.timestamps && sb.timestamps));
  RC_ASSERT(ib.timestamps == ia.timestamps);
  RC_ASSERT(ia.wscale == (sa.wscale && sb.wscale));
  RC_ASSERT(ib.wscale == ia.wscale);
  if (ia.wscale) {
    RC_ASSERT(ia.snd_wscale == ib.rcv_wscale);
    RC_ASSERT(ib.snd_wscale == ia.rcv_wscale);
  }
  // RFC 9293 §3.7.1: send MSS = min(peer's MSS option, own MTU - 40).
  auto mss_a = static_cast<std::uint16_t>(sa.mtu - 40), mss_b = static_cast<std::uint16_t>(sb.mtu - 40);
  RC_ASSERT(ia.snd_mss == std::min(mss_a, mss_b));
  RC_ASSERT(ib.snd_mss == std::min(mss_a, mss_b));
  RC_ASSERT(ia.total_retrans <= 6u);  // at most syn_retries SYNs again
}

// Simultaneous open (RFC 9293 §3.5, figure 8) always ends ESTABLISHED.
RC_GTEST_PROP(TcpHandshake, SimultaneousOpen, ()) {
  auto seed = *rc::gen::arbitrary<std::uint64_t>();
  Side side{true, true, true, 1500};
  Pair p(seed, side, side, gen_faults(false));
  auto& a = p.a.host();
  auto& b = p.b.host();
  int ca = *a.socket(1, SockType::Stream), cb = *b.socket(1, SockType::Stream);
  RC_ASSERT(a.bind(ca, {Ipv4Address::any(), 4000}).ok());
  RC_ASSERT(b.bind(cb, {Ipv4Address::any(), 5000}).ok());
  RC_ASSERT(a.connect(ca, {ip("10.0.0.2"), 5000}).error() == SockError::InProgress);
  RC_ASSERT(b.connect(cb, {ip("10.0.0.1"), 4000}).error() == SockError::InProgress);
  p.w.run_until(
      [&] {
        return a.tcp_info(ca)->state == tcp::State::Established && b.tcp_info(cb)->state == tcp::State::Established;
      },
      Instant::from_secs(60));
  RC_ASSERT(a.tcp_info(ca)->state == tcp::State::Established);
  RC_ASSERT(b.tcp_info(cb)->state == tcp::State::Established);
}

// A SYN to a closed port always gets the RST of RFC 9293 §3.10.7.1
// (<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, the SYN counting one), which
// the connecting side reports as ECONNREFUSED. Arbitrary segments to closed
// ports are in tcp_rfc5961_prop_test.cc (ClosedPort).
RC_GTEST_PROP(TcpHandshake, ClosedPortRefuses, ()) {
  auto seed = *rc::gen::arbitrary<std::uint64_t>();
  auto port = *rc::gen::inRange<std::uint16_t>(1, 65535);
  Pair p(seed, *gen_side(), *gen_side(), {});
  std::vector<wire::TcpRepr> syns, rsts;
  p.link->add_capture(0, [&](Instant, ConstBytes f) {
    auto eth = wire::EthernetFrame::checked(f);
    if (!eth || eth->ethertype() != wire::kEtherTypeIpv4) return;
    auto ipp = wire::Ipv4Packet::checked(eth->payload());
    if (!ipp || ipp->protocol() != wire::kIpProtoTcp) return;
    auto tp = wire::TcpPacket::checked(ipp->payload());
    if (!tp) return;
    auto t = wire::TcpRepr::parse(*tp, ipp->src(), ipp->dst());
    RC_ASSERT(t.ok());
    (t->has(wire::kTcpRst) ? rsts : syns).push_back(*t);
  });
  auto& a = p.a.host();
  int c = *a.socket(1, SockType::Stream);
  RC_ASSERT(a.connect(c, {ip("10.0.0.2"), port}).error() == SockError::InProgress);
  p.w.run_until([&] { return a.poll(c)->error; }, Instant::from_secs(10));
  RC_ASSERT(*a.getsockopt(c, socket::SockOpt::Error) == static_cast<int>(SockError::ConnRefused) + 1);
  RC_ASSERT(p.b.stack().stats().tcp.tx_resets == 1u);
  RC_ASSERT(syns.size() == 1u);
  RC_ASSERT(rsts.size() == 1u);
  RC_ASSERT(rsts[0].flags == (wire::kTcpRst | wire::kTcpAck));
  RC_ASSERT(rsts[0].seq == wire::SeqNumber(0));
  RC_ASSERT(rsts[0].ack == syns[0].seq + 1);
  RC_ASSERT(rsts[0].src_port == port);
  RC_ASSERT(rsts[0].dst_port == syns[0].src_port);
  RC_ASSERT(rsts[0].options == wire::TcpOptions{});
}

// When the peer never answers, connect fails with ETIMEDOUT after the
// configured retries, on the RFC 6298 backoff schedule (1 s doubling).
RC_GTEST_PROP(TcpHandshake, TimeoutFollowsBackoff, ()) {
  auto retries = *rc::gen::inRange(1, 7);
  World w(*rc::gen::arbitrary<std::uint64_t>());
  iface::StackConfig cfg;
  cfg.tcp.syn_retries = retries;
  auto& a = add_host(w, "a", cfg);
  auto& b = add_host(w, "b");
  driver::FaultProfile dead;
  dead.loss_ppm = 1'000'000;
  connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24", dead, dead);
  a.stack().arp().add_static(ip("10.0.0.2"), wire::MacAddress{{2, 0, 0, 0, 1, 1}});
  int c = *a.host().socket(1, SockType::Stream);
  RC_ASSERT(a.host().connect(c, {ip("10.0.0.2"), 80}).error() == SockError::InProgress);
  w.run_until([&] { return a.host().poll(c)->error; }, Instant::from_secs(1000));
  // SYNs at 0, 1, 3, 7, ... s; the last timer expires at 2^(retries+1) - 1 s.
  auto expected = Instant::from_secs((std::int64_t{1} << (retries + 1)) - 1);
  RC_ASSERT(w.now() >= expected);
  RC_ASSERT(w.now() <= expected + Duration::from_millis(10));
  RC_ASSERT(*a.host().getsockopt(c, socket::SockOpt::Error) == static_cast<int>(SockError::TimedOut) + 1);
  RC_ASSERT(a.stack().tcp_stats().retrans_segs == static_cast<std::uint64_t>(retries));
}

// Any sequence of sends under any fault profile: every byte arrives once,
// in order, intact; both ends close and release everything after TIME-WAIT.
RC_GTEST_PROP(TcpTransfer, EveryByteOnceInOrder, ()) {
  auto seed = *rc::gen::arbitrary<std::uint64_t>();
  auto chunks = *rc::gen::container<std::vector<std::uint32_t>>(rc::gen::inRange<std::uint32_t>(1, 40000));
  RC_PRE(!chunks.empty());
  driver::FaultProfile f = gen_faults(true);
  f.corrupt_ppm = *rc::gen::inRange<std::uint32_t>(0, 50'001);
  Side side{*rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>(), 1500};
  Pair p(seed, side, side, f);
  auto& a = p.a.host();
  auto& b = p.b.host();
  int l = *b.socket(1, SockType::Stream);
  RC_ASSERT(b.bind(l, {Ipv4Address::any(), 9}).ok());
  RC_ASSERT(b.listen(l, 4).ok());
  int c = *a.socket(2, SockType::Stream);
  (void)a.connect(c, {ip("10.0.0.2"), 9});
  Bytes data;
  for (auto n : chunks)
    for (std::uint32_t i = 0; i < n; ++i) data.push_back(static_cast<std::uint8_t>(data.size() * 7 + n));
  std::size_t sent = 0, chunk = 0, chunk_off = 0;
  Bytes got;
  int s = -1;
  bool closed = false, eof = false, failed = false;
  std::uint8_t buf[65536];
  p.w.run_until(
      [&] {
        if (!closed && a.poll(c)->error) failed = true;
        while (!failed && chunk < chunks.size() && a.poll(c)->writable) {
          auto r = a.send(c, ConstBytes(data).subspan(sent, chunks[chunk] - chunk_off));
          if (!r) break;
          sent += *r;
          chunk_off += *r;
          if (chunk_off == chunks[chunk]) ++chunk, chunk_off = 0;
        }
        if (!failed && chunk == chunks.size() && !closed) closed = a.close(c).ok();
        // The sender closes as soon as everything is queued; under heavy
        // loss its orphaned socket may give up (retries exhausted) before
        // the rest arrives, and a timeout sends no RST (RFC 9293 §3.8.3, as
        // Linux). The receiver learns of the dead peer from keepalive: the
        // probe draws a RST from the closed port.
        if (s < 0)
          if (auto r = b.accept(l)) {
            s = *r;
            RC_ASSERT(b.setsockopt(s, socket::SockOpt::KeepAlive, 1).ok());
          }
        while (s >= 0 && !eof) {
          auto r = b.recv(s, buf);
          if (!r) {
            failed |= r.error() != SockError::Again;
            break;
          }
          if (*r == 0) eof = true;
          got.insert(got.end(), buf, buf + *r);
        }
        return eof || failed;
      },
      Instant::from_secs(24 * 3600));
  // Whatever arrived is a prefix of what was sent, byte for byte.
  RC_ASSERT(got.size() <= data.size());
  RC_ASSERT(std::equal(got.begin(), got.end(), data.begin()));
  if (failed) {
    RC_ASSERT(f.loss_ppm > 0);  // only loss can make a connection give up
    return;
  }
  RC_ASSERT(eof);
  RC_ASSERT(got.size() == data.size());
  RC_ASSERT(b.close(s).ok());
  RC_ASSERT(b.close(l).ok());
  p.w.run_until([&] { return p.a.stack().tcp_connection_count() + p.b.stack().tcp_connection_count() == 0; },
                p.w.now() + Duration::from_secs(3600));
  RC_ASSERT(p.a.stack().tcp_connection_count() == 0u);
  RC_ASSERT(p.b.stack().tcp_connection_count() == 0u);
}

}  // namespace
}  // namespace synack::harness

// Property-based tests of TCP handshakes in the world (transfers:
// tcp_transfer_prop_test.cc)
// (RapidCheck). Every case is a seed plus options; a failure shrinks to a
// minimal one and prints it, and the seed replays it exactly.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "harness/world/host_node.h"
#include "harness/world/inject.h"
#include "harness/world/tcp_prop_gen.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::harness {
namespace {

using proptest::config_for;
using proptest::gen_faults;
using proptest::gen_side;
using proptest::Side;
using socket::SockType;
using wire::Ipv4Address;

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }


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


// What a test sets on a socket before connect/listen: SO_RCVBUF (0: the
// configured default) and TCP_MAXSEG (0: unset).
struct SockSettings {
  int rcvbuf = 0;
  int maxseg = 0;
};

rc::Gen<SockSettings> gen_settings() {
  return rc::gen::construct<SockSettings>(
      rc::gen::oneOf(rc::gen::just(0), rc::gen::inRange(1, 400000)),
      rc::gen::oneOf(rc::gen::just(0), rc::gen::inRange(88, 9001)));
}

void apply(socket::Host& h, int fd, const SockSettings& st) {
  if (st.rcvbuf) RC_ASSERT(h.setsockopt(fd, socket::SockOpt::RcvBuf, st.rcvbuf).ok());
  if (st.maxseg) RC_ASSERT(h.setsockopt(fd, socket::SockOpt::MaxSeg, st.maxseg).ok());
}

// The MSS a side announces: its MTU less 40, capped by TCP_MAXSEG (as Linux).
std::uint16_t announced_mss(const Side& side, const SockSettings& st) {
  int mss = static_cast<int>(side.mtu) - 40;
  if (st.maxseg) mss = std::min(mss, st.maxseg);
  return static_cast<std::uint16_t>(mss);
}

// Every TCP segment a host put on the wire, in sending order (the link's
// capture sees a port's sends at send time, before any fault).
struct SentSegment {
  Ipv4Address src;
  wire::TcpRepr tcp;
  std::size_t len = 0;
};

void capture_sends(Link& link, std::vector<SentSegment>& out) {
  for (int side : {0, 1}) {
    // The capture also sees what is delivered to the side (possibly
    // reordered): keep only the frames it sends.
    Ipv4Address self = side == 0 ? ip("10.0.0.1") : ip("10.0.0.2");
    link.add_capture(side, [&out, self](Instant, ConstBytes f) {
      auto eth = wire::EthernetFrame::checked(f);
      if (!eth || eth->ethertype() != wire::kEtherTypeIpv4) return;
      auto ipp = wire::Ipv4Packet::checked(eth->payload());
      if (!ipp || ipp->protocol() != wire::kIpProtoTcp || ipp->src() != self) return;
      auto tp = wire::TcpPacket::checked(ipp->payload());
      RC_ASSERT(tp.ok());
      auto t = wire::TcpRepr::parse(*tp, ipp->src(), ipp->dst());
      RC_ASSERT(t.ok());
      out.push_back({ipp->src(), *t, tp->payload().size()});
    });
  }
}

// What the segments `host` sent say about its sequence variables once the
// connection is quiet: SND.NXT is the highest sequence number it used (a
// retransmission or window probe may come last), RCV.NXT the ACK of its last
// segment (its ACKs never go back).
struct SeenVars {
  wire::SeqNumber iss, snd_nxt, rcv_nxt;
  bool syn = false;
};

SeenVars vars_of(const std::vector<SentSegment>& segs, Ipv4Address host) {
  SeenVars v;
  bool any = false;
  for (const auto& sg : segs) {
    if (sg.src != host) continue;
    const auto& t = sg.tcp;
    if (t.has(wire::kTcpSyn) && !v.syn) {
      v.syn = true;
      v.iss = t.seq;
      v.snd_nxt = t.seq;
    }
    auto end = t.seq + static_cast<std::uint32_t>(sg.len + (t.has(wire::kTcpSyn) ? 1 : 0) +
                                                  (t.has(wire::kTcpFin) ? 1 : 0));
    if (!any || v.snd_nxt.lt(end)) v.snd_nxt = end;
    any = true;
    if (t.has(wire::kTcpAck)) v.rcv_nxt = t.ack;
  }
  return v;
}

// Moves `out` from one socket to the other in both directions until both
// have read everything; false when a socket reported an error.
bool exchange(World& w, socket::Host& a, int fa, socket::Host& b, int fb, std::size_t na, std::size_t nb) {
  std::size_t sent_a = 0, sent_b = 0, got_a = 0, got_b = 0;
  bool failed = false, bad = false;
  std::uint8_t buf[8192];
  auto pump = [&](socket::Host& h, int fd, std::size_t n, std::size_t& sent, std::size_t& got, std::size_t want,
                  std::uint8_t tag) {
    while (sent < n) {
      std::uint8_t chunk[4096];
      auto len = std::min(sizeof chunk, n - sent);
      for (std::size_t i = 0; i < len; ++i) chunk[i] = static_cast<std::uint8_t>((sent + i) * 13 + tag);
      auto r = h.send(fd, ConstBytes(chunk, len));
      if (!r) {
        failed |= r.error() != SockError::Again;
        break;
      }
      sent += *r;
    }
    while (got < want) {
      auto r = h.recv(fd, buf);
      if (!r) {
        failed |= r.error() != SockError::Again;
        break;
      }
      if (*r == 0) {
        failed = true;
        break;
      }
      // The peer's pattern (tag of the other side), in order, once.
      for (std::size_t i = 0; i < *r; ++i)
        bad |= buf[i] != static_cast<std::uint8_t>((got + i) * 13 + (tag ^ 1));
      got += *r;
    }
  };
  w.run_until(
      [&] {
        pump(a, fa, na, sent_a, got_a, nb, 0);
        pump(b, fb, nb, sent_b, got_b, na, 1);
        return failed || (got_a == nb && got_b == na);
      },
      w.now() + Duration::from_secs(600));
  RC_ASSERT(!bad);
  return !failed && got_a == nb && got_b == na;
}

// Both ends reach ESTABLISHED with the options RFC 7323/2018 and the MSS
// rules say (own MTU, TCP_MAXSEG and SO_RCVBUF set before connect/listen),
// or (under loss) connect fails with ETIMEDOUT. Then data in both
// directions; once quiet, each side's SND.NXT (seen on the wire) is the
// other's RCV.NXT (the ACK it sent), both ISN + 1 + the bytes sent.
RC_GTEST_PROP(TcpHandshake, EstablishedWithAgreedOptions, ()) {
  auto seed = *rc::gen::arbitrary<std::uint64_t>();
  Side sa = *gen_side(), sb = *gen_side();
  SockSettings xa = *gen_settings(), xb = *gen_settings();
  auto na = *rc::gen::inRange<std::size_t>(0, 20000), nb = *rc::gen::inRange<std::size_t>(0, 20000);
  auto faults = gen_faults(true);
  Pair p(seed, sa, sb, faults);
  std::vector<SentSegment> sent;
  capture_sends(*p.link, sent);
  auto& a = p.a.host();
  auto& b = p.b.host();
  int l = *b.socket(1, SockType::Stream);
  apply(b, l, xb);
  RC_ASSERT(b.bind(l, {Ipv4Address::any(), 80}).ok());
  RC_ASSERT(b.listen(l, 8).ok());
  int c = *a.socket(2, SockType::Stream);
  apply(a, c, xa);
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
    RC_TAG("connect failed");
    RC_ASSERT(*a.getsockopt(c, socket::SockOpt::Error) == static_cast<int>(SockError::TimedOut) + 1);
    return;
  }
  if (s < 0) {
    RC_TAG("not accepted");
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
  // RFC 9293 §3.7.1: send MSS = min(peer's MSS option, own MTU - 40), and
  // TCP_MAXSEG caps both what a side announces and what it sends.
  auto mss = std::min(announced_mss(sa, xa), announced_mss(sb, xb));
  RC_ASSERT(ia.snd_mss == mss);
  RC_ASSERT(ib.snd_mss == mss);
  RC_ASSERT(ia.total_retrans <= 6u);  // at most syn_retries SYNs again
  // The expected retransmissions: every SYN sent again answers a frame the
  // link lost or held back (reordering; jitter stays far below the 1 s
  // initial RTO), and every SYN-ACK sent again answers that or a SYN that
  // came again (retransmitted or duplicated by the link).
  {
    std::uint64_t lost = 0, held = 0, dups = 0;
    for (int side : {0, 1}) {
      const auto& st = p.link->stats(side);
      lost += st.lost;
      held += st.reordered;
      dups += st.duplicated;
    }
    std::uint64_t syns = 0, synacks = 0;
    for (const auto& seg : sent) {
      if (!(seg.tcp.flags & wire::kTcpSyn)) continue;
      ((seg.tcp.flags & wire::kTcpAck) ? synacks : syns) += 1;
    }
    RC_ASSERT(syns >= 1u);
    RC_ASSERT(synacks >= 1u);
    RC_ASSERT(syns - 1 <= lost + held);
    RC_ASSERT(synacks - 1 <= lost + held + dups + (syns - 1));
  }
  // SO_RCVBUF as set (doubled, between 2,304 and twice rmem_max, as Linux) is what getsockopt reports, on the
  // accepted socket too; no window offered exceeds half of it (the window
  // space, rcv_space()).
  int rbuf_a = *a.getsockopt(c, socket::SockOpt::RcvBuf), rbuf_b = *b.getsockopt(s, socket::SockOpt::RcvBuf);
  auto as_set = [](int v) { return 2 * std::min(std::max(v, 1152), 212992); };  // rmem_max 212,992
  if (xa.rcvbuf) RC_ASSERT(rbuf_a == as_set(xa.rcvbuf));
  if (xb.rcvbuf) RC_ASSERT(rbuf_b == as_set(xb.rcvbuf));
  RC_ASSERT(ia.rcv_wnd <= tcp::rcv_space(static_cast<std::uint32_t>(rbuf_a)));
  RC_ASSERT(ib.rcv_wnd <= tcp::rcv_space(static_cast<std::uint32_t>(rbuf_b)));

  if (!exchange(p.w, a, c, b, s, na, nb)) {
    RC_TAG("exchange failed");
    // Only loss makes an established connection give up, with ETIMEDOUT.
    RC_ASSERT(faults.loss_ppm > 0u);
    return;
  }
  // Until every byte is acknowledged; under loss the last ACKs can all be
  // lost until the sender gives up (tcp_retries2) with ETIMEDOUT.
  p.w.run_until(
      [&] {
        return a.poll(c)->error || b.poll(s)->error ||
               (a.tcp_info(c)->unacked == 0 && b.tcp_info(s)->unacked == 0);
      },
      p.w.now() + Duration::from_secs(3600));
  for (auto [h, fd] : {std::pair{&a, c}, std::pair{&b, s}}) {
    if (!h->poll(fd)->error) continue;
    RC_TAG("failed after the exchange");
    RC_ASSERT(faults.loss_ppm > 0u);
    RC_ASSERT(*h->getsockopt(fd, socket::SockOpt::Error) == static_cast<int>(SockError::TimedOut) + 1);
    return;
  }
  p.w.run_for(Duration::from_secs(1));  // the last ACKs reach the wire
  ia = *a.tcp_info(c);
  ib = *b.tcp_info(s);
  RC_ASSERT(ia.unacked == 0u);
  RC_ASSERT(ib.unacked == 0u);
  auto va = vars_of(sent, ip("10.0.0.1")), vb = vars_of(sent, ip("10.0.0.2"));
  RC_ASSERT(va.syn && vb.syn);
  RC_ASSERT(va.snd_nxt == va.iss + static_cast<std::uint32_t>(1 + na));
  RC_ASSERT(vb.snd_nxt == vb.iss + static_cast<std::uint32_t>(1 + nb));
  RC_ASSERT(vb.rcv_nxt == va.snd_nxt);
  RC_ASSERT(va.rcv_nxt == vb.snd_nxt);
  RC_ASSERT(ia.snd_wnd <= tcp::rcv_space(static_cast<std::uint32_t>(rbuf_b)));
  RC_ASSERT(ib.snd_wnd <= tcp::rcv_space(static_cast<std::uint32_t>(rbuf_a)));
  RC_TAG("full");
}

// Delivers a segment to `to` (0: host a, 1: host b) as if its peer had sent
// it: the test plays a peer whose SYN carries no MSS option.
void inject(Pair& p, int to, const wire::TcpRepr& t) {
  Ipv4Address a = ip("10.0.0.1"), b = ip("10.0.0.2");
  inject_tcp(p.w, *p.link, to, to == 0 ? p.a : p.b, to == 0 ? p.b : p.a, to == 0 ? b : a, to == 0 ? a : b, t);
}

// A peer whose SYN (or SYN-ACK) has no MSS option: RFC 9293 §3.7.1 (and
// RFC 6691) say to assume 536 bytes, so the send MSS is min(536, own
// limit), while our own SYN still announces our MTU - 40 capped by
// TCP_MAXSEG. The test plays the peer with injected segments; the real
// peer host's direction is cut so it never answers for itself.
RC_GTEST_PROP(TcpHandshake, PeerWithoutMssOptionMeans536, (bool passive)) {
  auto seed = *rc::gen::arbitrary<std::uint64_t>();
  Side side = *gen_side();
  SockSettings x = *gen_settings();
  Pair p(seed, side, side, {});
  std::vector<SentSegment> sent;
  capture_sends(*p.link, sent);
  int me = passive ? 1 : 0;  // the synack host under test
  HostNode& self = passive ? p.b : p.a;
  HostNode& other = passive ? p.a : p.b;
  driver::FaultProfile dead;
  dead.loss_ppm = 1'000'000;
  p.link->set_profile(me, dead);
  self.stack().arp().add_static(ip(passive ? "10.0.0.1" : "10.0.0.2"), other.stack().interfaces()[0].mac);
  auto& h = self.host();
  wire::TcpRepr t;
  t.window = 65535;
  int fd = *h.socket(1, SockType::Stream);
  apply(h, fd, x);
  wire::SeqNumber peer_iss(*rc::gen::arbitrary<std::uint32_t>());
  auto first_syn = [&]() -> const SentSegment* {
    for (const auto& sg : sent)
      if (sg.tcp.has(wire::kTcpSyn)) return &sg;
    return nullptr;
  };
  if (passive) {
    RC_ASSERT(h.bind(fd, {Ipv4Address::any(), 80}).ok());
    RC_ASSERT(h.listen(fd, 4).ok());
    t.src_port = 40000;
    t.dst_port = 80;
    t.seq = peer_iss;
    t.flags = wire::kTcpSyn;
    inject(p, 1, t);
  } else {
    RC_ASSERT(h.connect(fd, {ip("10.0.0.2"), 80}).error() == SockError::InProgress);
  }
  p.w.run_until([&] { return first_syn() != nullptr; }, p.w.now() + Duration::from_secs(5));
  const SentSegment* syn = first_syn();
  RC_ASSERT(syn != nullptr);
  RC_ASSERT(syn->tcp.options.mss() == std::optional<std::uint16_t>(announced_mss(side, x)));
  if (passive) {
    RC_ASSERT(syn->tcp.flags == (wire::kTcpSyn | wire::kTcpAck));
    RC_ASSERT(syn->tcp.ack == peer_iss + 1);
    t.seq = peer_iss + 1;
    t.ack = syn->tcp.seq + 1;
    t.flags = wire::kTcpAck;
  } else {
    t.src_port = 80;
    t.dst_port = syn->tcp.src_port;
    t.seq = peer_iss;
    t.ack = syn->tcp.seq + 1;
    t.flags = wire::kTcpSyn | wire::kTcpAck;
  }
  inject(p, me, t);
  int conn = fd;
  p.w.run_until(
      [&] {
        if (passive && conn == fd)
          if (auto r = h.accept(fd)) conn = *r;
        return conn != fd || (!passive && h.tcp_info(fd)->state == tcp::State::Established);
      },
      p.w.now() + Duration::from_secs(5));
  auto info = h.tcp_info(conn);
  RC_ASSERT(info.ok());
  RC_ASSERT(info->state == tcp::State::Established);
  RC_TAG(passive ? "passive" : "active");
  RC_ASSERT(info->snd_mss == std::min<std::uint16_t>(536, announced_mss(side, x)));
  // A peer that sent no options gets none back in use.
  RC_ASSERT(!info->wscale && !info->sack && !info->timestamps);
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
  auto& link = connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24", dead, dead);
  a.stack().arp().add_static(ip("10.0.0.2"), wire::MacAddress{{2, 0, 0, 0, 1, 1}});
  std::vector<SentSegment> sent;
  std::vector<Instant> syn_times;
  capture_sends(link, sent);
  link.add_capture(0, [&](Instant at, ConstBytes) {
    if (!sent.empty() && sent.size() > syn_times.size()) syn_times.push_back(at);
  });
  int c = *a.host().socket(1, SockType::Stream);
  RC_ASSERT(a.host().connect(c, {ip("10.0.0.2"), 80}).error() == SockError::InProgress);
  w.run_until([&] { return a.host().poll(c)->error; }, Instant::from_secs(1000));
  // RFC 6298 §5.5: each retransmission doubles the timeout, SYN k (from 0)
  // leaves 2^k - 1 s after the first.
  RC_ASSERT(sent.size() == static_cast<std::size_t>(retries) + 1);
  RC_ASSERT(syn_times.size() == sent.size());
  for (std::size_t k = 0; k < sent.size(); ++k) {
    RC_ASSERT(sent[k].tcp.flags == wire::kTcpSyn);
    auto want = syn_times[0] + Duration::from_secs((std::int64_t{1} << k) - 1);
    RC_ASSERT(syn_times[k] >= want);
    RC_ASSERT(syn_times[k] <= want + Duration::from_millis(10));
  }
  // SYNs at 0, 1, 3, 7, ... s; the last timer expires at 2^(retries+1) - 1 s.
  auto expected = Instant::from_secs((std::int64_t{1} << (retries + 1)) - 1);
  RC_ASSERT(w.now() >= expected);
  RC_ASSERT(w.now() <= expected + Duration::from_millis(10));
  RC_ASSERT(*a.host().getsockopt(c, socket::SockOpt::Error) == static_cast<int>(SockError::TimedOut) + 1);
  RC_ASSERT(a.stack().tcp_stats().retrans_segs == static_cast<std::uint64_t>(retries));
}

}  // namespace
}  // namespace synack::harness

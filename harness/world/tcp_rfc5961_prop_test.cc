// End-to-end properties of RFC 5961 (blind in-window attacks) in the world:
// for an established connection with arbitrary seeds (so arbitrary ISNs and
// windows), a RST or SYN injected towards one host
//  - with SEG.SEQ outside the receive window (RST, §3.2): silently dropped;
//  - with SEG.SEQ in the window but != RCV.NXT (RST, §3.2), or any SEG.SEQ
//    (SYN, §4.2): answered by a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>;
// and in both cases the connection survives: a transfer afterwards in both
// directions completes byte-exact. A RST with SEG.SEQ == RCV.NXT resets it
// (ECONNRESET). And any segment to a closed port gets the RST of RFC 9293
// §3.10.7.1 (ClosedPort; the stack's own SYN is in tcp_conn_prop_test.cc).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "harness/world/host_node.h"
#include "harness/world/inject.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::harness {
namespace {

using socket::SockType;
using wire::Ipv4Address;
using wire::SeqNumber;

struct Seen {
  Ipv4Address src;
  wire::TcpRepr tcp;
  std::size_t payload = 0;
};

// Two hosts on one link, a connection between them, and a record of every
// segment each host sent.
struct Conn {
  explicit Conn(std::uint64_t seed, bool sack, bool ts, bool ws)
      : w(seed), a(add_host(w, "a", cfg(sack, ts, ws))), b(add_host(w, "b", cfg(sack, ts, ws))) {
    driver::FaultProfile p;
    p.delay = Duration::from_micros(200);
    link = &connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24", p, p);
    link->add_capture(0, [this](Instant, ConstBytes f) { record(f); });
  }
  static iface::StackConfig cfg(bool sack, bool ts, bool ws) {
    iface::StackConfig c;
    c.tcp.sack = sack;
    c.tcp.timestamps = ts;
    c.tcp.window_scaling = ws;
    return c;
  }
  void record(ConstBytes f) {
    auto eth = wire::EthernetFrame::checked(f);
    if (!eth || eth->ethertype() != wire::kEtherTypeIpv4) return;
    auto ip = wire::Ipv4Packet::checked(eth->payload());
    if (!ip || ip->protocol() != wire::kIpProtoTcp) return;
    auto tp = wire::TcpPacket::checked(ip->payload());
    if (!tp) return;
    auto t = wire::TcpRepr::parse(*tp, ip->src(), ip->dst(), false);
    if (t) seen.push_back({ip->src(), *t, tp->payload().size()});
  }
  bool establish() {
    l = *b.host().socket(1, SockType::Stream);
    RC_ASSERT(b.host().bind(l, {Ipv4Address::any(), 80}).ok());
    RC_ASSERT(b.host().listen(l, 4).ok());
    c = *a.host().socket(1, SockType::Stream);
    (void)a.host().connect(c, {ip_b, 80});
    w.run_until([&] { return b.host().poll(l)->readable; }, w.now() + Duration::from_secs(10));
    auto r = b.host().accept(l);
    RC_ASSERT(r.ok());
    s = *r;
    return true;
  }
  // Moves `n` bytes each way and checks them; false when a side fails.
  bool transfer(std::size_t n, std::uint8_t salt) {
    Bytes out_a(n), out_b(n), in_a, in_b;
    for (std::size_t i = 0; i < n; ++i) {
      out_a[i] = static_cast<std::uint8_t>(i * 13 + salt);
      out_b[i] = static_cast<std::uint8_t>(i * 29 + salt + 1);
    }
    std::size_t sent_a = 0, sent_b = 0;
    bool failed = false;
    std::uint8_t buf[8192];
    w.run_until(
        [&] {
          auto pump = [&](socket::Host& h, int fd, const Bytes& out, std::size_t& sent, Bytes& in) {
            if (sent < out.size()) {
              auto r = h.send(fd, ConstBytes(out).subspan(sent));
              if (r) sent += *r;
              else if (r.error() != SockError::Again) failed = true;
            }
            while (true) {
              auto r = h.recv(fd, buf);
              if (!r) {
                failed |= r.error() != SockError::Again;
                break;
              }
              if (*r == 0) break;
              in.insert(in.end(), buf, buf + *r);
            }
          };
          pump(a.host(), c, out_a, sent_a, in_a);
          pump(b.host(), s, out_b, sent_b, in_b);
          return failed || (in_a.size() == n && in_b.size() == n);
        },
        w.now() + Duration::from_secs(60));
    return !failed && in_a == out_b && in_b == out_a;
  }
  // The last segment `host` sent: its ACK is RCV.NXT, its window RCV.WND
  // (the world is quiet and the data exchanged, so both are current).
  const Seen& last_from(Ipv4Address host) const {
    for (auto it = seen.rbegin(); it != seen.rend(); ++it)
      if (it->src == host) return *it;
    RC_FAIL("no segment seen");
  }
  // Delivers a segment to `to` (0: host a, 1: host b) from its peer's
  // address and port, as the link would.
  void inject(int to, const wire::TcpRepr& t, ConstBytes payload = {}) {
    inject_tcp(w, *link, to, to == 0 ? a : b, to == 0 ? b : a, to == 0 ? ip_b : ip_a, to == 0 ? ip_a : ip_b, t,
               payload);
  }


  World w;
  HostNode& a;
  HostNode& b;
  Link* link = nullptr;
  Ipv4Address ip_a = Ipv4Address::from_octets(10, 0, 0, 1);
  Ipv4Address ip_b = Ipv4Address::from_octets(10, 0, 0, 2);
  int l = -1, c = -1, s = -1;
  std::vector<Seen> seen;
};

enum class Kind { RstOutside, RstInWindow, Syn };

struct Injection {
  int to;                 // 0: towards a, 1: towards b
  SeqNumber rcv_nxt;      // the target's RCV.NXT
  SeqNumber snd_nxt;      // the target's SND.NXT
  std::uint32_t rcv_wnd;  // the target's RCV.WND
};

// A connected pair after some data both ways (a warm connection).
struct Setup {
  std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  bool sack = *rc::gen::arbitrary<bool>(), ts = *rc::gen::arbitrary<bool>(), ws = *rc::gen::arbitrary<bool>();
  std::size_t warmup = *rc::gen::inRange<std::size_t>(0, 20000);
  int to = *rc::gen::inRange(0, 2);
};

Injection prepare(Conn& k, const Setup& s) {
  k.establish();
  if (s.warmup > 0) RC_ASSERT(k.transfer(s.warmup, 1));
  k.w.run_for(Duration::from_secs(1));  // delayed ACKs out: everything is acknowledged
  Ipv4Address target = s.to == 0 ? k.ip_a : k.ip_b;
  const Seen& last = k.last_from(target);
  auto info = s.to == 0 ? *k.a.host().tcp_info(k.c) : *k.b.host().tcp_info(k.s);
  std::uint32_t wnd = static_cast<std::uint32_t>(last.tcp.window) << (info.wscale ? info.rcv_wscale : 0);
  RC_PRE(wnd > 2u);
  // SND.NXT: just past the last segment (all of it is acknowledged by now).
  SeqNumber snd_nxt = last.tcp.seq + last.tcp.segment_len(last.payload);
  return Injection{s.to, last.tcp.ack, snd_nxt, wnd};
}

wire::TcpRepr segment_towards(const Conn& k, int to) {
  wire::TcpRepr t;
  auto tuple_port = [&](socket::Host& h, int fd) { return h.getsockname(fd)->port; };
  std::uint16_t port_a = tuple_port(const_cast<Conn&>(k).a.host(), k.c);
  t.src_port = to == 0 ? 80 : port_a;
  t.dst_port = to == 0 ? port_a : 80;
  t.window = static_cast<std::uint16_t>(*rc::gen::arbitrary<std::uint16_t>());
  return t;
}

// Segments the target sent after `from` (index into seen).
std::vector<Seen> sent_since(const Conn& k, std::size_t from, Ipv4Address target) {
  std::vector<Seen> out;
  for (std::size_t i = from; i < k.seen.size(); ++i)
    if (k.seen[i].src == target) out.push_back(k.seen[i]);
  return out;
}

void check_survives(Kind kind) {
  Setup s;
  Conn k(s.seed, s.sack, s.ts, s.ws);
  Injection in = prepare(k, s);
  wire::TcpRepr t = segment_towards(k, in.to);
  if (kind == Kind::Syn) {
    t.flags = wire::kTcpSyn | (*rc::gen::arbitrary<bool>() ? wire::kTcpAck : 0);
    t.seq = SeqNumber(*rc::gen::arbitrary<std::uint32_t>());
  } else {
    t.flags = wire::kTcpRst | (*rc::gen::arbitrary<bool>() ? wire::kTcpAck : 0);
    if (kind == Kind::RstInWindow) {
      t.seq = in.rcv_nxt + *rc::gen::inRange<std::uint32_t>(1, in.rcv_wnd);
    } else {
      // Anywhere from RCV.NXT + RCV.WND round to just before RCV.NXT.
      std::uint32_t outside = 0u - in.rcv_wnd;  // 2^32 - RCV.WND sequence numbers
      t.seq = in.rcv_nxt + in.rcv_wnd + *rc::gen::inRange<std::uint32_t>(0, outside);
    }
  }
  t.ack = (t.flags & wire::kTcpAck) ? in.snd_nxt : SeqNumber(0);
  RC_LOG() << "target " << (in.to == 0 ? "a" : "b") << " RCV.NXT " << in.rcv_nxt.raw() << " RCV.WND " << in.rcv_wnd
           << " SND.NXT " << in.snd_nxt.raw() << "; injected flags " << t.flags << " seq " << t.seq.raw() << "\n";
  Ipv4Address target = in.to == 0 ? k.ip_a : k.ip_b;
  std::size_t mark = k.seen.size();
  auto& stats = (in.to == 0 ? k.a : k.b).stack().tcp_stats();
  auto challenges = stats.challenge_acks;
  k.inject(in.to, t);
  k.w.run_for(Duration::from_millis(100));
  auto replies = sent_since(k, mark, target);
  if (kind == Kind::RstOutside) {
    // RFC 5961 §3.2: "silently drop the segment".
    RC_ASSERT(replies.empty());
  } else {
    // §3.2 / §4.2: one challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
    RC_ASSERT(replies.size() == 1u);
    RC_ASSERT(replies[0].tcp.flags == wire::kTcpAck);
    RC_ASSERT(replies[0].tcp.seq == in.snd_nxt);
    RC_ASSERT(replies[0].tcp.ack == in.rcv_nxt);
    RC_ASSERT(replies[0].payload == 0u);
    bool in_window_syn = kind == Kind::Syn && t.seq.in_window(in.rcv_nxt, in.rcv_wnd);
    if (kind == Kind::RstInWindow || in_window_syn) RC_ASSERT(stats.challenge_acks == challenges + 1);
  }
  RC_ASSERT(k.a.host().tcp_info(k.c)->state == tcp::State::Established);
  RC_ASSERT(k.b.host().tcp_info(k.s)->state == tcp::State::Established);
  RC_ASSERT(k.transfer(*rc::gen::inRange<std::size_t>(1, 50000), 7));
}

RC_GTEST_PROP(Rfc5961, RstOutsideTheWindowIsIgnored, ()) { check_survives(Kind::RstOutside); }
RC_GTEST_PROP(Rfc5961, RstInTheWindowDrawsAChallengeAck, ()) { check_survives(Kind::RstInWindow); }
RC_GTEST_PROP(Rfc5961, SynWithAnySequenceDrawsAChallengeAck, ()) { check_survives(Kind::Syn); }

// §3.2: "If the RST bit is set and the sequence number exactly matches the
// next expected sequence number (RCV.NXT), then TCP MUST reset the
// connection."
RC_GTEST_PROP(Rfc5961, RstAtRcvNxtResets, ()) {
  Setup s;
  Conn k(s.seed, s.sack, s.ts, s.ws);
  Injection in = prepare(k, s);
  wire::TcpRepr t = segment_towards(k, in.to);
  t.flags = wire::kTcpRst | (*rc::gen::arbitrary<bool>() ? wire::kTcpAck : 0);
  t.seq = in.rcv_nxt;
  t.ack = (t.flags & wire::kTcpAck) ? in.snd_nxt : SeqNumber(0);
  Ipv4Address target = in.to == 0 ? k.ip_a : k.ip_b;
  std::size_t mark = k.seen.size();
  k.inject(in.to, t);
  k.w.run_for(Duration::from_millis(100));
  RC_ASSERT(sent_since(k, mark, target).empty());  // a RST is never answered
  auto& h = in.to == 0 ? k.a.host() : k.b.host();
  int fd = in.to == 0 ? k.c : k.s;
  RC_ASSERT(h.tcp_info(fd)->state == tcp::State::Closed);
  std::uint8_t buf[16];
  auto r = h.recv(fd, buf);
  RC_ASSERT(!r.ok());
  RC_ASSERT(r.error() == SockError::ConnReset);
}

// RFC 9293 §3.10.7.1 (CLOSED): "An incoming segment not containing a RST
// causes a RST to be sent in response": <SEQ=SEG.ACK><CTL=RST> if the ACK bit
// is on, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SYN and FIN count in
// SEG.LEN); "if the incoming segment has the RST bit set, it is discarded".
RC_GTEST_PROP(Rfc9293, ClosedPortAnswersEverySegmentWithTheRst, ()) {
  Conn k(*rc::gen::arbitrary<std::uint64_t>(), true, true, true);
  int to = *rc::gen::inRange(0, 2);
  wire::TcpRepr t;
  t.src_port = *rc::gen::inRange<std::uint16_t>(1, 65535);
  t.dst_port = *rc::gen::inRange<std::uint16_t>(1, 65535);
  t.seq = SeqNumber(*rc::gen::arbitrary<std::uint32_t>());
  t.ack = SeqNumber(*rc::gen::arbitrary<std::uint32_t>());
  t.flags = *rc::gen::inRange<std::uint16_t>(0, 0x200) & ~wire::kTcpRst;
  bool rst = *rc::gen::weightedOneOf<bool>({{1, rc::gen::just(true)}, {4, rc::gen::just(false)}});
  if (rst) t.flags |= wire::kTcpRst;
  t.window = *rc::gen::arbitrary<std::uint16_t>();
  Bytes payload = *rc::gen::resize(200, rc::gen::arbitrary<Bytes>());
  Ipv4Address target = to == 0 ? k.ip_a : k.ip_b;
  k.inject(to, t, payload);
  k.w.run_for(Duration::from_millis(100));
  auto replies = sent_since(k, 0, target);
  if (rst) {
    RC_ASSERT(replies.empty());
    return;
  }
  RC_ASSERT(replies.size() == 1u);
  const auto& r = replies[0].tcp;
  RC_ASSERT(replies[0].payload == 0u);
  RC_ASSERT(r.src_port == t.dst_port);
  RC_ASSERT(r.dst_port == t.src_port);
  if (t.has(wire::kTcpAck)) {
    RC_ASSERT(r.flags == wire::kTcpRst);
    RC_ASSERT(r.seq == t.ack);
  } else {
    RC_ASSERT(r.flags == (wire::kTcpRst | wire::kTcpAck));
    RC_ASSERT(r.seq == SeqNumber(0));
    RC_ASSERT(r.ack == t.seq + t.segment_len(payload.size()));
  }
}

}  // namespace
}  // namespace synack::harness

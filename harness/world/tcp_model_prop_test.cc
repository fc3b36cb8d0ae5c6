// Model-based test of a TCP connection (RapidCheck rc::state): random
// sequences of socket calls (listen, connect, accept, send, recv,
// shutdown(SHUT_WR), close), time advances, one-frame faults (drop,
// duplicate, reorder, corrupt) and partitions, run against two synack hosts
// in a World and against the model of tcp_model.h. After every command the
// hosts agree with the model: every call returns the value or errno the model
// says, received bytes are the peer's bytes in order exactly once, readiness
// and TCP states match. A failure shrinks to a minimal command sequence and
// prints it with the world seed.
//
// CI runs kCiCases cases from the fixed seed kCiSeed, so the suite is
// deterministic (about 7 s in the default build). By hand, RC_PARAMS replaces
// both, e.g. RC_PARAMS="max_success=10000" explores from a random seed.
//
// Bugs it found, now fixed with unit tests: a full-sized segment carrying
// SACK blocks exceeded the MTU (output.cc max_payload), and pure ACKs sent
// after an RTO carried the rewound SND.NXT, below the peer's RCV.NXT, so two
// ends retransmitting at once dropped each other's ACKs (data_test
// PureAckAfterRtoCarriesTheHighestSequenceSent). 16,000 random-seed cases
// passed by hand after the fixes.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <cstdlib>

#include "harness/world/host_node.h"
#include "harness/world/tamper_node.h"
#include "harness/world/tcp_model.h"

namespace synack::harness {
namespace {

constexpr int kCiCases = 2000;
constexpr const char* kCiSeed = "11098551207897144267";
[[maybe_unused]] const bool kDefaultCases = [] {
  std::string params = "max_success=" + std::to_string(kCiCases) + " seed=" + kCiSeed;
  setenv("RC_PARAMS", params.c_str(), /*overwrite=*/0);
  return true;
}();

using model::Model;
using model::Phase;
using socket::SockType;
using wire::Ipv4Address;

constexpr std::uint16_t kPort = 80;

// The byte at `off` of the stream `dir` (0: a to b) of connection `conn`.
std::uint8_t pattern(int dir, int conn, std::uint64_t off) {
  return static_cast<std::uint8_t>(off * 31 + (off >> 9) + static_cast<std::uint64_t>(conn) * 7 +
                                   static_cast<std::uint64_t>(dir) * 101);
}

struct Options {
  std::uint64_t seed;
  std::int64_t delay_us;
  bool sack, timestamps, wscale;
};

iface::StackConfig config_for(const Options& o) {
  iface::StackConfig c;
  c.tcp.sack = o.sack;
  c.tcp.timestamps = o.timestamps;
  c.tcp.window_scaling = o.wscale;
  return c;
}

struct Sut {
  explicit Sut(const Options& o)
      : w(o.seed), a(add_host(w, "a", config_for(o))), b(add_host(w, "b", config_for(o))) {
    auto [id, node] = w.emplace<TamperNode>(w, w.node_count());
    tamper = node;
    driver::FaultProfile p;
    p.delay = Duration::from_micros(o.delay_us);
    attach(w, a, "10.0.0.1/24", id, 0, p, p);
    attach(w, b, "10.0.0.2/24", id, 1, p, p);
    // Static ARP: every frame the tamper node sees is IP, so "the next
    // frame" is always a segment (or an ICMP error).
    a.stack().arp().add_static(ip_b, b.stack().interfaces()[0].mac);
    b.stack().arp().add_static(ip_a, a.stack().interfaces()[0].mac);
  }
  socket::Host& host(int side) { return side == 0 ? a.host() : b.host(); }
  int& fd(int side) { return side == 0 ? afd : bfd; }

  bool in_flight() {
    if (tamper->holding()) return true;
    for (std::size_t i = 0; i < w.link_count(); ++i) {
      for (int s = 0; s < 2; ++s) {
        const auto& st = w.link(i).stats(s);
        std::uint64_t gone = st.delivered + st.lost + st.mtu_drops + st.queue_drops + st.partition_drops;
        if (st.sent + st.duplicated != gone) return true;
      }
    }
    return false;
  }
  // Nothing in flight, nothing unacknowledged, no handshake half done.
  bool quiet() {
    if (in_flight()) return false;
    for (auto* n : {&a, &b}) {
      // Work due now (a FIN or RST queued by the last call) is not quiet.
      if (auto p = n->poll_at(); p && *p <= w.now()) return false;
      auto& st = n->stack();
      bool busy = false;
      tcp::Context ctx = st.tcp_context(w.now());
      st.for_each_tcp([&](iface::Handle, const tcp::Socket& s, bool) {
        auto state = s.state();
        if (state == tcp::State::SynSent || state == tcp::State::SynReceived) busy = true;
        if (s.send_queue() > 0 || s.info(ctx).unacked > 0) busy = true;
      });
      st.for_each_listener([&](iface::Handle, const tcp::Listener& l, bool) { busy |= l.syn_queue_len() > 0; });
      if (busy) return false;
    }
    return true;
  }
  void settle() {
    bool ok = w.run_until([&] { return quiet(); }, w.now() + Duration::from_secs(300));
    if (!ok) RC_LOG() << "did not settle in 300 s of virtual time:\n" << describe();
    RC_ASSERT(ok);
  }
  std::string describe() {
    std::string out = "t=" + std::to_string(w.now().nanos() / 1'000'000) + " ms\n";
    for (auto* n : {&a, &b}) {
      auto& st = n->stack();
      tcp::Context ctx = st.tcp_context(w.now());
      st.for_each_tcp([&](iface::Handle, const tcp::Socket& s, bool orphan) {
        auto i = s.info(ctx);
        out += n->name() + " " + s.tuple().local.addr.to_string() + ":" + std::to_string(s.tuple().local.port) + " " +
               std::string(tcp::to_string(i.state)) + (orphan ? " orphan" : "") + " unacked=" +
               std::to_string(i.unacked) + " send_q=" + std::to_string(s.send_queue()) +
               " recv_q=" + std::to_string(s.recv_queue()) + " retransmits=" + std::to_string(i.retransmits) +
               " total_retrans=" + std::to_string(i.total_retrans) + " rto_ms=" +
               std::to_string(i.rto.nanos() / 1'000'000) + " snd_wnd=" + std::to_string(i.snd_wnd) +
               " cwnd=" + std::to_string(i.cwnd) + "\n";
      });
    }
    for (auto* n : {&a, &b}) out += n->name() + ":\n" + socket::format_counters(n->stack().stats());
    return out;
  }

  World w;
  HostNode& a;
  HostNode& b;
  TamperNode* tamper = nullptr;
  Ipv4Address ip_a = Ipv4Address::from_octets(10, 0, 0, 1);
  Ipv4Address ip_b = Ipv4Address::from_octets(10, 0, 0, 2);
  int lfd = -1, afd = -1, bfd = -1;
};

using Command = rc::state::Command<Model, Sut>;

const char* side_name(int side) { return side == 0 ? "a" : "b"; }
model::Side& side_of(Model& m, int side) { return side == 0 ? m.a : m.b; }
const model::Side& side_of(const Model& m, int side) { return side == 0 ? m.a : m.b; }

// Whether `side` has a usable descriptor for the current connection.
bool usable(const Model& m, int side) {
  if (side == 0) return m.a.open && !m.a.closed;
  return m.phase == Phase::Accepted && m.b.open && !m.b.closed;
}

// The connection is over for the applications: start afresh.
void retire(Model& m) {
  bool a_done = !m.a.open || m.a.closed;
  bool b_done = m.phase != Phase::Queued && (m.phase != Phase::Accepted || m.b.closed);
  if (m.phase != Phase::None && a_done && b_done) {
    m.phase = Phase::None;
    m.a = {};
    m.b = {};
  }
}

std::string errno_text(const Result<void, SockError>& r) {
  return r ? std::string("ok") : std::string(errno_name(r.error()));
}

// Checks readiness and TCP states against the (post-command) model.
void check_consistent(const Model& m, Sut& sut) {
  if (m.listening) {
    // A pending connection makes the listener readable (and only that).
    auto ready = sut.b.host().poll(sut.lfd);
    RC_ASSERT(ready.ok());
    RC_ASSERT(ready->readable == (m.phase == Phase::Queued));
  }
  for (int side = 0; side < 2; ++side) {
    if (!usable(m, side)) continue;
    const auto& s = side_of(m, side);
    auto& h = sut.host(side);
    int fd = sut.fd(side);
    auto ready = h.poll(fd);
    RC_ASSERT(ready.ok());
    bool readable = s.unread() > 0 || s.err.has_value() || s.fin_in;
    RC_ASSERT(ready->readable == readable);
    auto state = h.tcp_info(fd)->state;
    if (m.phase == Phase::SynPending) {
      RC_ASSERT(state == tcp::State::SynSent);
      continue;
    }
    if (m.partitioned) continue;  // FINs may be unacknowledged
    using tcp::State;
    if (s.err) RC_ASSERT(state == State::Closed);
    else if (!s.shut_wr && !s.fin_in) RC_ASSERT(state == State::Established);
    else if (!s.shut_wr) RC_ASSERT(state == State::CloseWait);
    else if (!s.fin_in) RC_ASSERT(state == State::FinWait2);
    else RC_ASSERT(state == State::TimeWait || state == State::Closed);
  }
}

// Every command: apply to the model, run on the hosts, settle when the
// network is whole, then check the hosts against the new model state.
// Faults armed by Fault commands apply to the frames of the next other
// command (and its settling); whatever they did not use is disarmed.
struct Base : Command {
  void run(const Model& s0, Sut& sut) const final {
    Model s1 = nextState(s0);
    act(s0, s1, sut);
    if (!s1.partitioned) sut.settle();
    if (!arms()) sut.tamper->disarm();
    check_consistent(s1, sut);
  }
  void apply(Model& m) const final {
    if (!arms()) m.armed[0] = m.armed[1] = 0;
    update(m);
  }
  virtual bool arms() const { return false; }
  virtual void update(Model& m) const = 0;
  virtual void act(const Model& s0, const Model& s1, Sut& sut) const = 0;
};

struct Listen : Base {
  explicit Listen(const Model& m) { RC_PRE(!m.listening); }
  void checkPreconditions(const Model& m) const override { RC_PRE(!m.listening); }
  void update(Model& m) const override {
    m.listening = true;
    model::settle(m);
  }
  void act(const Model&, const Model&, Sut& sut) const override {
    auto& b = sut.b.host();
    sut.lfd = *b.socket(2, SockType::Stream);
    // SO_REUSEADDR: connections of earlier listeners may still hold the port.
    RC_ASSERT(b.setsockopt(sut.lfd, socket::SockOpt::ReuseAddr, 1).ok());
    RC_ASSERT(b.bind(sut.lfd, {Ipv4Address::any(), kPort}).ok());
    RC_ASSERT(b.listen(sut.lfd, 8).ok());
  }
  void show(std::ostream& os) const override { os << "b: listen(:80)"; }
};

struct CloseListener : Base {
  // A queued connection would be reset by the listener's close; the model
  // keeps to connections the applications can see.
  static bool ok(const Model& m) { return m.listening && m.phase != Phase::Queued; }
  explicit CloseListener(const Model& m) { RC_PRE(ok(m)); }
  void checkPreconditions(const Model& m) const override { RC_PRE(ok(m)); }
  void update(Model& m) const override {
    m.listening = false;
    model::settle(m);
  }
  void act(const Model&, const Model&, Sut& sut) const override {
    RC_ASSERT(sut.b.host().close(sut.lfd).ok());
    sut.lfd = -1;
  }
  void show(std::ostream& os) const override { os << "b: close(listener)"; }
};

struct Connect : Base {
  explicit Connect(const Model& m) { RC_PRE(m.phase == Phase::None); }
  void checkPreconditions(const Model& m) const override { RC_PRE(m.phase == Phase::None); }
  void update(Model& m) const override {
    m.phase = Phase::SynPending;
    m.a = {};
    m.b = {};
    m.a.open = true;
    ++m.connections;
    model::settle(m);
  }
  void act(const Model&, const Model&, Sut& sut) const override {
    auto& a = sut.a.host();
    sut.afd = *a.socket(1, SockType::Stream);
    auto r = a.connect(sut.afd, {sut.ip_b, kPort});
    RC_ASSERT(errno_text(r) == std::string("EINPROGRESS"));
  }
  void show(std::ostream& os) const override { os << "a: connect(10.0.0.2:80)"; }
};

// connect() again on the client socket: EALREADY while the handshake runs,
// EISCONN once connected.
struct Reconnect : Base {
  static bool ok(const Model& m) {
    return usable(m, 0) && !m.a.err && m.phase != Phase::Refused;
  }
  explicit Reconnect(const Model& m) { RC_PRE(ok(m)); }
  void checkPreconditions(const Model& m) const override { RC_PRE(ok(m)); }
  void update(Model&) const override {}
  void act(const Model& s0, const Model&, Sut& sut) const override {
    auto r = sut.a.host().connect(sut.afd, {sut.ip_b, kPort});
    RC_ASSERT(errno_text(r) == std::string(s0.phase == Phase::SynPending ? "EALREADY" : "EISCONN"));
  }
  void show(std::ostream& os) const override { os << "a: connect() again"; }
};

struct Accept : Base {
  static bool ok(const Model& m) { return m.listening && (m.phase != Phase::Accepted || m.b.closed); }
  explicit Accept(const Model& m) { RC_PRE(ok(m)); }
  void checkPreconditions(const Model& m) const override { RC_PRE(ok(m)); }
  void update(Model& m) const override {
    if (m.phase == Phase::Queued) {
      m.phase = Phase::Accepted;
      m.b.open = true;
    }
  }
  void act(const Model& s0, const Model&, Sut& sut) const override {
    socket::SockAddr peer;
    auto r = sut.b.host().accept(sut.lfd, &peer);
    if (s0.phase != Phase::Queued) {
      RC_ASSERT(!r.ok());
      RC_ASSERT(std::string(errno_name(r.error())) == "EAGAIN");
      return;
    }
    RC_ASSERT(r.ok());
    RC_ASSERT(peer.addr == sut.ip_a);
    sut.bfd = *r;
  }
  void show(std::ostream& os) const override { os << "b: accept()"; }
};

struct Send : Base {
  int side;
  std::uint32_t n;
  static bool ok(const Model& m, int side) {
    // The budget keeps every byte within the buffers.
    return usable(m, side) && side_of(m, side).sent < model::kSendBudget;
  }
  explicit Send(const Model& m)
      : side(*rc::gen::inRange(0, 2)),
        n(*rc::gen::weightedOneOf<std::uint32_t>({{3, rc::gen::inRange<std::uint32_t>(1, 100)},
                                                  {2, rc::gen::inRange<std::uint32_t>(100, 4000)}})) {
    RC_PRE(ok(m, side));
  }
  void checkPreconditions(const Model& m) const override { RC_PRE(ok(m, side)); }
  std::uint32_t accepted(const Model& m) const {
    const auto& s = side_of(m, side);
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(n, model::kSendBudget - s.sent));
  }
  void update(Model& m) const override {
    auto& s = side_of(m, side);
    if (!s.err && !s.shut_wr) s.sent += accepted(m);
    model::settle(m);
  }
  void act(const Model& s0, const Model&, Sut& sut) const override {
    const auto& s = side_of(s0, side);
    std::uint32_t len = accepted(s0);
    Bytes data(len);
    for (std::uint32_t i = 0; i < len; ++i) data[i] = pattern(side, s0.connections, s.sent + i);
    auto r = sut.host(side).send(sut.fd(side), data);
    if (s.err) {
      RC_ASSERT(!r.ok());
      RC_ASSERT(r.error() == *s.err);
    } else if (s.shut_wr) {
      RC_ASSERT(!r.ok());
      // synack: ENOTCONN once the connection has fully closed (see tcp_model.h).
      bool may_be_closed = s.fin_in;
      bool fine = r.error() == SockError::Pipe || (may_be_closed && r.error() == SockError::NotConn);
      RC_ASSERT(fine);
    } else {
      RC_ASSERT(r.ok());
      RC_ASSERT(*r == len);
    }
  }
  void show(std::ostream& os) const override { os << side_name(side) << ": send(" << n << " bytes)"; }
};

struct Recv : Base {
  int side;
  std::uint32_t max;
  explicit Recv(const Model& m)
      : side(*rc::gen::inRange(0, 2)), max(*rc::gen::inRange<std::uint32_t>(1, 6000)) {
    RC_PRE(usable(m, side));
  }
  void checkPreconditions(const Model& m) const override { RC_PRE(usable(m, side)); }
  void update(Model& m) const override {
    auto& s = side_of(m, side);
    s.read += std::min<std::uint64_t>(max, s.unread());
  }
  void act(const Model& s0, const Model&, Sut& sut) const override {
    const auto& s = side_of(s0, side);
    Bytes buf(max);
    auto r = sut.host(side).recv(sut.fd(side), buf);
    if (s.unread() > 0) {
      RC_ASSERT(r.ok());
      std::uint64_t expect = std::min<std::uint64_t>(max, s.unread());
      RC_ASSERT(*r == expect);
      // In order, exactly once, intact: the peer's stream from our offset.
      for (std::size_t i = 0; i < *r; ++i) RC_ASSERT(buf[i] == pattern(1 - side, s0.connections, s.read + i));
    } else if (s.err) {
      RC_ASSERT(!r.ok());
      RC_ASSERT(r.error() == *s.err);
    } else if (s.fin_in) {
      RC_ASSERT(r.ok());
      RC_ASSERT(*r == 0u);
    } else {
      RC_ASSERT(!r.ok());
      RC_ASSERT(r.error() == SockError::Again);
    }
  }
  void show(std::ostream& os) const override { os << side_name(side) << ": recv(" << max << ")"; }
};

struct ShutdownWr : Base {
  int side;
  static bool ok(const Model& m, int side) { return usable(m, side) && m.phase != Phase::SynPending; }
  explicit ShutdownWr(const Model& m) : side(*rc::gen::inRange(0, 2)) { RC_PRE(ok(m, side)); }
  void checkPreconditions(const Model& m) const override { RC_PRE(ok(m, side)); }
  void update(Model& m) const override {
    auto& s = side_of(m, side);
    if (!s.err) s.shut_wr = true;
    model::settle(m);
  }
  void act(const Model& s0, const Model&, Sut& sut) const override {
    const auto& s = side_of(s0, side);
    auto r = sut.host(side).shutdown(sut.fd(side), socket::Shut::Wr);
    if (s.err) {
      RC_ASSERT(errno_text(r) == std::string("ENOTCONN"));
    } else if (s.shut_wr && s.fin_in) {
      bool fine = r.ok() || r.error() == SockError::NotConn;  // ENOTCONN once fully closed
      RC_ASSERT(fine);
    } else {
      RC_ASSERT(r.ok());
    }
  }
  void show(std::ostream& os) const override { os << side_name(side) << ": shutdown(SHUT_WR)"; }
};

struct Close : Base {
  int side;
  // Not during a partition: which of a reset and the peer's data arrives
  // first at heal time would be a race, not a property.
  static bool ok(const Model& m, int side) { return usable(m, side) && !m.partitioned; }
  explicit Close(const Model& m) : side(*rc::gen::inRange(0, 2)) { RC_PRE(ok(m, side)); }
  void checkPreconditions(const Model& m) const override { RC_PRE(ok(m, side)); }
  void update(Model& m) const override {
    auto& s = side_of(m, side);
    auto& peer = side_of(m, 1 - side);
    bool peer_alive = m.established() && !peer.err;
    // RFC 2525 §2.17 / Linux: closing with unread data sends a RST.
    if (!s.err && s.unread() > 0 && peer_alive && !peer.closed) model::reset_by_peer(peer);
    if (!s.err && s.unread() > 0) s.err = SockError::ConnReset;  // our endpoint is gone too
    s.closed = true;
    s.shut_wr = true;
    model::settle(m);
    retire(m);
  }
  void act(const Model&, const Model&, Sut& sut) const override {
    RC_ASSERT(sut.host(side).close(sut.fd(side)).ok());
    sut.fd(side) = -1;
  }
  void show(std::ostream& os) const override { os << side_name(side) << ": close()"; }
};

struct Advance : Base {
  std::int64_t ms;
  static bool ok(const Model& m, std::int64_t ms) {
    return !m.partitioned || m.partition_ms + ms <= model::kMaxPartitionMs;
  }
  explicit Advance(const Model& m)
      : ms(*rc::gen::weightedOneOf<std::int64_t>({{4, rc::gen::inRange<std::int64_t>(1, 500)},
                                                  {2, rc::gen::inRange<std::int64_t>(500, 10'000)},
                                                  {1, rc::gen::inRange<std::int64_t>(10'000, 130'000)}})) {
    RC_PRE(ok(m, ms));
  }
  void checkPreconditions(const Model& m) const override { RC_PRE(ok(m, ms)); }
  void update(Model& m) const override {
    if (m.partitioned) m.partition_ms += ms;
  }
  void act(const Model&, const Model&, Sut& sut) const override { sut.w.run_for(Duration::from_millis(ms)); }
  void show(std::ostream& os) const override { os << "advance " << ms << " ms"; }
};

struct Fault : Base {
  int from;
  Tamper kind;
  std::uint32_t bit;
  explicit Fault(const Model& m)
      : from(*rc::gen::inRange(0, 2)),
        kind(*rc::gen::element(Tamper::Drop, Tamper::Duplicate, Tamper::Reorder, Tamper::Corrupt)),
        bit(*rc::gen::inRange<std::uint32_t>(0, 12'000)) {
    RC_PRE(ok(m, from));
  }
  static bool ok(const Model& m, int from) { return !m.partitioned && m.armed[from] < model::kMaxArmed; }
  void checkPreconditions(const Model& m) const override { RC_PRE(ok(m, from)); }
  bool arms() const override { return true; }
  void update(Model& m) const override { ++m.armed[from]; }
  void act(const Model&, const Model&, Sut& sut) const override { sut.tamper->arm(from, kind, bit); }
  void show(std::ostream& os) const override {
    os << to_string(kind) << " the next frame " << (from == 0 ? "a->b" : "b->a");
    if (kind == Tamper::Corrupt) os << " (bit " << bit << ")";
  }
};

struct Partition : Base {
  explicit Partition(const Model& m) { RC_PRE(!m.partitioned); }
  void checkPreconditions(const Model& m) const override { RC_PRE(!m.partitioned); }
  void update(Model& m) const override {
    m.partitioned = true;
    m.partition_ms = 0;
  }
  void act(const Model&, const Model&, Sut& sut) const override { sut.tamper->set_partitioned(true); }
  void show(std::ostream& os) const override { os << "partition"; }
};

struct Heal : Base {
  explicit Heal(const Model& m) { RC_PRE(m.partitioned); }
  void checkPreconditions(const Model& m) const override { RC_PRE(m.partitioned); }
  void update(Model& m) const override {
    m.partitioned = false;
    model::settle(m);
    retire(m);
  }
  void act(const Model&, const Model&, Sut& sut) const override { sut.tamper->set_partitioned(false); }
  void show(std::ostream& os) const override { os << "heal"; }
};

// After the last command: heal, close everything, wait out TIME-WAIT and
// FIN-WAIT-2 timeouts; nothing may be left behind.
void check_cleanup(Sut& sut) {
  sut.tamper->set_partitioned(false);
  for (int side = 0; side < 2; ++side) {
    if (sut.fd(side) >= 0) RC_ASSERT(sut.host(side).close(sut.fd(side)).ok());
  }
  if (sut.lfd >= 0) RC_ASSERT(sut.b.host().close(sut.lfd).ok());
  sut.w.run_for(Duration::from_secs(600));
  RC_ASSERT(sut.a.stack().tcp_connection_count() == 0u);
  RC_ASSERT(sut.b.stack().tcp_connection_count() == 0u);
  RC_ASSERT(sut.a.host().open_descriptors() == 0u);
  RC_ASSERT(sut.b.host().open_descriptors() == 0u);
}

RC_GTEST_PROP(TcpModel, HostsAgreeWithTheModel, ()) {
  Options o{*rc::gen::arbitrary<std::uint64_t>(), *rc::gen::inRange<std::int64_t>(50, 3000),
            *rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>()};
  RC_LOG() << "world seed " << o.seed << ", delay " << o.delay_us << " us, sack " << o.sack << ", timestamps "
           << o.timestamps << ", wscale " << o.wscale << "\n";
  Sut sut(o);
  Model m0;
  // Scaled: sequences up to a few hundred commands, so connections get
  // through several lifetimes.
  auto commands = *rc::gen::scale(
      3.0, rc::state::gen::commands(
               m0, rc::state::gen::execOneOfWithArgs<Listen, CloseListener, Connect, Reconnect, Accept, Send, Send,
                                                     Send, Recv, Recv, Recv, ShutdownWr, Close, Advance, Fault, Fault,
                                                     Partition, Heal>()));
  Model m = m0;
  bool reset = false, refused = false, eof = false, partition = false, accepted = false;
  for (const auto& c : commands) {
    RC_LOG() << "model before: phase " << model::to_string(m.phase) << "; a " << model::describe(m.a) << "; b "
             << model::describe(m.b) << "\n";
    c->checkPreconditions(m);
    c->run(m, sut);
    c->apply(m);
    reset |= m.a.err == SockError::ConnReset || m.b.err == SockError::ConnReset;
    refused |= m.phase == Phase::Refused;
    eof |= m.a.fin_in || m.b.fin_in;
    partition |= m.partitioned;
    accepted |= m.phase == Phase::Accepted;
  }
  if (std::getenv("SYNACK_MODEL_STATS")) {
    RC_CLASSIFY(reset, "a connection reset");
    RC_CLASSIFY(refused, "a connection refused");
    RC_CLASSIFY(eof, "an end of stream");
    RC_CLASSIFY(partition, "a partition");
    RC_CLASSIFY(accepted, "an accepted connection");
  }
  check_cleanup(sut);
}

}  // namespace
}  // namespace synack::harness

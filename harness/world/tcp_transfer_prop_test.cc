// Property-based tests of TCP transfers in the world (RapidCheck): any
// sequence of sends under any fault profile arrives once, in order, intact.
// A failure shrinks to a minimal case and prints it; the seed replays it.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "harness/world/host_node.h"
#include "harness/world/tcp_prop_gen.h"

namespace synack::harness {
namespace {

using proptest::config_for;
using proptest::gen_faults;
using proptest::Side;
using socket::SockType;
using wire::Ipv4Address;

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }


// a -- router -- b (10.0.1.0/24, 10.0.2.0/24). The edge link (a's) carries
// the random faults, so a frame is corrupted at most once (two flips on
// different hops can cancel in the Internet checksum, RFC 1071); the far
// link's MTU is what a test may change while data flows: the router then
// reports frag-needed (RFC 1191) and the sender's TCP lowers its MSS.
struct Routed {
  Routed(std::uint64_t seed, const iface::StackConfig& cfg, driver::FaultProfile edge)
      : w(seed), a(add_host(w, "a", cfg)), r(add_host(w, "router", router_config())), b(add_host(w, "b", cfg)) {
    edge.delay = Duration::from_micros(300);
    driver::FaultProfile far;
    far.delay = Duration::from_micros(300);
    far.mtu = 1500;
    edge_link = &connect_hosts(w, a, "10.0.1.2/24", r, "10.0.1.1/24", edge, edge);
    far_link = &connect_hosts(w, r, "10.0.2.1/24", b, "10.0.2.2/24", far, far);
    a.stack().add_default_gateway(ip("10.0.1.1"));
    b.stack().add_default_gateway(ip("10.0.2.1"));
  }
  static iface::StackConfig router_config() {
    iface::StackConfig c;
    c.forwarding = true;
    return c;
  }
  World w;
  HostNode& a;
  HostNode& r;
  HostNode& b;
  Link* edge_link = nullptr;
  Link* far_link = nullptr;
};

// The errors a transfer may end with when the network loses frames for
// long enough (soak bulk scenario, RFC 9293 §3.8.3, RFC 1122 4.2.3.9).
bool documented(SockError e) {
  return e == SockError::TimedOut || e == SockError::ConnReset || e == SockError::HostUnreach;
}

// Any sequence of sends under any fault profile (loss, duplication,
// reordering, corruption, jitter), a partition of either link (down for a
// while, then healed) and a change of the far link's MTU while data flows:
// every byte arrives once, in order, intact; or the connection fails with
// a documented error, and only when frames could be lost. Afterwards,
// everything is released: no connection (after TIME-WAIT), no descriptor,
// and no timer left on any host.
RC_GTEST_PROP(TcpTransfer, EveryByteOnceInOrder, ()) {
  auto seed = *rc::gen::arbitrary<std::uint64_t>();
  auto chunks = *rc::gen::container<std::vector<std::uint32_t>>(rc::gen::inRange<std::uint32_t>(1, 40000));
  RC_PRE(!chunks.empty());
  // At most 512 KiB: with 30% loss and a 576-byte MTU a few megabytes take
  // more than the day of virtual time the run allows (hundreds of RTOs,
  // each backed off while Karn's rule withholds RTT samples).
  std::size_t total = 0, keep = 0;
  while (keep < chunks.size() && total + chunks[keep] <= 512 * 1024) total += chunks[keep++];
  chunks.resize(std::max<std::size_t>(keep, 1));
  driver::FaultProfile f = gen_faults(true);
  f.corrupt_ppm = *rc::gen::inRange<std::uint32_t>(0, 50'001);
  iface::StackConfig cfg = config_for(Side{*rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>(),
                                           *rc::gen::arbitrary<bool>(), 1500});
  Routed p(seed, cfg, f);
  // A partition of one link (both directions), shorter than the time the
  // connection keeps retrying (tcp_retries2, about 15 minutes).
  bool partitioned = *rc::gen::arbitrary<bool>();
  if (partitioned) {
    Link* cut = *rc::gen::arbitrary<bool>() ? p.edge_link : p.far_link;
    Instant from = Instant::zero() + Duration::from_millis(*rc::gen::inRange<std::int64_t>(0, 300));
    Duration len = Duration::from_millis(*rc::gen::inRange<std::int64_t>(1, 60'000));
    for (int side : {0, 1}) {
      auto prof = cut->profile(side);
      prof.partitions.push_back({from, from + len});
      cut->set_profile(side, prof);
    }
  }
  // The far link's MTU changes (both directions) while data flows.
  std::uint32_t new_mtu = *rc::gen::oneOf(rc::gen::just(0u), rc::gen::inRange<std::uint32_t>(576, 1501));
  if (new_mtu) {
    Instant at = Instant::zero() + Duration::from_millis(*rc::gen::inRange<std::int64_t>(0, 300));
    p.w.schedule(at, [&p, new_mtu](World&) {
      for (int side : {0, 1}) {
        auto prof = p.far_link->profile(side);
        prof.mtu = new_mtu;
        p.far_link->set_profile(side, prof);
      }
    });
  }
  auto& a = p.a.host();
  auto& b = p.b.host();
  int l = *b.socket(1, SockType::Stream);
  RC_ASSERT(b.bind(l, {Ipv4Address::any(), 9}).ok());
  RC_ASSERT(b.listen(l, 4).ok());
  int c = *a.socket(2, SockType::Stream);
  (void)a.connect(c, {ip("10.0.2.2"), 9});
  Bytes data;
  for (auto n : chunks)
    for (std::uint32_t i = 0; i < n; ++i) data.push_back(static_cast<std::uint8_t>(data.size() * 7 + n));
  std::size_t sent = 0, chunk = 0, chunk_off = 0;
  Bytes got;
  int s = -1;
  bool closed = false, eof = false, never_accepted = false;
  std::optional<SockError> error;
  std::uint8_t buf[65536];
  p.w.run_until(
      [&] {
        if (!closed && !error && a.poll(c)->error)
          error = static_cast<SockError>(*a.getsockopt(c, socket::SockOpt::Error) - 1);
        while (!error && chunk < chunks.size() && a.poll(c)->writable) {
          auto r = a.send(c, ConstBytes(data).subspan(sent, chunks[chunk] - chunk_off));
          if (!r) break;
          sent += *r;
          chunk_off += *r;
          if (chunk_off == chunks[chunk]) ++chunk, chunk_off = 0;
        }
        if (!error && chunk == chunks.size() && !closed) closed = a.close(c).ok();
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
        while (s >= 0 && !eof && !error) {
          auto r = b.recv(s, buf);
          if (!r) {
            if (r.error() != SockError::Again) error = r.error();
            break;
          }
          if (*r == 0) eof = true;
          got.insert(got.end(), buf, buf + *r);
        }
        // The server never accepted (its half-open connection gave up on
        // the lost ACK) and the sender's orphan is gone (the RST that
        // answered its data, or its retries): nothing can arrive any more.
        never_accepted = closed && s < 0 && p.a.stack().tcp_connection_count() == 0 &&
                         p.b.stack().tcp_connection_count() == 0;
        return eof || error.has_value() || never_accepted;
      },
      Instant::from_secs(24 * 3600));
  RC_TAG(partitioned ? "partition" : "no partition");
  RC_TAG(new_mtu == 0 ? "MTU kept" : new_mtu < 1500 ? "MTU lowered" : "MTU 1500 again");
  if (p.r.stack().stats().ip.frag_needed > 0) RC_TAG("router sent frag-needed");
  // Whatever arrived is a prefix of what was sent, byte for byte.
  RC_ASSERT(got.size() <= data.size());
  RC_ASSERT(std::equal(got.begin(), got.end(), data.begin()));
  if (never_accepted) {
    RC_TAG("never accepted");
    RC_ASSERT(got.empty());
    RC_ASSERT(f.loss_ppm > 0 || partitioned);
  } else if (error) {
    RC_TAG("failed");
    RC_ASSERT(documented(*error));
    RC_ASSERT(f.loss_ppm > 0 || partitioned);  // only lost frames make a connection give up
    if (!closed) RC_ASSERT(a.close(c).ok());
  } else {
    RC_ASSERT(eof);
    RC_ASSERT(got.size() == data.size());
  }
  if (s >= 0) RC_ASSERT(b.close(s).ok());
  RC_ASSERT(b.close(l).ok());
  auto conns = [&] { return p.a.stack().tcp_connection_count() + p.b.stack().tcp_connection_count(); };
  p.w.run_until([&] { return conns() == 0; }, p.w.now() + Duration::from_secs(3600));
  RC_ASSERT(p.a.stack().tcp_connection_count() == 0u);
  RC_ASSERT(p.b.stack().tcp_connection_count() == 0u);
  RC_ASSERT(a.open_descriptors() == 0u);
  RC_ASSERT(b.open_descriptors() == 0u);
  // No timer left once the neighbour caches have aged out.
  p.w.run_for(Duration::from_secs(3600));
  for (HostNode* h : {&p.a, &p.r, &p.b}) RC_ASSERT(!h->host().poll_at().has_value());
}

}  // namespace
}  // namespace synack::harness

// Host benchmarks: one synack socket::Host on a sink device, fed frames built
// with the wire Reprs, one frame per receive() followed by poll() (what a
// runtime does). Measures the receive path in frames per CPU second:
//  - BM_HostRxSynToListener: a stream of distinct SYNs to a listener (past
//    the SYN queue's 256 entries, every SYN is answered with a SYN cookie, as
//    in a SYN flood on Linux).
//  - BM_HostRxEstablished: in-order full-sized data segments with ACKs on an
//    established connection whose application reads everything.
//  - BM_ArpLookup / BM_RouteLookup: the neighbour cache and the routing table
//    with 10 and 10,000 entries.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "bench/bench_util.h"
#include "harness/world/frames.h"
#include "stack/iface/arp_cache.h"
#include "stack/iface/route.h"
#include "stack/socket/host.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::bench {
namespace {

using wire::Ipv4Address;
using wire::MacAddress;

const MacAddress kHostMac{{0x02, 0, 0, 0, 0, 0x02}};
const MacAddress kPeerMac{{0x02, 0, 0, 0, 0, 0x01}};
const Ipv4Address kHostIp = Ipv4Address::from_octets(10, 0, 0, 2);
const Ipv4Address kPeerIp = Ipv4Address::from_octets(10, 0, 0, 1);

// Swallows frames; keeps the last one so a test can read the host's answer.
class SinkDevice final : public driver::Device {
 public:
  driver::DeviceCaps capabilities() const override { return {}; }
  bool transmit(Instant, ConstBytes frame) override {
    ++frames_;
    last_.assign(frame.begin(), frame.end());
    return true;
  }
  std::uint64_t frames() const noexcept { return frames_; }
  const Bytes& last() const noexcept { return last_; }

 private:
  std::uint64_t frames_ = 0;
  Bytes last_;
};

// Ethernet + IPv4 + TCP frame from `src` to the host.
Bytes tcp_frame(Ipv4Address src, const wire::TcpRepr& tcp, ConstBytes payload) {
  return harness::build_tcp_frame(harness::L2{kPeerMac, kHostMac}, src, kHostIp, tcp, payload);
}

// The TCP header of an Ethernet/IPv4/TCP frame the host sent.
std::optional<wire::TcpRepr> parse_tcp(const Bytes& frame) {
  auto eth = wire::EthernetFrame::checked(frame);
  if (!eth) return std::nullopt;
  auto ip = wire::Ipv4Packet::checked(eth->payload());
  if (!ip) return std::nullopt;
  auto ipr = wire::Ipv4Repr::parse(*ip);
  if (!ipr) return std::nullopt;
  auto tcp = wire::TcpPacket::checked(ip->payload());
  if (!tcp) return std::nullopt;
  auto r = wire::TcpRepr::parse(*tcp, ipr->src, ipr->dst);
  if (!r) return std::nullopt;
  return *r;
}

// Linux's SYN options: MSS, SACK permitted, timestamps, window scale.
wire::TcpRepr syn(std::uint16_t sport, std::uint32_t isn, std::uint32_t tsval) {
  wire::TcpRepr r{.src_port = sport, .dst_port = 80, .seq = wire::SeqNumber(isn), .flags = wire::kTcpSyn,
                  .window = 64240};
  r.options.push_mss(1460);
  r.options.push_sack_permitted();
  r.options.push_timestamps(tsval, 0);
  r.options.push_nop();
  r.options.push_wscale(7);
  return r;
}

// A host with one interface on a sink, a gateway 10.0.0.1 with a static
// neighbour entry, and a listener on port 80.
struct HostUnderTest {
  static iface::StackConfig config() {
    iface::StackConfig cfg;
    cfg.name = "dut";
    cfg.seed = 1;
    return cfg;
  }
  HostUnderTest() : host(config()) {
    host.stack().add_interface(sink, kHostMac, {kHostIp, 24});
    host.stack().arp().add_static(kPeerIp, kPeerMac);
    host.stack().add_default_gateway(kPeerIp);
    listener = *host.socket(1, socket::SockType::Stream);
    (void)host.bind(listener, {Ipv4Address::any(), 80});
    (void)host.listen(listener, 128);
    host.poll(now);  // gratuitous ARP out of the way
  }
  void feed(ConstBytes frame) {
    host.receive(now, 0, frame);
    host.poll(now);
    now += Duration::from_micros(1);
  }
  SinkDevice sink;
  socket::Host host;
  Instant now = Instant::from_secs(1);
  int listener = -1;
};

void BM_HostRxSynToListener(benchmark::State& state) {
  HostUnderTest h;
  // 65,536 distinct SYNs (source address and port differ), replayed in a
  // cycle; each source is routed through the gateway.
  std::vector<Bytes> frames;
  constexpr std::size_t kFrames = 1 << 16;
  frames.reserve(kFrames);
  for (std::uint32_t i = 0; i < kFrames; ++i) {
    Ipv4Address src{(198u << 24) | (18u << 16) | (i & 0xffff)};
    frames.push_back(tcp_frame(src, syn(static_cast<std::uint16_t>(1024 + i % 60000), i * 2654435761u, i), {}));
  }
  std::size_t i = 0;
  const std::uint64_t sent0 = h.sink.frames();
  begin_counted_run();
  for (auto _ : state) {
    h.feed(frames[i]);
    i = (i + 1) % kFrames;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["frames/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["synacks_per_syn"] =
      static_cast<double>(h.sink.frames() - sent0) / static_cast<double>(state.iterations());
  const auto& st = h.host.stack().tcp_stats();
  state.counters["cookies_per_syn"] =
      static_cast<double>(st.syncookies_sent) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_HostRxSynToListener)->Apply(counted_iterations<20'000>);

// In-order data on one established connection (timestamps on, 1448-byte
// payloads as Linux sends with MSS 1460 and timestamps). The application
// reads after every frame, so the window never closes. Frames are built in
// batches with the timer paused.
void BM_HostRxEstablished(benchmark::State& state) {
  HostUnderTest h;
  constexpr std::uint32_t kPeerIsn = 1000;
  std::uint32_t tsval = 100;
  h.feed(tcp_frame(kPeerIp, syn(40000, kPeerIsn, tsval), {}));
  auto synack = parse_tcp(h.sink.last());
  if (!synack || !synack->has(wire::kTcpSyn)) {
    state.SkipWithError("no SYN-ACK");
    return;
  }
  const wire::SeqNumber ack = synack->seq + 1u;
  const std::uint32_t host_ts = synack->options.timestamps() ? synack->options.timestamps()->tsval : 0;
  wire::TcpRepr seg{.src_port = 40000, .dst_port = 80, .seq = wire::SeqNumber(kPeerIsn + 1), .ack = ack,
                    .flags = wire::kTcpAck, .window = 502};
  auto with_ts = [&](wire::TcpRepr r) {
    r.options.push_nop();
    r.options.push_nop();
    r.options.push_timestamps(++tsval, host_ts);
    return r;
  };
  h.feed(tcp_frame(kPeerIp, with_ts(seg), {}));
  auto conn = h.host.accept(h.listener);
  if (!conn) {
    state.SkipWithError("handshake failed");
    return;
  }
  constexpr std::size_t kPayload = 1448;
  constexpr std::size_t kBatch = 512;
  Bytes payload(kPayload, 0x5a);
  std::vector<Bytes> batch(kBatch);
  std::uint8_t buf[1 << 16];
  std::uint64_t got = 0;
  seg.flags = wire::kTcpAck | wire::kTcpPsh;
  begin_counted_run();
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& f : batch) {
      f = tcp_frame(kPeerIp, with_ts(seg), payload);
      seg.seq = seg.seq + static_cast<std::uint32_t>(kPayload);
    }
    state.ResumeTiming();
    for (const auto& f : batch) {
      h.feed(f);
      while (auto r = h.host.recv(*conn, buf)) {
        if (*r == 0) break;
        got += *r;
      }
    }
  }
  const double frames = static_cast<double>(state.iterations() * kBatch);
  if (got != static_cast<std::uint64_t>(frames) * kPayload) state.SkipWithError("data was not delivered in order");
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));
  state.SetBytesProcessed(static_cast<std::int64_t>(got));
  state.counters["frames/s"] = benchmark::Counter(frames, benchmark::Counter::kIsRate);
  state.counters["Gbit/s"] = benchmark::Counter(static_cast<double>(got) * 8 / 1e9, benchmark::Counter::kIsRate);
  state.counters["acks_per_frame"] = static_cast<double>(h.sink.frames()) / frames;
}
BENCHMARK(BM_HostRxEstablished)->Apply(counted_iterations<8>);

// Pseudo-random addresses inside the populated ranges, fixed seed.
std::vector<Ipv4Address> probes(std::size_t entries, std::uint32_t base, std::uint32_t stride) {
  std::vector<Ipv4Address> v(4096);
  std::uint64_t x = 88172645463325252ull;
  for (auto& a : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    a = Ipv4Address{base + static_cast<std::uint32_t>(x % entries) * stride + (stride > 1 ? 7u : 0u)};
  }
  return v;
}

void BM_ArpLookup(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  iface::ArpConfig cfg;
  cfg.max_entries = 2 * n;
  iface::ArpCache cache(cfg);
  const std::uint32_t base = Ipv4Address::from_octets(10, 1, 0, 0).value;
  const Instant now = Instant::from_secs(1);
  for (std::uint32_t i = 0; i < n; ++i) {
    MacAddress mac{{0x02, 0, 0, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                    static_cast<std::uint8_t>(i)}};
    (void)cache.learn(Ipv4Address{base + i}, mac, now, true);
  }
  const auto addrs = probes(n, base, 1);
  std::size_t i = 0;
  begin_counted_run();
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache.lookup(addrs[i], now));
    i = (i + 1) & (addrs.size() - 1);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["lookups/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ArpLookup)->ArgName("entries")->Arg(10)->Arg(10'000)->Apply(counted_iterations<100'000>);

// n /24 routes (10.x.y.0/24) plus a default route; lookups hit the /24s.
void BM_RouteLookup(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  iface::RouteTable table;
  const std::uint32_t base = Ipv4Address::from_octets(10, 0, 0, 0).value;
  for (std::uint32_t i = 0; i < n; ++i)
    table.add(iface::Route{{Ipv4Address{base + (i << 8)}, 24}, Ipv4Address::from_octets(192, 168, 0, 1), 0, 0});
  table.add(iface::Route{{Ipv4Address::any(), 0}, Ipv4Address::from_octets(192, 168, 0, 1), 0, 0});
  const auto addrs = probes(n, base, 256);
  std::size_t i = 0;
  begin_counted_run();
  for (auto _ : state) {
    benchmark::DoNotOptimize(table.next_hop(addrs[i]));
    i = (i + 1) & (addrs.size() - 1);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["lookups/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["routes"] = static_cast<double>(table.size());
}
BENCHMARK(BM_RouteLookup)->ArgName("entries")->Arg(10)->Arg(10'000)->Apply(counted_iterations<100'000>);

}  // namespace
}  // namespace synack::bench

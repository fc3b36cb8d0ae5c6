// Simulation benchmarks, one core: two synack hosts in a deterministic World
// driven through the socket API (the pattern of harness/world/tcp_sim_test.cc),
// measured in wall time.
//  - BM_SimBulk: goodput (application bytes per wall second) at MTU 1500 and
//    9000, with and without 1% loss each way.
//  - BM_SimLifecycles: connect, one byte each way, close from both sides;
//    one at a time and many in parallel.
//  - BM_SimIdleConnections: set up N established connections; setup time and
//    resident memory per connection (buffers excluded: no data is ever
//    written, and synack allocates socket buffers on first use).
//  - BM_SimKeepaliveIdle: virtual seconds per wall second while SO_KEEPALIVE
//    connections sit idle for a day of virtual time.
// Figures are recorded for the synack ÷ kernel ratios (bench_util.h).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "harness/world/host_node.h"

namespace synack::bench {
namespace {

using socket::SockAddr;
using socket::SockType;
using wire::Ipv4Address;

const Ipv4Address kClient = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address kServer = Ipv4Address::from_octets(10, 0, 0, 2);

// Wide ephemeral range and deep listen queues, so tens of thousands of
// connections fit (Linux sysctls ip_local_port_range, somaxconn,
// tcp_max_syn_backlog play the same role).
iface::StackConfig bench_config() {
  iface::StackConfig cfg;
  cfg.ephemeral_low = 1024;
  cfg.ephemeral_high = 65535;
  cfg.tcp.somaxconn = 1u << 21;
  cfg.tcp.max_syn_backlog = 1u << 21;
  return cfg;
}

// Two hosts on one point-to-point link: a = 10.0.0.1 (client), b = 10.0.0.2
// (server). The link is connected before the interfaces are added, so an MTU
// in the profile becomes the interfaces' MTU.
struct SimPair {
  explicit SimPair(std::uint64_t seed, driver::FaultProfile p = {}, iface::StackConfig cfg = bench_config())
      : w(seed), a(harness::add_host(w, "a", cfg)), b(harness::add_host(w, "b", cfg)) {
    if (p.delay == Duration::zero()) p.delay = Duration::from_micros(50);
    w.connect({a.id(), 0}, {b.id(), 0}, p, p);
    a.add_interface(*wire::Ipv4Cidr::parse("10.0.0.1/24"));
    b.add_interface(*wire::Ipv4Cidr::parse("10.0.0.2/24"));
    // Static neighbours: thousands of SYNs sent at one instant would
    // otherwise overflow the ARP queue while the first resolution runs.
    a.stack().arp().add_static(kServer, b.stack().interfaces()[0].mac);
    b.stack().arp().add_static(kClient, a.stack().interfaces()[0].mac);
  }
  bool run(const std::function<bool()>& done, Duration limit = Duration::from_secs(3600),
           harness::World::DoneCheck check = harness::World::DoneCheck::MayCallNodes) {
    return w.run_until(done, w.now() + limit, check);
  }
  harness::World w;
  harness::HostNode& a;
  harness::HostNode& b;
};

int listen_on(socket::Host& h, std::uint16_t port) {
  int fd = *h.socket(50, SockType::Stream);
  if (!h.bind(fd, {Ipv4Address::any(), port}).ok() || !h.listen(fd, 1 << 21).ok()) return -1;
  return fd;
}

// One connection a -> b:port, established and accepted. Returns {client, server}.
std::pair<int, int> establish(SimPair& n, int listener, std::uint16_t port) {
  auto& a = n.a.host();
  auto& b = n.b.host();
  int c = *a.socket(60, SockType::Stream);
  (void)a.connect(c, {kServer, port});
  int s = -1;
  bool ok = n.run([&] {
    if (s < 0) {
      if (auto r = b.accept(listener)) s = *r;
    }
    return s >= 0 && a.poll(c)->writable;
  });
  return ok ? std::pair{c, s} : std::pair{-1, -1};
}

// ---------------------------------------------------------------- bulk

const Bytes& pattern() {
  static const Bytes data = [] {
    Bytes d(1 << 20);
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<std::uint8_t>(i * 131 + (i >> 13));
    return d;
  }();
  return data;
}

// Moves `total` bytes client -> server; returns false on a stall or mismatch.
bool transfer(SimPair& n, int c, int s, std::size_t total) {
  auto& a = n.a.host();
  auto& b = n.b.host();
  const Bytes& data = pattern();
  std::size_t sent = 0;
  std::size_t got = 0;
  static std::uint8_t buf[1 << 16];
  bool intact = true;
  bool ok = n.run([&] {
    while (sent < total) {
      std::size_t off = sent % data.size();
      std::size_t len = std::min(total - sent, data.size() - off);
      auto r = a.send(c, ConstBytes(data).subspan(off, len));
      if (!r || *r == 0) break;
      sent += *r;
    }
    while (got < total) {
      auto r = b.recv(s, buf);
      if (!r || *r == 0) break;
      // Spot check: the first byte of each read must match the pattern.
      intact &= buf[0] == data[got % data.size()];
      got += *r;
    }
    return got >= total;
  });
  return ok && intact;
}

void BM_SimBulk(benchmark::State& state) {
  const auto mtu = static_cast<std::uint32_t>(state.range(0));
  const auto loss_ppm = static_cast<std::uint32_t>(state.range(1));
  const std::size_t total = std::size_t{32} << 20;
  std::uint64_t seed = 1;
  std::uint64_t retrans = 0;
  double wall = 0;
  for (auto _ : state) {
    driver::FaultProfile p;
    p.mtu = mtu;
    p.loss_ppm = loss_ppm;
    SimPair n(seed++, p);
    int l = listen_on(n.b.host(), 5001);
    auto [c, s] = establish(n, l, 5001);
    double t0 = wall_seconds();
    if (c < 0 || !transfer(n, c, s, total)) {
      state.SkipWithError("transfer stalled or corrupted");
      break;
    }
    double dt = wall_seconds() - t0;
    state.SetIterationTime(dt);
    wall += dt;
    retrans += n.a.stack().tcp_stats().retrans_segs;
  }
  if (state.iterations() == 0 || wall <= 0) return;
  const double bytes = static_cast<double>(state.iterations()) * static_cast<double>(total);
  const double gbps = bytes * 8 / 1e9 / wall;
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["Gbit/s"] = gbps;
  state.counters["retrans_per_transfer"] = static_cast<double>(retrans) / static_cast<double>(state.iterations());
  if (loss_ppm == 0) record_figure(state, "bulk/" + std::to_string(mtu) + "/synack", gbps);
}
BENCHMARK(BM_SimBulk)
    ->ArgNames({"mtu", "loss_ppm"})
    ->Args({1500, 0})
    ->Args({9000, 0})
    ->Args({1500, 10000})
    ->Args({9000, 10000})
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------- lifecycles

// Shared by the two applications of a lifecycle run.
struct LifecycleCount {
  std::size_t target = 0;     // lifecycles the client starts in all
  std::size_t started = 0;
  std::size_t completed = 0;  // at the server's close
  std::string error;
  void fail(const char* what) {
    if (error.empty()) error = what;
  }
};

constexpr std::uint16_t kLifecyclePort = 7;

// Per-descriptor phase of a lifecycle application (descriptors are small
// and reused lowest first, so a vector indexed by descriptor stays short).
class Phases {
 public:
  std::uint8_t& operator[](int fd) {
    auto i = static_cast<std::size_t>(fd);
    if (i >= v_.size()) v_.resize(i + 1, 0);
    return v_[i];
  }

 private:
  std::vector<std::uint8_t> v_;
};

// The client side, an application on host a: keeps `parallel` lifecycles in
// flight (connect, send one byte, read the reply, close) until the run's
// target has been started. Event-driven: it looks only at the descriptors
// the host reports ready (Host::take_ready, as the kernel benchmark's epoll
// loop), and it runs before its host's output is flushed, so the handshake's
// final ACK leaves with its byte and its FIN with the ACK of the reply.
class LifecycleClient final : public harness::App {
 public:
  LifecycleClient(socket::Host& h, LifecycleCount& count, std::size_t parallel)
      : h_(h), count_(count), parallel_(parallel) {
    h_.watch_ready();
  }
  void poll(Instant) override {
    h_.take_ready(ready_);
    for (int fd : ready_) on_ready(fd);
    while (in_flight_ < parallel_ && count_.started < count_.target) start();
  }
  bool reaches_other_hosts() const override { return false; }

 private:
  enum : std::uint8_t { kIdle, kConnecting, kAwaitingReply };
  void start() {
    ++count_.started;
    int fd = *h_.socket(60, SockType::Stream);
    auto r = h_.connect(fd, {kServer, kLifecyclePort});
    if (!r && r.error() != SockError::InProgress) return count_.fail("connect failed");
    phase_[fd] = kConnecting;
    ++in_flight_;
  }
  void on_ready(int fd) {
    std::uint8_t& p = phase_[fd];
    if (p == kIdle) return;
    auto ready = *h_.poll(fd);
    if (ready.error) return count_.fail("client error");
    if (p == kConnecting && ready.writable) {
      const std::uint8_t byte = 'x';
      if (!h_.send(fd, ConstBytes(&byte, 1))) return count_.fail("client send");
      p = kAwaitingReply;
    } else if (p == kAwaitingReply && ready.readable) {
      std::uint8_t buf[16];
      if (auto r = h_.recv(fd, buf); !r || *r != 1) return count_.fail("client recv");
      (void)h_.close(fd);
      p = kIdle;
      --in_flight_;
    }
  }

  socket::Host& h_;
  LifecycleCount& count_;
  std::size_t parallel_;
  std::size_t in_flight_ = 0;
  Phases phase_;
  std::vector<int> ready_;
};

// The server side, an application on host b listening on kLifecyclePort:
// accepts, answers the byte with one byte, and closes at the end of stream
// (which completes the lifecycle).
class LifecycleServer final : public harness::App {
 public:
  LifecycleServer(socket::Host& h, LifecycleCount& count) : h_(h), count_(count) {
    h_.watch_ready();
    listener_ = listen_on(h_, kLifecyclePort);
    if (listener_ < 0) count_.fail("listen failed");
  }
  void poll(Instant) override {
    h_.take_ready(ready_);
    for (int fd : ready_) {
      if (fd != listener_) {
        serve(fd);
        continue;
      }
      while (auto s = h_.accept(listener_)) {
        phase_[*s] = kAwaitingByte;
        serve(*s);  // the byte may have come with the handshake's ACK
      }
    }
  }
  bool reaches_other_hosts() const override { return false; }

 private:
  enum : std::uint8_t { kIdle, kAwaitingByte, kAwaitingEof };
  // Reads until EAGAIN, so a byte and a FIN that arrived together are both seen.
  void serve(int fd) {
    std::uint8_t& p = phase_[fd];
    std::uint8_t buf[16];
    while (p != kIdle) {
      auto r = h_.recv(fd, buf);
      if (!r) {
        if (r.error() != SockError::Again) count_.fail("server recv");
        return;
      }
      if (p == kAwaitingByte && *r == 1) {
        const std::uint8_t byte = 'y';
        if (!h_.send(fd, ConstBytes(&byte, 1))) return count_.fail("server send");
        p = kAwaitingEof;
      } else if (p == kAwaitingEof && *r == 0) {
        (void)h_.close(fd);
        p = kIdle;
        ++count_.completed;
      } else {
        return count_.fail("server: unexpected data");
      }
    }
  }

  socket::Host& h_;
  LifecycleCount& count_;
  int listener_ = -1;
  Phases phase_;
  std::vector<int> ready_;
};

// Keeps `parallel` lifecycles in flight between a (clients) and b (a server
// on port 7): connect, one byte each way, close from the client, then close
// from the server once it has read the end of stream. A lifecycle counts as
// complete at the server's close. Both sides are applications inside the
// world (harness::App), so they answer within the instant a segment arrives.
class Lifecycles {
 public:
  Lifecycles(SimPair& n, std::size_t parallel) : n_(n) {
    n.b.run_app<LifecycleServer>(n.b.host(), count_);
    n.a.run_app<LifecycleClient>(n.a.host(), count_, parallel);
  }
  // Runs until `count` more lifecycles completed; false on a failure.
  bool run(std::size_t count) {
    count_.target += count;
    n_.a.wake_apps();  // the client starts connections in its next turn
    const std::size_t goal = count_.completed + count;
    return n_.run([&] { return count_.completed >= goal || !count_.error.empty(); }, Duration::from_secs(3600),
                  harness::World::DoneCheck::ObservesOnly) &&
           count_.error.empty();
  }
  const std::string& error() const noexcept { return count_.error; }

 private:
  SimPair& n_;
  LifecycleCount count_;
};

// Each iteration is a batch of 250 lifecycles in one world (TIME-WAIT
// connections accumulate over the run, as on a real host).
void BM_SimLifecycles(benchmark::State& state) {
  const auto parallel = static_cast<std::size_t>(state.range(0));
  constexpr std::size_t kBatch = 250;
  SimPair n(7);
  Lifecycles lc(n, parallel);
  double wall = 0;
  for (auto _ : state) {
    double t0 = wall_seconds();
    if (!lc.run(kBatch)) {
      state.SkipWithError(("lifecycle failed: " + lc.error()).c_str());
      break;
    }
    double dt = wall_seconds() - t0;
    state.SetIterationTime(dt);
    wall += dt;
  }
  if (state.iterations() == 0 || wall <= 0) return;
  const double count = static_cast<double>(state.iterations() * kBatch);
  const double rate = count / wall;
  state.SetItemsProcessed(static_cast<std::int64_t>(count));
  state.counters["lifecycles/s"] = rate;
  state.counters["virtual_ms_per_lifecycle"] = n.w.now().nanos() / 1e6 / count;
  const auto& link = n.w.link(0);
  state.counters["frames_per_lifecycle"] = static_cast<double>(link.stats(0).sent + link.stats(1).sent) / count;
  record_figure(state, parallel == 1 ? "lifecycles/seq/synack" : "lifecycles/par/synack", rate);
}
BENCHMARK(BM_SimLifecycles)->ArgName("parallel")->Arg(1)->Arg(64)->Iterations(4)->UseManualTime()->Unit(
    benchmark::kMillisecond);

// ---------------------------------------------------------------- N idle connections

// True when this process was started with a --benchmark_filter naming
// "Large" (read from /proc/self/cmdline: benchmark_main owns argv).
bool large_requested() {
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  for (std::size_t pos = 0; pos < all.size();) {
    std::string arg = all.c_str() + pos;
    pos += arg.size() + 1;
    if (arg.rfind("--benchmark_filter=", 0) == 0 && arg.find("Large") != std::string::npos) return true;
  }
  return false;
}

// Sets up N established connections a -> b in waves of 1,000, spread over N/20,000 server ports so the 4-tuple
// space stays sparse. Memory: RSS before and after, with malloc_trim() on
// both sides so freed heap is not counted; divided by 2N (both ends live in
// this process), i.e. bytes per connection endpoint. No byte is ever
// written, so no socket buffer is allocated: the figure excludes buffers.
void idle_connections(benchmark::State& state, std::size_t count) {
  for (auto _ : state) {
    malloc_trim(0);
    const std::int64_t rss0 = rss_bytes();
    const double t0 = wall_seconds();
    {
      SimPair n(11);
      auto& a = n.a.host();
      auto& b = n.b.host();
      const std::size_t ports = (count + 19'999) / 20'000;
      std::vector<int> listeners;
      for (std::size_t p = 0; p < ports; ++p) listeners.push_back(listen_on(b, static_cast<std::uint16_t>(8000 + p)));
      // Waves of 1,000 connects at one virtual instant each, accepted before
      // the next wave (clients arriving in bursts).
      constexpr std::size_t kWave = 1000;
      std::size_t accepted = 0;
      bool ok = true;
      for (std::size_t i = 0; i < count && ok;) {
        for (std::size_t j = 0; j < kWave && i < count; ++j, ++i) {
          int fd = *a.socket(60, SockType::Stream);
          auto r = a.connect(fd, {kServer, static_cast<std::uint16_t>(8000 + i % ports)});
          if (!r && r.error() != SockError::InProgress) {
            state.SkipWithError("connect failed");
            return;
          }
        }
        ok = n.run([&] {
          for (int l : listeners)
            while (b.accept(l)) ++accepted;
          return accepted == i;
        });
      }
      // Let the last ACKs and timers settle (delayed ACKs, nothing else).
      n.run([] { return false; }, Duration::from_secs(1));
      const double t1 = wall_seconds();
      malloc_trim(0);
      const std::int64_t rss1 = rss_bytes();
      state.SetIterationTime(t1 - t0);
      if (!ok) {
        state.SkipWithError("not every connection was accepted");
        return;
      }
      const double per_endpoint = static_cast<double>(rss1 - rss0) / (2.0 * static_cast<double>(count));
      state.counters["connections"] = static_cast<double>(count);
      state.counters["setup_s"] = t1 - t0;
      state.counters["setups/s"] = static_cast<double>(count) / (t1 - t0);
      state.counters["rss_per_conn_bytes"] = per_endpoint;
      state.counters["sizeof_tcp_socket"] = static_cast<double>(sizeof(tcp::Socket));
      state.counters["client_conns"] = static_cast<double>(n.a.stack().tcp_connection_count());
      state.counters["server_conns"] = static_cast<double>(n.b.stack().tcp_connection_count());
    }
  }
}

void BM_SimIdleConnections(benchmark::State& state) { idle_connections(state, static_cast<std::size_t>(state.range(0))); }
BENCHMARK(BM_SimIdleConnections)->ArgName("n")->Arg(10'000)->Arg(100'000)->Iterations(1)->UseManualTime()->Unit(
    benchmark::kMillisecond);

// One million: minutes and gigabytes; runs only when the filter names it
// (--benchmark_filter=Large).
void BM_SimIdleConnectionsLarge(benchmark::State& state) {
  if (!large_requested()) {
    for (auto _ : state) state.SkipWithError("skipped: run with --benchmark_filter=Large");
    return;
  }
  idle_connections(state, static_cast<std::size_t>(state.range(0)));
}
BENCHMARK(BM_SimIdleConnectionsLarge)->ArgName("n")->Arg(1'000'000)->Iterations(1)->UseManualTime()->Unit(
    benchmark::kMillisecond);

// ---------------------------------------------------------------- keepalive

// N SO_KEEPALIVE connections idle for 24 hours of virtual time (Linux
// defaults: first probe after 2 h idle, then every 2 h as each is answered).
void BM_SimKeepaliveIdle(benchmark::State& state) {
  const auto count = static_cast<std::size_t>(state.range(0));
  const Duration idle = Duration::from_secs(24 * 3600);
  double wall = 0;
  double virt = 0;
  std::uint64_t probes = 0;
  for (auto _ : state) {
    SimPair n(13);
    auto& a = n.a.host();
    auto& b = n.b.host();
    int l = listen_on(b, 22);
    for (std::size_t i = 0; i < count; ++i) {
      auto [c, s] = establish(n, l, 22);
      if (c < 0 || !a.setsockopt(c, socket::SockOpt::KeepAlive, 1).ok() ||
          !b.setsockopt(s, socket::SockOpt::KeepAlive, 1).ok()) {
        state.SkipWithError("setup failed");
        return;
      }
    }
    const Instant v0 = n.w.now();
    const double t0 = wall_seconds();
    n.w.run_for(idle);
    const double dt = wall_seconds() - t0;
    state.SetIterationTime(dt);
    wall += dt;
    virt += (n.w.now() - v0).nanos() / 1e9;
    probes += n.a.stack().tcp_stats().keepalive_probes + n.b.stack().tcp_stats().keepalive_probes;
    if (n.a.stack().tcp_connection_count() != count) state.SkipWithError("connections were lost while idle");
  }
  if (wall <= 0) return;
  state.counters["virtual_s_per_wall_s"] = virt / wall;
  state.counters["keepalive_probes"] = static_cast<double>(probes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SimKeepaliveIdle)->ArgName("conns")->Arg(1)->Arg(100)->Iterations(3)->UseManualTime()->Unit(
    benchmark::kMillisecond);

}  // namespace
}  // namespace synack::bench

// Real-time figures of synack on a TAP against the Linux kernel (issue 5),
// and the kernel against itself over a veth pair (MTU 1500, offloads off)
// with the very same Boost.Asio peers, in the same run, for the ratios
// (`x_kernel_veth`, synack ÷ kernel; bench_util.h). Needs root: every
// benchmark reports "skipped" otherwise.
//  - KernelToSynack: a Boost.Asio client in a namespace writes 64 MiB to a
//    discard server, shuts down its side and waits for the server's FIN, so
//    the time covers the last byte being consumed by the server application.
//  - SynackToKernel: the client reads 64 MiB from a chargen server.
//  - Lifecycles: connect, 1 byte each way (echo), the client shuts down its
//    side, reads the server's FIN, closes; 1,000 one after the other, from
//    the lightest Boost.Asio client there is: blocking calls on a blocking
//    socket (socket, epoll_ctl, connect, send, recv, shutdown, recv, close:
//    8 system calls per lifecycle; SyncLifecycles). The asynchronous client
//    the rows used before (a non-blocking connect, epoll_wait before every
//    step: about twice the client's CPU) stays as the `client:async` rows
//    (one CPU only), against the kernel too, for the comparison.
// The TAP rows run with the TAP's checksum/TSO offload (`offload:1`, the
// runtime's default: 64 KiB GSO frames each way, tap_offload.h) and the
// bulk ones also without (`offload:0`: every frame MTU-sized, as lwIP's TAP
// driver and the veth reference). Every row runs in two layouts (`cpus:1`
// every thread on one CPU, `cpus:2` server and client each on its own, see
// cpu_for), and the synack rows with offload also with the runtime's busy
// poll (`busy_poll:50`, --busy-poll 50; keys "synack_busypoll"). The runtime
// trusts the kernel's checksum offload (Realtime::set_trust_checksums);
// SYNACK_BENCH_VERIFY_CSUM=1 makes it verify every checksum, for an A/B.
// The veth benchmarks are registered first
// so that their figures exist when the synack ones run and the ratio lands
// on the synack row. The TAP rows also report what the runtime did: its
// thread's CPU time per MB or lifecycle (steadier than wall time on a
// shared machine), frames per step, GSO frames, retransmissions. Every row
// reports the server thread's and the client's CPU time per item; the
// lifecycle rows also the lifecycles per CPU-second of the two together
// (`lifecycles/cpu_s`, what one CPU with nothing else on it would give) and,
// on the synack rows, its ratio to the kernel's (`x_kernel_veth_cpu`).
#include <benchmark/benchmark.h>

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>

#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "bench/tap_clients.h"
#include "harness/runtime/apps.h"
#include "harness/runtime/netns.h"
#include "harness/runtime/session.h"

namespace synack::harness {
namespace {

using boost::asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using bench::tap::ClientKind;
using bench::tap::ClientRun;
using bench::tap::run_client_here;
using bench::tap::thread_cpu_seconds;

constexpr std::size_t kBulkBytes = 64u << 20;
constexpr int kCycles = 1000;
constexpr std::uint16_t kEchoPort = 7, kDiscardPort = 9, kChargenPort = 19;

// Where the threads run. One CPU (`cpus:1`): every thread of a benchmark
// (synack's runtime or the kernel's servers, and the client) on the CPU the
// process started on: on a VM, waking a thread on the other CPU costs an
// inter-processor interrupt, and whether the scheduler put the two threads
// together or apart made the lifecycle figure swing by a factor of 4 between
// runs. Two CPUs (`cpus:2`, most likely how the lwIP reference in issue 5
// was measured, "server and client pinned to one core" each): the server
// side (synack's runtime, the kernel's servers) on CPU 0, the client on CPU
// 1, so the client's own kernel work no longer shares the server's CPU.
// SYNACK_BENCH_NO_PIN=1 leaves them free.
enum class Role { Server, Client };
int g_cpus = 1;  // the running benchmark's layout (benchmarks run one at a time)

int bench_cpu() {
  static const int cpu = std::getenv("SYNACK_BENCH_NO_PIN") != nullptr ? -1 : ::sched_getcpu();
  return cpu;
}

int cpu_for(Role role) {
  if (bench_cpu() < 0) return -1;
  if (g_cpus == 1 || std::thread::hardware_concurrency() < 2) return bench_cpu();
  return role == Role::Server ? 0 : 1;
}

// Also names the thread (`perf report --comm`, `perf trace`): tb-runtime is
// synack's, tb-client the Asio client's, tb-kserver the kernel's servers'.
void pin_this_thread(const char* name, Role role) {
  (void)::pthread_setname_np(::pthread_self(), name);
  const int cpu = cpu_for(role);
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  (void)::pthread_setaffinity_np(::pthread_self(), sizeof set, &set);
}

// ------------------------------------------------------------ Asio clients (tap_clients.cc)

// Runs a client inside namespace `ns` on a thread pinned as the client's;
// returns its result and the wall time.
ClientRun run_client(const std::string& ns, const std::string& ip, std::uint16_t port, double* seconds,
                     ClientKind kind, std::size_t amount) {
  ClientRun out;
  auto r = run_thread_in_netns(ns, [&] {
    pin_this_thread("tb-client", Role::Client);
    out = run_client_here(kind, ip, port, amount, seconds);
  });
  if (!r) out.failure = r.error();
  return out;
}

// ------------------------------------------------------------ kernel servers

// Boost.Asio echo, discard and chargen servers on the kernel, in namespace
// `ns`, on their own thread.
class KernelServers {
 public:
  bool start(const std::string& ns, std::string* why) {
    std::atomic<int> state{0};  // 1 listening, 2 failed
    thread_ = std::thread([&, ns] {
      pin_this_thread("tb-kserver", Role::Server);
      if (!enter_netns(ns)) {
        state = 2;
        return;
      }
      ErrorCode ec;
      for (auto [port, kind] : {std::pair{kEchoPort, 0}, std::pair{kDiscardPort, 1}, std::pair{kChargenPort, 2}}) {
        auto& a = acceptors_.emplace_back(std::make_unique<tcp::acceptor>(io_));
        a->open(tcp::v4(), ec);
        a->set_option(tcp::acceptor::reuse_address(true), ec);
        a->bind(tcp::endpoint(boost::asio::ip::address_v4::any(), port), ec);
        a->listen(1024, ec);
        if (ec) {
          state = 2;
          return;
        }
        accept(*a, kind);
      }
      state = 1;
      io_.run();
    });
    while (state == 0) std::this_thread::yield();
    if (state == 2) *why = "cannot start the kernel's Asio servers";
    return state == 1;
  }
  std::thread& thread() { return thread_; }
  ~KernelServers() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] { io_.stop(); });
    thread_.join();
  }

 private:
  // One connection; kind 0 echo, 1 discard, 2 chargen (writes until error).
  struct Conn : std::enable_shared_from_this<Conn> {
    explicit Conn(tcp::socket s, int k) : socket(std::move(s)), kind(k), buf(65536, 'y') {}
    void read() {
      socket.async_read_some(boost::asio::buffer(buf), [self = shared_from_this()](ErrorCode ec, std::size_t n) {
        if (ec) {
          ErrorCode ignored;
          self->socket.close(ignored);  // EOF: FIN back
          return;
        }
        if (self->kind != 0) return self->read();
        boost::asio::async_write(self->socket, boost::asio::buffer(self->buf.data(), n),
                                 [self](ErrorCode wec, std::size_t) {
                                   if (!wec) self->read();
                                 });
      });
    }
    void source() {
      socket.async_write_some(boost::asio::buffer(buf), [self = shared_from_this()](ErrorCode ec, std::size_t) {
        if (!ec) self->source();
      });
    }
    tcp::socket socket;
    int kind;
    std::vector<char> buf;
  };
  void accept(tcp::acceptor& a, int kind) {
    a.async_accept([this, &a, kind](ErrorCode ec, tcp::socket s) {
      if (ec) return;
      auto c = std::make_shared<Conn>(std::move(s), kind);
      if (kind == 2) c->source();
      else c->read();
      accept(a, kind);
    });
  }
  boost::asio::io_context io_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  std::thread thread_;
};

// Two namespaces joined by a veth pair, offloads off, MTU 1500; the kernel
// servers run in a (10.211.0.1), the clients in b.
struct VethPair {
  bool open(std::string* why) {
    if (auto r = driver::tap_unavailable_reason()) {
      *why = *r;
      return false;
    }
    auto na = NetnsGuard::create(unique_name("skva"));
    auto nb = NetnsGuard::create(unique_name("skvb"));
    if (!na || !nb) {
      *why = !na ? na.error() : nb.error();
      return false;
    }
    a = std::move(*na);
    b = std::move(*nb);
    std::string va = unique_name("skve"), vb = unique_name("skve");
    auto r = run_command({"ip", "link", "add", va, "netns", a.name(), "type", "veth", "peer", "name", vb, "netns", b.name()});
    if (r.exit_code != 0) {
      *why = "veth: " + r.output;
      return false;
    }
    (void)run_in_netns(a.name(), {"ip", "link", "set", va, "mtu", "1500"});
    (void)run_in_netns(b.name(), {"ip", "link", "set", vb, "mtu", "1500"});
    if (!configure_kernel_side(a.name(), va, "10.211.0.1/24") || !configure_kernel_side(b.name(), vb, "10.211.0.2/24")) {
      *why = "cannot configure the veth pair";
      return false;
    }
    // The source tree from this file's own path (bench/ has no SYNACK_SOURCE_DIR).
    std::string script = (std::filesystem::path(__FILE__).parent_path().parent_path() / "corpus/offload_off.py").string();
    for (auto [ns, dev] : {std::pair{a.name(), va}, std::pair{b.name(), vb}}) {
      if (have_program("ethtool"))
        (void)run_in_netns(ns, {"ethtool", "-K", dev, "rx", "off", "tx", "off", "sg", "off", "tso", "off", "gso", "off", "gro", "off"});
      else
        (void)run_in_netns(ns, {"python3", script, dev});
    }
    return servers.start(a.name(), why);
  }
  NetnsGuard a, b;  // deleting the namespaces removes the veth pair
  KernelServers servers;
};

// synack at 10.210.0.2 serving echo, discard and chargen; the kernel at .1.
struct SynackPeer {
  bool open(bool offload, std::uint32_t busy_poll_us, std::string* why) {
    if (auto r = driver::tap_unavailable_reason()) {
      *why = *r;
      return false;
    }
    NetArgs a;
    a.tap = unique_name("skbt");
    a.ip = "10.210.0.2/24";
    a.kernel_ip = "10.210.0.1/24";
    a.netns = unique_name("skbn");
    a.seed = 42;
    a.offload = offload;
    a.busy_poll_us = busy_poll_us;
    auto s = NetSession::open(a);
    if (!s) {
      *why = s.error();
      return false;
    }
    session = std::move(*s);
    auto& rt = session->runtime();
    // SYNACK_BENCH_VERIFY_CSUM=1: the stack verifies every checksum (A/B).
    rt.set_trust_checksums(std::getenv("SYNACK_BENCH_VERIFY_CSUM") == nullptr);
    rt.run_app<EchoServer>(session->host(), kEchoPort);
    rt.run_app<DiscardServer>(session->host(), kDiscardPort);
    rt.run_app<ChargenServer>(session->host(), kChargenPort);
    ns = a.netns;
    thread = std::thread([this] {
      pin_this_thread("tb-runtime", Role::Server);
      session->runtime().run();
      cpu_seconds = thread_cpu_seconds();
      rusage ru{};
      ::getrusage(RUSAGE_THREAD, &ru);
      minor_faults = static_cast<double>(ru.ru_minflt);
      voluntary_switches = static_cast<double>(ru.ru_nvcsw);
      involuntary_switches = static_cast<double>(ru.ru_nivcsw);
    });
    return true;
  }
  // Stops the runtime; its counters are then ours to read.
  void stop() {
    if (!thread.joinable()) return;
    session->runtime().stop();
    thread.join();
  }
  ~SynackPeer() { stop(); }
  // What the runtime did, for the benchmark's row: its thread's CPU time
  // (user and system, so the kernel's work inside its read()/write() calls
  // counts) per item, steadier than wall time on a shared machine.
  void report(benchmark::State& state, double items, const char* per) {
    stop();
    if (items > 0) state.counters[std::string("cpu_us/") + per] = cpu_seconds * 1e6 / items;
    if (items > 0) state.counters[std::string("faults/") + per] = minor_faults / items;
    const auto& tap = session->tap().stats();
    const auto& rs = session->runtime().stats();
    if (items > 0) {
      // The runtime's system calls (but its timer's epoll_wait) per item,
      // an upper bound by at most one read per wake-up (realtime.h): a read
      // tried when a wait starts, an epoll_wait and a read per wake-up, its
      // own reads, the writes, one timerfd_settime per timer re-arm, the
      // busy poll's sched_yields; and context switches.
      const double calls = static_cast<double>(rs.waits) + 2.0 * static_cast<double>(rs.wakeups) +
                           static_cast<double>(rs.reads) +
                           static_cast<double>(tap.tx_writes) + static_cast<double>(rs.timer_arms) +
                           static_cast<double>(rs.spin_yields);
      state.counters[std::string("syscalls/") + per] = calls / items;
      state.counters[std::string("empty_reads/") + per] = static_cast<double>(rs.empty_reads) / items;
      state.counters[std::string("wakeups/") + per] = static_cast<double>(rs.wakeups) / items;
      state.counters[std::string("timer_arms/") + per] = static_cast<double>(rs.timer_arms) / items;
      state.counters[std::string("rx_frames/") + per] = static_cast<double>(tap.rx_frames) / items;
      state.counters[std::string("tx_writes/") + per] = static_cast<double>(tap.tx_writes) / items;
      state.counters[std::string("vcsw/") + per] = voluntary_switches / items;
      if (rs.spins > 0) {
        state.counters[std::string("spins/") + per] = static_cast<double>(rs.spins) / items;
        state.counters["spin_hit_ratio"] = static_cast<double>(rs.spin_hits) / static_cast<double>(rs.spins);
      }
      if (rs.probes > 0) {
        state.counters[std::string("probes/") + per] = static_cast<double>(rs.probes) / items;
        state.counters["probe_hit_ratio"] = static_cast<double>(rs.probe_hits) / static_cast<double>(rs.probes);
      }
      state.counters[std::string("ivcsw/") + per] = involuntary_switches / items;
    }
    const auto& tcp = session->host().stack().tcp_stats();
    const double steps = static_cast<double>(session->runtime().steps());
    if (steps > 0) state.counters["rx_frames/step"] = static_cast<double>(tap.rx_frames) / steps;
    state.counters["tx_refused"] = static_cast<double>(tap.tx_refused);
    if (tap.rx_frames > 0) state.counters["tx/rx_frames"] = static_cast<double>(tap.tx_frames) / static_cast<double>(tap.rx_frames);
    state.counters["retrans"] = static_cast<double>(tcp.retrans_segs);
    state.counters["rx_gso"] = static_cast<double>(tap.rx_gso_frames);
    state.counters["tx_gso"] = static_cast<double>(tap.tx_gso_frames);
    state.counters["ofo"] = static_cast<double>(tcp.ofo_queued);
  }
  std::unique_ptr<NetSession> session;
  std::string ns;
  std::thread thread;
  double cpu_seconds = 0;  // the runtime thread's, written before it ends
  double minor_faults = 0;
  double voluntary_switches = 0, involuntary_switches = 0;
};

// ------------------------------------------------------------ benchmarks

// Lifecycles with the blocking client, AsyncLifecycles with the asynchronous one.
enum class Work { KernelToPeer, PeerToKernel, Lifecycles, AsyncLifecycles };

// Figure keys (bench_util.h kRatios): synack with the TAP's offload, synack
// without it (every frame MTU-sized, as lwIP's TAP driver), the kernel; the
// two-CPU layout's keys end in "/2cpu".
std::string key_of(Work w, const char* who) {
  std::string layout = g_cpus == 2 ? "/2cpu" : "";
  switch (w) {
    case Work::KernelToPeer: return std::string("tap/k2s/") + who + layout;
    case Work::PeerToKernel: return std::string("tap/s2k/") + who + layout;
    case Work::Lifecycles: return std::string("tap/lifecycles/") + who + layout;
    case Work::AsyncLifecycles: return std::string("tap/lifecycles_async/") + who + layout;
  }
  return "";
}

// Runs `work` against a server at ip in the client's namespace; sets the
// iteration time and the figures. Returns the items done (lifecycles or
// MB), 0 after reporting an error. `server` is the server side's thread
// (synack's runtime, the kernel's Asio servers), whose CPU time during the
// client's runs gives, with the client's, `lifecycles/cpu_s`: the rate if
// the two had the CPU(s) to themselves (on one CPU, and with nothing else
// running, the wall-time rate is about that), steadier than wall time on a
// shared machine.
double run_work(benchmark::State& state, Work work, const std::string& client_ns, const std::string& ip,
                const std::string& key, std::thread& server) {
  double wall = 0, client_cpu = 0, server_cpu = 0;
  std::size_t bytes = 0;
  std::int64_t cycles = 0;
  for (auto _ : state) {
    double dt = 0;
    ClientRun r;
    const double s0 = thread_cpu_seconds(server);
    if (work == Work::KernelToPeer) r = run_client(client_ns, ip, kDiscardPort, &dt, ClientKind::BulkSend, kBulkBytes);
    if (work == Work::PeerToKernel) r = run_client(client_ns, ip, kChargenPort, &dt, ClientKind::BulkReceive, kBulkBytes);
    if (work == Work::Lifecycles) r = run_client(client_ns, ip, kEchoPort, &dt, ClientKind::SyncLifecycles, kCycles);
    if (work == Work::AsyncLifecycles) r = run_client(client_ns, ip, kEchoPort, &dt, ClientKind::AsyncLifecycles, kCycles);
    server_cpu += thread_cpu_seconds(server) - s0;
    if (!r.failure.empty()) {
      state.SkipWithError(r.failure.c_str());
      return 0;
    }
    state.SetIterationTime(dt);
    wall += dt;
    client_cpu += r.cpu_seconds;
    bytes += r.bytes;
    cycles += r.cycles;
  }
  if (wall <= 0) return 0;
  if (work == Work::Lifecycles || work == Work::AsyncLifecycles) {
    const double rate = static_cast<double>(cycles) / wall;
    state.SetItemsProcessed(cycles);
    state.counters["lifecycles/s"] = rate;
    if (cycles > 0) state.counters["client_cpu_us/lifecycle"] = client_cpu * 1e6 / static_cast<double>(cycles);
    if (cycles > 0) state.counters["server_cpu_us/lifecycle"] = server_cpu * 1e6 / static_cast<double>(cycles);
    if (server_cpu + client_cpu > 0) {
      // And its ratio, x_kernel_veth_cpu, on the synack rows.
      const double cpu_rate = static_cast<double>(cycles) / (server_cpu + client_cpu);
      state.counters["lifecycles/cpu_s"] = cpu_rate;
      const std::string veth_key = key_of(work, "kernel_veth") + "/cpu_s";
      bench::figures()[key + "/cpu_s"] = cpu_rate;
      if (key + "/cpu_s" != veth_key) bench::ratio_counter(state, "x_kernel_veth_cpu", key + "/cpu_s", veth_key);
    }
    bench::record_figure(state, key, rate);
    // The async rows' ratio (bench_util.h's kRatios lists the default rows').
    if (work == Work::AsyncLifecycles && key != key_of(work, "kernel_veth"))
      bench::ratio_counter(state, "x_kernel_veth", key, key_of(work, "kernel_veth"));
    return static_cast<double>(cycles);
  }
  const double gbps = static_cast<double>(bytes) * 8 / 1e9 / wall;
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["MB/s"] = static_cast<double>(bytes) / 1e6 / wall;
  state.counters["Gbit/s"] = gbps;
  if (bytes > 0) state.counters["client_cpu_us/MB"] = client_cpu * 1e6 / (static_cast<double>(bytes) / 1e6);
  if (bytes > 0) state.counters["server_cpu_us/MB"] = server_cpu * 1e6 / (static_cast<double>(bytes) / 1e6);
  bench::record_figure(state, key, gbps);
  return static_cast<double>(bytes) / 1e6;
}

void veth_bench(benchmark::State& state, Work work) {
  g_cpus = static_cast<int>(state.range(0));
  VethPair v;
  std::string why;
  if (!v.open(&why)) {
    for (auto _ : state) state.SkipWithError(("skipped: " + why).c_str());
    return;
  }
  (void)run_work(state, work, v.b.name(), "10.211.0.1", key_of(work, "kernel_veth"), v.servers.thread());
}

void tap_bench(benchmark::State& state, Work work) {
  const bool offload = state.range(0) != 0;
  g_cpus = static_cast<int>(state.range(1));
  SynackPeer peer;
  std::string why;
  const auto busy_poll_us = static_cast<std::uint32_t>(state.range(2));
  if (!peer.open(offload, busy_poll_us, &why)) {
    for (auto _ : state) state.SkipWithError(("skipped: " + why).c_str());
    return;
  }
  double items = run_work(state, work, peer.ns, "10.210.0.2", key_of(work, !offload ? "synack_plain" : busy_poll_us != 0 ? "synack_busypoll" : "synack"),
                         peer.thread);
  if (items > 0) peer.report(state, items, work == Work::KernelToPeer || work == Work::PeerToKernel ? "MB" : "lifecycle");
}

void BM_VethKernelToKernel(benchmark::State& state) { veth_bench(state, Work::KernelToPeer); }
void BM_VethKernelFromKernel(benchmark::State& state) { veth_bench(state, Work::PeerToKernel); }
void BM_VethKernelLifecycles(benchmark::State& state) { veth_bench(state, Work::Lifecycles); }
void BM_TapKernelToSynack(benchmark::State& state) { tap_bench(state, Work::KernelToPeer); }
void BM_TapSynackToKernel(benchmark::State& state) { tap_bench(state, Work::PeerToKernel); }
void BM_TapConnectionLifecycles(benchmark::State& state) { tap_bench(state, Work::Lifecycles); }
void BM_VethKernelLifecyclesAsync(benchmark::State& state) { veth_bench(state, Work::AsyncLifecycles); }
void BM_TapConnectionLifecyclesAsync(benchmark::State& state) { tap_bench(state, Work::AsyncLifecycles); }

// cpus: 1 every thread on one CPU, 2 server and client each on its own.
BENCHMARK(BM_VethKernelToKernel)->ArgName("cpus")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);
BENCHMARK(BM_VethKernelFromKernel)->ArgName("cpus")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);
BENCHMARK(BM_VethKernelLifecycles)->ArgName("cpus")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(2);
// busy_poll: the runtime's busy-poll budget in µs (--busy-poll; 0 off, the default).
BENCHMARK(BM_TapKernelToSynack)->ArgNames({"offload", "cpus", "busy_poll"})
    ->Args({1, 1, 0})->Args({0, 1, 0})->Args({1, 2, 0})->Args({0, 2, 0})->Args({1, 1, 50})->Args({1, 2, 50})
    ->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);
BENCHMARK(BM_TapSynackToKernel)->ArgNames({"offload", "cpus", "busy_poll"})
    ->Args({1, 1, 0})->Args({0, 1, 0})->Args({1, 2, 0})->Args({0, 2, 0})->Args({1, 1, 50})->Args({1, 2, 50})
    ->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);
BENCHMARK(BM_TapConnectionLifecycles)->ArgNames({"offload", "cpus", "busy_poll"})
    ->Args({1, 1, 0})->Args({1, 2, 0})->Args({1, 1, 50})->Args({1, 2, 50})
    ->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(2);
// The asynchronous client's lifecycles, one CPU only (the comparison; ratio
// against the kernel with the same client).
BENCHMARK(BM_VethKernelLifecyclesAsync)->Name("BM_VethKernelLifecycles/client:async")->ArgName("cpus")->Arg(1)
    ->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(2);
BENCHMARK(BM_TapConnectionLifecyclesAsync)->Name("BM_TapConnectionLifecycles/client:async")
    ->ArgNames({"offload", "cpus", "busy_poll"})->Args({1, 1, 0})
    ->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(2);

}  // namespace
}  // namespace synack::harness

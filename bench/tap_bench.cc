// Real-time throughput of synack on a TAP against the Linux kernel in a
// private namespace, and the kernel against itself over a veth pair (MTU
// 1500, offloads off) for the ratio. Needs root: every benchmark reports an
// error and does nothing otherwise. Bytes are counted at the application.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include "harness/runtime/apps.h"
#include "harness/runtime/netns.h"
#include "harness/runtime/session.h"

namespace synack::harness {
namespace {

constexpr std::size_t kBulkBytes = 64u << 20;

sockaddr_in sin_of(const char* ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

int connect_to(const char* ip, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto a = sin_of(ip, port);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::size_t send_bytes(int fd, std::size_t total) {
  std::vector<char> buf(65536, 'x');
  std::size_t sent = 0;
  while (sent < total) {
    ssize_t n = ::send(fd, buf.data(), std::min(buf.size(), total - sent), MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  return sent;
}

std::size_t recv_bytes(int fd, std::size_t total) {
  std::vector<char> buf(65536);
  std::size_t got = 0;
  while (got < total) {
    ssize_t n = ::recv(fd, buf.data(), std::min(buf.size(), total - got), 0);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

// synack at 10.210.0.2 serving echo, discard and chargen; the kernel at .1.
struct SynackPeer {
  bool open(std::string* why) {
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
    auto s = NetSession::open(a);
    if (!s) {
      *why = s.error();
      return false;
    }
    session = std::move(*s);
    auto& rt = session->runtime();
    rt.run_app<EchoServer>(session->host(), 7);
    rt.run_app<DiscardServer>(session->host(), 9);
    rt.run_app<ChargenServer>(session->host(), 19);
    ns = a.netns;
    thread = std::thread([this] { session->runtime().run(); });
    return true;
  }
  ~SynackPeer() {
    if (thread.joinable()) {
      session->runtime().stop();
      thread.join();
    }
  }
  std::unique_ptr<NetSession> session;
  std::string ns;
  std::thread thread;
};

template <class F>
void in_ns(const std::string& ns, F&& f) {
  (void)run_thread_in_netns(ns, std::forward<F>(f));
}

void BM_TapKernelToSynack(benchmark::State& state) {
  SynackPeer peer;
  std::string why;
  if (!peer.open(&why)) return state.SkipWithError(("needs root: " + why).c_str());
  std::size_t total = 0;
  for (auto _ : state) {
    in_ns(peer.ns, [&] {
      int fd = connect_to("10.210.0.2", 9);
      if (fd < 0) return;
      total += send_bytes(fd, kBulkBytes);
      ::close(fd);
    });
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(total));
}

void BM_TapSynackToKernel(benchmark::State& state) {
  SynackPeer peer;
  std::string why;
  if (!peer.open(&why)) return state.SkipWithError(("needs root: " + why).c_str());
  std::size_t total = 0;
  for (auto _ : state) {
    in_ns(peer.ns, [&] {
      int fd = connect_to("10.210.0.2", 19);
      if (fd < 0) return;
      total += recv_bytes(fd, kBulkBytes);
      ::close(fd);
    });
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(total));
}

void BM_TapConnectionLifecycles(benchmark::State& state) {
  SynackPeer peer;
  std::string why;
  if (!peer.open(&why)) return state.SkipWithError(("needs root: " + why).c_str());
  std::int64_t cycles = 0, failures = 0;
  for (auto _ : state) {
    in_ns(peer.ns, [&] {
      for (int i = 0; i < 1000; ++i) {
        int fd = connect_to("10.210.0.2", 7);
        char b[16] = "ping";
        bool ok = fd >= 0 && ::send(fd, b, 4, MSG_NOSIGNAL) == 4 && recv_bytes(fd, 4) == 4;
        if (fd >= 0) ::close(fd);
        ++cycles;
        failures += !ok;
      }
    });
  }
  state.SetItemsProcessed(cycles);
  state.counters["failures"] = static_cast<double>(failures);
}

// Two namespaces joined by a veth pair, offloads off, MTU 1500.
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
    return true;
  }
  NetnsGuard a, b;  // deleting the namespaces removes the veth pair
};

void BM_VethKernelToKernel(benchmark::State& state) {
  VethPair v;
  std::string why;
  if (!v.open(&why)) return state.SkipWithError(("needs root: " + why).c_str());
  std::size_t total = 0;
  for (auto _ : state) {
    std::atomic<bool> listening{false};
    std::thread server([&] {
      if (!enter_netns(v.a.name())) return;
      int l = ::socket(AF_INET, SOCK_STREAM, 0);
      int one = 1;
      ::setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      auto addr = sin_of("10.211.0.1", 5001);
      ::bind(l, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      ::listen(l, 4);
      listening = true;
      int c = ::accept(l, nullptr, nullptr);
      if (c >= 0) total += recv_bytes(c, kBulkBytes);
      if (c >= 0) ::close(c);
      ::close(l);
    });
    while (!listening) std::this_thread::yield();
    in_ns(v.b.name(), [&] {
      int fd = connect_to("10.211.0.1", 5001);
      if (fd >= 0) {
        send_bytes(fd, kBulkBytes);
        ::close(fd);
      }
    });
    server.join();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(total));
}

BENCHMARK(BM_TapKernelToSynack)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_TapSynackToKernel)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_TapConnectionLifecycles)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK(BM_VethKernelToKernel)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
}  // namespace synack::harness

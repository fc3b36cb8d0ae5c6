// The Linux kernel on the same workloads as the simulation benchmarks, in the
// same binary and run, so synack's figures have a reference measured on the
// same machine at the same moment:
//  - BM_KernelLifecycles: connect, one byte each way, close (the client shuts
//    down its side and waits for the server's FIN, so both sides are done);
//    one at a time and 64 in flight. Clients and the server are epoll loops
//    on two threads.
//  - BM_KernelBulk: one connection, the client writes, the server reads and
//    counts; goodput over the wall time until the last byte was read.
// Both run over loopback (127.0.0.1, MTU 65536) and, when root, over a veth
// pair between two network namespaces (MTU 1500 or 9000, checksum/TSO/GSO/GRO
// offloads off, so every segment is a real wire-sized segment). The
// namespaces get unique names (synack-bench-<pid>-a/b) and addresses in
// 10.201.<pid % 256>.0/24; they are removed afterwards, also on failure and
// on SIGINT/SIGTERM.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"

namespace synack::bench {
namespace {

// ------------------------------------------------------------ namespaces

// Runs a shell command; true on exit status 0.
bool sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

std::string offload_tool() {
  if (sh("command -v ethtool")) return "ethtool";
  // corpus/offload_off.py, found from the working directory or next to the
  // source tree the binary was built in (build/<preset>/bin/synack_bench).
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  for (std::filesystem::path p : {std::filesystem::current_path(ec), dir, dir.parent_path(),
                                  dir.parent_path().parent_path(), dir.parent_path().parent_path().parent_path()}) {
    if (std::filesystem::exists(p / "corpus/offload_off.py", ec)) return "python3 " + (p / "corpus/offload_off.py").string();
  }
  return "";
}

class VethPair;
VethPair* g_active = nullptr;  // for the signal handler

// Two namespaces joined by a veth pair: a = 10.201.x.1, b = 10.201.x.2.
class VethPair {
 public:
  explicit VethPair(int mtu) {
    const int pid = static_cast<int>(getpid());
    ns_a_ = "synack-bench-" + std::to_string(pid) + "-a";
    ns_b_ = "synack-bench-" + std::to_string(pid) + "-b";
    if_a_ = "sbv" + std::to_string(pid) + "a";
    if_b_ = "sbv" + std::to_string(pid) + "b";
    const std::string net = "10.201." + std::to_string(pid % 256) + ".";
    addr_a_ = net + "1";
    addr_b_ = net + "2";
    g_active = this;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    const std::string tool = offload_tool();
    if (tool.empty()) {
      error_ = "neither ethtool nor corpus/offload_off.py found";
      return;
    }
    const std::string m = std::to_string(mtu);
    const std::vector<std::string> steps = {
        "ip netns add " + ns_a_,
        "ip netns add " + ns_b_,
        "ip link add " + if_a_ + " type veth peer name " + if_b_,
        "ip link set " + if_a_ + " netns " + ns_a_,
        "ip link set " + if_b_ + " netns " + ns_b_,
        "ip -n " + ns_a_ + " addr add " + addr_a_ + "/24 dev " + if_a_,
        "ip -n " + ns_b_ + " addr add " + addr_b_ + "/24 dev " + if_b_,
        "ip -n " + ns_a_ + " link set dev " + if_a_ + " mtu " + m + " up",
        "ip -n " + ns_b_ + " link set dev " + if_b_ + " mtu " + m + " up",
        "ip -n " + ns_a_ + " link set dev lo up",
        "ip -n " + ns_b_ + " link set dev lo up",
        "ip netns exec " + ns_a_ + " " + offload_cmd(tool, if_a_),
        "ip netns exec " + ns_b_ + " " + offload_cmd(tool, if_b_),
    };
    for (const auto& s : steps) {
      if (!sh(s)) {
        error_ = "failed: " + s;
        return;
      }
    }
    fd_a_ = open(("/var/run/netns/" + ns_a_).c_str(), O_RDONLY | O_CLOEXEC);
    fd_b_ = open(("/var/run/netns/" + ns_b_).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_a_ < 0 || fd_b_ < 0) error_ = "cannot open the namespaces";
  }
  ~VethPair() {
    if (fd_a_ >= 0) close(fd_a_);
    if (fd_b_ >= 0) close(fd_b_);
    cleanup();
    g_active = nullptr;
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
  VethPair(const VethPair&) = delete;
  VethPair& operator=(const VethPair&) = delete;

  const std::string& error() const noexcept { return error_; }
  int ns_a() const noexcept { return fd_a_; }
  int ns_b() const noexcept { return fd_b_; }
  const std::string& addr_a() const noexcept { return addr_a_; }

 private:
  static std::string offload_cmd(const std::string& tool, const std::string& ifname) {
    if (tool == "ethtool") return "ethtool -K " + ifname + " rx off tx off sg off tso off gso off gro off";
    return tool + " " + ifname;
  }
  void cleanup() {
    // Deleting a namespace destroys the veth end inside it and so the pair;
    // the link delete covers a failure before the ends were moved.
    sh("ip netns del " + ns_a_);
    sh("ip netns del " + ns_b_);
    sh("ip link del " + if_a_);
  }
  static void on_signal(int sig) {
    if (g_active != nullptr) g_active->cleanup();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }

  std::string ns_a_, ns_b_, if_a_, if_b_, addr_a_, addr_b_, error_;
  int fd_a_ = -1;
  int fd_b_ = -1;
};

// Runs `f` with this thread in network namespace `ns` (-1: stay), then
// returns to the thread's original namespace.
template <class F>
auto in_netns(int ns, F&& f) {
  if (ns < 0) return f();
  int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  (void)setns(ns, CLONE_NEWNET);
  auto r = f();
  (void)setns(self, CLONE_NEWNET);
  close(self);
  return r;
}

// ------------------------------------------------------------ peers

sockaddr_in make_addr(const std::string& ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

int listen_socket(const std::string& ip) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = make_addr(ip, 0);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 4096) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t local_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// An epoll server on its own thread: accepts, and per connection either
// echoes one byte for every read (lifecycles) or only counts (bulk); closes
// at end of stream.
class Server {
 public:
  Server(int listen_fd, bool echo) : lfd_(listen_fd), echo_(echo), stop_(eventfd(0, EFD_CLOEXEC)) {
    thread_ = std::thread([this] { loop(); });
  }
  ~Server() {
    std::uint64_t one = 1;
    (void)write(stop_, &one, sizeof one);
    thread_.join();
    close(stop_);
    close(lfd_);
  }
  std::uint64_t received() const noexcept { return received_.load(std::memory_order_acquire); }

 private:
  void loop() {
    int ep = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = lfd_;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd_, &ev);
    ev.data.fd = stop_;
    epoll_ctl(ep, EPOLL_CTL_ADD, stop_, &ev);
    std::vector<char> buf(1 << 18);
    epoll_event evs[128];
    for (;;) {
      int n = epoll_wait(ep, evs, 128, -1);
      for (int i = 0; i < n; ++i) {
        int fd = evs[i].data.fd;
        if (fd == stop_) {
          close(ep);
          return;
        }
        if (fd == lfd_) {
          int c;
          while ((c = accept4(lfd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
            epoll_event cev{};
            cev.events = EPOLLIN;
            cev.data.fd = c;
            epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
          }
          continue;
        }
        for (;;) {
          ssize_t r = read(fd, buf.data(), buf.size());
          if (r > 0) {
            received_.fetch_add(static_cast<std::uint64_t>(r), std::memory_order_release);
            if (echo_) (void)!write(fd, "y", 1);
            if (echo_ || static_cast<std::size_t>(r) < buf.size()) break;
            continue;
          }
          if (r == 0 || (errno != EAGAIN && errno != EINTR)) close(fd);  // also leaves the epoll set
          break;
        }
      }
    }
  }

  int lfd_;
  bool echo_;
  int stop_;
  std::atomic<std::uint64_t> received_{0};
  std::thread thread_;
};

// Runs `count` lifecycles against `dst` with `parallel` in flight (epoll,
// non-blocking). Returns false on a failure.
bool client_lifecycles(const sockaddr_in& dst, std::size_t parallel, std::size_t count) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct Conn {
    int phase = 0;  // 0 connecting, 1 awaiting reply, 2 awaiting EOF
  };
  std::vector<Conn> conns(1 << 16);
  std::size_t started = 0;
  std::size_t done = 0;
  std::size_t active = 0;
  bool ok = true;
  auto start = [&] {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || static_cast<std::size_t>(fd) >= conns.size()) return false;
    int r = connect(fd, reinterpret_cast<const sockaddr*>(&dst), sizeof dst);
    if (r != 0 && errno != EINPROGRESS) return false;
    conns[static_cast<std::size_t>(fd)].phase = 0;
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    ++started;
    ++active;
    return true;
  };
  epoll_event evs[128];
  char buf[16];
  while (ok && done < count) {
    while (active < parallel && started < count) {
      if (!start()) {
        ok = false;
        break;
      }
    }
    int n = epoll_wait(ep, evs, 128, 5000);
    if (n <= 0) ok = false;
    for (int i = 0; ok && i < n; ++i) {
      int fd = evs[i].data.fd;
      Conn& c = conns[static_cast<std::size_t>(fd)];
      if (c.phase == 0) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || write(fd, "x", 1) != 1) {
          ok = false;
          break;
        }
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
        c.phase = 1;
      } else {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EAGAIN) continue;
        if (c.phase == 1 && r == 1) {
          shutdown(fd, SHUT_WR);
          c.phase = 2;
        } else if (c.phase == 2 && r == 0) {
          close(fd);
          --active;
          ++done;
        } else {
          ok = false;
        }
      }
    }
  }
  close(ep);
  return ok;
}

// Writes `total` bytes to `dst` and waits until the server counted them.
bool client_bulk(const sockaddr_in& dst, const Server& server, std::size_t total) {
  const std::uint64_t before = server.received();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&dst), sizeof dst) != 0) {
    close(fd);
    return false;
  }
  std::vector<char> buf(1 << 18, 'z');
  std::size_t sent = 0;
  while (sent < total) {
    ssize_t r = write(fd, buf.data(), std::min(buf.size(), total - sent));
    if (r <= 0) {
      close(fd);
      return false;
    }
    sent += static_cast<std::size_t>(r);
  }
  while (server.received() - before < total) std::this_thread::yield();
  close(fd);
  return true;
}

// ------------------------------------------------------------ benchmarks

// Where a workload runs: loopback in this namespace, or across the veth pair
// (server in a, client in b).
struct Path {
  std::unique_ptr<VethPair> veth;
  std::string server_ip = "127.0.0.1";
  int server_ns = -1;
  int client_ns = -1;
  std::string error;
};

Path make_path(bool veth, int mtu) {
  Path p;
  if (!veth) return p;
  if (geteuid() != 0) {
    p.error = "skipped: the veth pair needs root";
    return p;
  }
  p.veth = std::make_unique<VethPair>(mtu);
  if (!p.veth->error().empty()) {
    p.error = p.veth->error();
    return p;
  }
  p.server_ip = p.veth->addr_a();
  p.server_ns = p.veth->ns_a();
  p.client_ns = p.veth->ns_b();
  return p;
}

void BM_KernelLifecycles(benchmark::State& state) {
  const auto parallel = static_cast<std::size_t>(state.range(0));
  const bool veth = state.range(1) != 0;
  constexpr std::size_t kBatch = 250;
  Path path = make_path(veth, 1500);
  if (!path.error.empty()) {
    for (auto _ : state) state.SkipWithError(path.error.c_str());
    return;
  }
  int lfd = in_netns(path.server_ns, [&] { return listen_socket(path.server_ip); });
  if (lfd < 0) {
    for (auto _ : state) state.SkipWithError("listen failed");
    return;
  }
  const sockaddr_in dst = make_addr(path.server_ip, local_port(lfd));
  double wall = 0;
  {
    Server server(lfd, true);
    for (auto _ : state) {
      const double t0 = wall_seconds();
      bool ok = in_netns(path.client_ns, [&] { return client_lifecycles(dst, parallel, kBatch); });
      const double dt = wall_seconds() - t0;
      if (!ok) {
        state.SkipWithError("lifecycle failed");
        break;
      }
      state.SetIterationTime(dt);
      wall += dt;
    }
  }
  if (state.iterations() == 0 || wall <= 0 || state.error_occurred()) return;
  const double count = static_cast<double>(state.iterations() * kBatch);
  const double rate = count / wall;
  state.SetItemsProcessed(static_cast<std::int64_t>(count));
  state.counters["lifecycles/s"] = rate;
  record_figure(state,
                std::string("lifecycles/") + (parallel == 1 ? "seq" : "par") + (veth ? "/kernel_veth" : "/kernel_loopback"),
                rate);
}
BENCHMARK(BM_KernelLifecycles)
    ->ArgNames({"parallel", "veth"})
    ->Args({1, 0})
    ->Args({64, 0})
    ->Args({1, 1})
    ->Args({64, 1})
    ->Iterations(4)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_KernelBulk(benchmark::State& state) {
  const int mtu = static_cast<int>(state.range(0));  // 0: loopback
  const bool veth = mtu != 0;
  const std::size_t total = std::size_t{64} << 20;
  Path path = make_path(veth, mtu);
  if (!path.error.empty()) {
    for (auto _ : state) state.SkipWithError(path.error.c_str());
    return;
  }
  int lfd = in_netns(path.server_ns, [&] { return listen_socket(path.server_ip); });
  if (lfd < 0) {
    for (auto _ : state) state.SkipWithError("listen failed");
    return;
  }
  const sockaddr_in dst = make_addr(path.server_ip, local_port(lfd));
  double wall = 0;
  {
    Server server(lfd, false);
    for (auto _ : state) {
      const double t0 = wall_seconds();
      bool ok = in_netns(path.client_ns, [&] { return client_bulk(dst, server, total); });
      const double dt = wall_seconds() - t0;
      if (!ok) {
        state.SkipWithError("transfer failed");
        break;
      }
      state.SetIterationTime(dt);
      wall += dt;
    }
  }
  if (state.iterations() == 0 || wall <= 0 || state.error_occurred()) return;
  const double bytes = static_cast<double>(state.iterations()) * static_cast<double>(total);
  const double gbps = bytes * 8 / 1e9 / wall;
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["Gbit/s"] = gbps;
  record_figure(state, veth ? "bulk/" + std::to_string(mtu) + "/kernel_veth" : "bulk/kernel_loopback", gbps);
}
BENCHMARK(BM_KernelBulk)->ArgName("veth_mtu")->Arg(0)->Arg(1500)->Arg(9000)->Iterations(3)->UseManualTime()->Unit(
    benchmark::kMillisecond);

}  // namespace
}  // namespace synack::bench

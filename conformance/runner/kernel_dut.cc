// The kernel DUT (see kernel_dut.h): a private network namespace, a TAP
// device, a syscall worker thread inside the namespace and a frame reader.
#include "conformance/runner/kernel_dut.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

namespace synack::conformance {

namespace {

constexpr char kTapName[] = "synack0";
constexpr wire::MacAddress kKernelMac{{0x02, 0x4b, 0x45, 0x52, 0x4e, 0x01}};

using Clock = std::chrono::steady_clock;

CallResult from_sys(long long r) { return r < 0 ? CallResult{-1, errno, false} : CallResult{r, 0, false}; }

sockaddr_in sin_of(wire::Ipv4Address a, std::uint16_t port) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = htons(port);
  s.sin_addr.s_addr = htonl(a.value);
  return s;
}

// Real POSIX calls; runs on the worker thread (inside the namespace).
class PosixSocketApi final : public SocketApi {
 public:
  CallResult socket(int domain, int type, int protocol) override { return track(::socket(domain, type, protocol)); }
  CallResult bind(int fd, wire::Ipv4Address a, std::uint16_t port) override {
    sockaddr_in s = sin_of(a, port);
    return from_sys(::bind(fd, reinterpret_cast<sockaddr*>(&s), sizeof s));
  }
  CallResult connect(int fd, wire::Ipv4Address a, std::uint16_t port) override {
    sockaddr_in s = sin_of(a, port);
    return from_sys(::connect(fd, reinterpret_cast<sockaddr*>(&s), sizeof s));
  }
  CallResult listen(int fd, int backlog) override { return from_sys(::listen(fd, backlog)); }
  CallResult accept(int fd) override { return track(::accept(fd, nullptr, nullptr)); }
  CallResult read(int fd, std::size_t len) override {
    Bytes b(len);
    return from_sys(::read(fd, b.data(), len));
  }
  CallResult write(int fd, std::size_t len) override {
    Bytes b(len, 'x');
    return from_sys(::send(fd, b.data(), len, MSG_NOSIGNAL));
  }
  CallResult send_bytes(int fd, ConstBytes data) override {
    return from_sys(::send(fd, data.data(), data.size(), MSG_NOSIGNAL));
  }
  CallResult recv_bytes(int fd, std::size_t max, Bytes& out) override {
    out.resize(max);
    ssize_t n = ::recv(fd, out.data(), max, 0);
    CallResult r = from_sys(n);
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return r;
  }
  std::optional<std::pair<wire::Ipv4Address, std::uint16_t>> peer_name(int fd) override {
    sockaddr_in s{};
    socklen_t len = sizeof s;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&s), &len) != 0 || s.sin_family != AF_INET) return std::nullopt;
    return std::make_pair(wire::Ipv4Address{ntohl(s.sin_addr.s_addr)}, ntohs(s.sin_port));
  }
  CallResult sendto(int fd, std::size_t len, wire::Ipv4Address a, std::uint16_t port) override {
    Bytes b(len, 'x');
    sockaddr_in s = sin_of(a, port);
    return from_sys(::sendto(fd, b.data(), len, MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&s), sizeof s));
  }
  CallResult sendto_bytes(int fd, ConstBytes data, wire::Ipv4Address a, std::uint16_t port) override {
    sockaddr_in s = sin_of(a, port);
    return from_sys(
        ::sendto(fd, data.data(), data.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&s), sizeof s));
  }
  CallResult recvfrom_bytes(int fd, std::size_t max, Bytes& out,
                            std::pair<wire::Ipv4Address, std::uint16_t>& from) override {
    out.resize(max);
    sockaddr_in s{};
    socklen_t len = sizeof s;
    ssize_t n = ::recvfrom(fd, out.data(), max, 0, reinterpret_cast<sockaddr*>(&s), &len);
    CallResult r = from_sys(n);
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    if (n >= 0) from = {wire::Ipv4Address{ntohl(s.sin_addr.s_addr)}, ntohs(s.sin_port)};
    return r;
  }
  CallResult recvfrom(int fd, std::size_t len) override {
    Bytes b(len);
    return from_sys(::recvfrom(fd, b.data(), len, 0, nullptr, nullptr));
  }
  CallResult shutdown(int fd, int how) override { return from_sys(::shutdown(fd, how)); }
  CallResult close(int fd) override {
    {
      std::lock_guard lock(mu_);
      fds_.erase(fd);
    }
    return from_sys(::close(fd));
  }
  CallResult setsockopt(int fd, int level, int name, const OptValue& v) override {
    if (v.kind == OptValue::Kind::Linger) {
      linger l{v.l_onoff, v.l_linger};
      return from_sys(::setsockopt(fd, level, name, &l, sizeof l));
    }
    if (v.kind == OptValue::Kind::Text)
      return from_sys(::setsockopt(fd, level, name, v.text.data(), static_cast<socklen_t>(v.text.size())));
    int i = v.integer;
    return from_sys(::setsockopt(fd, level, name, &i, sizeof i));
  }
  CallResult getsockopt(int fd, int level, int name, OptValue& out) override {
    if (level == IPPROTO_TCP && name == TCP_CONGESTION) {
      char buf[32] = {};
      socklen_t len = sizeof buf - 1;
      CallResult r = from_sys(::getsockopt(fd, level, name, buf, &len));
      out.kind = OptValue::Kind::Text;
      out.text = buf;
      return r;
    }
    if (level == SOL_SOCKET && name == SO_LINGER) {
      linger l{};
      socklen_t len = sizeof l;
      CallResult r = from_sys(::getsockopt(fd, level, name, &l, &len));
      out.kind = OptValue::Kind::Linger;
      out.l_onoff = l.l_onoff;
      out.l_linger = l.l_linger;
      return r;
    }
    int i = 0;
    socklen_t len = sizeof i;
    CallResult r = from_sys(::getsockopt(fd, level, name, &i, &len));
    out.kind = OptValue::Kind::Int;
    out.integer = i;
    return r;
  }
  CallResult fcntl(int fd, int cmd, long arg) override { return from_sys(::fcntl(fd, cmd, arg)); }
  CallResult poll(std::vector<PollFd>& fds, int timeout_ms) override {
    std::vector<pollfd> p;
    for (const auto& f : fds) p.push_back(pollfd{f.fd, f.events, 0});
    CallResult r = from_sys(::poll(p.data(), p.size(), timeout_ms));
    for (std::size_t i = 0; i < p.size(); ++i) fds[i].revents = p[i].revents;
    return r;
  }
  CallResult ioctl_fionread(int fd, int& out) override { return from_sys(::ioctl(fd, FIONREAD, &out)); }
  std::optional<std::map<std::string, long long>> tcp_info(int fd) override {
    struct tcp_info i {};
    socklen_t len = sizeof i;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &i, &len) != 0) return std::nullopt;
    std::map<std::string, long long> m;
    m["tcpi_state"] = i.tcpi_state;
    m["tcpi_ca_state"] = i.tcpi_ca_state;
    m["tcpi_retransmits"] = i.tcpi_retransmits;
    m["tcpi_probes"] = i.tcpi_probes;
    m["tcpi_backoff"] = i.tcpi_backoff;
    m["tcpi_options"] = i.tcpi_options;
    m["tcpi_snd_wscale"] = i.tcpi_snd_wscale;
    m["tcpi_rcv_wscale"] = i.tcpi_rcv_wscale;
    m["tcpi_rto"] = i.tcpi_rto;
    m["tcpi_ato"] = i.tcpi_ato;
    m["tcpi_snd_mss"] = i.tcpi_snd_mss;
    m["tcpi_rcv_mss"] = i.tcpi_rcv_mss;
    m["tcpi_unacked"] = i.tcpi_unacked;
    m["tcpi_sacked"] = i.tcpi_sacked;
    m["tcpi_lost"] = i.tcpi_lost;
    m["tcpi_retrans"] = i.tcpi_retrans;
    m["tcpi_rtt"] = i.tcpi_rtt;
    m["tcpi_rttvar"] = i.tcpi_rttvar;
    m["tcpi_snd_ssthresh"] = i.tcpi_snd_ssthresh;
    m["tcpi_snd_cwnd"] = i.tcpi_snd_cwnd;
    m["tcpi_advmss"] = i.tcpi_advmss;
    m["tcpi_reordering"] = i.tcpi_reordering;
    m["tcpi_total_retrans"] = i.tcpi_total_retrans;
    return m;
  }

  // Unblocks any call blocked on our sockets (from another thread).
  void shutdown_all() {
    std::lock_guard lock(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }
  void close_all() {
    std::lock_guard lock(mu_);
    for (int fd : fds_) ::close(fd);
    fds_.clear();
  }

 private:
  CallResult track(int fd) {
    CallResult r = from_sys(fd);
    if (fd >= 0) {
      std::lock_guard lock(mu_);
      fds_.insert(fd);
    }
    return r;
  }
  std::mutex mu_;
  std::set<int> fds_;
};

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  return static_cast<bool>(f);
}

// Runs on the worker thread after unshare(): TAP up with addresses, routes and neighbours.
std::string setup_network(int& tap_fd, const DutNetwork& net) {
  // No IPv6 at all on the TAP: no router solicitations or MLD reports.
  write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
  write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
  if (net.packetdrill_sysctls) {
    // packetdrill's reference settings: receive buffers that give wscale 7.
    write_file("/proc/sys/net/ipv4/tcp_rmem", "4096 131072 6291456");
    write_file("/proc/sys/net/core/rmem_max", "212992");
  }
  tap_fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (tap_fd < 0) return std::string("open /dev/net/tun: ") + std::strerror(errno);
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::strncpy(ifr.ifr_name, kTapName, IFNAMSIZ - 1);
  if (::ioctl(tap_fd, TUNSETIFF, &ifr) != 0) return std::string("TUNSETIFF: ") + std::strerror(errno);
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return std::string("socket: ") + std::strerror(errno);
  auto fail = [s](const char* what) {
    std::string e = std::string(what) + ": " + std::strerror(errno);
    ::close(s);
    return e;
  };
  ifreq r{};
  std::strncpy(r.ifr_name, kTapName, IFNAMSIZ - 1);
  r.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  wire::MacAddress mac = net.dut_mac.value_or(kKernelMac);
  std::memcpy(r.ifr_hwaddr.sa_data, mac.octets.data(), 6);
  if (::ioctl(s, SIOCSIFHWADDR, &r) != 0) return fail("SIOCSIFHWADDR");
  auto set_addr = [&](unsigned long req, wire::Ipv4Address a) {
    ifreq q{};
    std::strncpy(q.ifr_name, kTapName, IFNAMSIZ - 1);
    sockaddr_in sin = sin_of(a, 0);
    std::memcpy(&q.ifr_addr, &sin, sizeof sin);
    return ::ioctl(s, req, &q) == 0;
  };
  if (!set_addr(SIOCSIFADDR, net.dut.address)) return fail("SIOCSIFADDR");
  if (!set_addr(SIOCSIFNETMASK, wire::Ipv4Address{net.dut.mask()})) return fail("SIOCSIFNETMASK");
  ifreq up{};
  std::strncpy(up.ifr_name, kTapName, IFNAMSIZ - 1);
  up.ifr_flags = IFF_UP | IFF_RUNNING;
  if (::ioctl(s, SIOCSIFFLAGS, &up) != 0) return fail("SIOCSIFFLAGS");
  for (const auto& route : net.onlink_routes) {
    rtentry rt{};
    sockaddr_in dst = sin_of(route.network(), 0);
    sockaddr_in mask = sin_of(wire::Ipv4Address{route.mask()}, 0);
    std::memcpy(&rt.rt_dst, &dst, sizeof dst);
    std::memcpy(&rt.rt_genmask, &mask, sizeof mask);
    char dev[IFNAMSIZ] = {};
    std::strncpy(dev, kTapName, IFNAMSIZ - 1);
    rt.rt_dev = dev;
    rt.rt_flags = RTF_UP | (route.prefix_len == 32 ? RTF_HOST : 0);
    if (::ioctl(s, SIOCADDRT, &rt) != 0) return fail("SIOCADDRT");
  }
  for (const auto& [ip, hw] : net.neighbours) {
    arpreq arp{};
    sockaddr_in pa = sin_of(ip, 0);
    std::memcpy(&arp.arp_pa, &pa, sizeof pa);
    arp.arp_ha.sa_family = ARPHRD_ETHER;
    std::memcpy(arp.arp_ha.sa_data, hw.octets.data(), 6);
    arp.arp_flags = ATF_PERM | ATF_COM;
    std::strncpy(arp.arp_dev, kTapName, sizeof arp.arp_dev - 1);
    if (::ioctl(s, SIOCSARP, &arp) != 0) return fail("SIOCSARP");
  }
  ::close(s);
  return "";
}

class KernelDut final : public Dut {
 public:
  explicit KernelDut(DutNetwork net) : net_(std::move(net)), start_(Clock::now()) {}
  ~KernelDut() override {
    api_.shutdown_all();
    post([this] { api_.close_all(); });
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
    if (reader_.joinable()) reader_.join();
    if (tap_fd_ >= 0) ::close(tap_fd_);
  }

  // Starts the threads; returns "" or the reason it failed.
  std::string start(bool& skip) {
    std::string err;
    bool ready = false;
    worker_ = std::thread([this, &err, &ready, &skip] {
      std::string e;
      if (::unshare(CLONE_NEWNET) != 0) {
        skip = errno == EPERM;
        e = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      } else {
        e = setup_network(tap_fd_, net_);
      }
      {
        std::lock_guard lock(mu_);
        err = e;
        ready = true;
        if (!e.empty()) stop_ = true;
      }
      cv_.notify_all();
      if (e.empty()) work();
    });
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return ready; });
    }
    if (!err.empty()) return err;
    reader_ = std::thread([this] { read_loop(); });
    return "";
  }

  std::string_view name() const override { return "kernel"; }
  std::int64_t default_tolerance_us() const override { return 4000; }
  wire::MacAddress dut_mac() const override { return net_.dut_mac.value_or(kKernelMac); }
  std::int64_t now_us() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count();
  }

  void inject(ConstBytes frame) override { (void)::write(tap_fd_, frame.data(), frame.size()); }
  void advance_to(std::int64_t t_us) override { std::this_thread::sleep_until(at(t_us)); }
  std::optional<Frame> next_frame(std::int64_t deadline_us) override {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, at(deadline_us), [this] { return !frames_.empty(); });
    if (frames_.empty()) return std::nullopt;
    Frame f = std::move(frames_.front());
    frames_.pop_front();
    return f;
  }

  void start_call(std::function<CallResult(SocketApi&)> op) override {
    {
      std::lock_guard lock(mu_);
      outstanding_ = true;
      done_.reset();
    }
    post([this, op = std::move(op)] {
      CallResult r = op(api_);
      std::int64_t t = now_us();
      {
        std::lock_guard lock(mu_);
        done_ = CallDone{r, t};
        outstanding_ = false;
      }
      cv_.notify_all();
    });
  }
  bool call_outstanding() const override {
    std::lock_guard lock(mu_);
    return outstanding_;
  }
  std::optional<CallDone> wait_call(std::int64_t deadline_us) override {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, at(deadline_us), [this] { return !outstanding_; });
    if (outstanding_) return std::nullopt;
    auto d = done_;
    done_.reset();
    return d;
  }
  void with_api(const std::function<void(SocketApi&)>& f) override {
    run_sync([&] { f(api_); });
  }
  ShellOutcome shell(const std::string& command) override {
    int status = 0;
    run_sync([&] { status = std::system(command.c_str()); });
    return ShellOutcome{true, WIFEXITED(status) ? WEXITSTATUS(status) : 128, ""};
  }

 private:
  Clock::time_point at(std::int64_t t_us) const { return start_ + std::chrono::microseconds(t_us); }

  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_all();
  }
  void run_sync(const std::function<void()>& f) {
    bool finished = false;
    post([&] {
      f();
      {
        std::lock_guard lock(mu_);
        finished = true;
      }
      cv_.notify_all();
    });
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return finished; });
  }
  void work() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  void read_loop() {
    Bytes buf(65536);
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
      }
      pollfd p{tap_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      ssize_t n = ::read(tap_fd_, buf.data(), buf.size());
      if (n <= 0) continue;
      Frame f{now_us(), Bytes(buf.begin(), buf.begin() + n)};
      {
        std::lock_guard lock(mu_);
        frames_.push_back(std::move(f));
      }
      cv_.notify_all();
    }
  }

  DutNetwork net_;
  Clock::time_point start_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::deque<Frame> frames_;
  bool stop_ = false;
  bool outstanding_ = false;
  std::optional<CallDone> done_;
  int tap_fd_ = -1;
  PosixSocketApi api_;
  std::thread worker_;
  std::thread reader_;
};

}  // namespace

std::unique_ptr<Dut> make_kernel_dut(std::string& why, bool& skip) { return make_kernel_dut(DutNetwork{}, why, skip); }

std::unique_ptr<Dut> make_kernel_dut(const DutNetwork& net, std::string& why, bool& skip) {
  skip = false;
  if (::geteuid() != 0) {
    skip = true;
    why = "kernel DUT needs root (TAP device and network namespace)";
    return nullptr;
  }
  auto dut = std::make_unique<KernelDut>(net);
  std::string err = dut->start(skip);
  if (!err.empty()) {
    why = skip ? "kernel DUT needs root (TAP device and network namespace): " + err : "kernel DUT setup: " + err;
    return nullptr;
  }
  return dut;
}

}  // namespace synack::conformance

// The BSD-style socket facade of one host: a descriptor table (socket()
// returns the lowest free descriptor, starting at 3 as in a process with
// stdio open — packetdrill scripts rely on it), each descriptor naming a
// socket control block with its owner (a PID), and non-blocking calls with
// errno-style results plus a poll-style readiness query. Applications in the
// simulation are event-driven code over these calls.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stack/base/result.h"
#include "stack/base/sock_error.h"
#include "stack/iface/stack.h"

namespace synack::socket {

using Pid = std::uint32_t;

enum class SockType : std::uint8_t { Stream, Dgram };
enum class SockProto : std::uint8_t { Default, Icmp };  // Dgram + Icmp: a ping socket

struct SockAddr {
  wire::Ipv4Address addr;
  std::uint16_t port = 0;
  std::string to_string() const { return addr.to_string() + ":" + std::to_string(port); }
  auto operator<=>(const SockAddr&) const = default;
};

enum class Shut : std::uint8_t { Rd, Wr, RdWr };

enum class SockOpt : std::uint8_t {
  ReuseAddr, Broadcast, RcvBuf, SndBuf, KeepAlive, Linger, Error,
  NoDelay, MaxSeg, UserTimeout, KeepIdle, KeepIntvl, KeepCnt, Congestion,
};

struct Readiness {
  bool readable = false;  // POLLIN: data, a pending connection, EOF, or an error
  bool writable = false;  // POLLOUT
  bool error = false;     // POLLERR
  bool hup = false;       // POLLHUP
  bool operator==(const Readiness&) const = default;
};

// One row of `netstat -ano`-like output (plus Linux's -o timer column).
struct NetstatRow {
  std::string proto;
  std::string local;
  std::string foreign;
  std::string state;
  Pid pid = 0;
  int fd = -1;
  std::size_t recv_q = 0;
  std::size_t send_q = 0;
  std::string timer;
};

class Host {
 public:
  explicit Host(iface::StackConfig cfg) : stack_(std::move(cfg)) {}
  // A copy is the same host in the same state (descriptors and the whole
  // stack, see Stack's copy); explicit, so never copied by accident.
  explicit Host(const Host&) = default;
  Host& operator=(const Host&) = delete;

  iface::Stack& stack() noexcept { return stack_; }
  const iface::Stack& stack() const noexcept { return stack_; }
  // Time for socket calls: the runtime sets it before calling applications
  // (receive() and poll() set it too). Calls never read a clock.
  void set_now(Instant now) { now_ = std::max(now_, now); }
  Instant now() const noexcept { return now_; }
  void receive(Instant now, std::size_t iface, ConstBytes frame, driver::RxMeta meta = {}) {
    set_now(now);
    stack_.receive(now, iface, frame, meta);
  }
  void poll(Instant now) {
    set_now(now);
    stack_.poll(now);
  }
  std::optional<Instant> poll_at() const { return stack_.poll_at(); }

  Result<int, SockError> socket(Pid owner, SockType type, SockProto proto = SockProto::Default);
  Result<void, SockError> bind(int fd, SockAddr local);
  Result<void, SockError> connect(int fd, SockAddr remote);
  Result<void, SockError> listen(int fd, int backlog);
  Result<int, SockError> accept(int fd, SockAddr* peer = nullptr);
  Result<tcp::TcpInfo, SockError> tcp_info(int fd);
  Result<std::size_t, SockError> send(int fd, ConstBytes data);
  Result<std::size_t, SockError> sendto(int fd, ConstBytes data, SockAddr to);
  Result<std::size_t, SockError> recv(int fd, MutBytes buf);
  Result<std::pair<std::size_t, SockAddr>, SockError> recvfrom(int fd, MutBytes buf);
  Result<void, SockError> shutdown(int fd, Shut how);
  Result<void, SockError> close(int fd);
  Result<void, SockError> setsockopt(int fd, SockOpt opt, int value);
  Result<int, SockError> getsockopt(int fd, SockOpt opt);
  Result<SockAddr, SockError> getsockname(int fd);
  Result<SockAddr, SockError> getpeername(int fd);
  Result<Readiness, SockError> poll(int fd);
  // Ping sockets: the reply with its round-trip time (ICMP echo API).
  Result<iface::PingReply, SockError> recv_ping(int fd);
  Result<void, SockError> send_ping(int fd, wire::Ipv4Address dst, std::uint16_t seq, ConstBytes payload);

  // Readiness events, as epoll (edge-triggered) gives them: after
  // watch_ready(), take_ready() replaces `fds` with the TCP descriptors
  // (connections and listeners) whose readiness may have changed since the
  // previous call: a segment arrived, a timer or an ICMP error changed it, a
  // connection became ready to accept. Each appears once; an entry may be
  // spurious (look with poll(), as after EPOLLET), and a connection just
  // accepted is not reported for what arrived before accept(). UDP and ping
  // descriptors are not reported. ready_generation() grows with every such
  // event, watched or not.
  void watch_ready();
  void take_ready(std::vector<int>& fds) { stack_.take_ready(fds); }
  std::uint64_t ready_generation() const noexcept { return stack_.ready_generation(); }

  std::vector<NetstatRow> netstat() const;
  std::size_t open_descriptors() const;

 private:
  enum class Kind : std::uint8_t { Udp, Ping, Tcp, Listener };
  struct Descriptor {
    Kind kind;
    iface::Handle handle;
    Pid owner;
    bool reuse_addr = false;  // SO_REUSEADDR, applied at bind
    bool connected = false;   // TCP: connect() started or accept() made it (never reused)
  };
  // The open descriptor `fd`, or null (EBADF).
  Descriptor* find(int fd) noexcept {
    // Unsigned, so one compare also rejects fd < kFirstFd (wrapped around).
    std::size_t i = static_cast<unsigned>(fd) - unsigned{kFirstFd};
    if (i >= fds_.size() || !fds_[i]) return nullptr;
    return &*fds_[i];
  }
  Result<Descriptor*, SockError> lookup(int fd);
  Result<int, SockError> install(Descriptor d);
  Result<void, SockError> set_tcp_option(tcp::Socket& s, SockOpt opt, int value);
  Result<int, SockError> get_tcp_option(tcp::Socket& s, SockOpt opt);
  Result<void, SockError> set_listener_option(tcp::Listener& l, SockOpt opt, int value);
  Result<int, SockError> get_listener_option(const tcp::Listener& l, SockOpt opt);
  NetstatRow tcp_row(const tcp::Socket& s) const;
  std::uint32_t somaxconn_backlog(int backlog) const;

  // Tags the stack's TCP socket or listener behind `fd` with `fd` (readiness
  // events name descriptors), once watch_ready() was called.
  void tag(int fd, const Descriptor& d);

  static constexpr int kFirstFd = 3;
  static constexpr std::size_t kMaxFds = 1 << 20;
  iface::Stack stack_;
  Instant now_ = Instant::zero();
  bool watching_ = false;  // watch_ready()
  std::vector<std::optional<Descriptor>> fds_;  // index fd - kFirstFd
  // Empty slots of fds_ as a min-heap (std::greater): the lowest on top, no
  // allocation per close once grown, as an ordered set would make.
  std::vector<std::size_t> free_fds_;
};

// Renders rows like `netstat -ano` with a timer column.
std::string format_netstat(const std::vector<NetstatRow>& rows);
// Renders per-layer counters like `netstat -s` (non-zero counters only unless all).
std::string format_counters(const iface::StackStats& stats, bool all = false);

}  // namespace synack::socket

// The simulated DUT (see sim_dut.h) and the translation of Linux-numbered
// socket calls to synack's socket::Host API.
#include "conformance/runner/sim_dut.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <map>
#include <optional>
#include <set>

#include "conformance/runner/syscalls.h"
#include "stack/transport/tcp/congestion.h"

namespace synack::conformance {

// Captures what the DUT sends; injects what the script sends (port 0).
class ScriptPeer final : public harness::Node {
 public:
  void receive(Instant now, std::size_t, ConstBytes frame) override {
    frames.push_back(Frame{now.micros(), Bytes(frame.begin(), frame.end())});
  }
  std::string name() const override { return "script-peer"; }
  std::deque<Frame> frames;
};

namespace {

CallResult fail(int err) { return CallResult{-1, err, false}; }
CallResult fail(SockError e) { return fail(errno_of(e)); }
CallResult blocked() { return CallResult{-1, EAGAIN, true}; }

// Linux TCP_INFO state numbers (include/net/tcp_states.h).
int linux_state(tcp::State s) {
  switch (s) {
    case tcp::State::Established: return 1;
    case tcp::State::SynSent: return 2;
    case tcp::State::SynReceived: return 3;
    case tcp::State::FinWait1: return 4;
    case tcp::State::FinWait2: return 5;
    case tcp::State::TimeWait: return 6;
    case tcp::State::Closed: return 7;
    case tcp::State::CloseWait: return 8;
    case tcp::State::LastAck: return 9;
    case tcp::State::Listen: return 10;
    case tcp::State::Closing: return 11;
  }
  return 0;
}

std::optional<socket::SockOpt> sim_option(int level, int name) {
  using socket::SockOpt;
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_REUSEADDR: return SockOpt::ReuseAddr;
      case SO_BROADCAST: return SockOpt::Broadcast;
      case SO_RCVBUF: return SockOpt::RcvBuf;
      case SO_SNDBUF: return SockOpt::SndBuf;
      case SO_KEEPALIVE: return SockOpt::KeepAlive;
      case SO_LINGER: return SockOpt::Linger;
      case SO_ERROR: return SockOpt::Error;
      default: return std::nullopt;
    }
  }
  if (level == IPPROTO_TCP) {
    switch (name) {
      case TCP_NODELAY: return SockOpt::NoDelay;
      case TCP_MAXSEG: return SockOpt::MaxSeg;
      case TCP_USER_TIMEOUT: return SockOpt::UserTimeout;
      case TCP_KEEPIDLE: return SockOpt::KeepIdle;
      case TCP_KEEPINTVL: return SockOpt::KeepIntvl;
      case TCP_KEEPCNT: return SockOpt::KeepCnt;
      case TCP_CONGESTION: return SockOpt::Congestion;
      default: return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

class SimSocketApi final : public SocketApi {
 public:
  explicit SimSocketApi(socket::Host& h) : h_(h) {}

  CallResult socket(int domain, int type, int protocol) override {
    if (domain != AF_INET) return fail(EAFNOSUPPORT);
    bool nonblock = (type & SOCK_NONBLOCK) != 0;
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    socket::SockType t;
    socket::SockProto proto = socket::SockProto::Default;
    if (base == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) t = socket::SockType::Stream;
    else if (base == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP)) t = socket::SockType::Dgram;
    else if (base == SOCK_DGRAM && protocol == IPPROTO_ICMP) t = socket::SockType::Dgram, proto = socket::SockProto::Icmp;
    else return fail(EPROTONOSUPPORT);
    auto r = h_.socket(1, t, proto);
    if (!r) return fail(r.error());
    if (proto == socket::SockProto::Icmp) ping_dst_[*r] = std::nullopt;
    else ping_dst_.erase(*r);
    if (nonblock) nonblock_.insert(*r);
    else nonblock_.erase(*r);
    return CallResult{*r, 0, false};
  }
  CallResult bind(int fd, wire::Ipv4Address a, std::uint16_t port) override {
    return done(h_.bind(fd, {a, port}));
  }
  CallResult connect(int fd, wire::Ipv4Address a, std::uint16_t port) override {
    // A Linux ping socket (SOCK_DGRAM, IPPROTO_ICMP) connects to an address;
    // the stack's ping API takes it with each request.
    if (auto p = ping_dst_.find(fd); p != ping_dst_.end()) {
      p->second = a;
      return CallResult{};
    }
    if (connecting_.count(fd)) {
      auto rd = h_.poll(fd);
      if (!rd) return fail(rd.error());
      if (!rd->writable && !rd->error && !rd->hup) return blocked();
      connecting_.erase(fd);
      auto e = h_.getsockopt(fd, socket::SockOpt::Error);
      if (e && *e != 0) return fail(static_cast<SockError>(*e - 1));
      return CallResult{};
    }
    auto r = h_.connect(fd, {a, port});
    if (!r && r.error() == SockError::InProgress && !nonblock_.count(fd)) {
      connecting_.insert(fd);
      return blocked();
    }
    return done(r);
  }
  CallResult listen(int fd, int backlog) override { return done(h_.listen(fd, backlog)); }
  CallResult accept(int fd) override {
    auto r = h_.accept(fd);
    if (!r) return would(fd, r.error());
    nonblock_.erase(*r);
    return CallResult{*r, 0, false};
  }
  CallResult read(int fd, std::size_t len) override {
    Bytes buf(len);
    auto r = h_.recv(fd, buf);
    if (!r) return would(fd, r.error());
    return CallResult{static_cast<long long>(*r), 0, false};
  }
  CallResult write(int fd, std::size_t len) override {
    Bytes buf(len, 'x');
    auto r = h_.send(fd, buf);
    if (!r) return would(fd, r.error());
    return CallResult{static_cast<long long>(*r), 0, false};
  }
  CallResult send_bytes(int fd, ConstBytes data) override {
    if (auto p = ping_dst_.find(fd); p != ping_dst_.end()) return send_ping(fd, p->second, data);
    auto r = h_.send(fd, data);
    if (!r) return would(fd, r.error());
    return CallResult{static_cast<long long>(*r), 0, false};
  }
  CallResult recv_bytes(int fd, std::size_t max, Bytes& out) override {
    // Into a buffer kept across calls, then only what arrived into `out`:
    // resizing `out` to `max` zero-filled up to 64 KiB on every call (the
    // replay application polls every descriptor at every step).
    if (ping_dst_.count(fd)) return recv_ping(fd, max, out);
    if (recv_buf_.size() < max) recv_buf_.resize(max);
    auto r = h_.recv(fd, MutBytes(recv_buf_).first(max));
    out.assign(recv_buf_.begin(), recv_buf_.begin() + static_cast<std::ptrdiff_t>(r ? *r : 0));
    if (!r) return would(fd, r.error());
    return CallResult{static_cast<long long>(*r), 0, false};
  }
  std::optional<std::pair<wire::Ipv4Address, std::uint16_t>> peer_name(int fd) override {
    auto r = h_.getpeername(fd);
    if (!r) return std::nullopt;
    return std::make_pair(r->addr, r->port);
  }
  CallResult sendto(int fd, std::size_t len, wire::Ipv4Address a, std::uint16_t port) override {
    Bytes buf(len, 'x');
    auto r = h_.sendto(fd, buf, {a, port});
    if (!r) return would(fd, r.error());
    return CallResult{static_cast<long long>(*r), 0, false};
  }
  CallResult sendto_bytes(int fd, ConstBytes data, wire::Ipv4Address a, std::uint16_t port) override {
    auto r = h_.sendto(fd, data, {a, port});
    if (!r) return would(fd, r.error());
    return CallResult{static_cast<long long>(*r), 0, false};
  }
  CallResult recvfrom_bytes(int fd, std::size_t max, Bytes& out,
                            std::pair<wire::Ipv4Address, std::uint16_t>& from) override {
    if (recv_buf_.size() < max) recv_buf_.resize(max);
    auto r = h_.recvfrom(fd, MutBytes(recv_buf_).first(max));
    out.assign(recv_buf_.begin(), recv_buf_.begin() + static_cast<std::ptrdiff_t>(r ? r->first : 0));
    if (!r) return would(fd, r.error());
    from = {r->second.addr, r->second.port};
    return CallResult{static_cast<long long>(r->first), 0, false};
  }
  CallResult recvfrom(int fd, std::size_t len) override {
    Bytes buf(len);
    auto r = h_.recvfrom(fd, buf);
    if (!r) return would(fd, r.error());
    return CallResult{static_cast<long long>(r->first), 0, false};
  }
  CallResult shutdown(int fd, int how) override {
    socket::Shut s;
    if (how == SHUT_RD) s = socket::Shut::Rd;
    else if (how == SHUT_WR) s = socket::Shut::Wr;
    else if (how == SHUT_RDWR) s = socket::Shut::RdWr;
    else return fail(EINVAL);
    return done(h_.shutdown(fd, s));
  }
  CallResult close(int fd) override {
    nonblock_.erase(fd);
    connecting_.erase(fd);
    ping_dst_.erase(fd);
    return done(h_.close(fd));
  }
  CallResult setsockopt(int fd, int level, int name, const OptValue& v) override {
    auto opt = sim_option(level, name);
    if (!opt) return fail(ENOPROTOOPT);
    int value = v.integer;
    if (*opt == socket::SockOpt::Linger) {
      if (v.kind != OptValue::Kind::Linger) return fail(EINVAL);
      value = v.l_onoff ? v.l_linger : -1;
    } else if (*opt == socket::SockOpt::Congestion) {
      if (v.text == "reno") value = 0;
      else if (v.text == "cubic") value = 1;
      else return fail(ENOENT);  // Linux: no such congestion control module
    }
    return done(h_.setsockopt(fd, *opt, value));
  }
  CallResult getsockopt(int fd, int level, int name, OptValue& out) override {
    auto opt = sim_option(level, name);
    if (!opt) return fail(ENOPROTOOPT);
    auto r = h_.getsockopt(fd, *opt);
    if (!r) return fail(r.error());
    out.kind = OptValue::Kind::Int;
    out.integer = *r;
    if (*opt == socket::SockOpt::Error && *r != 0) out.integer = errno_of(static_cast<SockError>(*r - 1));
    if (*opt == socket::SockOpt::Congestion) {
      out.kind = OptValue::Kind::Text;
      out.text = *r == 1 ? "cubic" : "reno";
    }
    return CallResult{};
  }
  CallResult fcntl(int fd, int cmd, long arg) override {
    if (!h_.poll(fd)) return fail(EBADF);
    if (cmd == F_GETFL) return CallResult{O_RDWR | (nonblock_.count(fd) ? O_NONBLOCK : 0), 0, false};
    if (cmd != F_SETFL) return fail(EINVAL);
    if (arg & O_NONBLOCK) nonblock_.insert(fd);
    else nonblock_.erase(fd);
    return CallResult{};
  }
  CallResult poll(std::vector<PollFd>& fds, int timeout_ms) override {
    long long ready = 0;
    for (auto& p : fds) {
      p.revents = 0;
      auto r = h_.poll(p.fd);
      if (!r) {
        p.revents = POLLNVAL;
      } else {
        if (r->readable && (p.events & POLLIN)) p.revents |= POLLIN;
        if (r->writable && (p.events & POLLOUT)) p.revents |= POLLOUT;
        if (r->error) p.revents |= POLLERR;
        if (r->hup) p.revents |= POLLHUP;
      }
      if (p.revents) ++ready;
    }
    if (ready == 0 && timeout_ms != 0) return blocked();
    return CallResult{ready, 0, false};
  }
  CallResult ioctl_fionread(int fd, int& out) override {
    if (!h_.poll(fd)) return fail(EBADF);
    out = 0;
    for (const auto& row : h_.netstat())
      if (row.fd == fd) out = static_cast<int>(row.recv_q);
    return CallResult{};
  }
  std::optional<std::map<std::string, long long>> tcp_info(int fd) override {
    auto r = h_.tcp_info(fd);
    if (!r) return std::nullopt;
    const tcp::TcpInfo& i = *r;
    long long mss = i.snd_mss ? i.snd_mss : 1;
    std::map<std::string, long long> m;
    m["tcpi_state"] = linux_state(i.state);
    m["tcpi_snd_cwnd"] = i.cwnd / mss;
    m["tcpi_snd_ssthresh"] = i.ssthresh / mss;
    m["tcpi_rtt"] = i.srtt.micros();
    m["tcpi_rttvar"] = i.rttvar.micros();
    m["tcpi_rto"] = i.rto.micros();
    m["tcpi_snd_mss"] = i.snd_mss;
    m["tcpi_rcv_mss"] = i.rcv_mss;
    m["tcpi_retransmits"] = i.retransmits;
    m["tcpi_total_retrans"] = static_cast<long long>(i.total_retrans);
    m["tcpi_unacked"] = (i.unacked + mss - 1) / mss;
    m["tcpi_sacked"] = i.sacked;
    m["tcpi_lost"] = i.lost;
    m["tcpi_snd_wnd"] = i.snd_wnd;
    m["tcpi_snd_wscale"] = i.snd_wscale;
    m["tcpi_rcv_wscale"] = i.rcv_wscale;
    m["tcpi_options"] = (i.timestamps ? 1 : 0) | (i.sack ? 2 : 0) | (i.wscale ? 4 : 0);
    return m;
  }

 private:
  CallResult done(const Result<void, SockError>& r) { return r ? CallResult{} : fail(r.error()); }
  // send() on a connected ping socket: `data` is an ICMP echo request
  // (type 8, code 0, checksum, identifier, sequence number, payload); as on
  // Linux the identifier is the socket's and the stack fills the checksum.
  CallResult send_ping(int fd, std::optional<wire::Ipv4Address> dst, ConstBytes data) {
    if (!dst) return fail(EDESTADDRREQ);
    if (data.size() < 8 || data[0] != 8 || data[1] != 0) return fail(EINVAL);
    auto r = h_.send_ping(fd, *dst, load_be16(data, 6), data.subspan(8));
    if (!r) return would(fd, r.error());
    return CallResult{static_cast<long long>(data.size()), 0, false};
  }
  // recv() on a ping socket: the echo reply, ICMP header included.
  CallResult recv_ping(int fd, std::size_t max, Bytes& out) {
    auto r = h_.recv_ping(fd);
    out.clear();
    if (!r) return would(fd, r.error());
    out.resize(8, 0);
    store_be16(out, 4, r->ident);
    store_be16(out, 6, r->seq);
    if (r->payload.empty()) out.resize(8 + r->payload_len, 0);
    else out.insert(out.end(), r->payload.begin(), r->payload.end());
    if (out.size() > max) out.resize(max);
    return CallResult{static_cast<long long>(out.size()), 0, false};
  }
  // EAGAIN on a blocking descriptor means "blocks": retried as time passes.
  CallResult would(int fd, SockError e) {
    if (e == SockError::Again && !nonblock_.count(fd)) return blocked();
    return fail(e);
  }

  socket::Host& h_;
  Bytes recv_buf_;  // recv_bytes' landing buffer
  std::set<int> nonblock_;
  std::set<int> connecting_;  // blocking connect() in progress
  std::map<int, std::optional<wire::Ipv4Address>> ping_dst_;  // ping sockets and where they are connected
};

SimDut::SimDut(iface::StackConfig cfg, std::uint64_t seed) : SimDut(DutNetwork{}, std::move(cfg), seed) {}

SimDut::SimDut(const DutNetwork& net, iface::StackConfig cfg, std::uint64_t seed) : world_(seed) {
  host_ = &harness::add_host(world_, "dut", std::move(cfg));
  auto [pid, peer] = world_.emplace<ScriptPeer>();
  peer_ = peer;
  peer_id_ = pid;
  if (net.dut_mac) {
    // As harness::attach, but with the given MAC: the link first, so the
    // interface learns the link's MTU.
    world_.connect({host_->id(), 0}, {peer_id_, 0});
    host_->stack().add_interface(world_.port_device(host_->id(), 0), *net.dut_mac, net.dut);
  } else {
    harness::attach(world_, *host_, net.dut.to_string(), peer_id_, 0);
  }
  // The peers' networks are on-link through the same interface (no gateway).
  for (const auto& r : net.onlink_routes) host_->stack().routes().add(iface::Route{r, std::nullopt, 0, 0});
  for (const auto& [ip, mac] : net.neighbours) host_->stack().arp().add_static(ip, mac);
  api_ = std::make_unique<SimSocketApi>(host_->host());
  flush();
}

SimDut::~SimDut() = default;

wire::MacAddress SimDut::dut_mac() const { return host_->stack().interfaces().at(0).mac; }

void SimDut::flush() {
  host_->wake_apps();
  world_.run_until([] { return false; }, world_.now());
}

void SimDut::inject(ConstBytes frame) {
  world_.port_device(peer_id_, 0).transmit(world_.now(), frame);
  world_.run_until([this] { return retry_pending(); }, world_.now());
}

bool SimDut::retry_pending() {
  if (!pending_) return false;
  host_->host().set_now(world_.now());
  CallResult r = pending_(*api_);
  if (r.would_block) return false;
  pending_ = nullptr;
  done_ = CallDone{r, world_.now().micros()};
  host_->wake_apps();
  return true;
}

void SimDut::advance_to(std::int64_t t_us) {
  Instant until = Instant::from_micros(t_us);
  // Same instant: nothing to run yet (consecutive calls at one instant see
  // no stack poll between them, as on a real host).
  if (until <= world_.now()) return;
  retry_pending();
  // A call that finishes before `until` stops run_until early: go on to `until`.
  while (world_.run_until([this] { return retry_pending(); }, until) && world_.now() < until) {
  }
}

std::optional<Frame> SimDut::next_frame(std::int64_t deadline_us) {
  Instant until = Instant::from_micros(deadline_us);
  if (peer_->frames.empty() && world_.now() <= until) {
    world_.run_until(
        [this] {
          retry_pending();
          return !peer_->frames.empty();
        },
        until);
  }
  if (peer_->frames.empty()) return std::nullopt;
  Frame f = std::move(peer_->frames.front());
  peer_->frames.pop_front();
  return f;
}

void SimDut::start_call(std::function<CallResult(SocketApi&)> op) {
  done_.reset();
  host_->host().set_now(world_.now());
  CallResult r = op(*api_);
  if (r.would_block) {
    pending_ = std::move(op);
  } else {
    done_ = CallDone{r, world_.now().micros()};
  }
  // Output the call queued leaves at this instant, when the world next runs
  // (not here: a stack poll between bind() and listen() at one instant
  // would be an artefact of the runner).
  host_->wake_apps();
}

std::optional<CallDone> SimDut::wait_call(std::int64_t deadline_us) {
  if (pending_ && world_.now() <= Instant::from_micros(deadline_us))
    world_.run_until([this] { return retry_pending(); }, Instant::from_micros(deadline_us));
  if (pending_) return std::nullopt;
  auto d = done_;
  done_.reset();
  return d;
}

void SimDut::with_api(const std::function<void(SocketApi&)>& f) {
  host_->host().set_now(world_.now());
  f(*api_);
  host_->wake_apps();
}

ShellOutcome SimDut::shell(const std::string& command) {
  iface::StackConfig probe;
  if (apply_sysctl(command, probe)) return ShellOutcome{false, 0, "applied to the stack configuration before the start"};
  return ShellOutcome{false, 0, "shell commands are ignored on sim"};
}

bool apply_sysctl(std::string_view command, iface::StackConfig& cfg) {
  // "sysctl -q net.ipv4.tcp_timestamps=0" (also without -q / with -w).
  auto pos = command.find("net.ipv4.");
  if (command.find("sysctl") == std::string_view::npos || pos == std::string_view::npos) return false;
  // "sysctl -q net.ipv4.a=1 net.ipv4.b=2": each assignment on its own.
  if (auto more = command.find(" net.ipv4.", pos); more != std::string_view::npos) {
    bool first = apply_sysctl(command.substr(0, more), cfg);
    bool rest = apply_sysctl("sysctl " + std::string(command.substr(more + 1)), cfg);
    return first || rest;
  }
  std::string_view kv = command.substr(pos + 9);
  auto eq = kv.find('=');
  if (eq == std::string_view::npos) return false;
  std::string_view key = kv.substr(0, eq);
  std::string_view val = kv.substr(eq + 1);
  while (!val.empty() && (val.back() == ' ' || val.back() == '"' || val.back() == '\'')) val.remove_suffix(1);
  while (!val.empty() && (val.front() == ' ' || val.front() == '"' || val.front() == '\'')) val.remove_prefix(1);
  auto& t = cfg.tcp;
  if (key == "tcp_congestion_control") {
    // The default for new sockets, as TCP_CONGESTION names it.
    auto cc = tcp::cc_from_name(val);
    if (!cc) return false;
    t.congestion = *cc;
    return true;
  }
  long long v = 0;
  try {
    v = std::stoll(std::string(val));
  } catch (...) {
    return false;
  }
  if (key == "tcp_timestamps") t.timestamps = v != 0;
  else if (key == "tcp_sack") t.sack = v != 0;
  else if (key == "tcp_window_scaling") t.window_scaling = v != 0;
  else if (key == "tcp_syn_retries") t.syn_retries = static_cast<int>(v);
  else if (key == "tcp_synack_retries") t.synack_retries = static_cast<int>(v);
  else if (key == "tcp_retries2") t.retries2 = static_cast<int>(v);
  else if (key == "tcp_fin_timeout") t.fin_timeout = Duration::from_secs(v);
  else if (key == "tcp_keepalive_time") t.keepalive_idle = Duration::from_secs(v);
  else if (key == "tcp_keepalive_intvl") t.keepalive_interval = Duration::from_secs(v);
  else if (key == "tcp_keepalive_probes") t.keepalive_count = static_cast<int>(v);
  else if (key == "tcp_challenge_ack_limit") t.challenge_ack_limit = static_cast<std::uint32_t>(v);
  else if (key == "tcp_rfc1337") t.rfc1337 = v != 0;
  else if (key == "tcp_invalid_ratelimit") t.invalid_ratelimit = Duration::from_millis(v);
  else if (key == "tcp_syncookies") t.syncookies = v != 0;
  else return false;
  return true;
}

}  // namespace synack::conformance

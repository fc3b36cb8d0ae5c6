// packetdrill system calls -> SocketApi calls, and their result checks.
#include "conformance/runner/syscalls.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <utility>

#include "conformance/runner/matcher.h"

namespace synack::conformance {

namespace {

struct Named {
  const char* name;
  long long value;
};

constexpr Named kErrnos[] = {
    {"EAGAIN", EAGAIN}, {"EINPROGRESS", EINPROGRESS}, {"EALREADY", EALREADY}, {"EISCONN", EISCONN},
    {"ENOTCONN", ENOTCONN}, {"ECONNREFUSED", ECONNREFUSED}, {"ECONNRESET", ECONNRESET},
    {"ECONNABORTED", ECONNABORTED}, {"ETIMEDOUT", ETIMEDOUT}, {"EPIPE", EPIPE}, {"EADDRINUSE", EADDRINUSE},
    {"EADDRNOTAVAIL", EADDRNOTAVAIL}, {"EINVAL", EINVAL}, {"EHOSTUNREACH", EHOSTUNREACH},
    {"ENETUNREACH", ENETUNREACH}, {"EPROTO", EPROTO}, {"EMSGSIZE", EMSGSIZE}, {"ENOBUFS", ENOBUFS},
    {"EBADF", EBADF}, {"EMFILE", EMFILE}, {"ENOTSOCK", ENOTSOCK}, {"EOPNOTSUPP", EOPNOTSUPP},
    {"ENOPROTOOPT", ENOPROTOOPT}, {"EACCES", EACCES}, {"EDESTADDRREQ", EDESTADDRREQ},
    {"EAFNOSUPPORT", EAFNOSUPPORT}, {"EPROTONOSUPPORT", EPROTONOSUPPORT}, {"ENOENT", ENOENT},
    {"EFAULT", EFAULT}, {"EPERM", EPERM}, {"EINTR", EINTR}, {"ENOTTY", ENOTTY},
};

constexpr Named kSymbols[] = {
    {"AF_INET", AF_INET}, {"PF_INET", AF_INET}, {"SOCK_STREAM", SOCK_STREAM}, {"SOCK_DGRAM", SOCK_DGRAM},
    {"SOCK_NONBLOCK", SOCK_NONBLOCK}, {"SOCK_CLOEXEC", SOCK_CLOEXEC}, {"IPPROTO_TCP", IPPROTO_TCP},
    {"IPPROTO_UDP", IPPROTO_UDP}, {"IPPROTO_IP", IPPROTO_IP}, {"SOL_SOCKET", SOL_SOCKET},
    {"SOL_TCP", IPPROTO_TCP}, {"SOL_IP", IPPROTO_IP}, {"SO_REUSEADDR", SO_REUSEADDR},
    {"SO_REUSEPORT", SO_REUSEPORT}, {"SO_BROADCAST", SO_BROADCAST}, {"SO_RCVBUF", SO_RCVBUF},
    {"SO_SNDBUF", SO_SNDBUF}, {"SO_KEEPALIVE", SO_KEEPALIVE}, {"SO_LINGER", SO_LINGER}, {"SO_ERROR", SO_ERROR},
    {"TCP_NODELAY", TCP_NODELAY}, {"TCP_MAXSEG", TCP_MAXSEG}, {"TCP_USER_TIMEOUT", TCP_USER_TIMEOUT},
    {"TCP_KEEPIDLE", TCP_KEEPIDLE}, {"TCP_KEEPINTVL", TCP_KEEPINTVL}, {"TCP_KEEPCNT", TCP_KEEPCNT},
    {"TCP_CONGESTION", TCP_CONGESTION}, {"F_GETFL", F_GETFL}, {"F_SETFL", F_SETFL}, {"O_RDWR", O_RDWR},
    {"O_NONBLOCK", O_NONBLOCK}, {"POLLIN", POLLIN}, {"POLLOUT", POLLOUT}, {"POLLERR", POLLERR},
    {"POLLHUP", POLLHUP}, {"POLLNVAL", POLLNVAL}, {"POLLPRI", POLLPRI}, {"POLLRDHUP", POLLRDHUP},
    {"SHUT_RD", SHUT_RD}, {"SHUT_WR", SHUT_WR}, {"SHUT_RDWR", SHUT_RDWR}, {"FIONREAD", FIONREAD},
    {"MSG_DONTWAIT", MSG_DONTWAIT}, {"MSG_PEEK", MSG_PEEK}, {"MSG_NOSIGNAL", MSG_NOSIGNAL},
    {"INADDR_ANY", 0},
};

using R = Result<PreparedCall, std::string>;

Result<long long, std::string> eval_int(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Integer: return e.integer;
    case Expr::Kind::Symbol: {
      if (auto v = symbol_value(e.text)) return *v;
      return Err{"unknown symbol '" + e.text + "'"};
    }
    case Expr::Kind::Or: {
      long long v = 0;
      for (const auto& i : e.items) {
        auto x = eval_int(i);
        if (!x) return x;
        v |= *x;
      }
      return v;
    }
    case Expr::Kind::Call:
      if ((e.text == "htons" || e.text == "htonl") && e.items.size() == 1) return eval_int(e.items[0]);
      if (e.text == "inet_addr" && e.items.size() == 1 && e.items[0].kind == Expr::Kind::String) {
        auto a = wire::Ipv4Address::parse(e.items[0].text);
        if (!a) return Err{"bad address \"" + e.items[0].text + "\""};
        return static_cast<long long>(a->value);
      }
      return Err{"unsupported function '" + e.text + "'"};
    case Expr::Kind::List:
      if (e.items.size() == 1) return eval_int(e.items[0]);
      break;
    default: break;
  }
  return Err{"an integer expected, got '" + print_expr(e) + "'"};
}

// `...` means the packetdrill default address; else a sockaddr_in struct.
Result<std::pair<wire::Ipv4Address, std::uint16_t>, std::string> eval_addr(const Expr& e, wire::Ipv4Address dflt) {
  if (e.kind == Expr::Kind::Ellipsis) return std::pair{dflt, kDefaultLocalPort};
  if (e.kind != Expr::Kind::Struct) return Err{"a socket address expected, got '" + print_expr(e) + "'"};
  std::pair<wire::Ipv4Address, std::uint16_t> out{wire::Ipv4Address::any(), 0};
  if (const Expr* p = e.field("sin_port")) {
    auto v = eval_int(*p);
    if (!v) return Err{v.error()};
    out.second = static_cast<std::uint16_t>(*v);
  }
  if (const Expr* a = e.field("sin_addr")) {
    auto v = eval_int(*a);
    if (!v) return Err{v.error()};
    out.first = wire::Ipv4Address{static_cast<std::uint32_t>(*v)};
  }
  return out;
}

Result<std::size_t, std::string> iov_len(const Expr& e) {
  if (e.kind != Expr::Kind::List) return Err{"an iovec list expected"};
  std::size_t n = 0;
  for (const auto& v : e.items) {
    if (!v.is_iovec()) return Err{"an iovec {..., N} expected"};
    auto x = eval_int(v.items.at(1));
    if (!x) return Err{x.error()};
    n += static_cast<std::size_t>(*x);
  }
  return n;
}

std::string describe_result(const std::string& call, const CallResult& r) {
  std::string s = call + " = " + std::to_string(r.ret);
  if (r.ret < 0) s += " " + errno_string(r.err);
  return s;
}

// The common return-value/errno check. `fd_result`: socket()/accept(), whose
// values differ between DUTs and only need to agree on success.
std::string check_ret(const SyscallEvent& ev, const CallResult& r, bool fd_result) {
  if (!ev.ret) return "";
  long long want = *ev.ret;
  auto got_text = [&] { return std::to_string(r.ret) + (r.ret < 0 ? " " + errno_string(r.err) : ""); };
  auto want_text = [&] { return std::to_string(want) + (ev.errno_name ? " " + *ev.errno_name : ""); };
  bool ok = fd_result ? (want >= 0) == (r.ret >= 0) : want == r.ret;
  if (ok && want < 0 && ev.errno_name) {
    std::string name = *ev.errno_name == "EWOULDBLOCK" ? "EAGAIN" : *ev.errno_name;
    ok = errno_string(r.err) == name;
  }
  if (ok) return "";
  return "returned " + got_text() + ", expected " + want_text();
}

}  // namespace

int errno_value(std::string_view name) {
  if (name == "EWOULDBLOCK") return EAGAIN;
  for (const auto& e : kErrnos)
    if (name == e.name) return static_cast<int>(e.value);
  return 0;
}

std::string errno_string(int value) {
  for (const auto& e : kErrnos)
    if (value == e.value) return e.name;
  return "errno " + std::to_string(value);
}

int errno_of(SockError e) { return errno_value(errno_name(e)); }

std::optional<long long> symbol_value(std::string_view name) {
  for (const auto& s : kSymbols)
    if (name == s.name) return s.value;
  if (int e = errno_value(name)) return e;
  return std::nullopt;
}

namespace {

// Argument i as an integer (an error names the call and the argument).
struct Args {
  const SyscallEvent& ev;
  Result<long long, std::string> integer(std::size_t i) const {
    if (i >= ev.args.size()) return Err{ev.name + ": argument " + std::to_string(i + 1) + " missing"};
    auto v = eval_int(ev.args[i]);
    if (!v) return Err{ev.name + ": " + v.error()};
    return v;
  }
  const Expr* arg(std::size_t i) const { return i < ev.args.size() ? &ev.args[i] : nullptr; }
};

// An expected value written through a pointer: `[N]` or `N`; nullopt for `...`.
Result<std::optional<long long>, std::string> expected_int(const Expr* e) {
  if (!e || e->kind == Expr::Kind::Ellipsis) return std::optional<long long>{};
  auto v = eval_int(*e);
  if (!v) return Err{v.error()};
  return std::optional<long long>{*v};
}

Result<OptValue, std::string> opt_value(const Expr* e) {
  OptValue v;
  if (!e) return Err{std::string("option value missing")};
  const Expr* x = e;
  if (x->kind == Expr::Kind::List && x->items.size() == 1) x = &x->items[0];
  if (x->kind == Expr::Kind::String) {
    v.kind = OptValue::Kind::Text;
    v.text = x->text;
    return v;
  }
  if (x->kind == Expr::Kind::Struct) {
    v.kind = OptValue::Kind::Linger;
    const Expr* on = x->field("l_onoff");
    const Expr* ln = x->field("l_linger");
    if (!on || !ln) return Err{std::string("struct linger {l_onoff=.., l_linger=..} expected")};
    auto a = eval_int(*on);  // field() gives the value itself
    auto b = eval_int(*ln);
    if (!a || !b) return Err{std::string("bad linger values")};
    v.l_onoff = static_cast<int>(*a);
    v.l_linger = static_cast<int>(*b);
    return v;
  }
  auto i = eval_int(*x);
  if (!i) return Err{i.error()};
  v.integer = static_cast<int>(*i);
  return v;
}

PreparedCall make(const SyscallEvent& ev, std::function<CallResult(SocketApi&)> op, bool fd_result = false,
                  std::function<std::string()> extra = nullptr) {
  PreparedCall c;
  c.op = std::move(op);
  c.new_fd = fd_result;
  std::string text = ev.name + "(";
  for (std::size_t i = 0; i < ev.args.size(); ++i) text += (i ? ", " : "") + print_expr(ev.args[i]);
  text += ")";
  c.describe = [text](const CallResult& r) { return describe_result(text, r); };
  c.check = [&ev, fd_result, extra](const CallResult& r) {
    std::string why = check_ret(ev, r, fd_result);
    if (why.empty() && extra && r.ret >= 0) why = extra();
    return why;
  };
  return c;
}

}  // namespace

namespace {
Result<PreparedCall, std::string> prepare_fd_call(const SyscallEvent& ev, FdMap& fds, int f);
}  // namespace

Result<PreparedCall, std::string> prepare_call(const SyscallEvent& ev, FdMap& fds) {
  Args a{ev};
  const std::string& n = ev.name;
  auto fd_arg = [&]() -> Result<int, std::string> {
    auto v = a.integer(0);
    if (!v) return Err{v.error()};
    return fds.to_dut(*v);
  };
  if (n == "socket") {
    auto type = a.integer(1), proto = a.integer(2);
    if (!type) return Err{type.error()};
    if (!proto) return Err{proto.error()};
    int t = static_cast<int>(*type), p = static_cast<int>(*proto);
    PreparedCall c = make(ev, [t, p](SocketApi& api) { return api.socket(AF_INET, t, p); }, true);
    c.new_fd = true;
    auto check = c.check;
    c.check = [check, &fds, &ev](const CallResult& r) {
      std::string why = check(r);
      if (why.empty() && ev.ret && r.ret >= 0) fds.learn(*ev.ret, r.ret);
      return why;
    };
    return c;
  }
  if (n == "poll") {
    const Expr* list = a.arg(0);
    if (!list || list->kind != Expr::Kind::List) return Err{std::string("poll: a list of pollfd expected")};
    std::vector<PollFd> pfds;
    std::vector<std::optional<long long>> want;
    for (const auto& item : list->items) {
      const Expr* fdf = item.field("fd");
      const Expr* evf = item.field("events");
      if (item.kind != Expr::Kind::Struct || !fdf || !evf) return Err{std::string("poll: {fd=.., events=..} expected")};
      auto fv = eval_int(*fdf);
      auto ev2 = eval_int(*evf);
      if (!fv || !ev2) return Err{std::string("poll: bad pollfd")};
      pfds.push_back(PollFd{fds.to_dut(*fv), static_cast<short>(*ev2), 0});
      std::optional<long long> rv;
      if (const Expr* r = item.field("revents")) {
        auto x = eval_int(*r);
        if (!x) return Err{std::string("poll: bad revents")};
        rv = *x;
      }
      want.push_back(rv);
    }
    auto t = a.integer(2);
    if (!t) return Err{t.error()};
    int timeout = static_cast<int>(*t);
    auto shared = std::make_shared<std::vector<PollFd>>(pfds);
    return make(ev, [shared, timeout](SocketApi& api) { return api.poll(*shared, timeout); }, false,
                [shared, want]() -> std::string {
                  for (std::size_t i = 0; i < want.size(); ++i)
                    if (want[i] && (*shared)[i].revents != *want[i])
                      return "revents " + std::to_string(*want[i]) + " expected, got " +
                             std::to_string((*shared)[i].revents);
                  return "";
                });
  }
  auto fd = fd_arg();
  if (!fd) return Err{fd.error()};
  int f = *fd;
  auto with_fd = [f](Result<PreparedCall, std::string> r) {
    if (r) r->fd = f;
    return r;
  };
  return with_fd(prepare_fd_call(ev, fds, f));
}

namespace {

Result<PreparedCall, std::string> prepare_fd_call(const SyscallEvent& ev, FdMap& fds, int f) {
  Args a{ev};
  const std::string& n = ev.name;
  if (n == "bind" || n == "connect") {
    auto addr = eval_addr(a.arg(1) ? *a.arg(1) : Expr::make_ellipsis(),
                          n == "bind" ? wire::Ipv4Address::any() : kPeerIp);
    if (!addr) return Err{n + ": " + addr.error()};
    wire::Ipv4Address ip = addr->first;
    std::uint16_t port = addr->second;
    if (n == "bind") return make(ev, [f, ip, port](SocketApi& api) { return api.bind(f, ip, port); });
    return make(ev, [f, ip, port](SocketApi& api) { return api.connect(f, ip, port); });
  }
  if (n == "listen") {
    auto b = a.integer(1);
    if (!b) return Err{b.error()};
    int backlog = static_cast<int>(*b);
    return make(ev, [f, backlog](SocketApi& api) { return api.listen(f, backlog); });
  }
  if (n == "accept" || n == "accept4") {
    PreparedCall c = make(ev, [f](SocketApi& api) { return api.accept(f); }, true);
    c.new_fd = true;
    auto check = c.check;
    c.check = [check, &fds, &ev](const CallResult& r) {
      std::string why = check(r);
      if (why.empty() && ev.ret && r.ret >= 0) fds.learn(*ev.ret, r.ret);
      return why;
    };
    return c;
  }
  if (n == "read" || n == "recv" || n == "write" || n == "send" || n == "readv" || n == "writev") {
    bool vec = n.back() == 'v';
    std::size_t len = 0;
    if (vec) {
      if (!a.arg(1)) return Err{n + ": iovec missing"};
      auto l = iov_len(*a.arg(1));
      if (!l) return Err{n + ": " + l.error()};
      len = *l;
    } else {
      auto l = a.integer(2);
      if (!l) return Err{l.error()};
      len = static_cast<std::size_t>(*l);
    }
    if (n[0] == 'r') return make(ev, [f, len](SocketApi& api) { return api.read(f, len); });
    return make(ev, [f, len](SocketApi& api) { return api.write(f, len); });
  }
  if (n == "sendto") {
    auto l = a.integer(2);
    if (!l) return Err{l.error()};
    auto addr = eval_addr(a.arg(4) ? *a.arg(4) : Expr::make_ellipsis(), kPeerIp);
    if (!addr) return Err{n + ": " + addr.error()};
    wire::Ipv4Address ip = addr->first;
    std::uint16_t port = addr->second;
    std::size_t len = static_cast<std::size_t>(*l);
    return make(ev, [f, len, ip, port](SocketApi& api) { return api.sendto(f, len, ip, port); });
  }
  if (n == "recvfrom") {
    auto l = a.integer(2);
    if (!l) return Err{l.error()};
    std::size_t len = static_cast<std::size_t>(*l);
    return make(ev, [f, len](SocketApi& api) { return api.recvfrom(f, len); });
  }
  if (n == "shutdown") {
    auto how = a.integer(1);
    if (!how) return Err{how.error()};
    int h = static_cast<int>(*how);
    return make(ev, [f, h](SocketApi& api) { return api.shutdown(f, h); });
  }
  if (n == "close") return make(ev, [f](SocketApi& api) { return api.close(f); });
  if (n == "setsockopt" || n == "getsockopt") {
    auto level = a.integer(1), name = a.integer(2);
    if (!level) return Err{level.error()};
    if (!name) return Err{name.error()};
    int lv = static_cast<int>(*level), nm = static_cast<int>(*name);
    if (n == "setsockopt") {
      auto v = opt_value(a.arg(3));
      if (!v) return Err{n + ": " + v.error()};
      OptValue val = *v;
      return make(ev, [f, lv, nm, val](SocketApi& api) { return api.setsockopt(f, lv, nm, val); });
    }
    auto out = std::make_shared<OptValue>();
    std::optional<OptValue> want;
    if (a.arg(3) && a.arg(3)->kind != Expr::Kind::Ellipsis) {
      auto v = opt_value(a.arg(3));
      if (!v) return Err{n + ": " + v.error()};
      want = *v;
    }
    return make(ev, [f, lv, nm, out](SocketApi& api) { return api.getsockopt(f, lv, nm, *out); }, false,
                [out, want]() -> std::string {
                  if (!want) return "";
                  if (want->kind == OptValue::Kind::Text && out->text != want->text)
                    return "option value \"" + want->text + "\" expected, got \"" + out->text + "\"";
                  if (want->kind == OptValue::Kind::Int && out->integer != want->integer)
                    return "option value " + std::to_string(want->integer) + " expected, got " +
                           std::to_string(out->integer);
                  return "";
                });
  }
  if (n == "fcntl") {
    auto cmd = a.integer(1);
    if (!cmd) return Err{cmd.error()};
    long arg = 0;
    if (ev.args.size() > 2) {
      auto v = a.integer(2);
      if (!v) return Err{v.error()};
      arg = static_cast<long>(*v);
    }
    int c = static_cast<int>(*cmd);
    return make(ev, [f, c, arg](SocketApi& api) { return api.fcntl(f, c, arg); });
  }
  if (n == "ioctl") {
    auto req = a.integer(1);
    if (!req || *req != FIONREAD) return Err{std::string("ioctl: only FIONREAD is supported")};
    auto want = expected_int(a.arg(2));
    if (!want) return Err{n + ": " + want.error()};
    auto out = std::make_shared<int>(0);
    std::optional<long long> w = *want;
    return make(ev, [f, out](SocketApi& api) { return api.ioctl_fionread(f, *out); }, false,
                [out, w]() -> std::string {
                  if (!w || *out == *w) return "";
                  return "FIONREAD " + std::to_string(*w) + " expected, got " + std::to_string(*out);
                });
  }
  return Err{"unsupported system call '" + n + "'"};
}

}  // namespace

int FdMap::to_dut(long long script_fd) const {
  auto it = map_.find(script_fd);
  return it == map_.end() ? static_cast<int>(script_fd) : it->second;
}

std::optional<long long> FdMap::to_script(int dut_fd) const {
  for (const auto& [s, d] : map_)
    if (d == dut_fd) return s;
  return std::nullopt;
}

}  // namespace synack::conformance

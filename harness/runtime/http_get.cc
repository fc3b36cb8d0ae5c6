// The HTTP GET client (see http_get.h).
#include "harness/runtime/http_get.h"

#include <fmt/core.h>

namespace synack::harness {

namespace {
std::string so_error(socket::Host& host, int fd) {
  auto e = host.getsockopt(fd, socket::SockOpt::Error);
  if (!e || *e == 0) return "connection failed";
  return std::string(errno_name(static_cast<SockError>(*e - 1)));
}
}  // namespace

std::string describe_resolve_failure(const app::ResolveResult& r, const std::string& name,
                                     const socket::SockAddr& server) {
  std::string via = server.to_string();
  switch (r.status) {
    case app::ResolveStatus::Ok: return "";
    case app::ResolveStatus::NxDomain: return fmt::format("'{}' does not exist (NXDOMAIN from {})", name, via);
    case app::ResolveStatus::NoData: return fmt::format("'{}' has no IPv4 address (no A record at {})", name, via);
    case app::ResolveStatus::Timeout:
      return fmt::format("no answer from DNS server {} for '{}' after {} attempts (timed out)", via, name, r.attempts);
    case app::ResolveStatus::ConnRefused:
      return fmt::format("DNS server {} refused the query for '{}' (ICMP port unreachable: nothing listens there)", via,
                         name);
    case app::ResolveStatus::NetError:
      return fmt::format("cannot reach DNS server {} for '{}': {}", via, name,
                         r.sock_error ? std::string(errno_name(*r.sock_error)) : "network error");
    case app::ResolveStatus::BadName: return fmt::format("'{}' is not a valid DNS name", name);
    case app::ResolveStatus::Truncated:
      return fmt::format("the answer for '{}' from {} was truncated and needs TCP, which synack's resolver does not do",
                         name, via);
    case app::ResolveStatus::CnameLoop: return fmt::format("the CNAME chain of '{}' loops or is too long", name);
    default:
      return fmt::format("DNS server {} answered {} (RCODE {}) for '{}'", via, app::to_string(r.status), r.rcode, name);
  }
}

HttpGetClient::HttpGetClient(socket::Host& host, HttpGetOptions opt, std::function<void(ConstBytes)> sink,
                             socket::Pid pid)
    : host_(host), opt_(std::move(opt)), pid_(pid), sink_(std::move(sink)) {
  request_ = fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: synack\r\nAccept: */*\r\nConnection: close\r\n\r\n",
                         opt_.target, opt_.host_header);
  if (auto a = wire::Ipv4Address::parse(opt_.host)) {
    connect(*a);
  } else if (!opt_.dns) {
    fail(fmt::format("'{}' is a name and no DNS server was given", opt_.host));
  } else {
    resolver_ = std::make_unique<app::StubResolver>(host_, pid_, *opt_.dns, opt_.resolver);
  }
}

HttpGetClient::~HttpGetClient() {
  if (fd_ >= 0 && !done_) (void)host_.close(fd_);
}

void HttpGetClient::fail(std::string why) {
  if (done_) return;
  error_ = std::move(why);
  done_ = true;
  if (fd_ >= 0) (void)host_.close(fd_);
}

std::optional<Instant> HttpGetClient::poll_at() const {
  if (done_ || !resolver_) return std::nullopt;
  return resolver_->poll_at();
}

void HttpGetClient::resolve(Instant now) {
  if (!query_) query_ = resolver_->resolve(opt_.host, now);
  resolver_->poll(now);
  auto r = resolver_->result(*query_);
  if (!r) return;
  resolver_.reset();  // closes its sockets
  if (r->status != app::ResolveStatus::Ok) return fail(describe_resolve_failure(*r, opt_.host, *opt_.dns));
  connect(r->addresses.front());
}

void HttpGetClient::connect(wire::Ipv4Address addr) {
  address_ = addr;
  auto fd = host_.socket(pid_, socket::SockType::Stream);
  if (!fd) return fail(fmt::format("socket: {}", errno_name(fd.error())));
  fd_ = *fd;
  socket::SockAddr server{addr, opt_.port};
  auto r = host_.connect(fd_, server);
  if (!r && r.error() != SockError::InProgress)
    fail(fmt::format("connect to {}: {}", server.to_string(), errno_name(r.error())));
}

void HttpGetClient::poll(Instant now) {
  if (done_) return;
  if (resolver_) {
    resolve(now);
    if (done_ || fd_ < 0) return;
  }
  exchange();
}

void HttpGetClient::exchange() {
  auto ready = host_.poll(fd_);
  if (!ready) return fail(fmt::format("poll: {}", errno_name(ready.error())));
  socket::SockAddr server{*address_, opt_.port};
  if (ready->error && sent_ == 0) return fail(fmt::format("connect to {}: {}", server.to_string(), so_error(host_, fd_)));
  if (!ready->writable && sent_ == 0) return;  // still connecting
  while (sent_ < request_.size()) {
    auto r = host_.send(fd_, ConstBytes(reinterpret_cast<const std::uint8_t*>(request_.data()) + sent_,
                                        request_.size() - sent_));
    if (!r) {
      if (r.error() == SockError::Again) break;
      return fail(fmt::format("send: {}", errno_name(r.error())));
    }
    sent_ += *r;
  }
  std::uint8_t buf[65536];
  while (!done_) {
    auto r = host_.recv(fd_, buf);
    if (!r) {
      if (r.error() == SockError::Again) return;
      return fail(fmt::format("recv from {}: {} after {} body bytes", server.to_string(), errno_name(r.error()),
                              parser_.body_bytes()));
    }
    if (*r == 0) {
      if (auto f = parser_.finish(); !f) return fail(f.error());
    } else if (auto f = parser_.feed(ConstBytes(buf, *r), sink_); !f) {
      return fail(fmt::format("malformed response from {}: {}", server.to_string(), f.error()));
    }
    if (parser_.complete()) {
      done_ = true;
      (void)host_.close(fd_);
    }
  }
}

}  // namespace synack::harness

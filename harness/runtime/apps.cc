// Server applications (see apps.h).
#include "harness/runtime/apps.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>

namespace synack::harness {

namespace {

// Output queued per connection before reading pauses (echo backpressure).
constexpr std::size_t kMaxQueuedOut = 256 * 1024;
constexpr std::size_t kReadChunk = 65536;

class EchoSession final : public Session {
 public:
  void on_data(ConstBytes in, Bytes& out) override { out.insert(out.end(), in.begin(), in.end()); }
};

class DiscardSession final : public Session {
 public:
  void on_data(ConstBytes, Bytes&) override {}
};

// The chargen stream repeats after 95 lines: one period of it, built once.
const Bytes& chargen_period() {
  static const Bytes period = [] {
    Bytes b;
    for (std::uint64_t i = 0; i < 95; ++i) {
      std::string l = chargen_line(i);
      b.insert(b.end(), l.begin(), l.end());
    }
    return b;
  }();
  return period;
}

class ChargenSession final : public Session {
 public:
  void on_data(ConstBytes, Bytes&) override {}  // RFC 864: input is discarded
  // Appends the next kReadChunk bytes of the stream, copied from the period
  // (formatting line by line cost more than the whole TCP send path).
  void on_drained(Bytes& out) override {
    const Bytes& period = chargen_period();
    for (std::size_t left = kReadChunk; left > 0;) {
      std::size_t n = std::min(left, period.size() - pos_);
      auto from = period.begin() + static_cast<std::ptrdiff_t>(pos_);
      out.insert(out.end(), from, from + static_cast<std::ptrdiff_t>(n));
      left -= n;
      pos_ = (pos_ + n) % period.size();
    }
  }

 private:
  std::size_t pos_ = 0;  // offset in the period
};

}  // namespace

class HttpSession final : public Session {
 public:
  explicit HttpSession(HttpServer& server) : server_(server) {}
  void on_data(ConstBytes in, Bytes& out) override {
    if (closing_) return;
    in_.append(reinterpret_cast<const char*>(in.data()), in.size());
    if (!streaming()) next_request(out);
  }
  void on_drained(Bytes& out) override {
    if (streaming()) {
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kReadChunk, remaining_));
      std::size_t at = out.size();
      out.resize(at + n);
      std::size_t got = server_.root_->read(file_, offset_, MutBytes(out.data() + at, n));
      out.resize(at + got);
      if (got == 0) {  // the file shrank: the promised length cannot be kept
        closing_ = true;
        remaining_ = 0;
        return;
      }
      offset_ += got;
      remaining_ -= got;
      if (remaining_ > 0) return;
    }
    if (!closing_) next_request(out);
  }
  bool wants_close() const override { return closing_ && !streaming(); }
  bool read_paused() const override { return streaming() || in_.size() > http::kMaxHeadBytes * 4; }

 private:
  bool streaming() const { return remaining_ > 0; }
  // Answers pipelined requests one at a time: the next is parsed only once
  // the current response body has been produced.
  void next_request(Bytes& out) {
    while (!closing_ && !streaming()) {
      auto parsed = http::parse_request(in_);
      if (parsed.status == http::ParseStatus::NeedMore) return;
      http::Response r = parsed.status == http::ParseStatus::Bad
                             ? server_.responder_.reject(parsed.error_status, parsed.error)
                             : server_.responder_.respond(parsed.request);
      ++server_.requests_;
      in_.erase(0, parsed.status == http::ParseStatus::Bad ? in_.size() : parsed.consumed);
      out.insert(out.end(), r.head.begin(), r.head.end());
      out.insert(out.end(), r.inline_body.begin(), r.inline_body.end());
      if (!r.file.empty() && r.body_len > 0) {
        file_ = r.file;
        offset_ = 0;
        remaining_ = r.body_len;
      }
      if (!r.keep_alive) closing_ = true;
    }
  }

  HttpServer& server_;
  std::string in_;
  std::string file_;
  std::uint64_t offset_ = 0;
  std::uint64_t remaining_ = 0;
  bool closing_ = false;
};

std::unique_ptr<Session> EchoServer::make_session() { return std::make_unique<EchoSession>(); }
std::unique_ptr<Session> DiscardServer::make_session() { return std::make_unique<DiscardSession>(); }
std::unique_ptr<Session> ChargenServer::make_session() { return std::make_unique<ChargenSession>(); }
std::unique_ptr<Session> HttpServer::make_session() { return std::make_unique<HttpSession>(*this); }

std::string chargen_line(std::uint64_t line) {
  // 95 printable characters (0x20..0x7e), 72 per line, rotating by one.
  std::string s(74, ' ');
  for (int i = 0; i < 72; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>(0x20 + (line + i) % 95);
  s[72] = '\r';
  s[73] = '\n';
  return s;
}

TcpServer::TcpServer(socket::Host& host, std::uint16_t port, socket::Pid pid) : host_(host), port_(port) {
  auto fd = host.socket(pid, socket::SockType::Stream);
  if (!fd) {
    error_ = std::string(errno_name(fd.error()));
    return;
  }
  listen_fd_ = *fd;
  (void)host.setsockopt(listen_fd_, socket::SockOpt::ReuseAddr, 1);
  if (auto r = host.bind(listen_fd_, {wire::Ipv4Address::any(), port}); !r) {
    error_ = fmt::format("bind to port {}: {}", port, errno_name(r.error()));
    return;
  }
  if (auto r = host.listen(listen_fd_, 1024); !r) error_ = fmt::format("listen on port {}: {}", port, errno_name(r.error()));
}

TcpServer::~TcpServer() {
  for (auto& c : conns_) (void)host_.close(c.fd);
  if (listen_fd_ >= 0) (void)host_.close(listen_fd_);
}

void TcpServer::poll(Instant) {
  if (listen_fd_ < 0 || !error_.empty()) return;
  for (;;) {
    auto fd = host_.accept(listen_fd_);
    if (!fd) break;
    ++stats_.accepted;
    conns_.push_back(Conn{*fd, make_session(), {}, 0, false});
  }
  std::erase_if(conns_, [this](Conn& c) { return !service(c); });
}

bool TcpServer::read_some(Conn& c) {
  std::uint8_t buf[kReadChunk];
  while (!c.peer_eof && !c.session->read_paused() && c.out.size() - c.out_off < kMaxQueuedOut) {
    auto r = host_.recv(c.fd, buf);
    if (!r) {
      if (r.error() == SockError::Again) return true;
      ++stats_.errors;
      return false;
    }
    if (*r == 0) {
      c.peer_eof = true;
      break;
    }
    stats_.bytes_in += *r;
    c.session->on_data(ConstBytes(buf, *r), c.out);
  }
  return true;
}

bool TcpServer::write_some(Conn& c) {
  for (;;) {
    if (c.out_off == c.out.size()) {
      c.out.clear();
      c.out_off = 0;
      c.session->on_drained(c.out);
      if (c.out.empty()) return true;
    }
    auto r = host_.send(c.fd, ConstBytes(c.out).subspan(c.out_off));
    if (!r) {
      if (r.error() == SockError::Again) return true;
      ++stats_.errors;
      return false;
    }
    if (*r == 0) return true;
    c.out_off += *r;
    stats_.bytes_out += *r;
  }
}

bool TcpServer::service(Conn& c) {
  bool ok = read_some(c) && write_some(c);
  // Reading may have paused for output: once output drained, read again.
  if (ok && !c.peer_eof) ok = read_some(c) && write_some(c);
  bool drained = c.out_off == c.out.size();
  if (ok && !(drained && (c.peer_eof || c.session->wants_close()))) return true;
  (void)host_.close(c.fd);
  ++stats_.closed;
  return false;
}

UdpEchoServer::UdpEchoServer(socket::Host& host, std::uint16_t port, socket::Pid pid) : host_(host) {
  auto fd = host.socket(pid, socket::SockType::Dgram);
  if (!fd) {
    error_ = std::string(errno_name(fd.error()));
    return;
  }
  fd_ = *fd;
  if (auto r = host.bind(fd_, {wire::Ipv4Address::any(), port}); !r)
    error_ = fmt::format("bind to UDP port {}: {}", port, errno_name(r.error()));
}

void UdpEchoServer::poll(Instant) {
  if (fd_ < 0) return;
  std::uint8_t buf[65536];
  while (auto r = host_.recvfrom(fd_, buf)) {
    if (host_.sendto(fd_, ConstBytes(buf, r->first), r->second)) ++echoed_;
  }
}

std::optional<ServeSpec> parse_serve_spec(const std::string& text, std::string* error) {
  ServeSpec s;
  auto colon = text.find(':');
  s.kind = text.substr(0, colon);
  if (s.kind != "echo" && s.kind != "discard" && s.kind != "chargen" && s.kind != "http") {
    *error = fmt::format("--serve {}: unknown service '{}' (echo, discard, chargen, http)", text, s.kind);
    return std::nullopt;
  }
  if (colon == std::string::npos) {
    *error = fmt::format("--serve {}: missing :PORT", text);
    return std::nullopt;
  }
  std::string rest = text.substr(colon + 1);
  auto colon2 = rest.find(':');
  std::string port = rest.substr(0, colon2);
  unsigned value = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
    *error = fmt::format("--serve {}: '{}' is not a port (1..65535)", text, port);
    return std::nullopt;
  }
  s.port = static_cast<std::uint16_t>(value);
  if (s.kind == "http") {
    if (colon2 == std::string::npos || colon2 + 1 >= rest.size()) {
      *error = fmt::format("--serve {}: http needs a directory (http:PORT:DIR)", text);
      return std::nullopt;
    }
    s.dir = rest.substr(colon2 + 1);
  } else if (colon2 != std::string::npos) {
    *error = fmt::format("--serve {}: {} takes only a port", text, s.kind);
    return std::nullopt;
  }
  return s;
}

}  // namespace synack::harness

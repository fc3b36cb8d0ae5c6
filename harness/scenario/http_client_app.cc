// The keep-alive HTTP client app (see http_client_app.h).
#include "harness/scenario/http_client_app.h"

#include <fmt/core.h>

namespace synack::harness {

HttpKeepAliveClient::HttpKeepAliveClient(socket::Host& host, socket::SockAddr server, std::string host_header,
                                         std::vector<HttpExpectation> requests, socket::Pid pid)
    : host_(host), host_header_(std::move(host_header)), requests_(std::move(requests)) {
  outcomes_.resize(requests_.size());
  auto fd = host.socket(pid, socket::SockType::Stream);
  if (!fd) {
    end(fd.error());
    return;
  }
  fd_ = *fd;
  // A server that gave up under loss (ETIMEDOUT, which sends no RST, RFC
  // 9293 §3.8.3) leaves the client waiting for a response forever: the
  // keepalive probe draws the RST that ends the exchange with ECONNRESET.
  (void)host.setsockopt(fd_, socket::SockOpt::KeepAlive, 1);
  auto r = host.connect(fd_, server);
  if (!r && r.error() != SockError::InProgress) end(r.error());
}

void HttpKeepAliveClient::end(std::optional<SockError> e, std::string protocol) {
  if (done_) return;
  sock_error_ = e;
  protocol_error_ = std::move(protocol);
  done_ = true;
  if (fd_ >= 0) (void)host_.close(fd_);
}

void HttpKeepAliveClient::start_next(Instant now) {
  const auto& req = requests_[next_];
  bool last = next_ + 1 == requests_.size();
  out_ += fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: synack-sim\r\n{}\r\n", req.method, req.target,
                      host_header_, last ? "Connection: close\r\n" : "");
  parser_ = http::ResponseParser(req.method == "HEAD");
  body_.clear();
  in_flight_ = true;
  outcomes_[next_].sent_at = now;
}

void HttpKeepAliveClient::flush() {
  while (out_off_ < out_.size()) {
    auto r = host_.send(fd_, ConstBytes(reinterpret_cast<const std::uint8_t*>(out_.data()) + out_off_,
                                        out_.size() - out_off_));
    if (!r) {
      if (r.error() != SockError::Again) end(r.error());
      return;
    }
    out_off_ += *r;
  }
  out_.clear();
  out_off_ = 0;
}

void HttpKeepAliveClient::finish_response(Instant now) {
  const auto& want = requests_[next_];
  auto& got = outcomes_[next_];
  got.complete = true;
  got.status = parser_.head().status;
  got.body_bytes = parser_.body_bytes();
  got.framing = parser_.framing();
  got.done_at = now;
  std::optional<std::uint64_t> announced;
  if (auto cl = parser_.head().header("content-length")) announced = std::strtoull(cl->c_str(), nullptr, 10);
  got.exact = got.status == want.status && body_ == want.body &&
              (!want.content_length || announced == want.content_length);
  in_flight_ = false;
  ++next_;
  if (next_ < requests_.size() && !parser_.keep_alive())
    end(std::nullopt, fmt::format("the server closed the connection after request {} of {}", next_, requests_.size()));
}

void HttpKeepAliveClient::on_bytes(ConstBytes b, Instant now) {
  while (!b.empty() && !done_) {
    if (!in_flight_) {
      end(std::nullopt, fmt::format("{} unexpected bytes after the last response", b.size()));
      return;
    }
    auto used = parser_.feed(b, [this](ConstBytes part) { body_.insert(body_.end(), part.begin(), part.end()); });
    if (!used) {
      end(std::nullopt, fmt::format("response {}: {}", next_ + 1, used.error()));
      return;
    }
    b = b.subspan(*used);
    if (parser_.complete()) finish_response(now);
  }
}

void HttpKeepAliveClient::poll(Instant now) {
  if (done_) return;
  auto ready = host_.poll(fd_);
  if (!ready) return end(ready.error());
  if (!connected_) {
    if (ready->error) {
      auto e = host_.getsockopt(fd_, socket::SockOpt::Error);
      return end(e && *e > 0 ? static_cast<SockError>(*e - 1) : SockError::ConnRefused);
    }
    if (!ready->writable) return;
    connected_ = true;
  }
  for (;;) {
    if (!in_flight_ && next_ < requests_.size()) start_next(now);
    flush();
    if (done_) return;
    std::uint8_t buf[16384];
    auto r = host_.recv(fd_, buf);
    if (!r) {
      if (r.error() != SockError::Again) end(r.error());
      return;
    }
    if (*r == 0) {
      server_fin_ = true;
      if (in_flight_) {
        if (auto f = parser_.finish(); !f) return end(std::nullopt, fmt::format("response {}: {}", next_ + 1, f.error()));
        finish_response(now);
      }
      if (next_ < requests_.size())
        return end(std::nullopt, fmt::format("the server closed the connection after {} of {} responses", next_,
                                             requests_.size()));
      return end(std::nullopt);
    }
    on_bytes(ConstBytes(buf, *r), now);
    if (done_) return;
  }
}

}  // namespace synack::harness

#include "harness/scenario/tcp_apps.h"

namespace synack::harness {

SinkApp::SinkApp(socket::Host& h, std::uint16_t port) : host_(h), listen_fd_(*h.socket(80, socket::SockType::Stream)) {
  (void)h.bind(listen_fd_, {wire::Ipv4Address::any(), port});
  (void)h.listen(listen_fd_, 1024);
}

void SinkApp::poll(Instant now) {
  while (auto fd = host_.accept(listen_fd_)) {
    Stream s;
    s.fd = *fd;
    streams.push_back(s);
  }
  std::uint8_t buf[65536];
  for (auto& s : streams) {
    while (!s.eof && !s.error) {
      auto r = host_.recv(s.fd, buf);
      if (!r) {
        if (r.error() != SockError::Again) s.error = r.error();
        break;
      }
      if (*r == 0) {
        s.eof = true;
        s.done_at = now;
        (void)host_.close(s.fd);
        break;
      }
      s.bytes += *r;
      s.hash.add(ConstBytes(buf, *r));
    }
  }
}

SourceApp::SourceApp(socket::Host& h, socket::SockAddr server, std::uint64_t bytes, std::uint32_t stream)
    : host_(h), fd_(*h.socket(81, socket::SockType::Stream)), total_(bytes), stream_(stream) {
  auto r = h.connect(fd_, server);
  if (!r && r.error() != SockError::InProgress) error_ = r.error();
}

void SourceApp::poll(Instant now) {
  if (done()) return;
  auto ready = host_.poll(fd_);
  if (!ready) return;
  if (ready->error) {
    auto e = host_.getsockopt(fd_, socket::SockOpt::Error);
    error_ = e && *e > 0 ? static_cast<SockError>(*e - 1) : SockError::ConnReset;
    return;
  }
  if (!ready->writable) return;
  if (!connected_) {
    connected_ = true;
    connected_at = now;
  }
  std::uint8_t chunk[16384];
  while (sent_ < total_) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof chunk, total_ - sent_));
    for (std::size_t i = 0; i < n; ++i) chunk[i] = pattern_byte(stream_, sent_ + i);
    auto r = host_.send(fd_, ConstBytes(chunk, n));
    if (!r) {
      if (r.error() != SockError::Again) error_ = r.error();
      return;
    }
    expected_.add(ConstBytes(chunk, *r));
    sent_ += *r;
    if (*r < n) return;
  }
  (void)host_.close(fd_);
  closed_ = true;
}

}  // namespace synack::harness

// Client applications (see clients.h).
#include "harness/runtime/clients.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace synack::harness {

namespace {
double ms(Duration d) { return static_cast<double>(d.nanos()) / 1e6; }

// The socket's pending error (SO_ERROR), as an errno name.
std::string so_error(socket::Host& host, int fd) {
  auto e = host.getsockopt(fd, socket::SockOpt::Error);
  if (!e || *e == 0) return "connection failed";
  return std::string(errno_name(static_cast<SockError>(*e - 1)));
}
}  // namespace

// --- ping ---

std::string PingSummary::format(const std::string& dst, Duration elapsed) const {
  std::uint32_t lost = transmitted - std::min(transmitted, received);
  std::string s = fmt::format("--- {} ping statistics ---\n", dst);
  s += fmt::format("{} packets transmitted, {} received, {}% packet loss, time {}ms\n", transmitted, received,
                   transmitted ? lost * 100 / transmitted : 0, elapsed.millis());
  if (received > 0) {
    double avg_us = static_cast<double>(total.nanos()) / 1e3 / received;
    double var = static_cast<double>(sum_sq_us) / received - avg_us * avg_us;
    s += fmt::format("rtt min/avg/max/mdev = {:.3f}/{:.3f}/{:.3f}/{:.3f} ms\n", ms(min), avg_us / 1e3, ms(max),
                     std::sqrt(std::max(var, 0.0)) / 1e3);
  }
  return s;
}

PingClient::PingClient(socket::Host& host, PingOptions opt, std::FILE* out, socket::Pid pid)
    : host_(host), opt_(opt), out_(out) {
  auto fd = host.socket(pid, socket::SockType::Dgram, socket::SockProto::Icmp);
  if (!fd) {
    error_ = fmt::format("ping socket: {}", errno_name(fd.error()));
    done_ = true;
    return;
  }
  fd_ = *fd;
}

Bytes PingClient::payload(std::uint16_t seq) const {
  Bytes p(opt_.size);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(i + seq);
  return p;
}

std::optional<Instant> PingClient::poll_at() const {
  if (done_ || !start_) return std::nullopt;
  if (sum_.transmitted < opt_.count) return next_send_;
  return last_send_ + opt_.wait;
}

void PingClient::poll(Instant now) {
  if (done_) return;
  if (!start_) {
    start_ = now;
    next_send_ = now;
    if (out_)
      fmt::print(out_, "PING {} ({}) {}({}) bytes of data.\n", opt_.dst.to_string(), opt_.dst.to_string(), opt_.size,
                 opt_.size + 28);
  }
  while (auto r = host_.recv_ping(fd_)) {
    bool intact = r->payload == payload(r->seq);
    if (!intact) ++sum_.corrupted;
    ++sum_.received;
    Duration rtt = r->rtt;
    sum_.min = sum_.received == 1 ? rtt : std::min(sum_.min, rtt);
    sum_.max = std::max(sum_.max, rtt);
    sum_.total += rtt;
    auto us = static_cast<std::uint64_t>(rtt.micros());
    sum_.sum_sq_us += us * us;
    if (out_)
      fmt::print(out_, "{} bytes from {}: icmp_seq={} ttl={} time={:.3f} ms{}\n", r->payload_len + 8,
                 r->from.to_string(), r->seq, r->ttl, ms(rtt), intact ? "" : " (payload differs!)");
  }
  while (sum_.transmitted < opt_.count && now >= next_send_) {
    auto seq = static_cast<std::uint16_t>(sum_.transmitted + 1);
    auto r = host_.send_ping(fd_, opt_.dst, seq, payload(seq));
    if (!r && out_) fmt::print(out_, "ping: sendmsg: {}\n", errno_name(r.error()));
    ++sum_.transmitted;
    last_send_ = now;
    next_send_ = next_send_ + opt_.interval;
  }
  if (out_) std::fflush(out_);
  if (sum_.transmitted == opt_.count && (sum_.received >= opt_.count || now >= last_send_ + opt_.wait)) {
    done_ = true;
    if (out_) {
      std::fputs(sum_.format(opt_.dst.to_string(), now - *start_).c_str(), out_);
      std::fflush(out_);
    }
  }
}

// --- byte stream ---

StreamClient::StreamClient(socket::Host& host, socket::SockAddr server, std::function<void(ConstBytes)> sink,
                           socket::Pid pid)
    : host_(host), sink_(std::move(sink)) {
  auto fd = host.socket(pid, socket::SockType::Stream);
  if (!fd) {
    error_ = fmt::format("socket: {}", errno_name(fd.error()));
    done_ = true;
    return;
  }
  fd_ = *fd;
  auto r = host.connect(fd_, server);
  if (!r && r.error() != SockError::InProgress) {
    error_ = fmt::format("connect to {}: {}", server.to_string(), errno_name(r.error()));
    done_ = true;
  }
}

void StreamClient::poll(Instant) {
  if (done_) return;
  auto ready = host_.poll(fd_);
  if (!ready) return;
  if (!connected_) {
    if (ready->error) {
      error_ = fmt::format("connect: {}", so_error(host_, fd_));
      done_ = true;
      (void)host_.close(fd_);
      return;
    }
    if (!ready->writable) return;
    connected_ = true;
  }
  while (out_off_ < out_.size()) {
    auto r = host_.send(fd_, ConstBytes(out_).subspan(out_off_));
    if (!r) {
      if (r.error() == SockError::Again) break;
      error_ = fmt::format("send: {}", errno_name(r.error()));
      done_ = true;
      (void)host_.close(fd_);
      return;
    }
    out_off_ += *r;
  }
  if (out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
    if (input_done_ && !shut_) {
      (void)host_.shutdown(fd_, socket::Shut::Wr);
      shut_ = true;
    }
  }
  std::uint8_t buf[65536];
  for (;;) {
    auto r = host_.recv(fd_, buf);
    if (!r) {
      if (r.error() == SockError::Again) return;
      error_ = fmt::format("recv: {}", errno_name(r.error()));
      break;
    }
    if (*r == 0) break;
    sink_(ConstBytes(buf, *r));
  }
  done_ = true;  // the peer finished (or failed): nothing more will come
  (void)host_.close(fd_);
}

// --- UDP echo client ---

UdpEchoClient::UdpEchoClient(socket::Host& host, socket::SockAddr server, std::uint32_t count, std::size_t size,
                             Duration interval, socket::Pid pid)
    : host_(host), server_(server), count_(count), size_(std::max<std::size_t>(size, 4)), interval_(interval) {
  if (auto fd = host.socket(pid, socket::SockType::Dgram)) fd_ = *fd;
}

Bytes UdpEchoClient::datagram(std::uint32_t seq) const {
  Bytes d(size_);
  store_be32(d, 0, seq);
  for (std::size_t i = 4; i < d.size(); ++i) d[i] = static_cast<std::uint8_t>(seq * 7 + i);
  return d;
}

void UdpEchoClient::poll(Instant now) {
  if (fd_ < 0) return;
  if (!started_) {
    started_ = true;
    next_ = now;
  }
  while (sent_ < count_ && now >= next_) {
    (void)host_.sendto(fd_, datagram(sent_), server_);
    ++sent_;
    next_ = next_ + interval_;
  }
  std::uint8_t buf[65536];
  while (auto r = host_.recvfrom(fd_, buf)) {
    if (r->first >= 4 && Bytes(buf, buf + r->first) == datagram(load_be32(ConstBytes(buf, r->first), 0))) ++echoed_;
    else ++corrupted_;
  }
}

}  // namespace synack::harness

// Client applications over the socket API of one socket::Host: ping (ICMP
// echo sockets, statistics like iputils ping), a byte-stream client for
// `synack connect`, and a UDP echo client (the HTTP client is in
// http_get.h). Each is an
// App (poll/poll_at) with a done() predicate for the runtime's stop test.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/world/host_node.h"
#include "stack/socket/host.h"

namespace synack::harness {

struct PingOptions {
  wire::Ipv4Address dst;
  std::uint32_t count = 4;
  Duration interval = Duration::from_secs(1);
  std::size_t size = 56;  // payload bytes, like ping -s
  Duration wait = Duration::from_secs(2);  // after the last request
};

struct PingSummary {
  std::uint32_t transmitted = 0;
  std::uint32_t received = 0;
  std::uint32_t corrupted = 0;  // replies whose payload differs
  Duration min, max, total;
  std::uint64_t sum_sq_us = 0;  // for mdev
  std::string format(const std::string& dst, Duration elapsed) const;
};

class PingClient final : public App {
 public:
  // Lines ("N bytes from ...") go to `out` when given.
  PingClient(socket::Host& host, PingOptions opt, std::FILE* out = nullptr, socket::Pid pid = 2);
  void poll(Instant now) override;
  std::optional<Instant> poll_at() const override;
  bool done() const noexcept { return done_; }
  const PingSummary& summary() const noexcept { return sum_; }
  const std::string& error() const noexcept { return error_; }

 private:
  Bytes payload(std::uint16_t seq) const;
  socket::Host& host_;
  PingOptions opt_;
  std::FILE* out_;
  int fd_ = -1;
  std::optional<Instant> start_;
  Instant next_send_;
  Instant last_send_;
  PingSummary sum_;
  bool done_ = false;
  std::string error_;
};

// Connects to `server`; bytes given to write() are sent, bytes received go
// to `sink`; finish_input() half-closes after the queued bytes.
class StreamClient final : public App {
 public:
  StreamClient(socket::Host& host, socket::SockAddr server, std::function<void(ConstBytes)> sink,
               socket::Pid pid = 4);
  void poll(Instant now) override;
  void write(ConstBytes data) { out_.insert(out_.end(), data.begin(), data.end()); }
  void finish_input() { input_done_ = true; }
  std::size_t queued() const noexcept { return out_.size() - out_off_; }
  bool connected() const noexcept { return connected_; }
  bool done() const noexcept { return done_; }
  const std::string& error() const noexcept { return error_; }

 private:
  socket::Host& host_;
  int fd_ = -1;
  Bytes out_;
  std::size_t out_off_ = 0;
  std::function<void(ConstBytes)> sink_;
  bool connected_ = false;
  bool input_done_ = false;
  bool shut_ = false;
  bool done_ = false;
  std::string error_;
};

// Sends `count` numbered datagrams to `server` (one every `interval`) and
// counts the intact echoes.
class UdpEchoClient final : public App {
 public:
  UdpEchoClient(socket::Host& host, socket::SockAddr server, std::uint32_t count, std::size_t size,
                Duration interval, socket::Pid pid = 5);
  void poll(Instant now) override;
  std::optional<Instant> poll_at() const override { return sent_ < count_ ? std::optional(next_) : std::nullopt; }
  std::uint32_t sent() const noexcept { return sent_; }
  std::uint32_t echoed() const noexcept { return echoed_; }
  std::uint32_t corrupted() const noexcept { return corrupted_; }

 private:
  Bytes datagram(std::uint32_t seq) const;
  socket::Host& host_;
  socket::SockAddr server_;
  std::uint32_t count_;
  std::size_t size_;
  Duration interval_;
  int fd_ = -1;
  Instant next_;
  bool started_ = false;
  std::uint32_t sent_ = 0, echoed_ = 0, corrupted_ = 0;
};

}  // namespace synack::harness

// TCP applications for the scenarios: a sink that accepts connections and
// reads everything (hashing what it reads), and a source that connects and
// writes a deterministic byte pattern, then closes.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/world/host_node.h"

namespace synack::harness {

// The byte at offset i of transfer `stream` (a pattern that catches
// reordering, duplication and corruption alike).
inline std::uint8_t pattern_byte(std::uint32_t stream, std::uint64_t i) {
  return static_cast<std::uint8_t>((i * 131) ^ (i >> 11) ^ (stream * 97));
}

// FNV-1a, 64 bits: the end-to-end integrity hash of a stream.
struct Fnv1a {
  std::uint64_t h = 1469598103934665603ULL;
  void add(ConstBytes b) {
    for (auto c : b) h = (h ^ c) * 1099511628211ULL;
  }
};

class SinkApp final : public App {
 public:
  SinkApp(socket::Host& h, std::uint16_t port);
  void poll(Instant now) override;
  struct Stream {
    int fd = -1;
    std::uint64_t bytes = 0;
    Fnv1a hash;
    bool eof = false;
    std::optional<SockError> error;
    Instant done_at;
  };
  std::vector<Stream> streams;

 private:
  socket::Host& host_;
  int listen_fd_;
};

class SourceApp final : public App {
 public:
  SourceApp(socket::Host& h, socket::SockAddr server, std::uint64_t bytes, std::uint32_t stream);
  void poll(Instant now) override;
  bool done() const { return closed_ || error_.has_value(); }
  std::uint64_t sent() const { return sent_; }
  std::uint64_t expected_hash() const { return expected_.h; }
  std::optional<SockError> error() const { return error_; }
  int fd() const { return fd_; }
  Instant connected_at;

 private:
  socket::Host& host_;
  int fd_;
  std::uint64_t total_;
  std::uint32_t stream_;
  std::uint64_t sent_ = 0;
  bool connected_ = false;
  bool closed_ = false;
  std::optional<SockError> error_;
  Fnv1a expected_;
};

}  // namespace synack::harness

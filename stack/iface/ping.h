// ICMP echo ("ping") sockets, like Linux's SOCK_DGRAM/IPPROTO_ICMP sockets:
// the socket owns an identifier, queues echo requests for the next poll,
// and collects the matching replies with their round-trip time measured in
// the stack's (virtual) time.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "stack/base/bytes.h"
#include "stack/base/instant.h"
#include "stack/wire/address.h"

namespace synack::iface {

struct EchoRequest {
  wire::Ipv4Address dst;
  std::uint16_t seq = 0;
  Bytes payload;
};

struct PingReply {
  wire::Ipv4Address from;
  std::uint16_t ident = 0;
  std::uint16_t seq = 0;
  std::size_t payload_len = 0;
  std::uint8_t ttl = 0;
  Duration rtt;  // zero when the request's send time is unknown
  Bytes payload;
};

class PingSocket {
 public:
  static constexpr std::size_t kMaxQueued = 64;
  explicit PingSocket(std::uint16_t ident) : ident_(ident) {}
  std::uint16_t ident() const noexcept { return ident_; }
  void set_ident(std::uint16_t ident) noexcept { ident_ = ident; }

  bool queue(EchoRequest r) {
    if (tx_.size() >= kMaxQueued) return false;
    tx_.push_back(std::move(r));
    return true;
  }
  std::optional<EchoRequest> pop_request() {
    if (tx_.empty()) return std::nullopt;
    auto r = std::move(tx_.front());
    tx_.pop_front();
    return r;
  }
  bool has_request() const noexcept { return !tx_.empty(); }
  void mark_sent(std::uint16_t seq, Instant at) {
    sent_[seq] = at;
    while (sent_.size() > 1024) sent_.erase(sent_.begin());
  }
  void deliver(PingReply r, Instant now) {
    if (auto it = sent_.find(r.seq); it != sent_.end()) r.rtt = now - it->second;
    if (rx_.size() < kMaxQueued) rx_.push_back(std::move(r));
  }
  std::optional<PingReply> pop_reply() {
    if (rx_.empty()) return std::nullopt;
    auto r = std::move(rx_.front());
    rx_.pop_front();
    return r;
  }
  bool readable() const noexcept { return !rx_.empty(); }

 private:
  std::uint16_t ident_;
  std::deque<EchoRequest> tx_;
  std::deque<PingReply> rx_;
  std::map<std::uint16_t, Instant> sent_;
};

}  // namespace synack::iface

// The UDP socket control block (RFC 768): local and remote endpoints, a
// bounded receive queue of datagrams (drops counted, like Linux's
// SO_RCVBUF accounting), a bounded send queue drained by the interface on its
// next poll, options, and a pending error from ICMP (RFC 1122 §4.1.3.3: a
// connected socket learns ECONNREFUSED from port unreachable). Knows nothing
// of IP routing or frames.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

#include "stack/base/bytes.h"
#include "stack/base/result.h"
#include "stack/base/sock_error.h"
#include "stack/wire/address.h"

namespace synack::udp {

struct Endpoint {
  wire::Ipv4Address addr;
  std::uint16_t port = 0;
  constexpr auto operator<=>(const Endpoint&) const noexcept = default;
};

struct Datagram {
  Endpoint peer;  // source when received, destination when sent
  Bytes data;
};

struct UdpSocketStats {
  std::uint64_t rx_datagrams = 0;
  std::uint64_t rx_dropped = 0;  // receive queue full (SO_RCVBUF)
  std::uint64_t tx_datagrams = 0;
};

class UdpSocket {
 public:
  static constexpr std::size_t kDefaultRcvBuf = 212992;  // Linux rmem_default
  static constexpr std::size_t kDefaultSndBuf = 212992;
  // Linux charges each queued datagram its skb truesize, not just its bytes;
  // a fixed overhead keeps floods of tiny datagrams bounded too.
  static constexpr std::size_t kPerDatagramOverhead = 256;

  std::optional<Endpoint> local;
  std::optional<Endpoint> remote;  // set by connect()
  bool reuse_addr = false;
  bool broadcast = false;
  std::size_t rcvbuf = kDefaultRcvBuf;
  std::size_t sndbuf = kDefaultSndBuf;

  // Inbound datagram for this socket; false (and counted) when the queue is full.
  bool deliver(Endpoint from, ConstBytes payload);
  // Queues a datagram for sending at the next poll.
  Result<void, SockError> queue_send(Endpoint to, ConstBytes payload);
  // Application receive: copies up to buf.size() bytes of the next datagram
  // (the rest of it is discarded, as with recv on a datagram socket).
  Result<std::pair<std::size_t, Endpoint>, SockError> recv(MutBytes buf);

  std::optional<Datagram> pop_send();
  bool has_send() const noexcept { return !tx_.empty(); }
  bool readable() const noexcept { return !rx_.empty() || error_.has_value(); }
  bool writable() const noexcept { return tx_bytes_ + kPerDatagramOverhead < sndbuf; }
  std::size_t rx_bytes() const noexcept { return rx_bytes_; }
  std::size_t tx_bytes() const noexcept { return tx_bytes_; }
  std::size_t next_datagram_size() const noexcept { return rx_.empty() ? 0 : rx_.front().data.size(); }

  void set_error(SockError e) { error_ = e; }
  std::optional<SockError> take_error() { return std::exchange(error_, std::nullopt); }
  const UdpSocketStats& stats() const noexcept { return stats_; }

 private:
  std::deque<Datagram> rx_;
  std::deque<Datagram> tx_;
  std::size_t rx_bytes_ = 0;
  std::size_t tx_bytes_ = 0;
  std::optional<SockError> error_;
  UdpSocketStats stats_;
};

}  // namespace synack::udp

#include "stack/transport/udp/udp_socket.h"

#include <algorithm>
#include <utility>

namespace synack::udp {

bool UdpSocket::deliver(Endpoint from, ConstBytes payload) {
  std::size_t cost = payload.size() + kPerDatagramOverhead;
  if (rx_bytes_ + cost > rcvbuf) {
    ++stats_.rx_dropped;
    return false;
  }
  rx_.push_back(Datagram{from, Bytes(payload.begin(), payload.end())});
  rx_bytes_ += cost;
  ++stats_.rx_datagrams;
  return true;
}

Result<void, SockError> UdpSocket::queue_send(Endpoint to, ConstBytes payload) {
  if (payload.size() > 65507) return Err{SockError::MsgSize};  // 65535 - 20 - 8
  std::size_t cost = payload.size() + kPerDatagramOverhead;
  if (tx_bytes_ + cost > sndbuf) return Err{SockError::Again};
  tx_.push_back(Datagram{to, Bytes(payload.begin(), payload.end())});
  tx_bytes_ += cost;
  return {};
}

Result<std::pair<std::size_t, Endpoint>, SockError> UdpSocket::recv(MutBytes buf) {
  if (auto e = take_error()) return Err{*e};
  if (rx_.empty()) return Err{SockError::Again};
  Datagram d = std::move(rx_.front());
  rx_.pop_front();
  rx_bytes_ -= d.data.size() + kPerDatagramOverhead;
  std::size_t n = std::min(buf.size(), d.data.size());
  std::copy_n(d.data.begin(), n, buf.begin());
  return std::pair{n, d.peer};
}

std::optional<Datagram> UdpSocket::pop_send() {
  if (tx_.empty()) return std::nullopt;
  Datagram d = std::move(tx_.front());
  tx_.pop_front();
  tx_bytes_ -= d.data.size() + kPerDatagramOverhead;
  ++stats_.tx_datagrams;
  return d;
}

}  // namespace synack::udp

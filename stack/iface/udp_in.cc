// UDP glue (RFC 768, RFC 1122 §4.1): demultiplexing, port unreachable for
// closed ports, the socket calls that need the stack (bind, connect, send),
// and draining socket send queues at poll time.
#include "stack/iface/stack.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/udp.h"

namespace synack::iface {

namespace {
// How well a socket matches a datagram: -1 no match; higher is more specific.
int match_score(const udp::UdpSocket& s, wire::Ipv4Address dst, std::uint16_t dport, wire::Ipv4Address src,
                std::uint16_t sport, bool broadcast) {
  if (!s.local || s.local->port != dport) return -1;
  int score = 0;
  if (!s.local->addr.is_unspecified()) {
    if (s.local->addr != dst && !broadcast) return -1;
    score += 1;
  }
  if (s.remote) {
    if (s.remote->addr != src || s.remote->port != sport) return -1;
    score += 2;
  }
  return score;
}
}  // namespace

udp::UdpSocket* Stack::find_udp(wire::Ipv4Address dst, std::uint16_t dport, wire::Ipv4Address src,
                                std::uint16_t sport, Handle* out) {
  udp::UdpSocket* best = nullptr;
  int best_score = -1;
  udp_.for_each([&](Handle h, udp::UdpSocket& s) {
    int score = match_score(s, dst, dport, src, sport, false);
    if (score > best_score) {
      best = &s;
      best_score = score;
      if (out) *out = h;
    }
  });
  return best;
}

void Stack::receive_udp(Instant now, wire::Ipv4Address src, wire::Ipv4Address dst, ConstBytes payload,
                        ConstBytes whole_packet, bool broadcast) {
  auto pkt = wire::UdpPacket::checked(payload);
  if (!pkt) {
    ++stats_.udp.rx_malformed;
    return;
  }
  auto udp = wire::UdpRepr::parse(*pkt, src, dst, /*verify_checksum=*/!rx_l4_trusted_);
  if (!udp) {
    if (udp.error() == wire::ParseError::BadChecksum) ++stats_.udp.rx_bad_checksum;
    else ++stats_.udp.rx_malformed;
    return;
  }
  udp::Endpoint from{src, udp->src_port};
  if (broadcast) {
    // Every socket bound to the port (on any or the broadcast address) gets a copy.
    bool any = false;
    udp_.for_each([&](Handle, udp::UdpSocket& s) {
      if (match_score(s, dst, udp->dst_port, src, udp->src_port, true) < 0) return;
      any = true;
      if (s.deliver(from, pkt->payload())) ++stats_.udp.rx_datagrams;
      else ++stats_.udp.rx_buffer_errors;
    });
    if (!any) ++stats_.udp.rx_no_port;  // no ICMP for broadcasts (RFC 1122 §3.2.2)
    return;
  }
  auto* s = find_udp(dst, udp->dst_port, src, udp->src_port);
  if (!s) {
    ++stats_.udp.rx_no_port;
    send_icmp_error(now, wire::kIcmpv4DestUnreachable, 3, 0, whole_packet);  // port unreachable
    return;
  }
  if (s->deliver(from, pkt->payload())) ++stats_.udp.rx_datagrams;
  else ++stats_.udp.rx_buffer_errors;
}

Handle Stack::udp_open() { return udp_.insert(udp::UdpSocket{}); }

void Stack::udp_close(Handle h) { udp_.erase(h); }

bool Stack::udp_port_in_use(std::uint16_t port, wire::Ipv4Address addr, bool reuse) const {
  bool used = false;
  udp_.for_each([&](Handle, const udp::UdpSocket& s) {
    if (!s.local || s.local->port != port) return;
    bool overlap = s.local->addr.is_unspecified() || addr.is_unspecified() || s.local->addr == addr;
    if (overlap && !(reuse && s.reuse_addr)) used = true;
  });
  return used;
}

std::uint16_t Stack::udp_ephemeral_port() {
  std::uint32_t range = cfg_.ephemeral_high - cfg_.ephemeral_low + 1u;
  // A random starting point from the seeded RNG, then a linear probe (as
  // Linux's __inet_hash_connect does), so the choice is deterministic.
  std::uint32_t start = rng_.below(range);
  for (std::uint32_t i = 0; i < range; ++i) {
    auto port = static_cast<std::uint16_t>(cfg_.ephemeral_low + (start + i) % range);
    if (!udp_port_in_use(port, wire::Ipv4Address::any(), false)) return port;
  }
  return 0;
}

Result<void, SockError> Stack::udp_bind(Handle h, udp::Endpoint local) {
  auto* s = udp_.get(h);
  if (!s) return Err{SockError::BadF};
  if (s->local) return Err{SockError::Inval};
  if (!local.addr.is_unspecified() && !is_local_address(local.addr) && !is_broadcast_for_us(local.addr))
    return Err{SockError::AddrNotAvail};
  if (local.port == 0) {
    local.port = udp_ephemeral_port();
    if (local.port == 0) return Err{SockError::AddrInUse};
  } else if (udp_port_in_use(local.port, local.addr, s->reuse_addr)) {
    return Err{SockError::AddrInUse};
  }
  s->local = local;
  return {};
}

Result<void, SockError> Stack::udp_connect(Handle h, udp::Endpoint remote) {
  auto* s = udp_.get(h);
  if (!s) return Err{SockError::BadF};
  if (remote.port == 0) return Err{SockError::Inval};
  auto src = source_for(remote.addr);
  if (!src) return Err{SockError::NetUnreach};
  if (!s->local) {
    if (auto r = udp_bind(h, {wire::Ipv4Address::any(), 0}); !r) return r;
  }
  if (s->local->addr.is_unspecified()) s->local->addr = *src;  // connect fixes the source (Linux)
  s->remote = remote;
  return {};
}

Result<void, SockError> Stack::udp_send(Handle h, std::optional<udp::Endpoint> to, ConstBytes payload) {
  auto* s = udp_.get(h);
  if (!s) return Err{SockError::BadF};
  if (auto e = s->take_error()) return Err{*e};
  if (to && s->remote) return Err{SockError::IsConn};
  auto dst = to ? to : s->remote;
  if (!dst) return Err{SockError::DestAddrReq};
  if (is_broadcast_for_us(dst->addr) && !s->broadcast) return Err{SockError::Acces};
  if (!source_for(dst->addr)) return Err{SockError::NetUnreach};
  if (!s->local) {
    if (auto r = udp_bind(h, {wire::Ipv4Address::any(), 0}); !r) return r;
  }
  auto r = s->queue_send(*dst, payload);
  if (r) work_pending_ = true;
  return r;
}

void Stack::flush_udp(Instant now) {
  Bytes buf;
  udp_.for_each([&](Handle, udp::UdpSocket& s) {
    while (auto d = s.pop_send()) {
      auto src = s.local && !s.local->addr.is_unspecified() && !is_broadcast_for_us(s.local->addr)
                     ? std::optional(s.local->addr)
                     : source_for(d->peer.addr);
      if (!src) continue;
      wire::UdpRepr udp{s.local->port, d->peer.port};
      buf.resize(udp.buffer_len(d->data.size()));
      udp.emit(buf, d->data, *src, d->peer.addr);
      ++stats_.udp.tx_datagrams;
      if (auto r = send_ipv4(now, OutDatagram{*src, d->peer.addr, wire::kIpProtoUdp, 0, 0, false, buf}); !r)
        s.set_error(r.error());
    }
  });
}

}  // namespace synack::iface

// ICMP (RFC 792, RFC 1122 §3.2.2): echo, errors received and passed to the
// socket they concern, errors generated with the RFC 1122 "never about"
// rules and a deterministic token-bucket rate limit.
#include "stack/iface/stack.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/udp.h"

namespace synack::iface {

namespace {
constexpr std::size_t kMaxErrorDatagram = 576;  // RFC 1812 §4.3.2.3
constexpr std::size_t kIpHeader = 20;
constexpr std::size_t kIcmpHeader = 8;

SockError error_for(std::uint8_t type, std::uint8_t code) {
  if (type == wire::kIcmpv4TimeExceeded) return SockError::HostUnreach;
  switch (code) {
    case 0: return SockError::NetUnreach;
    case 2: return SockError::NoProtoOpt;  // Linux icmp_err_convert: ENOPROTOOPT
    case 3: return SockError::ConnRefused;
    case 4: return SockError::MsgSize;
    default: return SockError::HostUnreach;
  }
}
}  // namespace

bool Stack::take_icmp_token(Instant now) {
  std::uint64_t cap = std::uint64_t{cfg_.icmp.burst} * 1000;
  if (now > icmp_tokens_at_) {
    auto elapsed = static_cast<std::uint64_t>((now - icmp_tokens_at_).nanos());
    // tokens x 1000 gained = elapsed_s * rate * 1000 = elapsed_ns * rate / 1e6
    icmp_tokens_milli_ = std::min(cap, icmp_tokens_milli_ + elapsed / 1000 * cfg_.icmp.errors_per_sec / 1000);
    icmp_tokens_at_ = now;
  }
  if (icmp_tokens_milli_ < 1000) return false;
  icmp_tokens_milli_ -= 1000;
  return true;
}

void Stack::receive_icmp(Instant now, wire::Ipv4Address src, wire::Ipv4Address dst, ConstBytes payload,
                         std::uint8_t ttl) {
  ++stats_.icmp.rx_messages;
  auto pkt = wire::Icmpv4Packet::checked(payload);
  if (!pkt) {
    ++stats_.icmp.rx_malformed;
    return;
  }
  auto icmp = wire::Icmpv4Repr::parse(*pkt, true);
  if (!icmp) {
    if (icmp.error() == wire::ParseError::BadChecksum) ++stats_.icmp.rx_bad_checksum;
    else ++stats_.icmp.rx_malformed;
    return;
  }
  if (std::holds_alternative<wire::Icmpv4EchoRequest>(icmp->message)) {
    ++stats_.icmp.rx_echo_requests;
    if (is_broadcast_for_us(dst)) return;  // Linux icmp_echo_ignore_broadcasts
    auto req = std::get<wire::Icmpv4EchoRequest>(icmp->message);
    wire::Icmpv4Repr reply{wire::Icmpv4EchoReply{req.ident, req.seq}, icmp->data};
    Bytes out(reply.buffer_len());
    reply.emit(out);
    ++stats_.icmp.tx_echo_replies;
    ++stats_.icmp.tx_messages;
    (void)send_ipv4(now, OutDatagram{dst, src, wire::kIpProtoIcmp, 0, 0, false, out});
    return;
  }
  if (auto* rep = std::get_if<wire::Icmpv4EchoReply>(&icmp->message)) {
    ++stats_.icmp.rx_echo_replies;
    ping_.for_each([&](Handle, PingSocket& s) {
      if (s.ident() == rep->ident)
        s.deliver(PingReply{src, rep->ident, rep->seq, icmp->data.size(), ttl, Duration::zero(),
                            Bytes(icmp->data.begin(), icmp->data.end())}, now);
    });
    return;
  }
  if (icmp->is_error()) {
    ++stats_.icmp.rx_errors;
    std::uint16_t mtu = 0;
    if (auto* u = std::get_if<wire::Icmpv4DestUnreachable>(&icmp->message)) mtu = u->next_hop_mtu;
    receive_icmp_error(now, icmp->type(), icmp->code(), mtu, icmp->data);
  }
}

void Stack::receive_icmp_error(Instant now, std::uint8_t type, std::uint8_t code, std::uint16_t mtu,
                               ConstBytes quoted) {
  auto q = wire::Ipv4Packet::checked_quoted(quoted);
  if (!q || !is_local_address(q->src())) return;  // not about a datagram of ours
  if (type == wire::kIcmpv4DestUnreachable && code == 4 && mtu >= 68) {
    // RFC 1191 §6.3: lower the path MTU estimate for this destination.
    auto& e = pmtu_[q->dst()];
    if (e.expires <= now || mtu < e.mtu) e = PmtuEntry{mtu, now + Duration::from_secs(600)};
  }
  if (type == wire::kIcmpv4DestUnreachable || type == wire::kIcmpv4TimeExceeded)
    notify_sender(quoted, type, code, mtu);
}

void Stack::notify_sender(ConstBytes ip_packet, std::uint8_t type, std::uint8_t code, std::uint16_t mtu) {
  SockError e = error_for(type, code);
  auto q = wire::Ipv4Packet::checked_quoted(ip_packet);
  if (!q || q->frag_offset() != 0 || q->payload().size() < 8) return;
  ConstBytes l4 = q->payload();
  std::uint16_t sport = load_be16(l4, 0), dport = load_be16(l4, 2);
  if (q->protocol() == wire::kIpProtoUdp) {
    // RFC 1122 §4.1.3.3; Linux reports only on connected sockets.
    udp_.for_each([&](Handle, udp::UdpSocket& s) {
      if (s.local && s.local->port == sport && s.remote && s.remote->addr == q->dst() && s.remote->port == dport)
        s.set_error(e);
    });
  } else if (q->protocol() == wire::kIpProtoTcp) {
    tcp::IcmpError err;
    err.kind = type == wire::kIcmpv4TimeExceeded ? tcp::IcmpError::Kind::TimeExceeded
               : code == 4                        ? tcp::IcmpError::Kind::FragNeeded
                                                  : tcp::IcmpError::Kind::Unreachable;
    err.code = code;
    err.mtu = mtu;
    err.seq = wire::SeqNumber(load_be32(l4, 4));
    notify_tcp(q->src(), sport, q->dst(), dport, err);
  }
}

void Stack::send_icmp_error(Instant now, std::uint8_t type, std::uint8_t code, std::uint32_t rest,
                            ConstBytes offending) {
  auto q = wire::Ipv4Packet::checked_quoted(offending);
  if (!q) return;
  // RFC 1122 §3.2.2: never about an ICMP error, a non-first fragment, or a
  // datagram whose source or destination is broadcast or multicast.
  bool icmp_error = q->protocol() == wire::kIpProtoIcmp &&
                    (q->payload().empty() || (q->payload()[0] != wire::kIcmpv4EchoRequest &&
                                              q->payload()[0] != wire::kIcmpv4EchoReply));
  if (icmp_error || q->frag_offset() != 0 || q->src().is_unspecified() || q->src().is_broadcast() ||
      q->src().is_multicast() || q->dst().is_multicast() || is_broadcast_for_us(q->dst()) ||
      is_broadcast_for_us(q->src())) {
    ++stats_.icmp.suppressed;
    return;
  }
  if (!take_icmp_token(now)) {
    ++stats_.icmp.rate_limited;
    return;
  }
  auto src = source_for(q->src());
  if (!src) return;
  std::size_t quote_len = std::min(offending.size(), kMaxErrorDatagram - kIpHeader - kIcmpHeader);
  Bytes out(kIcmpHeader + quote_len);
  out[0] = type;
  out[1] = code;
  store_be32(out, 4, rest);
  std::copy_n(offending.begin(), quote_len, out.begin() + kIcmpHeader);
  // Let the wire layer fill the checksum through a parse/emit round trip.
  auto view = wire::Icmpv4Packet::checked(out);
  if (!view) return;
  auto repr = wire::Icmpv4Repr::parse(*view, false);
  if (!repr) return;
  Bytes final_bytes(repr->buffer_len());
  repr->emit(final_bytes);
  ++stats_.icmp.tx_errors;
  ++stats_.icmp.tx_messages;
  (void)send_ipv4(now, OutDatagram{*src, q->src(), wire::kIpProtoIcmp, 0, 0, false, final_bytes});
}

void Stack::flush_ping(Instant now) {
  ping_.for_each([&](Handle, PingSocket& s) {
    while (auto r = s.pop_request()) {
      auto src = source_for(r->dst);
      if (!src) continue;
      wire::Icmpv4Repr req{wire::Icmpv4EchoRequest{s.ident(), r->seq}, r->payload};
      Bytes out(req.buffer_len());
      req.emit(out);
      s.mark_sent(r->seq, now);
      ++stats_.icmp.tx_messages;
      (void)send_ipv4(now, OutDatagram{*src, r->dst, wire::kIpProtoIcmp, 0, 0, false, out});
    }
  });
}

Handle Stack::ping_open() {
  // Identifiers from the seeded RNG, unique among open ping sockets.
  for (;;) {
    auto ident = static_cast<std::uint16_t>(rng_.next_u32());
    bool used = false;
    ping_.for_each([&](Handle, PingSocket& s) { used |= s.ident() == ident; });
    if (!used) return ping_.insert(PingSocket(ident));
  }
}

bool Stack::ping_bind(Handle h, std::uint16_t ident) {
  PingSocket* own = ping_.get(h);
  if (own == nullptr) return false;
  bool used = false;
  ping_.for_each([&](Handle other, PingSocket& s) { used |= other != h && s.ident() == ident; });
  if (used) return false;
  own->set_ident(ident);
  return true;
}

}  // namespace synack::iface

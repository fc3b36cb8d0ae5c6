// TCP glue: demultiplexing segments to connections and listeners (RFC 9293
// §3.10.7), resets for segments that match nothing (§3.10.7.1), ICMP errors
// to the connection they concern (RFC 5927), and segment output.
#include <algorithm>

#include "stack/iface/stack.h"
#include "stack/transport/tcp/rst.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::iface {

std::uint16_t Stack::mss_for(wire::Ipv4Address remote) const {
  auto r = routes_.lookup(remote);
  std::uint16_t mtu = r && r->iface < ifaces_.size() ? ifaces_[r->iface].mtu : 1500;
  return static_cast<std::uint16_t>(mtu - 40);  // IPv4 + TCP headers (RFC 9293 §3.7.1)
}

void Stack::receive_tcp(Instant now, wire::Ipv4Address src, wire::Ipv4Address dst, ConstBytes payload,
                        bool broadcast) {
  ++stats_.tcp.rx_segments;
  auto pkt = wire::TcpPacket::checked(payload);
  if (!pkt) {
    ++stats_.tcp.rx_malformed;
    return;
  }
  auto repr = wire::TcpRepr::parse(*pkt, src, dst, /*verify_checksum=*/!rx_l4_trusted_);
  if (!repr) {
    if (repr.error() == wire::ParseError::BadChecksum) ++stats_.tcp.rx_bad_checksum;
    else ++stats_.tcp.rx_malformed;
    return;
  }
  if (broadcast) return;  // RFC 1122 §4.2.3.10: TCP is unicast only
  tcp::SegmentIn seg{src, dst, *repr, pkt->payload()};
  tcp::Context ctx = tcp_context(now);
  if (auto it = conns_.find(seg.tuple()); it != conns_.end()) {
    TcpEntry* e = tcp_.get(it->second);
    bool reuse = e && repr->has(wire::kTcpSyn) && !repr->has(wire::kTcpAck) &&
                 e->sock->state() == tcp::State::TimeWait && e->sock->acceptable_time_wait_syn(seg);
    if (!reuse) {
      if (!e) return;
      Handle h = it->second;
      e->sock->process(ctx, seg);
      note_ready(h, *e);
      // Closed by this segment (LAST-ACK's final ACK, a RST): free the
      // 4-tuple now, and the socket too when no descriptor names it. A
      // socket with queued output (a RST to send) is reaped after poll.
      if (e->sock->closed()) {
        unlink_tcp(h);
        if (e->orphan) {
          erase_tcp(h);
          return;
        }
      }
      reindex_tcp(h);
      return;
    }
    // A new incarnation replaces the TIME-WAIT connection (Linux behaviour).
    Handle old = it->second;
    unlink_tcp(old);
    if (e->orphan) erase_tcp(old);
  }
  auto lit = listen_table_.find({dst, repr->dst_port});
  if (lit == listen_table_.end()) lit = listen_table_.find({wire::Ipv4Address::any(), repr->dst_port});
  if (lit != listen_table_.end()) {
    if (auto* l = listeners_.get(lit->second)) {
      const std::size_t queued = l->listener->accept_queue_len();
      l->listener->process(ctx, seg, mss_for(src));
      if (l->listener->accept_queue_len() > queued) note_ready(lit->second, *l);
      return;
    }
  }
  ++stats_.tcp.rx_no_socket;
  if (auto rst = tcp::rst_for_unmatched(seg)) emit_tcp(now, *rst, nullptr);
}

void Stack::emit_tcp(Instant now, const tcp::SegmentOut& seg, tcp::Socket* owner) {
  // The segment is built where its frame will be, behind room for the
  // Ethernet and IPv4 headers, in a buffer reused across segments (a local
  // one when a segment looped back to us makes us answer meanwhile).
  const std::size_t len = seg.tcp.buffer_len(seg.payload.size());
  Bytes local;
  const bool nested = tcp_tx_busy_;
  Bytes& buf = nested ? local : tcp_tx_;
  buf.resize(std::max(kFrameHeadroom + len, kMinFrameLen));
  MutBytes l4 = MutBytes(buf).subspan(kFrameHeadroom, len);
  seg.tcp.emit(l4, seg.payload, seg.src, seg.dst);
  ++stats_.tcp.tx_segments;
  if (seg.tcp.has(wire::kTcpRst)) ++stats_.tcp.tx_resets;
  // DF on every segment: TCP does path MTU discovery (RFC 1191 §5).
  tcp_tx_busy_ = true;
  auto r = send_ipv4(now, OutDatagram{seg.src, seg.dst, wire::kIpProtoTcp, 0, 0, true, l4, buf});
  tcp_tx_busy_ = nested;
  if (!r && r.error() == SockError::MsgSize && owner) {
    auto hop = routes_.lookup(seg.dst);
    std::uint16_t mtu = hop ? path_mtu(now, hop->iface, seg.dst) : 576;
    tcp::Context ctx = tcp_context(now);
    owner->on_icmp_error(ctx, tcp::IcmpError{tcp::IcmpError::Kind::FragNeeded, 4, mtu, seg.tcp.seq});
  }
}

void Stack::flush_tcp(tcp::Context& ctx) {
  const Instant now = ctx.now;
  // Only the sockets that are due: the deadline index is ordered by
  // (deadline, handle), so the order is deterministic.
  // The list is a member reused across polls (moved out while in use, so a
  // nested flush could not clobber it).
  std::vector<Handle> due = std::move(tcp_flush_scratch_);
  due.clear();
  while (auto h = tcp_due_.pop_due(now)) due.push_back(*h);
  for (Handle h : due) {
    auto* e = tcp_.get(h);
    if (!e) continue;
    // A timer firing in poll_output may change what the application sees: a
    // connection given up or timed out (an error, CLOSED), TIME-WAIT over.
    // Timers change readiness only through the state and the pending error
    // (sending never does), so those two are compared: a readiness event.
    const tcp::State state = e->sock->state();
    const bool error = e->sock->error_pending();
    while (auto out = e->sock->poll_output(ctx)) emit_tcp(now, *out, e->sock.get());
    if (e->sock->state() != state || e->sock->error_pending() != error) note_ready(h, *e);
    // A fresh socket is CLOSED too: keep its bind() reservation until its
    // descriptor closes or it connects.
    bool fresh_bound = e->bound && !e->orphan;
    if (e->sock->closed() && !fresh_bound) {
      unlink_tcp(h);
      if (e->orphan) {
        erase_tcp(h);
        continue;
      }
    }
    reindex_tcp(h, /*output_done=*/true);
  }
  tcp_flush_scratch_ = std::move(due);
  std::vector<Handle> done;
  listeners_.for_each([&](Handle h, ListenEntry& e) {
    // Before its deadline a listener has nothing to send (poll_at is O(1),
    // poll_output's search for due children is not).
    if (auto at = e.listener->poll_at(ctx); at && *at <= now)
      while (auto out = e.listener->poll_output(ctx)) emit_tcp(now, *out, nullptr);
    if (e.orphan && e.listener->closed()) done.push_back(h);
  });
  for (Handle h : done) listeners_.erase(h);
}

void Stack::notify_tcp(wire::Ipv4Address local, std::uint16_t lport, wire::Ipv4Address remote, std::uint16_t rport,
                       tcp::IcmpError e) {
  auto it = conns_.find(tcp::FourTuple{{local, lport}, {remote, rport}});
  if (it == conns_.end()) return;
  if (auto* entry = tcp_.get(it->second)) {
    tcp::Context ctx = tcp_context(Instant::zero());
    entry->sock->on_icmp_error(ctx, e);
    note_ready(it->second, *entry);
    reindex_tcp(it->second);
  }
}

}  // namespace synack::iface

// TCP glue: demultiplexing segments to connections and listeners, and the
// RFC 9293 §3.10.7.1 reset for segments that match no socket.
#include "stack/iface/stack.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::iface {

void Stack::receive_tcp(Instant now, wire::Ipv4Address src, wire::Ipv4Address dst, ConstBytes payload,
                        ConstBytes whole_packet, bool broadcast) {
  (void)whole_packet;
  ++stats_.tcp.rx_segments;
  auto pkt = wire::TcpPacket::checked(payload);
  if (!pkt) {
    ++stats_.tcp.rx_malformed;
    return;
  }
  auto seg = wire::TcpRepr::parse(*pkt, src, dst, true);
  if (!seg) {
    if (seg.error() == wire::ParseError::BadChecksum) ++stats_.tcp.rx_bad_checksum;
    else ++stats_.tcp.rx_malformed;
    return;
  }
  ++stats_.tcp.rx_no_socket;
  // RFC 9293 §3.10.7.1 (CLOSED): no RST answers a RST, and none goes to a
  // broadcast; otherwise RST with sequence numbers from the segment.
  if (broadcast || seg->has(wire::kTcpRst)) return;
  wire::TcpRepr rst;
  rst.src_port = seg->dst_port;
  rst.dst_port = seg->src_port;
  if (seg->has(wire::kTcpAck)) {
    rst.seq = seg->ack;
    rst.flags = wire::kTcpRst;
  } else {
    rst.ack = seg->seq + seg->segment_len(pkt->payload().size());
    rst.flags = wire::kTcpRst | wire::kTcpAck;
  }
  Bytes out(rst.buffer_len(0));
  rst.emit(out, {}, dst, src);
  ++stats_.tcp.tx_resets;
  ++stats_.tcp.tx_segments;
  (void)send_ipv4(now, OutDatagram{dst, src, wire::kIpProtoTcp, 0, 0, false, out});
}

void Stack::notify_tcp(wire::Ipv4Address, std::uint16_t, wire::Ipv4Address, std::uint16_t, SockError, ConstBytes) {}

}  // namespace synack::iface

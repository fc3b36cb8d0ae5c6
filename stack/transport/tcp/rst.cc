#include "stack/transport/tcp/rst.h"

namespace synack::tcp {

std::optional<SegmentOut> rst_for_unmatched(const SegmentIn& seg) {
  const wire::TcpRepr& t = seg.tcp;
  if (t.has(wire::kTcpRst)) return std::nullopt;
  SegmentOut out;
  out.src = seg.dst;
  out.dst = seg.src;
  out.tcp.src_port = t.dst_port;
  out.tcp.dst_port = t.src_port;
  if (t.has(wire::kTcpAck)) {
    out.tcp.seq = t.ack;
    out.tcp.flags = wire::kTcpRst;
  } else {
    out.tcp.seq = SeqNumber(0);
    out.tcp.ack = t.seq + seg.seg_len();
    out.tcp.flags = wire::kTcpRst | wire::kTcpAck;
  }
  return out;
}

}  // namespace synack::tcp

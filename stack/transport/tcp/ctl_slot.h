// The one pending control segment of a socket (an RST, RFC 9293 §3.10.7):
// what std::optional<SegmentOut> held in 104 bytes, packed into 20. An RST
// carries no options, no payload, window 0 and no urgent pointer, so the
// addresses, ports, SEQ, ACK and flags say everything; the full SegmentOut
// is rebuilt when the segment leaves.
//
// Drop-in for the std::optional<SegmentOut> subset the socket uses:
// assignment from a SegmentOut, explicit bool, * (by value), reset().
#pragma once

#include <cstdint>

#include "stack/transport/tcp/tcb.h"

namespace synack::tcp {

class CtlSlot {
 public:
  // `seg` must be a bare control segment (no options, payload, window or
  // urgent pointer): those are not kept.
  CtlSlot& operator=(const SegmentOut& seg) noexcept {
    src_ = seg.src;
    dst_ = seg.dst;
    src_port_ = seg.tcp.src_port;
    dst_port_ = seg.tcp.dst_port;
    seq_ = seg.tcp.seq;
    ack_ = seg.tcp.ack;
    flags_ = seg.tcp.flags;
    armed_ = true;
    return *this;
  }
  explicit operator bool() const noexcept { return armed_; }
  SegmentOut operator*() const noexcept {
    SegmentOut out;
    out.src = src_;
    out.dst = dst_;
    out.tcp.src_port = src_port_;
    out.tcp.dst_port = dst_port_;
    out.tcp.seq = seq_;
    out.tcp.ack = ack_;
    out.tcp.flags = flags_;
    return out;
  }
  void reset() noexcept { armed_ = false; }

 private:
  wire::Ipv4Address src_;
  wire::Ipv4Address dst_;
  SeqNumber seq_;
  SeqNumber ack_;
  std::uint16_t src_port_ = 0;
  std::uint16_t dst_port_ = 0;
  std::uint16_t flags_ = 0;
  bool armed_ = false;
};

}  // namespace synack::tcp

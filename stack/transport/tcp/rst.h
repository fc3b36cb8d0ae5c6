// RST replies for segments that match no connection (RFC 9293 §3.10.7.1,
// "If the state is CLOSED (i.e., TCB does not exist)"), used by the iface when
// demultiplexing finds neither a socket nor a listener, and by CLOSED sockets.
#pragma once

#include <optional>

#include "stack/transport/tcp/tcb.h"

namespace synack::tcp {

// "An incoming segment containing a RST is discarded" (nullopt). Otherwise:
//   ACK set:  <SEQ=SEG.ACK><CTL=RST>
//   ACK off:  <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>   (SYN and FIN count in SEG.LEN)
// Addresses and ports are swapped; window 0, no options, no payload.
std::optional<SegmentOut> rst_for_unmatched(const SegmentIn& seg);

}  // namespace synack::tcp

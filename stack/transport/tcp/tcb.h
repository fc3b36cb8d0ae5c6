// The transmission control block (RFC 9293 §3.3.1) and the value types shared
// by socket, listener and RST code: endpoints, segments in and out, errors.
//
// Variable names mirror the RFC: snd.una, snd.nxt, snd.wnd, snd.wl1, snd.wl2,
// iss, rcv.nxt, rcv.wnd, irs. All sequence arithmetic uses wire::SeqNumber.
#pragma once

#include <compare>
#include <cstdint>
#include <string_view>

#include "stack/base/bytes.h"
#include "stack/base/sock_error.h"
#include "stack/base/instant.h"
#include "stack/wire/address.h"
#include "stack/wire/seq_number.h"
#include "stack/wire/tcp.h"

namespace synack::tcp {

using wire::SeqNumber;

struct Endpoint {
  wire::Ipv4Address addr;
  std::uint16_t port = 0;
  constexpr auto operator<=>(const Endpoint&) const noexcept = default;
};

struct FourTuple {
  Endpoint local;
  Endpoint remote;
  constexpr auto operator<=>(const FourTuple&) const noexcept = default;
};

// A segment handed to TCP by the iface: checksum verified, demultiplexed.
struct SegmentIn {
  wire::Ipv4Address src;
  wire::Ipv4Address dst;
  wire::TcpRepr tcp;
  ConstBytes payload;
  FourTuple tuple() const noexcept { return {{dst, tcp.dst_port}, {src, tcp.src_port}}; }
  std::uint32_t seg_len() const noexcept { return tcp.segment_len(payload.size()); }
};

// A segment TCP wants sent. `payload` points into the producer's send queue
// or scratch storage and stays valid until the next call on that producer.
struct SegmentOut {
  wire::Ipv4Address src;
  wire::Ipv4Address dst;
  wire::TcpRepr tcp;
  ConstBytes payload;
};

// errno-like socket errors are shared with every transport (base/sock_error.h).
using SockError = synack::SockError;
using synack::errno_name;

// An ICMP error quoting one of our segments, already matched to the socket by
// the iface (RFC 5927 §4.1: `seq` is the quoted sequence number, checked here).
struct IcmpError {
  enum class Kind { Unreachable, TimeExceeded, FragNeeded };
  Kind kind = Kind::Unreachable;
  std::uint8_t code = 0;   // ICMP code for Unreachable
  std::uint16_t mtu = 0;   // next-hop MTU for FragNeeded (RFC 1191)
  SeqNumber seq;           // sequence number in the quoted TCP header
};

// RFC 9293 §3.3.1 send sequence variables.
struct SendVars {
  SeqNumber una;   // oldest unacknowledged
  SeqNumber nxt;   // next to send
  SeqNumber max;   // highest ever sent (snd.nxt may be pulled back on RTO)
  std::uint32_t wnd = 0;  // peer's window, already scaled
  std::uint32_t max_wnd = 0;  // largest window the peer ever offered (SWS, §3.8.6.2.1)
  SeqNumber wl1;   // seq of the segment used for the last window update
  SeqNumber wl2;   // ack of the segment used for the last window update
  SeqNumber up;    // urgent pointer
  SeqNumber iss;
};

// RFC 9293 §3.3.1 receive sequence variables.
struct RecvVars {
  SeqNumber nxt;
  std::uint32_t wnd = 0;  // window last advertised (unscaled bytes)
  SeqNumber adv;          // right edge last advertised: rcv.nxt + rcv.wnd then
  SeqNumber up;           // urgent pointer (RFC 6093: tracked only)
  bool up_valid = false;
  SeqNumber irs;
};

// Options negotiated on the SYN exchange (RFC 9293 §3.7.1, RFC 7323, RFC 2018).
struct Negotiated {
  bool wscale = false;
  std::uint8_t snd_shift = 0;  // peer's shift, applied to windows it sends
  std::uint8_t rcv_shift = 0;  // our shift, applied to windows we send
  bool sack = false;
  bool timestamps = false;
  std::uint16_t snd_mss = 536;  // largest payload we send (peer MSS, MTU, RFC 1191)
  std::uint16_t rcv_mss = 536;  // MSS we announced
  std::uint32_t ts_recent = 0;  // RFC 7323 §4.3 TS.Recent
  Instant ts_recent_at;         // when TS.Recent was set (PAWS 24-day rule)
};

}  // namespace synack::tcp

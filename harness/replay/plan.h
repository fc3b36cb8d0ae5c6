// From a capture to a replay plan for one captured host (`--as ADDR`).
//
// The capture is split from ADDR's point of view: frames the other side sent
// to ADDR (IPv4 to ADDR, ARP requests for ADDR) become injections; frames
// ADDR sent are the expected answers, attributed to exchanges
// (exchange.h). ARP replies to ADDR are not injected: the DUT gets static
// neighbour entries for every peer (IP and MAC as captured) instead.
// The plan also says what ADDR's application did, for the DUT's `capture`
// application: which ports it listened on (it answered a SYN with a
// SYN-ACK), which connections it opened (its SYN, at the captured time), and
// per connection the byte stream it sent, as writes at the times the bytes
// first appeared, and when it sent its FIN; and the UDP datagrams and ICMP
// echo requests it sent, and which UDP ports it served (it answered a
// datagram from the port the datagram came to).
// Bytes a snap length cut off are zero-filled (and counted).
//
// Peer segments the captured host never received (dropped between the
// capture point and the host, as its SACK blocks show) are marked `lost`
// and not injected: the DUT sees what the captured host saw.
//
// Errors (one line each): unreadable or damaged files, non-Ethernet link
// types (the reader's message), no traffic for ADDR, no frame from the
// other side (a one-sided capture).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/pcap/pcap_reader.h"
#include "harness/replay/exchange.h"
#include "harness/replay/frame_info.h"
#include "stack/base/result.h"

namespace synack::harness::replay {

struct Injection {
  std::uint64_t frame_no = 0;  // 1-based, as Wireshark numbers frames
  std::int64_t t_ns = 0;       // since the capture's first frame
  Bytes frame;                 // padded back to its wire length
  FrameInfo info;              // of the frame as captured
  FlowKey flow;
  // The captured host's ISN and first TSval on this TCP connection, when it
  // had sent its SYN or SYN-ACK before this frame.
  std::optional<std::uint32_t> cap_isn;
  std::optional<std::uint32_t> cap_ts0;
  // A peer segment the captured host never received (the capture was taken
  // before a loss): not injected (plan.cc lost_before_self).
  bool lost = false;
};

struct StreamWrite {
  std::int64_t t_ns = 0;
  Bytes data;
};

// A TCP connection of the captured host, as its application drove it.
struct AppConn {
  FlowKey flow;  // local = the captured host
  bool active = false;  // it sent the SYN (at open_t_ns)
  std::int64_t open_t_ns = 0;
  std::vector<StreamWrite> writes;
  std::optional<std::int64_t> fin_t_ns;
  std::size_t zero_filled = 0;  // stream bytes the capture did not keep
};

// A UDP datagram or ICMP echo request the captured host's application
// sent (reassembled when it went out in fragments), at the time its first
// piece was captured.
struct AppDatagram {
  std::int64_t t_ns = 0;
  FlowKey flow;  // local = the captured host; Echo: local_port = identifier
  std::uint16_t echo_seq = 0;
  Bytes payload;  // UDP: the payload; echo: the data after the ICMP header
  std::size_t zero_filled = 0;  // payload bytes the capture did not keep
  // UDP: an answer to a datagram the peer had sent to this flow before
  // (self served the port; the DUT sends it from its pre-bound server socket).
  bool reply = false;
};

struct Plan {
  wire::Ipv4Address self;
  wire::MacAddress self_mac;
  std::map<wire::Ipv4Address, wire::MacAddress> peers;
  std::vector<Injection> injections;
  std::vector<Exchange> exchanges;  // with `expected` filled
  std::vector<std::uint16_t> listen_ports;  // inferred from SYN-ACKs
  // UDP ports self answered datagrams from (after a peer's datagram to it
  // on the same flow): pre-bound on the DUT, so the requests find a socket.
  std::vector<std::uint16_t> udp_ports;
  std::vector<AppConn> conns;
  std::vector<AppDatagram> datagrams;  // in capture order
  // Per TCP connection, the capture's round trip: SYN to the ACK completing
  // the handshake (exchange.h apply_ack_flights).
  std::map<FlowKey, std::int64_t> round_trip_ns;
  std::vector<std::int64_t> times_ns;  // every used frame's time, ascending
  std::int64_t last_t_ns = 0;
  std::uint64_t frames = 0;       // in the file
  std::uint64_t frames_used = 0;  // concerning ADDR
  std::size_t padded_injections = 0;  // injected frames the snap length had cut
  std::size_t lost_injections = 0;    // peer segments lost before the captured host
};

Result<Plan, std::string> build_plan(PcapReader& reader, wire::Ipv4Address self);

}  // namespace synack::harness::replay

// A forgiving one-pass summary of a captured or emitted Ethernet frame, for
// the replay: which host sent it to which, the transport fields the replay
// translates and compares, and the flow it belongs to.
//
// Contract: parse_frame() never reads out of bounds and accepts frames cut
// short by a capture's snap length: lengths come from the IPv4 header (what
// was on the wire), fields are filled only when their bytes were captured
// (`l4_complete` says whether the transport header was). Nothing is
// validated beyond what reading needs; checksums are not looked at.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stack/base/bytes.h"
#include "stack/wire/address.h"

namespace synack::harness::replay {

struct TcpFields {
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint16_t flags = 0;  // wire::kTcp* bits
  std::uint16_t window = 0;
  std::size_t header_len = 0;
  std::vector<std::uint8_t> option_kinds;  // in wire order, NOP and EOL left out
  std::optional<std::uint32_t> tsval;
  std::optional<std::uint32_t> tsecr;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sack;  // RFC 2018 blocks [left, right), in wire order
  std::size_t payload_len = 0;  // on the wire (from the IP total length)
  std::size_t payload_captured = 0;
  std::size_t payload_offset = 0;  // in the frame
};

struct IcmpFields {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint16_t ident = 0;  // echo request/reply
  std::uint16_t seq = 0;    // echo request/reply
  std::size_t payload_len = 0;  // after the 8-byte header, on the wire
  // Errors: the quoted datagram's addresses and ports (when quoted).
  bool quoted = false;
  wire::Ipv4Address inner_src;
  wire::Ipv4Address inner_dst;
  std::uint8_t inner_proto = 0;
  std::uint16_t inner_sport = 0;
  std::uint16_t inner_dport = 0;
  std::uint16_t inner_ip_id = 0;
  std::optional<std::uint32_t> inner_seq;  // a quoted TCP header's sequence number
};

struct FrameInfo {
  wire::MacAddress eth_src;
  wire::MacAddress eth_dst;
  std::uint16_t ethertype = 0;

  bool arp = false;
  std::uint16_t arp_op = 0;
  wire::MacAddress arp_sender_mac;
  wire::Ipv4Address arp_sender_ip;
  wire::Ipv4Address arp_target_ip;

  bool ipv4 = false;
  wire::Ipv4Address src;
  wire::Ipv4Address dst;
  std::uint8_t proto = 0;
  std::uint16_t ip_id = 0;
  std::size_t ip_offset = 0;     // of the IPv4 header in the frame
  std::size_t ip_total_len = 0;  // on the wire
  bool more_frags = false;
  std::uint32_t frag_offset = 0;  // bytes
  bool is_fragment() const noexcept { return more_frags || frag_offset != 0; }
  std::size_t l4_offset = 0;  // in the frame
  std::size_t l4_len = 0;     // on the wire

  // Set only for an unfragmented datagram or a first fragment whose header
  // was captured.
  std::optional<TcpFields> tcp;
  std::optional<std::size_t> udp_payload_len;
  std::uint16_t udp_sport = 0;
  std::uint16_t udp_dport = 0;
  std::optional<IcmpFields> icmp;
};

// nullopt when not even the Ethernet header is there.
std::optional<FrameInfo> parse_frame(ConstBytes frame);

// What a frame is about, seen from the replayed host `self`: a TCP or UDP
// connection, an ICMP echo conversation, ARP with one peer. Frames of one
// flow are compared against the probe that came last on that flow.
struct FlowKey {
  enum class Kind : std::uint8_t { None, Tcp, Udp, Echo, Arp, Ip };
  Kind kind = Kind::None;
  wire::Ipv4Address local;
  wire::Ipv4Address remote;
  std::uint16_t local_port = 0;   // echo: the identifier
  std::uint16_t remote_port = 0;
  auto operator<=>(const FlowKey&) const = default;
  std::string to_string() const;
};

// The flow of `f` relative to `self` (ICMP errors belong to the flow of
// the datagram they quote). Kind::None for non-first fragments (see
// FragmentFlows) and for frames that do not concern `self`.
FlowKey flow_of(const FrameInfo& f, wire::Ipv4Address self);

// Non-first fragments carry no transport header: they inherit the flow of
// their datagram's first fragment, keyed by (src, dst, protocol, id).
class FragmentFlows {
 public:
  // The flow of `f`, learning from first fragments.
  FlowKey flow(const FrameInfo& f, wire::Ipv4Address self);

 private:
  struct Key {
    std::uint32_t src, dst;
    std::uint8_t proto;
    std::uint16_t id;
    auto operator<=>(const Key&) const = default;
  };
  std::vector<std::pair<Key, FlowKey>> known_;  // recent first, bounded
};

// A short tcpdump-like description: "10.0.0.1:80 > 10.0.0.2:5000 S. ack 1 win 0 [mss,sack,ts,ws] len 0".
std::string describe(const FrameInfo& f);

}  // namespace synack::harness::replay

// Packets between the script and the DUT: parsing the DUT's frames, building
// the script's frames, one-line summaries, and matching a sent frame against
// a scripted outbound event (packetdrill semantics).
//
// Sequence numbers: the script writes the DUT's sequence space relative to
// the DUT's ISN (learned from its SYN or SYN,ACK) and the peer's as absolute
// numbers. Timestamps: the DUT's TSval is only checked for presence; an
// inbound TSecr is mapped onto the DUT's clock using the offset between the
// script's and the DUT's TSval learned from matched packets (or, before any,
// onto the last TSval the DUT sent).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/pkt_ast.h"
#include "stack/base/bytes.h"
#include "stack/wire/address.h"

namespace synack::conformance {

inline constexpr std::uint16_t kDefaultLocalPort = 8080;
inline constexpr std::uint16_t kDefaultRemotePort = 40000;

// An IPv4 frame, decoded far enough for matching and summaries.
struct ParsedFrame {
  enum class Kind { NonIp, Tcp, Udp, Icmp, OtherIp };
  Kind kind = Kind::NonIp;
  std::uint16_t ethertype = 0;
  wire::Ipv4Address src, dst;
  std::uint8_t tos = 0;
  std::uint8_t ttl = 0;
  std::uint16_t sport = 0, dport = 0;  // TCP and UDP
  // TCP
  std::uint32_t seq = 0, ack = 0;
  std::uint16_t flags = 0, win = 0, urg = 0;
  std::vector<TcpOption> options;
  bool bad_options = false;
  // ICMP
  std::uint8_t icmp_type = 0, icmp_code = 0;
  std::size_t payload_len = 0;  // TCP/UDP payload, ICMP body after the 8-byte header
};

ParsedFrame parse_frame(ConstBytes frame);

// What the runner knows about the connection the script talks about.
struct SeqState {
  std::optional<std::uint32_t> dut_isn;
  std::optional<std::int64_t> ts_offset;  // DUT TSval - script TSval
  std::optional<std::uint32_t> last_dut_tsval;
  std::uint16_t local_port = kDefaultLocalPort;    // the DUT's port
  std::uint16_t remote_port = kDefaultRemotePort;  // the script peer's port
  // Learns the ISN (SYN), ports and last TSval from a frame the DUT sent.
  void learn_from_dut(const ParsedFrame& f);
};

// "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>", in script terms.
std::string summarize(const ParsedFrame& f, bool from_dut, const SeqState& st);
std::string tcp_flags_string(std::uint16_t flags);

// Frames the script injects (Ethernet dst = the DUT's MAC).
Bytes build_tcp_frame(const TcpPacketEvent& ev, const SeqState& st, const wire::MacAddress& dut_mac);
Bytes build_udp_frame(const UdpPacketEvent& ev, const SeqState& st, const wire::MacAddress& dut_mac);
Bytes build_icmp_frame(const IcmpPacketEvent& ev, const SeqState& st, const wire::MacAddress& dut_mac);

// Matching one outbound scripted segment, possibly against several smaller
// segments (TSO-like, unless strict). `ignore_psh` (script option
// --ignore_psh): the PSH bit of data segments is not compared, for scripts
// about how much is sent, not how it is pushed (Linux marks PSH per TSO-sized
// buffer, which depends on its pacing rate).
struct TcpMatch {
  enum class Outcome { Match, Partial, Mismatch };
  Outcome outcome = Outcome::Mismatch;
  std::string reason;  // for Mismatch: "flags S. expected, got R."
};
class TcpMatcher {
 public:
  TcpMatcher(const TcpPacketEvent& ev, bool strict, bool ignore_psh = false)
      : ev_(ev), strict_(strict), ignore_psh_(ignore_psh) {}
  TcpMatch offer(const ParsedFrame& f, SeqState& st);

 private:
  std::string check_header(const ParsedFrame& f, const SeqState& st, bool last) const;
  const TcpPacketEvent& ev_;
  bool strict_;
  bool ignore_psh_;
  std::uint32_t covered_ = 0;  // payload bytes matched so far
};

// UDP/ICMP outbound: "" when f matches, else the reason.
std::string match_udp(const UdpPacketEvent& ev, const ParsedFrame& f);
std::string match_icmp(const IcmpPacketEvent& ev, const ParsedFrame& f);

}  // namespace synack::conformance

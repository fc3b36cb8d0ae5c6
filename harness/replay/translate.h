// Keeping a replayed TCP conversation coherent after the DUT picks its own
// initial values.
//
// A peer frame from a capture acknowledges the captured host's sequence
// numbers and echoes its timestamps; the DUT chose other ones. Per TCP
// connection the replay learns offset = DUT value - captured value from the
// DUT's SYN or SYN-ACK (ISN, and TSval for RFC 7323 timestamps) and shifts
// what the injected frame says about the DUT's side: the acknowledgment
// number, SACK block edges (RFC 2018 §3) and TSecr. The peer's own sequence
// numbers and TSval are its own and stay as captured, so the DUT's answers
// acknowledge the same values as the captured host's did.
//
// Contract: translate_to_dut() touches only a complete, unfragmented TCP
// segment (else returns false and leaves the frame as it was) and always
// leaves a correct TCP checksum when it changed something.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "harness/replay/frame_info.h"
#include "stack/base/bytes.h"

namespace synack::harness::replay {

// DUT value - captured value, modulo 2^32, for each number space.
struct Offsets {
  std::optional<std::uint32_t> seq{};
  std::optional<std::uint32_t> ts{};
  bool any() const noexcept { return seq || ts; }
};

// Rewrites the peer segment in `frame` for the DUT: ACK number (when the
// ACK flag is set), SACK block edges, and TSecr (when ACK is set: RFC 7323
// §3.2 "The TSecr field is valid if the ACK bit is set") by the offsets, and
// recomputes the TCP checksum. False when `frame` holds no complete
// unfragmented TCP segment.
bool translate_to_dut(MutBytes frame, const Offsets& off);

// Lowers the acknowledgment number of the TCP segment in `frame` (already
// in the DUT's space) to `snd_max` when it lies beyond, and cuts SACK
// blocks at it (a block wholly beyond is dropped, its bytes become NOPs),
// then fixes the TCP checksum: the segment then acknowledges everything
// the DUT has sent and nothing it has not, which a stack would discard as
// acknowledging unsent data (RFC 9293 §3.10.7.4). True when it changed the
// frame.
bool clamp_ack(MutBytes frame, std::uint32_t snd_max);

// What the DUT sent in place of a datagram an ICMP error quotes: the
// quoted TCP sequence number moves by `seq` (DUT - captured, as Offsets),
// and the quoted IP identification becomes `ip_id`.
struct QuoteFix {
  std::optional<std::uint32_t> seq{};
  std::optional<std::uint16_t> ip_id{};
};

// Rewrites the datagram quoted by the ICMP error in `frame` (RFC 792: its
// IP header and at least 8 bytes of its payload) to what the DUT sent, so
// the DUT's stack matches the error to its socket (Linux and synack drop a
// TCP error whose quoted sequence number lies outside SND.UNA..SND.NXT).
// The quoted IP header checksum is recomputed, a quoted TCP or UDP
// checksum is updated for the changed words (RFC 1624 eqn. 3; the quote
// rarely holds the whole datagram to recompute it; a zero UDP checksum
// stays zero) and the ICMP checksum is recomputed. False, leaving `frame`
// as it was, when `frame` holds no complete, unfragmented ICMP error with
// a whole quoted IP header.
bool translate_icmp_quote(MutBytes frame, const QuoteFix& fix);

// Recomputes the TCP or UDP checksum of a complete unfragmented datagram in
// `frame` (e.g. after zero-filling bytes a capture did not keep). False
// when there is nothing to recompute.
bool recompute_l4_checksum(MutBytes frame);

// Pads a frame a capture truncated (snap length) back to its length on the
// wire with zeros; returns how many bytes were added.
std::size_t pad_to_wire(Bytes& frame, std::size_t wire_len);

// What the DUT has sent on each TCP connection: its initial sequence number
// and TSval (from its SYN or SYN-ACK) and the highest sequence number it
// has used, so an injected acknowledgment can wait until the DUT has sent
// what it acknowledges.
class DutConnections {
 public:
  struct State {
    std::optional<std::uint32_t> isn;
    std::optional<std::uint32_t> ts0;
    std::optional<std::uint32_t> snd_max;  // seq + segment length, highest seen
    // IP identifications of the last datagrams sent, with their TCP
    // sequence numbers (0 for UDP), for quotes in ICMP errors.
    std::deque<std::pair<std::uint32_t, std::uint16_t>> ip_ids;
  };

  // A TCP segment the DUT sent on `flow`.
  void sent(const FlowKey& flow, const TcpFields& t);
  // Any unfragmented (or first-fragment) datagram the DUT sent on `flow`
  // (TCP: with its sequence number), remembered for ip_id().
  void sent_datagram(const FlowKey& flow, std::uint32_t seq, std::uint16_t ip_id);
  // The IP identification of the DUT's last datagram on `flow` with
  // sequence number `seq` (UDP: 0).
  std::optional<std::uint16_t> ip_id(const FlowKey& flow, std::uint32_t seq) const;
  const State* find(const FlowKey& flow) const;
  // Offsets for `flow` given the captured host's ISN / first TSval on it.
  Offsets offsets(const FlowKey& flow, std::optional<std::uint32_t> cap_isn,
                  std::optional<std::uint32_t> cap_ts0) const;
  // Whether acknowledging `ack` (DUT space) would acknowledge data the DUT
  // has not sent yet (true when it has sent nothing on `flow`).
  bool ahead_of_dut(const FlowKey& flow, std::uint32_t ack) const;

 private:
  std::map<FlowKey, State> conns_;
};

}  // namespace synack::harness::replay

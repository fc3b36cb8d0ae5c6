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
  };

  // A TCP segment the DUT sent on `flow`.
  void sent(const FlowKey& flow, const TcpFields& t);
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

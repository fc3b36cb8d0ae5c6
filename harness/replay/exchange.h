// Exchanges and their comparison.
//
// An exchange is one injected frame (the probe) and the frames the host
// under test sends because of it before the next probe on the same flow
// (frame_info.h FlowKey; frames nobody probed for, such as an active
// opener's SYN, form an "app" exchange of their flow). The same attribution
// runs over the capture (giving what the captured host answered) and over
// the replay (what the DUT answered), so the two line up exchange by
// exchange even when probes on different flows interleave faster than a
// real-time DUT answers.
//
// A pure TCP acknowledgment that advances what the host acknowledges on
// its flow is paired by its number instead: it belongs to the probe whose
// arrival first let the host acknowledge that far (the probe that completed
// the peer's byte stream up to the acknowledged number, counting
// out-of-order probes a later one joins, so the ACK after a retransmission
// fills a hole belongs to the retransmission). A real-time host answers a
// burst of segments after the burst; the capture then shows the ACK of the
// first segment after the last one, and without this pairing it would be
// compared with the answer to the last one. A duplicate ACK with SACK
// blocks belongs to the probe that ends where its first block ends (RFC
// 2018 §4: the first block reports the segment that arrived last). Other
// duplicate ACKs and frames with data keep the last probe on their flow.
//
// Each answer frame is reduced to a Response: its class (RST, RST-ACK, SYN,
// SYN-ACK, ACK, data, with "+FIN"; ICMP type/code; ARP reply; UDP; fragment),
// the acknowledgment number (in the peer's sequence space, which the replay
// leaves as captured, so it compares directly and prints relative to the
// probe), whether the window is zero, the set of TCP option kinds, and the
// amount of data (TCP/UDP payload, ICMP body, fragment payload). Two
// exchanges match when their Response lists are equal, or when they differ
// only in pure ACKs and the ACK flight rule below holds.
//
// ACK flights. A flight is a run of the peer's probes on one TCP
// connection each captured less than one round trip (the capture's
// handshake, SYN to the ACK completing it: plan.h round_trip_ns) after the
// one before. The peer sent the whole flight before any acknowledgment of
// its first segment could have reached it, so which of its segments the
// receiver acknowledged one by one, two at a time (RFC 9293 §3.8.6.3, RFC
// 5681 §4.2), or with how many SACK duplicates (Linux compresses them),
// changed nothing the peer did; it follows when the segments reached the
// receiver's stack and application, which real-time injection cannot
// reproduce to the microsecond. So the pure ACKs (no data, SYN, FIN or RST)
// the host sent in answer to a flight are compared as what they told the
// peer by the end of it: the highest acknowledgment number, whether any
// advertised a zero window, and the union of their option kinds (whether
// any carried SACK blocks). Everything else (data, control flags, ICMP) is
// still compared frame by frame in its exchange. An exchange that differs
// in its pure ACKs matches when its flight's ACK outcome is the same on
// both sides; an acknowledgment that never comes, comes for less, or a
// zero window or SACK only one side sent still differs. The rule is the
// same for every DUT.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <deque>
#include <string>
#include <vector>

#include "harness/replay/frame_info.h"

namespace synack::harness::replay {

struct Response {
  std::string cls;
  std::optional<std::uint32_t> ack;
  std::optional<bool> window_zero;
  std::vector<std::uint8_t> options;  // sorted, unique
  std::size_t data = 0;
  bool operator==(const Response&) const = default;
};

Response classify(const FrameInfo& f);
// "RST-ACK ack=seq+1 win=0", "SYN-ACK ack=seq+1 win>0 <mss,sackOK,ts,ws>",
// "data 186 ack=seq+83 win>0 <ts>", "ICMP 3/3 len 33". The ACK prints
// relative to `probe`'s sequence number when it is a TCP segment.
std::string describe(const Response& r, const FrameInfo* probe);
// A list of answers, runs of equal ones counted ("ACK ..., data 1448 ... x7");
// "nothing" when empty.
std::string describe(const std::vector<Response>& rs, const FrameInfo* probe);

// Whether a frame the host under test sent takes part in the comparison:
// IPv4 from `self` and ARP replies by `self`. Its ARP requests and
// announcements are left out, because the replay pre-seeds neighbours.
bool compared(const FrameInfo& f, wire::Ipv4Address self);

struct ExchangeId {
  std::uint64_t probe_frame = 0;  // capture frame number of the probe; 0: an app exchange
  FlowKey app_flow;
  auto operator<=>(const ExchangeId&) const = default;
};

struct Exchange {
  ExchangeId id;
  std::int64_t t_ns = 0;  // capture time of the probe (or first frame), since the capture's start
  std::optional<FrameInfo> probe;
  std::string probe_text;  // describe(probe) or "app <flow>"
  std::vector<Response> expected;
  std::vector<Response> actual;
  bool in_capture = true;  // false: only the DUT produced frames for it
  // Its ACK flight told the peer the same on both sides (apply_ack_flights).
  bool flight_acks_agree = false;
};

// Sets flight_acks_agree on every exchange whose ACK flight (see above) has
// the same ACK outcome in `expected` and `actual`. `round_trip_ns` per TCP
// connection of `self`; a connection without one has flights of probes
// captured at the same instant only.
void apply_ack_flights(std::vector<Exchange>& xs, wire::Ipv4Address self,
                       const std::map<FlowKey, std::int64_t>& round_trip_ns);

// Empty when expected == actual (or they differ only in pure ACKs and
// flight_acks_agree), else what differs.
std::string difference(const Exchange& e);

// Assigns answer frames to exchanges (see the header comment).
class Attributor {
 public:
  explicit Attributor(wire::Ipv4Address self) : self_(self) {}
  // A probe was sent: it opens exchange `id` on its flow.
  void probe(const ExchangeId& id, const FrameInfo& f);
  // The exchange an answer frame belongs to.
  ExchangeId attribute(const FrameInfo& f);

 private:
  // What the peer's probes on one TCP flow delivered: the contiguous edge
  // of its byte stream, out-of-order ranges beyond it, and after which
  // probe the edge reached each value.
  struct StreamEdge {
    std::optional<std::uint32_t> edge;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ooo;  // [begin, end)
    std::deque<std::pair<std::uint32_t, ExchangeId>> reached;   // edge after the probe
    std::optional<std::uint32_t> acked;  // highest ACK the host sent
    std::map<std::uint32_t, ExchangeId> by_end;  // the last probe ending at each sequence number
  };
  void delivered(const FlowKey& k, const ExchangeId& id, const TcpFields& t);
  std::optional<ExchangeId> by_ack(const FlowKey& k, const TcpFields& t);

  wire::Ipv4Address self_;
  std::map<FlowKey, StreamEdge> edges_;
  FragmentFlows frags_;
  std::map<FlowKey, ExchangeId> last_on_flow_;
  std::optional<ExchangeId> last_;
};

}  // namespace synack::harness::replay

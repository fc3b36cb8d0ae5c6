// `synack replay`: plays the other side of a capture against a DUT standing
// in for one captured host, and compares the DUT's answers with the
// captured host's, exchange by exchange (exchange.h).
//
// The engine (run_replay) drives any conformance::Dut: it injects each
// planned frame at its captured time relative to the start (virtual time on
// the simulated DUT; real time on the kernel DUT, where gaps longer than
// `max_gap` are shortened to it and reported), after translating it for the
// DUT's ISN and timestamp clock (translate.h), and rewriting ICMP errors
// that quote the captured host's datagrams to quote the DUT's. Peer
// segments the captured host never received (plan.h `lost`) are skipped.
// An injected frame that acknowledges data the DUT has not sent yet waits
// for it (up to `ack_wait`; the wait shifts everything after it), so a
// slower or faster DUT still gets a coherent conversation; when the wait
// runs out, the peer's acknowledgments on that connection from then on
// trail the capture by as much as the DUT lags (a stack drops an ACK of
// unsent data; shifted, duplicates stay duplicates), after a wait of two
// ticks at most. Likewise an answer to a datagram of the captured host
// (echo reply, ICMP error quoting it, a UDP datagram back on the flow it
// sent on) waits until the DUT has sent its counterpart. The DUT's application (replay_app.h) is serviced every
// `tick`; it serves the UDP ports the captured host served (plan.h
// udp_ports). The answers are compared as exchange.h says: frame by frame,
// except that pure ACKs answering one flight of the peer's segments are
// compared by what they told the peer by its end (the ACK flight rule, the
// same for every DUT; counted apart in the summary).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/runner/dut.h"
#include "harness/replay/plan.h"
#include "harness/replay/replay_app.h"
#include "stack/base/instant.h"
#include "stack/base/result.h"

namespace synack::harness::replay {

struct ReplayOptions {
  AppKind app = AppKind::Capture;
  std::vector<std::uint16_t> listen;  // empty: Plan::listen_ports
  std::optional<Duration> max_gap;    // nullopt: captured gaps as they are
  Duration ack_wait = Duration::from_millis(500);
  Duration tick = Duration::from_micros(100);
  Duration start_delay = Duration::zero();  // before the first frame (kernel: let setup settle)
  Duration tail = Duration::from_millis(200);  // after the last captured frame
  // Before each injection, take every frame the DUT has sent so far (a
  // marker datagram through the DUT; replay.cc sync_frames): for a DUT
  // whose frames a reader thread takes (the kernel).
  bool sync_frames = false;
  // Run the replay with real-time scheduling (SCHED_FIFO) when permitted.
  bool real_time_priority = false;
};

// The options for a real-time DUT (the kernel): captured gaps over 1 s
// shortened, a 1 ms tick, 50 ms for the DUT's setup to settle, waits for
// the DUT of 100 ms at most, frames synced before each injection, real-time
// scheduling.
ReplayOptions real_time_options();

struct ReplayResult {
  std::vector<Exchange> exchanges;
  std::vector<std::string> notes;
  std::size_t matched = 0;
  std::size_t differed = 0;
  std::size_t clamped = 0;  // injected ACKs lowered to what the DUT had sent
  std::size_t matched_by_flight = 0;  // of `matched`: different pure ACKs, same flight outcome
};

// Where the DUT must sit for `plan`: the captured host's address (in a /24)
// and MAC, every peer a static neighbour, peers outside the /24 reached by
// on-link host routes; the kernel's TCP sysctls left as the namespace
// inherits them (as the recording's namespaces had them).
conformance::DutNetwork network_for(const Plan& plan);

// Runs the replay; an error only when the DUT's application cannot start.
Result<ReplayResult, std::string> run_replay(const Plan& plan, conformance::Dut& dut, const ReplayOptions& opt);

// One line per exchange: "#4 0.005635 <probe> : match (<answers>)",
// ": match by ACK flight (<expected>; got <actual>)" or ": DIFFER <difference>".
std::string format_exchange(std::size_t index, const Exchange& e);
// "replay: N exchanges, M match, K differ".
std::string summary_line(const ReplayResult& r);
nlohmann::json to_json(const ReplayResult& r, const nlohmann::json& header);

// The DUT for `name` ("sim" or "kernel") placed for `plan`; nullptr with
// `why` when it cannot be built (`skip`: a missing privilege). The kernel
// DUT's threads get real-time scheduling when permitted (replay.cc
// RealTimeScope).
std::unique_ptr<conformance::Dut> make_dut(const std::string& name, const Plan& plan, std::uint64_t seed,
                                           std::string& why, bool& skip);

}  // namespace synack::harness::replay

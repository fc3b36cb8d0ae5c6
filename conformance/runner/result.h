// The outcome of one conformance case on one device under test, as the
// runner produces it and the reports consume it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stack/base/bytes.h"

namespace synack::conformance {

enum class Verdict : std::uint8_t {
  Pass,   // every event matched
  Fail,   // a mismatch (see message)
  XFail,  // failed, and an xfail file for this DUT says it should (reason in message)
  XPass,  // passed although an xfail file says it should fail: a failure of the run
  Skip,   // the DUT is not available (e.g. kernel without root): reason in message
  Error,  // the script could not be run (parse error, unsupported construct)
};
std::string_view to_string(Verdict v) noexcept;
// Whether this result is what the suite expects (Pass, XFail, Skip).
constexpr bool as_expected(Verdict v) noexcept {
  return v == Verdict::Pass || v == Verdict::XFail || v == Verdict::Skip;
}

// One packet seen during the case, in either direction.
struct PacketRecord {
  std::int64_t t_us = 0;   // since the start of the case
  bool from_dut = false;   // true: the DUT sent it; false: the script injected it
  Bytes frame;             // the Ethernet frame
  std::string summary;     // one line, tcpdump-like ("S. 0:0(0) ack 1 win 65535 <mss 1460,...>")
  int script_line = 0;     // the script event it matched or came from (0: none)
};

// One syscall made during the case.
struct CallRecord {
  std::int64_t t_us = 0;
  std::string text;    // "connect(3, ..., ...) = -1 EINPROGRESS"
  int script_line = 0;
};

struct CaseResult {
  std::string file;     // path of the script
  std::string name;     // path relative to the suite root, e.g. "tcp/handshake_passive.pkt"
  std::string dut;      // "sim" or "kernel"
  std::string rfc;      // from the script's first comment, e.g. "RFC 9293 §3.5"
  Verdict verdict = Verdict::Error;
  std::string message;  // the first mismatch explained, or the skip/xfail/error reason
  int line = 0;         // script line of the first mismatch (0: none)
  std::string expected; // what the script expected at that line
  std::string actual;   // what the DUT did instead
  double seconds = 0;   // wall time of the case
  std::vector<PacketRecord> packets;
  std::vector<CallRecord> calls;
  Bytes pcap;           // the case's packets as a pcap file (nanosecond timestamps)
};

}  // namespace synack::conformance

// Synthetic CaseResults for the report tests: real Ethernet/IPv4/TCP frames
// (built with the wire Reprs) and their pcap, plus helpers to inspect output.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/result.h"
#include "harness/pcap/pcap_writer.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::conformance::testing {

inline Bytes tcp_frame(bool from_dut, std::uint16_t flags, std::uint32_t seq, std::uint32_t ack) {
  const auto peer = wire::Ipv4Address::from_octets(192, 0, 2, 1);
  const auto dut = wire::Ipv4Address::from_octets(192, 168, 0, 1);
  wire::TcpRepr tcp;
  tcp.src_port = from_dut ? 8080 : 40000;
  tcp.dst_port = from_dut ? 40000 : 8080;
  tcp.seq = wire::SeqNumber(seq);
  tcp.ack = wire::SeqNumber(ack);
  tcp.flags = flags;
  tcp.window = 65535;
  wire::Ipv4Repr ip;
  ip.src = from_dut ? dut : peer;
  ip.dst = from_dut ? peer : dut;
  ip.protocol = wire::kIpProtoTcp;
  ip.payload_len = static_cast<std::uint16_t>(tcp.header_len());
  wire::EthernetRepr eth;
  eth.src = {{0x02, 0, 0, 0, 0, static_cast<std::uint8_t>(from_dut ? 2 : 1)}};
  eth.dst = {{0x02, 0, 0, 0, 0, static_cast<std::uint8_t>(from_dut ? 1 : 2)}};
  Bytes frame(eth.header_len() + ip.header_len() + tcp.header_len());
  MutBytes out(frame);
  tcp.emit(out.subspan(eth.header_len() + ip.header_len()), {}, ip.src, ip.dst);
  Bytes segment(out.begin() + static_cast<std::ptrdiff_t>(eth.header_len() + ip.header_len()), out.end());
  ip.emit(out.subspan(eth.header_len()), segment);
  Bytes packet(out.begin() + static_cast<std::ptrdiff_t>(eth.header_len()), out.end());
  eth.emit(out, packet);
  return frame;
}

inline Bytes pcap_of(const std::vector<PacketRecord>& packets) {
  auto w = harness::PcapWriter::in_memory();
  for (const auto& p : packets) {
    auto res = w.write(Instant::from_micros(p.t_us), p.frame);
    (void)res;
  }
  return w.take_bytes();
}

// A passive-open handshake on `dut` with the given verdict.
inline CaseResult handshake(std::string dut, Verdict v) {
  CaseResult r;
  r.file = "conformance/tcp/passive_open_handshake.pkt";
  r.name = "tcp/passive_open_handshake.pkt";
  r.dut = std::move(dut);
  r.rfc = "RFC 9293 §3.5";
  r.verdict = v;
  r.seconds = 0.0125;
  r.calls = {{0, "socket(..., SOCK_STREAM, IPPROTO_TCP) = 3", 3}, {0, "listen(3, 1) = 0", 6}};
  r.packets = {
      {100000, false, tcp_frame(false, wire::kTcpSyn, 0, 0), "S 0:0(0) win 65535", 8},
      {100050, true, tcp_frame(true, wire::kTcpSyn | wire::kTcpAck, 1000, 1), "S. 1000:1000(0) ack 1 win 65535",
       9},
      {200000, false, tcp_frame(false, wire::kTcpAck, 1, 1001), ". 1:1(0) ack 1001 win 65535", 10},
  };
  r.pcap = pcap_of(r.packets);
  if (v == Verdict::Fail || v == Verdict::XFail) {
    r.line = 9;
    r.expected = "S. 0:0(0) ack 1 <mss 1460>";
    r.actual = "S. 0:0(0) ack 1 win 65535";
    r.message = v == Verdict::XFail ? "kernel sends no MSS here" : "missing option mss";
  }
  if (v == Verdict::Skip) r.message = "kernel DUT needs root";
  if (v == Verdict::Error) r.message = "line 4: unknown syscall frob()";
  return r;
}

// Whether tags open and close in a nested, balanced way (a minimal XML
// well-formedness check: comments, <?...?>, <!DOCTYPE> and self-closing tags
// are skipped; HTML void elements are listed in `voids`).
inline bool balanced_tags(std::string_view doc, const std::vector<std::string>& voids = {}) {
  std::vector<std::string> stack;
  for (std::size_t i = doc.find('<'); i != std::string_view::npos; i = doc.find('<', i)) {
    const std::size_t end = doc.find('>', i);
    if (end == std::string_view::npos) return false;
    std::string_view tag = doc.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    if (tag.back() == '/') continue;
    const bool closing = tag[0] == '/';
    if (closing) tag.remove_prefix(1);
    const std::string name(tag.substr(0, tag.find_first_of(" \t\n")));
    bool is_void = false;
    for (const auto& v : voids) is_void = is_void || v == name;
    if (is_void) continue;
    if (!closing) {
      stack.push_back(name);
    } else {
      if (stack.empty() || stack.back() != name) return false;
      stack.pop_back();
    }
  }
  return stack.empty();
}

inline std::size_t count(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t i = hay.find(needle); i != std::string_view::npos; i = hay.find(needle, i + 1)) ++n;
  return n;
}

}  // namespace synack::conformance::testing

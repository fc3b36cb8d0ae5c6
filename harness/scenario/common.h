// Shared pieces of the built-in scenarios: the two-LAN routed topology, the
// pcap capture, netstat snapshots, and link/host statistics in the report.
#pragma once

#include <memory>
#include <string>

#include "harness/pcap/pcap_writer.h"
#include "harness/scenario/scenario.h"
#include "harness/world/host_node.h"

namespace synack::harness {

// a -- sw1 -- router -- sw2 -- b: two LANs (10.0.1.0/24, 10.0.2.0/24) joined
// by a router host; every link carries the options' fault profile.
struct RoutedLans {
  explicit RoutedLans(const SimOptions& opt);
  World world;
  HostNode* a = nullptr;
  HostNode* router = nullptr;
  HostNode* b = nullptr;
  std::unique_ptr<PcapWriter> capture;  // a's link, when requested
  std::string netstat_text;             // snapshots taken at --netstat-at
};

// Fills in the parts of the report every scenario shares: link statistics,
// per-host counters, netstat tables now, and writes the pcap if requested.
void finish_report(RoutedLans& net, const SimOptions& opt, ScenarioReport& report);

wire::Ipv4Address addr(const char* dotted);

// One line per end host: its TCP connections by state ("a: 2 connections,
// 1 ESTABLISHED, 1 TIME-WAIT").
std::string tcp_final_states(RoutedLans& net);

// Whether the options' faults can legitimately make operations fail (loss,
// corruption, small MTUs, partitions): then a documented failure such as
// ETIMEDOUT is an outcome to report, not an integrity failure. On a clean
// network every operation must succeed.
bool lossy(const SimOptions& opt);

}  // namespace synack::harness

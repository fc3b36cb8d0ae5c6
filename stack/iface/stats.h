// Per-layer counters of one stack, like `netstat -s`: every packet in and
// out and every drop by its reason. Plain integers; for_each() lists them
// with stable names for reports and tests.
#pragma once

#include <cstdint>
#include <string_view>

namespace synack::iface {

struct EthernetStats {
  std::uint64_t rx_frames = 0, tx_frames = 0, tx_refused = 0;
  std::uint64_t rx_malformed = 0, rx_not_for_us = 0, rx_unknown_type = 0, rx_iface_down = 0;
};
struct ArpLayerStats {
  std::uint64_t rx_requests = 0, rx_replies = 0, tx_requests = 0, tx_replies = 0, tx_gratuitous = 0;
  std::uint64_t rx_malformed = 0, rx_unsupported = 0, rx_bogus_sender = 0, unresolved_drops = 0;
};
struct Ipv4Stats {
  std::uint64_t rx_packets = 0, rx_delivered = 0, tx_packets = 0, forwarded = 0;
  std::uint64_t rx_truncated = 0, rx_bad_version = 0, rx_bad_length = 0, rx_bad_checksum = 0;
  std::uint64_t rx_bad_options = 0, rx_bad_source = 0, rx_not_for_us = 0, rx_unknown_protocol = 0;
  std::uint64_t rx_multicast = 0, rx_ttl_exceeded = 0, no_route = 0, frag_needed = 0;
  std::uint64_t fragments_created = 0, fragmented_datagrams = 0, rx_fragments = 0, reassembled = 0;
  std::uint64_t reassembly_failures = 0;
};
struct IcmpStats {
  std::uint64_t rx_messages = 0, tx_messages = 0, rx_echo_requests = 0, tx_echo_replies = 0;
  std::uint64_t rx_echo_replies = 0, rx_errors = 0, tx_errors = 0, rx_malformed = 0, rx_bad_checksum = 0;
  std::uint64_t rate_limited = 0, suppressed = 0;  // suppressed: RFC 1122 "never send an error about..."
};
struct UdpStats {
  std::uint64_t rx_datagrams = 0, tx_datagrams = 0, rx_no_port = 0, rx_malformed = 0;
  std::uint64_t rx_bad_checksum = 0, rx_buffer_errors = 0;
};
struct TcpLayerStats {
  std::uint64_t rx_segments = 0, tx_segments = 0, rx_malformed = 0, rx_bad_checksum = 0;
  std::uint64_t rx_no_socket = 0, tx_resets = 0;
};

struct StackStats {
  EthernetStats eth;
  ArpLayerStats arp;
  Ipv4Stats ip;
  IcmpStats icmp;
  UdpStats udp;
  TcpLayerStats tcp;

  // Calls f(layer, name, value) for every counter, in a fixed order.
  template <class F>
  void for_each(F&& f) const {
#define SYNACK_C(layer, s, n) f(layer, #n, s.n)
    SYNACK_C("eth", eth, rx_frames); SYNACK_C("eth", eth, tx_frames); SYNACK_C("eth", eth, tx_refused);
    SYNACK_C("eth", eth, rx_malformed); SYNACK_C("eth", eth, rx_not_for_us);
    SYNACK_C("eth", eth, rx_unknown_type); SYNACK_C("eth", eth, rx_iface_down);
    SYNACK_C("arp", arp, rx_requests); SYNACK_C("arp", arp, rx_replies); SYNACK_C("arp", arp, tx_requests);
    SYNACK_C("arp", arp, tx_replies); SYNACK_C("arp", arp, tx_gratuitous); SYNACK_C("arp", arp, rx_malformed);
    SYNACK_C("arp", arp, rx_unsupported); SYNACK_C("arp", arp, rx_bogus_sender);
    SYNACK_C("arp", arp, unresolved_drops);
    SYNACK_C("ip", ip, rx_packets); SYNACK_C("ip", ip, rx_delivered); SYNACK_C("ip", ip, tx_packets);
    SYNACK_C("ip", ip, forwarded); SYNACK_C("ip", ip, rx_truncated); SYNACK_C("ip", ip, rx_bad_version);
    SYNACK_C("ip", ip, rx_bad_length); SYNACK_C("ip", ip, rx_bad_checksum); SYNACK_C("ip", ip, rx_bad_options);
    SYNACK_C("ip", ip, rx_bad_source); SYNACK_C("ip", ip, rx_not_for_us); SYNACK_C("ip", ip, rx_unknown_protocol);
    SYNACK_C("ip", ip, rx_multicast); SYNACK_C("ip", ip, rx_ttl_exceeded); SYNACK_C("ip", ip, no_route);
    SYNACK_C("ip", ip, frag_needed); SYNACK_C("ip", ip, fragments_created);
    SYNACK_C("ip", ip, fragmented_datagrams); SYNACK_C("ip", ip, rx_fragments); SYNACK_C("ip", ip, reassembled);
    SYNACK_C("ip", ip, reassembly_failures);
    SYNACK_C("icmp", icmp, rx_messages); SYNACK_C("icmp", icmp, tx_messages);
    SYNACK_C("icmp", icmp, rx_echo_requests); SYNACK_C("icmp", icmp, tx_echo_replies);
    SYNACK_C("icmp", icmp, rx_echo_replies); SYNACK_C("icmp", icmp, rx_errors); SYNACK_C("icmp", icmp, tx_errors);
    SYNACK_C("icmp", icmp, rx_malformed); SYNACK_C("icmp", icmp, rx_bad_checksum);
    SYNACK_C("icmp", icmp, rate_limited); SYNACK_C("icmp", icmp, suppressed);
    SYNACK_C("udp", udp, rx_datagrams); SYNACK_C("udp", udp, tx_datagrams); SYNACK_C("udp", udp, rx_no_port);
    SYNACK_C("udp", udp, rx_malformed); SYNACK_C("udp", udp, rx_bad_checksum);
    SYNACK_C("udp", udp, rx_buffer_errors);
    SYNACK_C("tcp", tcp, rx_segments); SYNACK_C("tcp", tcp, tx_segments); SYNACK_C("tcp", tcp, rx_malformed);
    SYNACK_C("tcp", tcp, rx_bad_checksum); SYNACK_C("tcp", tcp, rx_no_socket); SYNACK_C("tcp", tcp, tx_resets);
#undef SYNACK_C
  }
};

}  // namespace synack::iface

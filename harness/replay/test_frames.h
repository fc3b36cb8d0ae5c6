// Frame builders for the replay's tests: Ethernet + IPv4 + TCP/UDP/ICMP with
// correct checksums, written byte by byte so the tests do not depend on the
// code they check.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/replay/replay.h"
#include "stack/base/bytes.h"
#include "stack/wire/address.h"
#include "stack/wire/checksum.h"

namespace synack::harness::replay::testing {

inline constexpr wire::Ipv4Address kPeer = wire::Ipv4Address::from_octets(10, 200, 0, 1);
inline constexpr wire::Ipv4Address kSelf = wire::Ipv4Address::from_octets(10, 200, 0, 2);

struct Ip {
  wire::Ipv4Address src = kPeer;
  wire::Ipv4Address dst = kSelf;
  std::uint8_t proto = 6;
  std::uint16_t id = 1;
  std::uint16_t frag = 0;  // flags + offset field as on the wire
};

inline Bytes ipv4_frame(const Ip& ip, const Bytes& l4, bool fill_l4_checksum = true) {
  Bytes f(14 + 20 + l4.size(), 0);
  for (int i = 0; i < 6; ++i) {
    f[static_cast<std::size_t>(i)] = 0x02;
    f[static_cast<std::size_t>(6 + i)] = 0x04;
  }
  store_be16(f, 12, 0x0800);
  MutBytes h(f.data() + 14, 20);
  h[0] = 0x45;
  store_be16(h, 2, static_cast<std::uint16_t>(20 + l4.size()));
  store_be16(h, 4, ip.id);
  store_be16(h, 6, ip.frag);
  h[8] = 64;
  h[9] = ip.proto;
  store_be32(h, 12, ip.src.value);
  store_be32(h, 16, ip.dst.value);
  store_be16(h, 10, wire::checksum(h));
  std::copy(l4.begin(), l4.end(), f.begin() + 34);
  if (fill_l4_checksum && (ip.proto == 6 || ip.proto == 17)) {
    std::size_t field = ip.proto == 6 ? 16 : 6;
    MutBytes seg(f.data() + 34, l4.size());
    std::uint64_t ph = wire::pseudo_header_sum(ip.src, ip.dst, ip.proto, static_cast<std::uint32_t>(l4.size()));
    store_be16(seg, field, wire::checksum(seg, ph));
  }
  return f;
}

struct Tcp {
  std::uint16_t sport = 40000;
  std::uint16_t dport = 80;
  std::uint32_t seq = 1000;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0x10;
  std::uint16_t window = 512;
  Bytes options{};  // padded to 4 by the builder
  std::size_t payload = 0;
};

inline Bytes tcp_segment(const Tcp& t) {
  Bytes opts = t.options;
  while (opts.size() % 4) opts.push_back(0);
  Bytes s(20 + opts.size() + t.payload, 0);
  store_be16(s, 0, t.sport);
  store_be16(s, 2, t.dport);
  store_be32(s, 4, t.seq);
  store_be32(s, 8, t.ack);
  s[12] = static_cast<std::uint8_t>(((20 + opts.size()) / 4) << 4);
  s[13] = t.flags;
  store_be16(s, 14, t.window);
  std::copy(opts.begin(), opts.end(), s.begin() + 20);
  for (std::size_t i = 0; i < t.payload; ++i) s[20 + opts.size() + i] = static_cast<std::uint8_t>(i);
  return s;
}

inline Bytes tcp_frame(const Tcp& t, Ip ip = {}) { return ipv4_frame(ip, tcp_segment(t)); }

inline Bytes ts_option(std::uint32_t tsval, std::uint32_t tsecr) {
  Bytes o{1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0};
  store_be32(o, 4, tsval);
  store_be32(o, 8, tsecr);
  return o;
}

inline Bytes sack_option(std::uint32_t left, std::uint32_t right) {
  Bytes o{1, 1, 5, 10, 0, 0, 0, 0, 0, 0, 0, 0};
  store_be32(o, 4, left);
  store_be32(o, 8, right);
  return o;
}

inline Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A replay's exchanges, notes and summary as the CLI prints them, for
// failure messages.
inline std::string dump(const ReplayResult& r) {
  std::string s;
  for (std::size_t i = 0; i < r.exchanges.size(); ++i) s += format_exchange(i + 1, r.exchanges[i]) + "\n";
  for (const auto& n : r.notes) s += "note: " + n + "\n";
  return s + summary_line(r);
}

}  // namespace synack::harness::replay::testing

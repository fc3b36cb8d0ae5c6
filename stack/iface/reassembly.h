// IPv4 reassembly (RFC 791 §3.2, RFC 815 hole tracking, RFC 1122 §3.3.2).
// Datagrams are keyed by (src, dst, protocol, id). Overlapping fragments drop
// the whole datagram (as RFC 5722 does for IPv6: overlaps are an attack, not
// a network artefact). A datagram whose fragments do not all arrive within
// the timeout (30 s) is discarded; if its first fragment had arrived, the
// host sends ICMP time exceeded (code 1). Memory is bounded by high/low
// watermarks: past the high mark the oldest datagrams are evicted until
// usage is under the low mark. Totals over 65535 bytes are refused.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "stack/base/bytes.h"
#include "stack/base/instant.h"
#include "stack/wire/address.h"

namespace synack::iface {

struct ReassemblyConfig {
  Duration timeout = Duration::from_secs(30);
  std::size_t high_thresh = 4 * 1024 * 1024;  // bytes held, all datagrams
  std::size_t low_thresh = 3 * 1024 * 1024;
};

struct FragmentKey {
  wire::Ipv4Address src, dst;
  std::uint8_t protocol = 0;
  std::uint16_t ident = 0;
  auto operator<=>(const FragmentKey&) const = default;
};

struct ReassemblyStats {
  std::uint64_t fragments = 0;
  std::uint64_t reassembled = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t overlaps = 0;
  std::uint64_t oversize = 0;
  std::uint64_t evicted = 0;      // dropped to get back under the low watermark
  std::uint64_t inconsistent = 0; // data past a known end, or a second last fragment
};

struct Reassembled {
  FragmentKey key;
  Bytes first_header;  // IPv4 header of the offset-0 fragment (options included)
  Bytes payload;       // the whole upper-layer payload
};

struct ReassemblyTimeout {
  FragmentKey key;
  Bytes quote;  // first fragment's header + first 8 payload bytes, for ICMP
};

class Reassembler {
 public:
  explicit Reassembler(ReassemblyConfig cfg = {}) : cfg_(cfg) {}

  // Adds one fragment (offset in bytes). `header` is the fragment's IPv4
  // header, kept from the first fragment. Returns the datagram once complete.
  std::optional<Reassembled> add(Instant now, const FragmentKey& key, std::uint32_t offset, bool more,
                                 ConstBytes payload, ConstBytes header);

  // Discards timed-out datagrams; returns those that deserve ICMP.
  std::vector<ReassemblyTimeout> poll(Instant now);
  std::optional<Instant> poll_at() const;

  std::size_t memory() const noexcept { return memory_; }
  std::size_t datagrams() const noexcept { return pending_.size(); }
  const ReassemblyStats& stats() const noexcept { return stats_; }

 private:
  struct Pending {
    Instant deadline;
    std::uint64_t order;                          // arrival order, for eviction
    std::map<std::uint32_t, Bytes> pieces;        // offset -> data
    std::optional<std::uint32_t> total;           // known from the last fragment
    Bytes first_header;
    std::size_t bytes = 0;
  };
  bool overlaps(const Pending& p, std::uint32_t offset, std::size_t len) const;
  bool complete(const Pending& p) const;
  void drop(std::map<FragmentKey, Pending>::iterator it);
  void enforce_memory();

  ReassemblyConfig cfg_;
  std::map<FragmentKey, Pending> pending_;
  std::map<std::uint64_t, FragmentKey> by_age_;  // order -> key, oldest first
  std::size_t memory_ = 0;
  std::uint64_t order_ = 0;
  ReassemblyStats stats_;
};

}  // namespace synack::iface

// ARP neighbour cache (RFC 826, with RFC 1122 §2.3.2 and Linux-like states).
// States: INCOMPLETE (request sent, packets waiting), REACHABLE (confirmed
// within reachable_time), STALE (usable; the next use triggers a refresh
// request), STATIC (never expires). Resolution retries with exponential
// backoff; after max_retries the entry fails and its waiting packets are
// handed back so the host can report EHOSTUNREACH to their senders.
// Bounded: at most max_entries entries and max_pending packets in all; a
// flood of forged requests or replies cannot grow it past those bounds.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "stack/base/bytes.h"
#include "stack/base/instant.h"
#include "stack/wire/address.h"

namespace synack::iface {

struct ArpConfig {
  std::size_t max_entries = 512;
  std::size_t max_pending = 64;             // queued datagrams over all entries
  std::size_t max_pending_per_entry = 8;
  Duration reachable_time = Duration::from_secs(30);
  Duration stale_gc_time = Duration::from_secs(60);  // unused stale entries go away
  Duration retry_initial = Duration::from_secs(1);
  std::uint32_t max_retries = 3;            // requests before giving up
};

enum class NeighborState : std::uint8_t { Incomplete, Reachable, Stale, Static };
const char* to_string(NeighborState s) noexcept;

struct ArpStats {
  std::uint64_t requests_sent = 0;
  std::uint64_t resolved = 0;
  std::uint64_t failed = 0;
  std::uint64_t table_full = 0;       // new entry refused: cache at its bound
  std::uint64_t pending_dropped = 0;  // datagram refused: waiting queue full
};

// A datagram waiting for resolution: the whole IPv4 packet and the interface.
struct PendingPacket {
  std::size_t iface = 0;
  Bytes ip_packet;
};

class ArpCache {
 public:
  explicit ArpCache(ArpConfig cfg = {}) : cfg_(cfg) {}

  // The MAC for `ip` when known. A STALE entry answers too and is marked for
  // a refresh request (returned by the next poll()).
  std::optional<wire::MacAddress> lookup(wire::Ipv4Address ip, Instant now);

  // Queues a datagram until `ip` resolves, creating an INCOMPLETE entry if
  // needed. Returns false when refused (table or queue full; counted).
  bool enqueue(wire::Ipv4Address ip, PendingPacket pkt, Instant now);

  // A mapping learned from an ARP packet. RFC 826 "merge": existing entries
  // are always updated; a new entry is created only when `create` (the packet
  // was aimed at us). Returns the packets that were waiting for it.
  std::vector<PendingPacket> learn(wire::Ipv4Address ip, wire::MacAddress mac, Instant now, bool create);

  void add_static(wire::Ipv4Address ip, wire::MacAddress mac);
  // Forgets a mapping. The datagrams still waiting for it are handed back
  // (and leave the pending bound) so the caller can report them, never lost
  // unaccounted.
  [[nodiscard]] std::vector<PendingPacket> remove(wire::Ipv4Address ip);

  struct PollResult {
    std::vector<wire::Ipv4Address> requests;  // send a who-has for each
    std::vector<PendingPacket> failed;        // resolution gave up
  };
  // Both return at once when every entry is static (nothing ages, nothing
  // is asked for): hosts with static neighbours poll often, and a walk over
  // the table would find nothing to do.
  PollResult poll(Instant now);
  std::optional<Instant> poll_at() const;

  struct EntryView {
    wire::Ipv4Address ip;
    wire::MacAddress mac;
    NeighborState state;
  };
  std::vector<EntryView> entries() const;  // in address order
  std::size_t size() const noexcept { return entries_.size(); }
  std::size_t pending_count() const noexcept { return pending_total_; }
  // Every entry static: poll() and poll_at() have nothing to do.
  bool all_static() const noexcept { return entries_.size() == static_count_; }
  const ArpStats& stats() const noexcept { return stats_; }

 private:
  struct Entry {
    wire::MacAddress mac;
    NeighborState state = NeighborState::Incomplete;
    Instant confirmed;      // last confirmation (REACHABLE start)
    Instant last_used;
    Instant next_request;   // INCOMPLETE or refreshing: when to (re)send
    std::uint32_t retries = 0;
    bool refreshing = false;  // STALE entry in use: asking again
    std::vector<PendingPacket> pending;
  };
  bool make_room(Instant now);
  void age(Entry& e, Instant now) const;

  // The entry lookup() found last (a host mostly talks to one neighbour, its
  // gateway or peer): map nodes stay put until erased, and every erase
  // clears it. A copy or move of the cache starts without it.
  struct LastLookup {
    LastLookup() = default;
    LastLookup(const LastLookup&) noexcept {}
    LastLookup& operator=(const LastLookup&) noexcept {
      entry = nullptr;
      return *this;
    }
    wire::Ipv4Address ip;
    Entry* entry = nullptr;
  };

  ArpConfig cfg_;
  std::map<wire::Ipv4Address, Entry> entries_;
  LastLookup last_;
  std::size_t static_count_ = 0;  // entries in state Static (never aged or erased by poll)
  std::size_t pending_total_ = 0;
  ArpStats stats_;
};

}  // namespace synack::iface

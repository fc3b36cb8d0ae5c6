// IPv4 routing table with longest-prefix match (RFC 1812 §5.2.4.3): connected
// routes (added with each interface address), static routes and a default
// gateway. One ordered map per prefix length, searched from /32 down, so a
// lookup costs at most 33 map probes whatever the table size (only the
// lengths that hold routes are probed: one or two on most hosts).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "stack/wire/address.h"

namespace synack::iface {

struct Route {
  wire::Ipv4Cidr destination;                // network and prefix length
  std::optional<wire::Ipv4Address> gateway;  // none: directly connected
  std::size_t iface = 0;
  std::uint32_t metric = 0;
  bool operator==(const Route&) const = default;
};

// Where a datagram to some destination goes next.
struct NextHop {
  std::size_t iface;
  wire::Ipv4Address address;  // the gateway, or the destination itself
};

class RouteTable {
 public:
  // Adds or replaces the route for the same destination network.
  void add(Route r);
  bool remove(wire::Ipv4Cidr destination);
  std::optional<Route> lookup(wire::Ipv4Address dst) const;
  std::optional<NextHop> next_hop(wire::Ipv4Address dst) const;
  std::vector<Route> routes() const;  // most specific first, then by address
  std::size_t size() const noexcept { return size_; }

 private:
  std::optional<Route> search(wire::Ipv4Address dst) const;

  std::array<std::map<std::uint32_t, Route>, 33> by_len_;
  std::uint64_t lens_ = 0;  // bit n set: by_len_[n] is not empty (lookup skips the rest)
  std::size_t size_ = 0;
  // The last lookup and its answer: a host sends most datagrams to the
  // destination it just sent to (every segment of a connection asks), and
  // this skips the map probes then. add() and remove() forget it.
  struct Cached {
    wire::Ipv4Address dst;
    std::optional<Route> route;
  };
  mutable std::optional<Cached> last_;
};

}  // namespace synack::iface

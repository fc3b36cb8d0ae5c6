// An in-memory learning switch (IEEE 802.1D without spanning tree): learns
// source MACs per port, forwards known unicast to one port, floods broadcast,
// multicast and unknown unicast to every other port. The table is bounded so
// a flood of forged source addresses cannot grow it without limit; the
// oldest-learned entry is evicted first. Pure logic: the world moves frames.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "stack/base/bytes.h"
#include "stack/wire/address.h"

namespace synack::driver {

class VirtualSwitch {
 public:
  explicit VirtualSwitch(std::size_t ports, std::size_t table_limit = 1024)
      : ports_(ports), table_limit_(table_limit) {}

  std::size_t port_count() const noexcept { return ports_; }
  // Ports the frame arriving on `ingress` goes out of, in port order.
  // Runt frames (under 14 bytes) go nowhere and are counted.
  std::vector<std::size_t> forward(std::size_t ingress, ConstBytes frame);

  std::size_t table_size() const noexcept { return table_.size(); }
  std::uint64_t runts() const noexcept { return runts_; }
  std::uint64_t floods() const noexcept { return floods_; }

 private:
  struct Entry {
    std::size_t port;
    std::uint64_t learned_at;  // insertion counter, for eviction order
  };
  void learn(const wire::MacAddress& src, std::size_t port);

  std::size_t ports_;
  std::size_t table_limit_;
  std::map<wire::MacAddress, Entry> table_;
  std::map<std::uint64_t, wire::MacAddress> by_age_;  // learned_at -> mac, oldest first
  std::uint64_t clock_ = 0;
  std::uint64_t runts_ = 0;
  std::uint64_t floods_ = 0;
};

}  // namespace synack::driver

// A full-duplex point-to-point link between two node ports. Each direction
// has its own seeded FaultModel and its own serialisation queue (bandwidth
// with a bounded backlog, tail drop). Frames leave the link as delivery events
// in the world's queue. Captures see a port's view: what it sent (at send
// time) and what was delivered to it (at arrival time), like tcpdump there.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "harness/world/node.h"
#include "stack/base/bytes.h"
#include "stack/driver/fault_model.h"

namespace synack::harness {

class World;

struct LinkEnd {
  NodeId node = 0;
  std::size_t port = 0;
};

struct LinkStats {
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  std::uint64_t lost = 0;
  std::uint64_t mtu_drops = 0;
  std::uint64_t queue_drops = 0;
  std::uint64_t partition_drops = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t corrupted = 0;
  std::uint64_t reordered = 0;
};

using CaptureFn = std::function<void(Instant, ConstBytes)>;

class Link {
 public:
  Link(World& world, std::size_t id, LinkEnd a, LinkEnd b, driver::FaultProfile a_to_b,
       driver::FaultProfile b_to_a, std::uint64_t seed);

  std::size_t id() const noexcept { return id_; }
  const LinkEnd& end(int side) const noexcept { return ends_[side]; }
  // Sends a frame from `side` (0 = a, 1 = b) towards the other end.
  void send(Instant now, int side, ConstBytes frame);
  // Called by the world when a frame reaches `side`.
  void on_delivered(Instant now, int side, ConstBytes frame);

  const LinkStats& stats(int from_side) const noexcept { return dir_[from_side].stats; }
  const driver::FaultProfile& profile(int from_side) const noexcept { return dir_[from_side].model.profile(); }
  void set_profile(int from_side, driver::FaultProfile p) { dir_[from_side].model.set_profile(std::move(p)); }
  // Captures the view from `side`: frames it sends and frames delivered to it.
  void add_capture(int side, CaptureFn fn) { captures_[side].push_back(std::move(fn)); }
  // Releases frames held back for reordering (used at the hold deadline).
  void release_held(Instant now, int from_side, std::uint64_t up_to_serial);

 private:
  struct Held {
    std::uint32_t frame;  // World::FrameId
    std::uint32_t countdown;
    std::uint64_t serial;
  };
  struct Direction {
    driver::FaultModel model;
    LinkStats stats;
    Instant busy_until;
    std::vector<Held> held;
    std::uint64_t next_serial = 0;
  };
  static constexpr Duration kMaxReorderHold = Duration::from_millis(20);

  // Arrival time after serialisation and propagation, or nullopt on tail drop.
  std::optional<Instant> schedule_arrival(Instant now, Direction& d, std::size_t len, Duration delay);
  void deliver_at(Instant at, int to_side, std::uint32_t frame);
  void tick_held(Instant at, int from_side);
  void notify(int side, Instant now, ConstBytes frame);

  World& world_;
  std::size_t id_;
  LinkEnd ends_[2];
  Direction dir_[2];
  std::vector<CaptureFn> captures_[2];
};

}  // namespace synack::harness

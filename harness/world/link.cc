#include "harness/world/link.h"

#include "harness/world/world.h"

namespace synack::harness {

Link::Link(World& world, std::size_t id, LinkEnd a, LinkEnd b, driver::FaultProfile a_to_b,
           driver::FaultProfile b_to_a, std::uint64_t seed)
    : world_(world),
      id_(id),
      ends_{a, b},
      dir_{Direction{driver::FaultModel(std::move(a_to_b), derive_seed(seed, 0)), {}, Instant::zero(), {}, 0},
           Direction{driver::FaultModel(std::move(b_to_a), derive_seed(seed, 1)), {}, Instant::zero(), {}, 0}} {}

void Link::notify(int side, Instant now, ConstBytes frame) {
  for (auto& c : captures_[side]) c(now, frame);
}

std::optional<Instant> Link::schedule_arrival(Instant now, Direction& d, std::size_t len, Duration delay) {
  std::uint64_t bps = d.model.profile().bandwidth_bps;
  if (bps == 0) return now + delay;
  Instant start = std::max(now, d.busy_until);
  // Backlog in bytes still waiting to be serialised ahead of this frame.
  auto backlog = static_cast<std::uint64_t>((start - now).nanos()) * bps / 8 / 1'000'000'000ULL;
  if (backlog + len > d.model.profile().queue_limit_bytes) return std::nullopt;
  auto tx_ns = static_cast<std::int64_t>(len * 8 * 1'000'000'000ULL / bps);
  d.busy_until = start + Duration::from_nanos(tx_ns);
  return d.busy_until + delay;
}

void Link::send(Instant now, int side, ConstBytes frame) {
  Direction& d = dir_[side];
  ++d.stats.sent;
  notify(side, now, frame);
  auto fate = d.model.decide(now, frame.size());
  using Drop = driver::FaultDecision::Drop;
  switch (fate.drop) {
    case Drop::Loss: ++d.stats.lost; return;
    case Drop::Mtu: ++d.stats.mtu_drops; return;
    case Drop::Partition: ++d.stats.partition_drops; return;
    case Drop::None: break;
  }
  auto arrival = schedule_arrival(now, d, frame.size(), fate.extra_delay);
  if (!arrival) {
    ++d.stats.queue_drops;
    return;
  }
  const World::FrameId copy = world_.store_frame(frame);
  if (fate.corrupt_bit) {
    world_.frame(copy)[*fate.corrupt_bit / 8] ^= static_cast<std::uint8_t>(1u << (*fate.corrupt_bit % 8));
    ++d.stats.corrupted;
  }
  if (!d.held.empty()) tick_held(*arrival, side);
  if (fate.reorder) {
    // Held back until `reorder_distance` later frames have gone ahead of it,
    // or until the hold deadline when traffic stops.
    ++d.stats.reordered;
    std::uint64_t serial = d.next_serial++;
    d.held.push_back(Held{copy, std::max<std::uint32_t>(1, d.model.profile().reorder_distance), serial});
    world_.schedule_release(*arrival + kMaxReorderHold, id_, side, serial);
    return;
  }
  if (fate.duplicate) {
    ++d.stats.duplicated;
    deliver_at(*arrival, 1 - side, world_.store_frame(world_.frame(copy)));
  }
  deliver_at(*arrival, 1 - side, copy);
}

void Link::tick_held(Instant at, int from_side) {
  auto& held = dir_[from_side].held;
  for (auto it = held.begin(); it != held.end();) {
    if (--it->countdown == 0) {
      // Just after the frame that overtook it.
      deliver_at(at + Duration::from_nanos(1), 1 - from_side, it->frame);
      it = held.erase(it);
    } else {
      ++it;
    }
  }
}

void Link::release_held(Instant now, int from_side, std::uint64_t serial) {
  auto& held = dir_[from_side].held;
  for (auto it = held.begin(); it != held.end(); ++it) {
    if (it->serial == serial) {
      deliver_at(now, 1 - from_side, it->frame);
      held.erase(it);
      return;
    }
  }
}

void Link::deliver_at(Instant at, int to_side, std::uint32_t frame) {
  world_.schedule_frame(at, id_, to_side, frame);
}

void Link::on_delivered(Instant now, int side, ConstBytes frame) {
  ++dir_[1 - side].stats.delivered;
  notify(side, now, frame);
}

}  // namespace synack::harness

// A deadline index over slot-map handles: at most one deadline per handle,
// the earliest one first. An indexed binary min-heap ordered by (deadline,
// handle), so ties are broken by handle and the order never depends on
// insertion history or pointer values (STYLE B8). Each handle's heap
// position is kept beside it, so updating or removing a handle's deadline is
// O(log n) with no allocation once the vectors have grown, and setting the
// deadline a handle already has costs one comparison (the stack re-indexes
// a socket after every call, and its deadline rarely moves).
//
// Deadlines equal to Instant::zero() (the stack's "due at once": a segment
// just made the socket want to answer) sit in a short lane beside the heap,
// sorted by handle, so the commonest cycle (due at once, then taken by the
// next poll) never walks the heap, which holds every connection's timers
// (thousands of TIME-WAIT ones on a busy host). The order seen from outside
// is the same: (deadline, handle), the lane's entries compared with the
// heap's front like any other.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "stack/base/instant.h"
#include "stack/iface/slot_map.h"

namespace synack::iface {

class DeadlineIndex {
 public:
  // Sets (or with nullopt removes) the deadline of `h`. A slot index holds
  // one handle at a time: setting a deadline for `h` drops the entry of an
  // earlier handle of the same slot (a slot is reused only once its previous
  // occupant is gone).
  void set(Handle h, std::optional<Instant> at) {
    std::size_t pos = h.index < pos_.size() ? pos_[h.index] : kNone;
    if (pos == kInLane) {
      auto it = lane_find(h.index);
      if (*it != h && !at) return;  // an earlier handle of the slot stays
      if (*it == h && at && *at == kLaneAt) return;
      lane_.erase(it);
      pos_[h.index] = kNone;
      if (!at) return;
      pos = kNone;
    } else if (pos != kNone && heap_[pos].h != h) {
      if (!at) return;
      remove_at(pos);
      pos = kNone;
    }
    if (!at) {
      if (pos != kNone) remove_at(pos);
      return;
    }
    if (*at == kLaneAt) {
      if (pos != kNone) remove_at(pos);
      if (h.index >= pos_.size()) pos_.resize(std::size_t{h.index} + 1, kNone);
      lane_.insert(std::upper_bound(lane_.begin(), lane_.end(), h, std::greater<>()), h);
      pos_[h.index] = kInLane;
      return;
    }
    if (pos == kNone) {
      if (h.index >= pos_.size()) pos_.resize(std::size_t{h.index} + 1, kNone);
      heap_.push_back(Entry{*at, h});
      pos_[h.index] = heap_.size() - 1;
      sift_up(heap_.size() - 1);
      return;
    }
    if (heap_[pos].at == *at) return;
    heap_[pos].at = *at;
    sift_up(pos);
    sift_down(position(h));
  }
  void erase(Handle h) { set(h, std::nullopt); }
  std::optional<Instant> get(Handle h) const {
    if (h.index < pos_.size() && pos_[h.index] == kInLane)
      return *lane_find(h.index) == h ? std::optional<Instant>(kLaneAt) : std::nullopt;
    std::size_t pos = position(h);
    return pos == kNone ? std::nullopt : std::optional<Instant>(heap_[pos].at);
  }
  // The earliest deadline.
  std::optional<Instant> next() const {
    if (heap_.empty()) return lane_.empty() ? std::nullopt : std::optional<Instant>(kLaneAt);
    if (!lane_.empty() && kLaneAt < heap_.front().at) return kLaneAt;
    return heap_.front().at;
  }
  // Removes and returns the handle with the earliest deadline (lowest handle
  // among equal deadlines) when that deadline is at or before `now`.
  std::optional<Handle> pop_due(Instant now) {
    const bool lane_due = !lane_.empty() && kLaneAt <= now;
    const bool heap_due = !heap_.empty() && heap_.front().at <= now;
    if (lane_due && (!heap_due || Entry{kLaneAt, lane_.back()}.before(heap_.front()))) {
      Handle h = lane_.back();
      lane_.pop_back();
      pos_[h.index] = kNone;
      return h;
    }
    if (!heap_due) return std::nullopt;
    Handle h = heap_.front().h;
    remove_at(0);
    return h;
  }
  bool empty() const noexcept { return heap_.empty() && lane_.empty(); }
  std::size_t size() const noexcept { return heap_.size() + lane_.size(); }

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};
  static constexpr std::size_t kInLane = kNone - 1;  // pos_ of a handle in lane_
  static constexpr Instant kLaneAt = Instant::zero();
  struct Entry {
    Instant at;
    Handle h;
    bool before(const Entry& o) const { return at < o.at || (at == o.at && h < o.h); }
  };

  std::size_t position(Handle h) const {
    if (h.index >= pos_.size()) return kNone;
    std::size_t pos = pos_[h.index];
    return pos != kNone && pos != kInLane && heap_[pos].h == h ? pos : kNone;
  }
  // The lane's entry for a slot index whose pos_ is kInLane.
  std::vector<Handle>::const_iterator lane_find(std::uint32_t index) const {
    return std::find_if(lane_.begin(), lane_.end(), [&](const Handle& x) { return x.index == index; });
  }
  void place(std::size_t pos, const Entry& e) {
    heap_[pos] = e;
    pos_[e.h.index] = pos;
  }
  void sift_up(std::size_t pos) {
    Entry e = heap_[pos];
    while (pos > 0) {
      std::size_t parent = (pos - 1) / 2;
      if (!e.before(heap_[parent])) break;
      place(pos, heap_[parent]);
      pos = parent;
    }
    place(pos, e);
  }
  void sift_down(std::size_t pos) {
    Entry e = heap_[pos];
    const std::size_t n = heap_.size();
    for (;;) {
      std::size_t child = 2 * pos + 1;
      if (child >= n) break;
      if (child + 1 < n && heap_[child + 1].before(heap_[child])) ++child;
      if (!heap_[child].before(e)) break;
      place(pos, heap_[child]);
      pos = child;
    }
    place(pos, e);
  }
  void remove_at(std::size_t pos) {
    pos_[heap_[pos].h.index] = kNone;
    Entry last = heap_.back();
    heap_.pop_back();
    if (pos == heap_.size()) return;
    place(pos, last);
    sift_up(pos);
    sift_down(pos_[last.h.index]);
  }

  std::vector<Entry> heap_;
  std::vector<std::size_t> pos_;  // by handle index: position in heap_, kInLane, or kNone
  std::vector<Handle> lane_;      // deadline kLaneAt, sorted descending: the next one is at the back
};

}  // namespace synack::iface

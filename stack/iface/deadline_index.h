// A deadline index over slot-map handles: at most one deadline per handle,
// the earliest one first. Ordered by (deadline, handle), so ties are broken
// by handle and the order never depends on insertion history or pointer
// values (STYLE B8). Three places hold the deadlines, and the order seen
// from outside is that of one ordered set (the prop test checks it):
//
//  - the lane: deadlines equal to Instant::zero() (the stack's "due at
//    once": a segment just made the socket want to answer), a
//    LowestBitset of slot indices (a slot holds one handle, so index order
//    is handle order), the handle's generation kept in its place. The commonest cycle (due at once, then taken by the
//    next poll) sets and clears two bits and never touches the other two
//    places (a sorted vector moved up to all of itself per insertion);
//  - the run: a queue of deadlines in increasing (deadline, handle) order.
//    A deadline after the run's last one is appended in O(1). TIME-WAIT's
//    2*MSL (the same span from a clock that only moves forward) always is,
//    so the thousands of TIME-WAIT connections of a busy host sit here
//    and not in the heap. A deadline that moves away leaves its entry
//    behind as garbage, dropped when it reaches the front (the front is
//    always a live entry) or, once garbage outnumbers live entries, by a
//    compaction;
//  - an indexed binary min-heap for the rest (the RTOs, delayed ACKs and
//    keepalives of live connections: few next to the TIME-WAIT ones, so
//    its O(log n) updates stay short).
// Each handle index's place (heap position, lane, or run sequence number)
// is kept beside it, so updating or removing a deadline allocates nothing
// once the vectors have grown, and setting the deadline a handle already
// has costs one comparison (the stack re-indexes a socket after every
// call, and its deadline rarely moves).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "stack/base/instant.h"
#include "stack/base/lowest_bitset.h"
#include "stack/iface/slot_map.h"

namespace synack::iface {

class DeadlineIndex {
 public:
  // Sets (or with nullopt removes) the deadline of `h`. A slot index holds
  // one handle at a time: setting a deadline for `h` drops the entry of an
  // earlier handle of the same slot (a slot is reused only once its previous
  // occupant is gone); removing `h` leaves another handle of the slot alone.
  void set(Handle h, std::optional<Instant> at) {
    const std::size_t pos = h.index < pos_.size() ? pos_[h.index] : kNone;
    // Take the slot's entry out of its place unless it stays as it is (or,
    // in the heap, is moved in place), or belongs to another handle that a
    // removal leaves alone.
    if (in_lane(pos)) {
      const bool same = lane_generation(pos) == h.generation;
      if (!same && !at) return;
      if (same && at && *at == kLaneAt) return;  // unchanged
      lane_remove(h.index);
    } else if (pos != kNone && (pos & kInRun)) {
      const Entry& e = run_[(pos & ~kInRun) - run_base_];
      if (e.h != h && !at) return;
      if (e.h == h && at && e.at == *at) return;  // unchanged
      pos_[h.index] = kNone;  // the entry stays behind, garbage
      --run_live_;
      drop_run_garbage();
    } else if (pos != kNone) {
      Entry& e = heap_[pos];
      if (e.h != h && !at) return;
      if (e.h == h && at) {
        if (e.at == *at) return;  // unchanged
        if (*at != kLaneAt && !run_takes(Entry{*at, h})) {
          e.at = *at;
          sift_up(pos);
          sift_down(pos_[h.index]);
          return;
        }
      }
      remove_at(pos);
    }
    if (!at) return;
    if (h.index >= pos_.size()) pos_.resize(std::size_t{h.index} + 1, kNone);
    const Entry e{*at, h};
    if (*at == kLaneAt) {
      lane_add(h);  // sets pos_
    } else if (run_takes(e)) {
      pos_[h.index] = kInRun | (run_base_ + run_.size());
      run_.push_back(e);
      ++run_live_;
    } else {
      heap_.push_back(e);
      pos_[h.index] = heap_.size() - 1;
      sift_up(heap_.size() - 1);
    }
  }
  void erase(Handle h) { set(h, std::nullopt); }
  std::optional<Instant> get(Handle h) const {
    if (h.index >= pos_.size() || pos_[h.index] == kNone) return std::nullopt;
    const std::size_t pos = pos_[h.index];
    if (owner(h.index, pos) != h) return std::nullopt;
    return deadline(pos);
  }
  // The earliest deadline: the lane's, the heap's front or the run's
  // front, whichever is earliest (the lane's is the earliest there is).
  std::optional<Instant> next() const {
    if (!lane_.empty()) return kLaneAt < earliest_timed() ? kLaneAt : earliest_timed();
    if (heap_.empty() && run_head_ == run_.size()) return std::nullopt;
    return earliest_timed();
  }
  // Removes and returns the handle with the earliest deadline (lowest handle
  // among equal deadlines) when that deadline is at or before `now`.
  // The lane comes first unless a timed entry is earlier (none has the
  // lane's deadline), and its bitmap is read only when it is due.
  std::optional<Handle> pop_due(Instant now) {
    const Entry* timed = timed_front();
    if (!lane_.empty() && (!timed || kLaneAt < timed->at)) {
      if (now < kLaneAt) return std::nullopt;
      return take_lane_front();
    }
    if (!timed || timed->at > now) return std::nullopt;
    const Handle h = timed->h;
    if (timed == heap_.data()) {
      remove_at(0);
    } else {
      pos_[h.index] = kNone;
      --run_live_;
      drop_run_garbage();
    }
    return h;
  }
  bool empty() const noexcept { return size() == 0; }
  std::size_t size() const noexcept { return heap_.size() + lane_.size() + run_live_; }
  // Entries held by the run, garbage included (tests: it stays bounded).
  std::size_t run_entries() const noexcept { return run_.size() - run_head_; }

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};
  // pos_ of a handle in the lane: this bit and the handle's generation.
  static constexpr std::size_t kInLane = std::size_t{1} << (sizeof(std::size_t) * 8 - 1);
  // pos_ of a handle in run_: this bit and the entry's sequence number
  // (run_base_ + its index in run_), unique for the index's lifetime, so a
  // garbage entry never looks live.
  static constexpr std::size_t kInRun = std::size_t{1} << (sizeof(std::size_t) * 8 - 2);
  static constexpr Instant kLaneAt = Instant::zero();
  static constexpr std::size_t kRunSlack = 32;  // garbage tolerated beyond the live count
  struct Entry {
    Instant at;
    Handle h;
    bool before(const Entry& o) const { return at < o.at || (at == o.at && h < o.h); }
  };

  // The earlier of the heap's and the run's fronts (nullptr: both empty).
  const Entry* timed_front() const {
    const Entry* e = heap_.empty() ? nullptr : heap_.data();
    if (run_head_ < run_.size() && (!e || run_[run_head_].before(*e))) e = &run_[run_head_];
    return e;
  }
  // The handle whose entry `pos` (pos_ of `index`, not kNone) names.
  Handle owner(std::uint32_t index, std::size_t pos) const {
    if (in_lane(pos)) return Handle{index, lane_generation(pos)};
    if (pos & kInRun) return run_[(pos & ~kInRun) - run_base_].h;
    return heap_[pos].h;
  }
  Instant deadline(std::size_t pos) const {
    if (in_lane(pos)) return kLaneAt;
    if (pos & kInRun) return run_[(pos & ~kInRun) - run_base_].at;
    return heap_[pos].at;
  }
  // The earlier of the heap's and the run's fronts (Instant::max() for none).
  Instant earliest_timed() const {
    Instant t = heap_.empty() ? Instant::max() : heap_.front().at;
    if (run_head_ < run_.size() && run_[run_head_].at < t) t = run_[run_head_].at;
    return t;
  }
  // An entry goes to the run when it sorts after the run's last one.
  bool run_takes(const Entry& e) const { return run_head_ == run_.size() || run_.back().before(e); }
  bool run_live(std::size_t i) const { return pos_[run_[i].h.index] == (kInRun | (run_base_ + i)); }
  // Keeps the run's front live and its garbage bounded.
  void drop_run_garbage() {
    while (run_head_ < run_.size() && !run_live(run_head_)) ++run_head_;
    if (run_head_ == run_.size()) {
      run_base_ += run_.size();
      run_.clear();
      run_head_ = 0;
      return;
    }
    if (run_entries() - run_live_ > run_live_ + kRunSlack) {
      // Compaction: the live entries, in order, renumbered after every
      // number used so far.
      const std::size_t base = run_base_ + run_.size();
      std::size_t w = 0;
      for (std::size_t i = run_head_; i < run_.size(); ++i) {
        if (!run_live(i)) continue;
        run_[w] = run_[i];
        pos_[run_[w].h.index] = kInRun | (base + w);
        ++w;
      }
      run_.resize(w);
      run_base_ = base;
      run_head_ = 0;
    } else if (run_head_ >= kRunSlack && run_head_ * 2 >= run_.size()) {
      run_.erase(run_.begin(), run_.begin() + static_cast<std::ptrdiff_t>(run_head_));
      run_base_ += run_head_;
      run_head_ = 0;
    }
  }
  // kNone is the only other pos_ value with the top bit set (run numbers
  // and heap positions stay far below it).
  static bool in_lane(std::size_t pos) { return pos != kNone && (pos & kInLane); }
  static std::uint32_t lane_generation(std::size_t pos) { return static_cast<std::uint32_t>(pos & ~kInLane); }
  void lane_add(Handle h) {
    lane_.insert(h.index);
    pos_[h.index] = kInLane | h.generation;
  }
  void lane_remove(std::uint32_t index) {
    lane_.erase(index);
    pos_[index] = kNone;
  }
  Handle take_lane_front() {
    const auto index = static_cast<std::uint32_t>(lane_.lowest());
    const Handle h{index, lane_generation(pos_[index])};
    lane_remove(index);
    return h;
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
  std::vector<std::size_t> pos_;  // by handle index: heap position, kInLane|generation, kInRun|number, or kNone
  LowestBitset lane_;             // slot indices with the deadline kLaneAt
  std::vector<Entry> run_;        // [run_head_, end): increasing (deadline, handle), garbage among them
  std::size_t run_head_ = 0;      // the first entry still held (live: drop_run_garbage)
  std::size_t run_base_ = 0;      // sequence number of run_[0]
  std::size_t run_live_ = 0;      // live entries in the run
};

}  // namespace synack::iface

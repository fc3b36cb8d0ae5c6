// A deadline index over slot-map handles: at most one deadline per handle,
// the earliest one first. Ordered by (deadline, handle), so ties are broken
// by handle and the order never depends on insertion history or pointer
// values (STYLE B8). Three places hold the deadlines, and the order seen
// from outside is that of one ordered set (the prop test checks it):
//
//  - the lane: deadlines equal to Instant::zero() (the stack's "due at
//    once": a segment just made the socket want to answer), sorted by
//    handle, so the commonest cycle (due at once, then taken by the next
//    poll) never touches the other two;
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
  // occupant is gone); removing `h` leaves another handle of the slot alone.
  void set(Handle h, std::optional<Instant> at) {
    const std::size_t pos = h.index < pos_.size() ? pos_[h.index] : kNone;
    // Take the slot's entry out of its place unless it stays as it is (or,
    // in the heap, is moved in place), or belongs to another handle that a
    // removal leaves alone.
    if (pos == kInLane) {
      auto it = lane_find(h.index);
      if (*it != h && !at) return;
      if (*it == h && at && *at == kLaneAt) return;  // unchanged
      lane_.erase(it);
      pos_[h.index] = kNone;
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
      lane_.insert(std::upper_bound(lane_.begin(), lane_.end(), h, std::greater<>()), h);
      pos_[h.index] = kInLane;
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
  std::optional<Handle> pop_due(Instant now) {
    const Front f = front();
    if (f.from == kNowhere || f.e.at > now) return std::nullopt;
    const Handle h = f.e.h;
    if (f.from == kFromLane) {
      lane_.pop_back();
      pos_[h.index] = kNone;
    } else if (f.from == kFromHeap) {
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
  static constexpr std::size_t kInLane = kNone - 1;  // pos_ of a handle in lane_
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

  // The earliest entry of the three places, and which place holds it.
  static constexpr std::uint8_t kNowhere = 0, kFromLane = 1, kFromHeap = 2, kFromRun = 3;
  struct Front {
    Entry e;
    std::uint8_t from = kNowhere;
  };
  Front front() const {
    Front f;
    if (!lane_.empty()) f = Front{Entry{kLaneAt, lane_.back()}, kFromLane};
    if (!heap_.empty() && (f.from == kNowhere || heap_.front().before(f.e))) f = Front{heap_.front(), kFromHeap};
    if (run_head_ < run_.size() && (f.from == kNowhere || run_[run_head_].before(f.e)))
      f = Front{run_[run_head_], kFromRun};
    return f;
  }
  // The handle whose entry `pos` (pos_ of `index`, not kNone) names.
  Handle owner(std::uint32_t index, std::size_t pos) const {
    if (pos == kInLane) return *lane_find(index);
    if (pos & kInRun) return run_[(pos & ~kInRun) - run_base_].h;
    return heap_[pos].h;
  }
  Instant deadline(std::size_t pos) const {
    if (pos == kInLane) return kLaneAt;
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
  // Takes the entry named by `pos` (pos_ of `index`) out of its place.
  void leave(std::uint32_t index, std::size_t pos) {
    if (pos == kInLane) {
      lane_.erase(lane_find(index));
      pos_[index] = kNone;
    } else if (pos & kInRun) {
      pos_[index] = kNone;  // the entry stays behind, garbage
      --run_live_;
      drop_run_garbage();
    } else {
      remove_at(pos);
    }
  }
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
  std::vector<std::size_t> pos_;  // by handle index: heap position, kInLane, kInRun|number, or kNone
  std::vector<Handle> lane_;      // deadline kLaneAt, sorted descending: the next one is at the back
  std::vector<Entry> run_;        // [run_head_, end): increasing (deadline, handle), garbage among them
  std::size_t run_head_ = 0;      // the first entry still held (live: drop_run_garbage)
  std::size_t run_base_ = 0;      // sequence number of run_[0]
  std::size_t run_live_ = 0;      // live entries in the run
};

}  // namespace synack::iface

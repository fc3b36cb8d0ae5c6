// The world's single event queue, ordered by (time, insertion id) so that
// events at the same instant run in the order they were scheduled — never by
// pointer value (Envoy's simulated-time tie-breaker).
//
// Two places hold the entries, and the order seen from outside is that of
// one heap (world_test checks it against std::priority_queue):
//
//  - the run: a FIFO (a ring) of entries in increasing (time, id) order.
//    An entry no earlier than the run's last one is appended in O(1) and
//    later popped in O(1). A link's delay is constant and the clock only
//    moves forward, so nearly every delivery comes here and never pays a
//    heap sift;
//  - a binary min-heap for the rest: entries earlier than the run's last
//    one (an action, a release, a delivery on a shorter link).
//
// Values are small and trivially copyable (the World's events name a frame
// or an action in its own pools), so they sit in the entries themselves: a
// push or pop moves a few words and touches no other array.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include "stack/base/instant.h"

namespace synack::harness {

template <class T>
class EventQueue {
  static_assert(std::is_trivially_copyable_v<T>, "queue values are copied through heap sift steps");

 public:
  struct Entry {
    Instant at;
    std::uint64_t id;
    T value;
  };

  std::uint64_t push(Instant at, const T& value) {
    std::uint64_t id = next_id_++;
    // Ids only grow, so an entry at or after the run's last time sorts
    // after it.
    if (run_tail_ == run_head_ || run_at(run_tail_ - 1).at <= at) {
      if (run_tail_ - run_head_ == run_mask_ + 1) grow_run();  // full
      run_at(run_tail_++) = Entry{at, id, value};
    } else {
      heap_.push_back(Entry{at, id, value});
      std::push_heap(heap_.begin(), heap_.end(), later);
    }
    return id;
  }
  bool empty() const noexcept { return run_tail_ == run_head_ && heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size() + static_cast<std::size_t>(run_tail_ - run_head_); }
  std::optional<Instant> next_time() const noexcept {
    if (from_run()) return run_at(run_head_).at;
    if (heap_.empty()) return std::nullopt;
    return heap_.front().at;
  }
  // Removes and returns the earliest entry; the queue must not be empty.
  Entry pop() {
    if (from_run()) return run_at(run_head_++);
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const Entry e = heap_.back();
    heap_.pop_back();
    return e;
  }

 private:
  // Heap comparator: "a comes after b".
  static bool later(const Entry& a, const Entry& b) noexcept { return a.at != b.at ? a.at > b.at : a.id > b.id; }
  // Whether the earliest entry is the run's front.
  bool from_run() const noexcept {
    return run_tail_ != run_head_ && (heap_.empty() || later(heap_.front(), run_at(run_head_)));
  }
  // The run is a ring over run_ (a power of two long), numbered by the
  // ever-growing counters run_head_ and run_tail_.
  Entry& run_at(std::uint64_t n) noexcept { return run_[n & run_mask_]; }
  const Entry& run_at(std::uint64_t n) const noexcept { return run_[n & run_mask_]; }
  void grow_run() {
    std::vector<Entry> bigger(std::max<std::size_t>(16, 2 * run_.size()));
    for (std::uint64_t n = run_head_; n != run_tail_; ++n) bigger[n - run_head_] = run_at(n);
    run_tail_ -= run_head_;
    run_head_ = 0;
    run_.swap(bigger);
    run_mask_ = run_.size() - 1;
  }

  std::vector<Entry> heap_;
  std::vector<Entry> run_;      // ring: [run_head_, run_tail_) in increasing (time, id)
  std::uint64_t run_head_ = 0;  // the run's front
  std::uint64_t run_tail_ = 0;  // one past the run's last entry
  std::uint64_t run_mask_ = ~std::uint64_t{0};  // run_.size() - 1, wrapping while empty
  std::uint64_t next_id_ = 0;
};

}  // namespace synack::harness

// The world's single event queue, ordered by (time, insertion id) so that
// events at the same instant run in the order they were scheduled — never by
// pointer value (Envoy's simulated-time tie-breaker).
//
// Values are small and trivially copyable (the World's events name a frame
// or an action in its own pools), so they sit in the heap entries
// themselves: a push or pop moves a few words and touches no other array.
#pragma once

#include <algorithm>
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
    heap_.push_back(Entry{at, id, value});
    std::push_heap(heap_.begin(), heap_.end(), later);
    return id;
  }
  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  std::optional<Instant> next_time() const noexcept {
    if (heap_.empty()) return std::nullopt;
    return heap_.front().at;
  }
  // Removes and returns the earliest entry; the queue must not be empty.
  Entry pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const Entry e = heap_.back();
    heap_.pop_back();
    return e;
  }

 private:
  // Heap comparator: "a comes after b".
  static bool later(const Entry& a, const Entry& b) noexcept { return a.at != b.at ? a.at > b.at : a.id > b.id; }

  std::vector<Entry> heap_;
  std::uint64_t next_id_ = 0;
};

}  // namespace synack::harness

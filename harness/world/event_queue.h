// The world's single event queue, ordered by (time, insertion id) so that
// events at the same instant run in the order they were scheduled — never by
// pointer value (Envoy's simulated-time tie-breaker).
//
// The heap holds only (time, id, slot) triples, trivially copyable, so its
// sift steps move 24 bytes each; the values (frames, actions) stay put in a
// slot array whose free slots are reused, and move once in and once out.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "stack/base/instant.h"

namespace synack::harness {

template <class T>
class EventQueue {
 public:
  struct Entry {
    Instant at;
    std::uint64_t id;
    T value;
  };

  // `value` is anything T can be assigned from (one of a variant's
  // alternatives, say), so it is moved straight into its slot: no T is built
  // and moved on the way.
  template <class V>
  std::uint64_t push(Instant at, V&& value) {
    std::uint64_t id = next_id_++;
    std::uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<std::uint32_t>(values_.size());
      values_.emplace_back(std::forward<V>(value));
    } else {
      slot = free_.back();
      free_.pop_back();
      values_[slot] = std::forward<V>(value);
    }
    heap_.push_back(Key{at, id, slot});
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
    const Key k = heap_.back();
    heap_.pop_back();
    free_.push_back(k.slot);
    return Entry{k.at, k.id, std::move(values_[k.slot])};
  }

 private:
  struct Key {
    Instant at;
    std::uint64_t id;
    std::uint32_t slot;
  };
  // Heap comparator: "a comes after b".
  static bool later(const Key& a, const Key& b) noexcept { return a.at != b.at ? a.at > b.at : a.id > b.id; }

  std::vector<Key> heap_;
  std::vector<T> values_;             // by slot; moved-from while free
  std::vector<std::uint32_t> free_;   // slots of values_ not in the heap
  std::uint64_t next_id_ = 0;
};

}  // namespace synack::harness

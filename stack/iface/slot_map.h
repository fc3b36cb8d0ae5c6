// A slot map: stable handles (index + generation) to objects, iterated in
// handle order so that nothing depends on pointer values or hash order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "stack/base/lowest_bitset.h"

namespace synack::iface {

struct Handle {
  std::uint32_t index = 0;
  std::uint32_t generation = 0;
  bool operator==(const Handle&) const = default;
  auto operator<=>(const Handle&) const = default;
};

template <class T>
class SlotMap {
 public:
  Handle insert(T value) {
    ++size_;
    if (!free_.empty()) {  // lowest free index first: deterministic reuse
      std::uint32_t i = take_lowest_free();
      slots_[i].value.emplace(std::move(value));
      return {i, slots_[i].generation};
    }
    slots_.push_back(Slot{std::move(value), 0});
    return {static_cast<std::uint32_t>(slots_.size() - 1), 0};
  }
  T* get(Handle h) {
    if (h.index >= slots_.size()) return nullptr;
    auto& s = slots_[h.index];
    return s.value && s.generation == h.generation ? &*s.value : nullptr;
  }
  const T* get(Handle h) const { return const_cast<SlotMap*>(this)->get(h); }
  bool erase(Handle h) {
    if (!get(h)) return false;
    slots_[h.index].value.reset();
    ++slots_[h.index].generation;
    mark_free(h.index);
    --size_;
    return true;
  }
  std::size_t size() const noexcept { return size_; }
  // f(Handle, T&) for every live slot in index order.
  template <class F>
  void for_each(F&& f) {
    for (std::uint32_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].value) f(Handle{i, slots_[i].generation}, *slots_[i].value);
  }
  template <class F>
  void for_each(F&& f) const {
    for (std::uint32_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].value) f(Handle{i, slots_[i].generation}, *slots_[i].value);
  }

 private:
  struct Slot {
    std::optional<T> value;
    std::uint32_t generation = 0;
  };
  std::uint32_t take_lowest_free() noexcept {
    const auto i = static_cast<std::uint32_t>(free_.lowest());
    free_.erase(i);
    return i;
  }
  void mark_free(std::uint32_t i) { free_.insert(i); }

  std::vector<Slot> slots_;
  LowestBitset free_;  // the free slots; the lowest is reused first
  std::size_t size_ = 0;
};

}  // namespace synack::iface

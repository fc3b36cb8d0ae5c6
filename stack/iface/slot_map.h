// A slot map: stable handles (index + generation) to objects, iterated in
// handle order so that nothing depends on pointer values or hash order.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

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
    if (free_count_ > 0) {  // lowest free index first: deterministic reuse
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
  // The free slots (free_count_ of them) as bits, with a summary
  // bit per word that has any: the lowest is found by reading one summary
  // word per 4,096 slots, and freeing is O(1) (a sorted vector of indices
  // moved up to all of itself per erase). Sized by the first erase that
  // needs it, so a map that never erased holds nothing here.
  std::uint32_t take_lowest_free() noexcept {
    std::size_t s = 0;
    while (nonempty_[s] == 0) ++s;
    const std::size_t w = s * 64 + static_cast<std::size_t>(std::countr_zero(nonempty_[s]));
    std::uint64_t& bits = free_[w];
    const auto i = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
    bits &= bits - 1;                                    // clears bit i
    if (bits == 0) nonempty_[s] &= nonempty_[s] - 1;     // clears w's bit, the lowest
    --free_count_;
    return i;
  }
  void mark_free(std::uint32_t i) {
    const std::size_t w = i / 64;
    const std::size_t s = w / 64;
    if (w >= free_.size()) free_.resize(w + 1);
    if (s >= nonempty_.size()) nonempty_.resize(s + 1);
    free_[w] |= std::uint64_t{1} << (i % 64);
    nonempty_[s] |= std::uint64_t{1} << (w % 64);
    ++free_count_;
  }

  std::vector<Slot> slots_;
  std::vector<std::uint64_t> free_;      // bit i % 64 of word i / 64: slot i is free
  std::vector<std::uint64_t> nonempty_;  // bit w % 64 of word w / 64: free_[w] != 0
  std::size_t free_count_ = 0;
  std::size_t size_ = 0;
};

}  // namespace synack::iface

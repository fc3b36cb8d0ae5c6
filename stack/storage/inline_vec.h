// A vector of trivially copyable values that holds its first element in
// place and goes to the heap only for a second one. TCP's reassembly state
// (Assembler) is empty or holds one range for almost every connection: data
// in order is added and taken off the front at once. With std::vector and a
// reserve per connection that was two heap blocks (768 bytes) for every
// endpoint, idle or not; with this it is none until a segment arrives out of
// order.
//
// Contract: the std::vector subset Assembler uses (iterators are pointers,
// invalidated by any insertion or by clear_and_release()); `spill` is the
// capacity reserved by the first trip to the heap, which then grows by
// doubling (capacity never shrinks until clear_and_release(); a later trip
// to the heap reserves the capacity held last).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

namespace synack::storage {

template <class T>
class InlineVec {
  static_assert(std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T>);

 public:
  explicit InlineVec(std::size_t spill = 4) noexcept : cap_(static_cast<std::uint32_t>(std::max<std::size_t>(spill, 2))) {}
  InlineVec(const InlineVec& o) : cap_(o.cap_) { assign(o); }
  InlineVec& operator=(const InlineVec& o) {
    if (this != &o) {
      size_ = 0;
      assign(o);
    }
    return *this;
  }

  T* data() noexcept { return heap_ ? heap_.get() : &inline_; }
  const T* data() const noexcept { return heap_ ? heap_.get() : &inline_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::size_t capacity() const noexcept { return heap_ ? cap_ : 1; }
  bool on_heap() const noexcept { return heap_ != nullptr; }
  T* begin() noexcept { return data(); }
  T* end() noexcept { return data() + size_; }
  const T* begin() const noexcept { return data(); }
  const T* end() const noexcept { return data() + size_; }
  T& operator[](std::size_t i) noexcept { return data()[i]; }
  const T& operator[](std::size_t i) const noexcept { return data()[i]; }
  T& front() noexcept { return data()[0]; }
  const T& front() const noexcept { return data()[0]; }
  T& back() noexcept { return data()[size_ - 1]; }
  const T& back() const noexcept { return data()[size_ - 1]; }

  // Inserts `v` before `pos`; returns an iterator to it.
  T* insert(T* pos, const T& v) {
    auto i = static_cast<std::size_t>(pos - data());
    if (size_ == capacity()) grow();
    T* d = data();
    std::memmove(d + i + 1, d + i, (size_ - i) * sizeof(T));
    d[i] = v;
    ++size_;
    return d + i;
  }
  // Removes [first, last).
  void erase(T* first, T* last) noexcept {
    T* d = data();
    std::memmove(first, last, static_cast<std::size_t>(d + size_ - last) * sizeof(T));
    size_ -= static_cast<std::uint32_t>(last - first);
  }
  void erase(T* pos) noexcept { erase(pos, pos + 1); }
  void push_back(const T& v) { insert(end(), v); }
  void pop_back() noexcept { --size_; }
  // Keeps the capacity (as std::vector::clear).
  void clear() noexcept { size_ = 0; }
  // Empties and gives heap storage back.
  void clear_and_release() noexcept {
    size_ = 0;
    heap_.reset();  // cap_ stays: the next spill's capacity
  }

 private:
  void grow() {
    std::uint32_t cap = heap_ ? 2 * cap_ : cap_;
    auto fresh = std::make_unique_for_overwrite<T[]>(cap);
    std::memcpy(fresh.get(), data(), size_ * sizeof(T));
    heap_ = std::move(fresh);
    cap_ = cap;
  }
  void assign(const InlineVec& o) {
    if (o.size_ > capacity()) {
      cap_ = std::max(o.size_, cap_);
      heap_ = std::make_unique_for_overwrite<T[]>(cap_);
    }
    std::memcpy(data(), o.data(), o.size_ * sizeof(T));
    size_ = o.size_;
  }

  std::unique_ptr<T[]> heap_;
  T inline_{};
  std::uint32_t size_ = 0;
  std::uint32_t cap_;  // heap capacity when heap_ is held, else the next spill's
};

}  // namespace synack::storage

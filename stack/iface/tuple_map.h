// The TCP 4-tuple demultiplexing table: FourTuple -> slot-map Handle, an
// open-addressing hash table with linear probing and backward-shift
// deletion (no tombstones). Replaces a std::map: one tree node allocation
// per connection (64 bytes with malloc's header) and a pointer chase per
// level on every segment; here an entry is 24 bytes in one array and a
// lookup touches one or two cache lines.
//
// Determinism (STYLE B8): the hash is keyed from the stack's seed, never
// from the RNG stream (drawing from it would move every ISN and port), and
// nothing that reaches output depends on the table's order: the stack only
// iterates it to ask whether any entry matches (for_each visits in slot
// order, which is a function of the seed and the history of operations).
// The keyed hash makes colliding tuples hard to choose from outside.
//
// Lookup speaks the std::map subset the stack used (find()/end() with
// ->first/->second, count, operator[], erase(it)), so the receive path reads
// as before; end() is a null pointer and iterators are invalidated by any
// insertion or erasure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stack/iface/slot_map.h"
#include "stack/transport/tcp/tcb.h"

namespace synack::iface {

class TupleMap {
  static constexpr std::uint32_t kEmpty = ~std::uint32_t{0};  // a slot-map index never reached

 public:
  explicit TupleMap(std::uint64_t seed = 0) noexcept : k0_(mix(seed ^ 0x243f6a8885a308d3)), k1_(mix(seed + 0x13198a2e03707344)) {}

  struct Slot {
    tcp::FourTuple first{};                 // the key
    Handle second{kEmpty, 0};               // the value
    bool used() const noexcept { return second.index != kEmpty; }
  };

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // The entry for `t`, or end() (nullptr).
  Slot* find(const tcp::FourTuple& t) noexcept {
    return const_cast<Slot*>(static_cast<const TupleMap*>(this)->find(t));
  }
  const Slot* find(const tcp::FourTuple& t) const noexcept {
    if (size_ == 0) return nullptr;
    for (std::size_t i = home(t);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (!s.used()) return nullptr;
      if (s.first == t) return &s;
    }
  }
  static constexpr Slot* end() noexcept { return nullptr; }
  bool contains(const tcp::FourTuple& t) const noexcept { return find(t) != nullptr; }
  std::size_t count(const tcp::FourTuple& t) const noexcept { return contains(t) ? 1 : 0; }
  Handle& operator[](const tcp::FourTuple& t) {
    if (Slot* s = find(t)) return s->second;
    set(t, Handle{});
    return find(t)->second;
  }
  void erase(const Slot* it) noexcept {
    if (it) erase(tcp::FourTuple(it->first));
  }
  // Inserts or overwrites.
  void set(const tcp::FourTuple& t, Handle h) {
    if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.empty() ? 16 : 2 * slots_.size());
    for (std::size_t i = home(t);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (!s.used()) {
        s = Slot{t, h};
        ++size_;
        return;
      }
      if (s.first == t) {
        s.second = h;
        return;
      }
    }
  }
  // Removes `t`; returns whether it was there.
  bool erase(const tcp::FourTuple& t) noexcept {
    if (size_ == 0) return false;
    std::size_t i = home(t);
    for (;; i = (i + 1) & mask_) {
      if (!slots_[i].used()) return false;
      if (slots_[i].first == t) break;
    }
    // Backward shift: pull later entries of the probe run into the hole
    // when their home does not lie cyclically in (hole, j].
    for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (!slots_[j].used()) break;
      std::size_t h = home(slots_[j].first);
      bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i] = Slot{};
    --size_;
    return true;
  }
  // f(const FourTuple&, Handle) for every entry, in slot order.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.used()) f(s.first, s.second);
  }

 private:
  static constexpr std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64 finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9;
    x ^= x >> 27;
    x *= 0x94d049bb133111eb;
    return x ^ (x >> 31);
  }
  std::size_t home(const tcp::FourTuple& t) const noexcept {
    std::uint64_t a = (std::uint64_t{t.local.addr.value} << 32 | t.remote.addr.value) ^ k0_;
    std::uint64_t b = (std::uint64_t{t.local.port} << 16 | t.remote.port) ^ k1_;
    return static_cast<std::size_t>(mix(a * 0x9e3779b97f4a7c15 + b)) & mask_;
  }
  void rehash(std::size_t n) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    size_ = 0;
    for (const Slot& s : old)
      if (s.used()) set(s.first, s.second);
  }

  std::uint64_t k0_;
  std::uint64_t k1_;
  std::vector<Slot> slots_;  // power-of-two size, at most 3/4 full
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace synack::iface

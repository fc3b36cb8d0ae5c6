// A set of small indices (slots) as a two-level bitmap: a bit per index and
// a summary bit per non-zero word. Insert and erase are O(1); the lowest
// member is kept at hand by its word, and when that word empties the next
// one is found reading one summary word per 4,096 indices (a sorted vector
// moved up to all of itself per insertion). SlotMap keeps its free slots
// here, DeadlineIndex its due-now lane.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace synack {

class LowestBitset {
 public:
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  // `i` must not be a member. Grows the bitmap once per 64 indices.
  void insert(std::size_t i) {
    const std::size_t w = i / 64;
    if (w >= bits_.size()) {
      bits_.resize(w + 1, 0);
      summary_.resize(w / 64 + 1, 0);
    }
    bits_[w] |= std::uint64_t{1} << (i % 64);
    summary_[w / 64] |= std::uint64_t{1} << (w % 64);
    low_ = std::min(low_, w);
    ++size_;
  }
  // `i` must be a member.
  void erase(std::size_t i) noexcept {
    const std::size_t w = i / 64;
    --size_;
    if ((bits_[w] &= ~(std::uint64_t{1} << (i % 64))) != 0) return;
    summary_[w / 64] &= ~(std::uint64_t{1} << (w % 64));
    if (w != low_) return;
    if (size_ == 0) {
      low_ = kNone;
      return;
    }
    std::size_t s = w / 64;
    std::uint64_t rest = summary_[s] & (~std::uint64_t{0} << (w % 64));  // words below w are empty
    while (rest == 0) rest = summary_[++s];
    low_ = s * 64 + static_cast<std::size_t>(std::countr_zero(rest));
  }
  // The lowest member; the set must not be empty.
  std::size_t lowest() const noexcept {
    return low_ * 64 + static_cast<std::size_t>(std::countr_zero(bits_[low_]));
  }

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};
  std::vector<std::uint64_t> bits_;     // bit i % 64 of word i / 64: i is a member
  std::vector<std::uint64_t> summary_;  // bit w % 64 of word w / 64: bits_[w] != 0
  std::size_t size_ = 0;
  std::size_t low_ = kNone;  // the lowest non-zero word of bits_ (kNone: empty)
};

}  // namespace synack

#include "stack/storage/assembler.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace synack::storage {

Assembler::Assembler(std::size_t max_ranges)
    : max_ranges_(std::max<std::size_t>(max_ranges, 1)), ranges_(max_ranges_), stamps_(max_ranges_) {}

void Assembler::clear() noexcept {
  ranges_.clear_and_release();
  stamps_.clear_and_release();
  last_stamp_ = 0;
}

Result<void, AssemblerError> Assembler::add(std::size_t offset, std::size_t size) {
  if (size == 0) return {};
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  std::size_t end = size > kMax - offset ? kMax : offset + size;

  // [first, last) are the ranges that overlap or touch [offset, end).
  auto first = std::find_if(ranges_.begin(), ranges_.end(),
                            [&](const AssemblerRange& r) { return r.end() >= offset; });
  auto last = std::find_if(first, ranges_.end(),
                           [&](const AssemblerRange& r) { return r.offset > end; });
  auto i = static_cast<std::size_t>(first - ranges_.begin());
  std::uint64_t stamp = next_stamp_;

  if (first == last) {
    // A new island: the only case that needs a fresh slot, and so the only
    // one that can fail. Check before touching anything.
    if (ranges_.size() >= max_ranges_) return Err{AssemblerError::TooManyHoles};
    ranges_.insert(first, AssemblerRange{offset, end - offset});
    stamps_.insert(stamps_.begin() + i, stamp);
  } else {
    auto j = static_cast<std::size_t>(last - ranges_.begin());
    std::size_t lo = std::min(offset, ranges_[i].offset);
    std::size_t hi = std::max(end, ranges_[j - 1].end());
    ranges_[i] = AssemblerRange{lo, hi - lo};
    stamps_[i] = stamp;
    auto di = static_cast<std::ptrdiff_t>(i);
    auto dj = static_cast<std::ptrdiff_t>(j);
    ranges_.erase(ranges_.begin() + di + 1, ranges_.begin() + dj);
    stamps_.erase(stamps_.begin() + di + 1, stamps_.begin() + dj);
  }
  last_stamp_ = stamp;
  ++next_stamp_;
  return {};
}

std::size_t Assembler::peek_front() const noexcept {
  if (ranges_.empty() || ranges_.front().offset != 0) return 0;
  return ranges_.front().size;
}

std::size_t Assembler::remove_front() noexcept {
  std::size_t n = peek_front();
  if (n == 0) return 0;
  ranges_.erase(ranges_.begin());
  stamps_.erase(stamps_.begin());
  // The remaining ranges start past a hole after the removed one, so each
  // offset is > n and the shift cannot underflow.
  for (auto& r : ranges_) r.offset -= n;
  return n;
}

std::optional<AssemblerRange> Assembler::evict_last() noexcept {
  if (ranges_.empty()) return std::nullopt;
  AssemblerRange r = ranges_.back();
  ranges_.pop_back();
  stamps_.pop_back();
  return r;
}

std::optional<AssemblerRange> Assembler::last_added() const noexcept {
  if (last_stamp_ == 0) return std::nullopt;
  for (std::size_t k = 0; k < ranges_.size(); ++k) {
    if (stamps_[k] == last_stamp_) return ranges_[k];
  }
  return std::nullopt;
}

std::size_t Assembler::ranges_by_recency(std::span<AssemblerRange> out) const {
  std::vector<std::pair<std::uint64_t, AssemblerRange>> by_stamp;
  by_stamp.reserve(ranges_.size());
  for (std::size_t k = 0; k < ranges_.size(); ++k) by_stamp.emplace_back(stamps_[k], ranges_[k]);
  std::sort(by_stamp.begin(), by_stamp.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  std::size_t n = std::min(out.size(), by_stamp.size());
  for (std::size_t k = 0; k < n; ++k) out[k] = by_stamp[k].second;
  return n;
}

bool Assembler::contains(std::size_t offset, std::size_t size) const noexcept {
  if (size == 0) return true;
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  if (size > kMax - offset) return false;
  std::size_t end = offset + size;
  return std::any_of(ranges_.begin(), ranges_.end(), [&](const AssemblerRange& r) {
    return r.offset <= offset && end <= r.end();
  });
}

}  // namespace synack::storage

// Capture time -> replay time for the replay engine (replay.cc), with every
// gap between consecutive captured frames shortened to `cap` (when set), and
// its inverse: the latest capture time whose replay time has passed.
// Times are nanoseconds. The anchors are the capture's frame times.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace synack::harness::replay {

class TimeMap {
 public:
  TimeMap(const std::vector<std::int64_t>& anchors, std::optional<std::int64_t> cap) : anchors_(anchors), cap_(cap) {
    mapped_.reserve(anchors_.size());
    for (std::size_t i = 0; i < anchors_.size(); ++i)
      mapped_.push_back(i == 0 ? anchors_[0] : mapped_[i - 1] + clamp(anchors_[i] - anchors_[i - 1]));
    monotonic_ = std::is_sorted(anchors_.begin(), anchors_.end()) && (!cap_ || *cap_ >= 0);
  }
  // Identity before the first anchor; from anchor i on, mapped_[i] plus the
  // (clamped) time since anchor i.
  std::int64_t map(std::int64_t t) const {
    auto it = std::upper_bound(anchors_.begin(), anchors_.end(), t);
    if (it == anchors_.begin()) return t;
    auto i = static_cast<std::size_t>(it - anchors_.begin() - 1);
    return mapped_[i] + clamp(t - anchors_[i]);
  }
  // The largest t in [0, hi) with map(t) <= now, or -1 when there is none;
  // `hi` itself is assumed to map past `now`. A binary search over map()
  // when the anchors are not sorted; otherwise computed directly (map() is
  // then non-decreasing), which the engine does at every step.
  std::int64_t latest_at_or_before(std::int64_t now, std::int64_t hi) const {
    if (!monotonic_) {
      std::int64_t lo = -1;
      while (hi - lo > 1) {
        std::int64_t mid = lo + (hi - lo) / 2;
        (map(mid) <= now ? lo : hi) = mid;
      }
      return lo;
    }
    return std::clamp<std::int64_t>(unmap(now), -1, hi - 1);
  }
  // Gaps that were shortened: (capture time of the later frame, gap).
  std::vector<std::pair<std::int64_t, std::int64_t>> capped() const {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (std::size_t i = 1; i < anchors_.size(); ++i)
      if (cap_ && anchors_[i] - anchors_[i - 1] > *cap_) out.emplace_back(anchors_[i], anchors_[i] - anchors_[i - 1]);
    return out;
  }

 private:
  std::int64_t clamp(std::int64_t gap) const { return cap_ ? std::min(gap, *cap_) : gap; }
  // The largest t with map(t) <= now, map() being non-decreasing. Before the
  // first anchor map() is the identity. Otherwise t lies in the segment of
  // the last anchor j with mapped_[j] <= now: every later segment maps past
  // now. Within it map() rises one for one from mapped_[j] (so `into` is
  // below the segment's mapped length, since mapped_[j + 1] > now) until
  // the cap flattens it, which only the last segment can reach.
  std::int64_t unmap(std::int64_t now) const {
    if (anchors_.empty() || now < mapped_.front()) return now;
    auto j = static_cast<std::size_t>(std::upper_bound(mapped_.begin(), mapped_.end(), now) - mapped_.begin() - 1);
    const std::int64_t into = now - mapped_[j];
    if (cap_ && into >= *cap_) return std::numeric_limits<std::int64_t>::max();  // map() stays <= now for ever
    return anchors_[j] + into;
  }

  std::vector<std::int64_t> anchors_;
  std::optional<std::int64_t> cap_;
  std::vector<std::int64_t> mapped_;
  bool monotonic_ = true;
};

}  // namespace synack::harness::replay

// Seeded fault decisions for one direction of a link: loss, duplication,
// reordering, delay with jitter, bit corruption, an MTU limit, and scheduled
// partitions. Pure: the same seed and the same sequence of frames give the
// same decisions. The world's links add time (queues, bandwidth) on top; the
// FaultInjector device wrapper uses it directly. Probabilities are integers in
// parts per million so the stack stays float-free.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "stack/base/instant.h"
#include "stack/base/rng.h"

namespace synack::driver {

struct Partition {
  Instant start;  // frames sent in [start, end) are lost
  Instant end;
};

struct FaultProfile {
  std::uint32_t loss_ppm = 0;
  std::uint32_t dup_ppm = 0;
  std::uint32_t reorder_ppm = 0;
  std::uint32_t reorder_distance = 3;  // a reordered frame is overtaken by this many frames
  std::uint32_t corrupt_ppm = 0;       // one random bit flipped
  Duration delay = Duration::zero();   // one-way propagation delay
  Duration jitter = Duration::zero();  // uniform extra delay in [0, jitter]
  std::uint32_t mtu = 0;               // largest Ethernet payload carried; 0 = no limit
  std::uint64_t bandwidth_bps = 0;     // 0 = infinite
  std::uint32_t queue_limit_bytes = 256 * 1024;  // tail drop past this backlog
  std::vector<Partition> partitions;

  bool operator==(const FaultProfile&) const = default;
};

struct FaultDecision {
  enum class Drop : std::uint8_t { None, Loss, Mtu, Partition };
  Drop drop = Drop::None;
  bool duplicate = false;
  bool reorder = false;
  std::optional<std::uint32_t> corrupt_bit;  // bit index into the frame
  Duration extra_delay = Duration::zero();   // propagation + jitter
};

class FaultModel {
 public:
  FaultModel(FaultProfile profile, std::uint64_t seed) : profile_(std::move(profile)), rng_(seed) {}

  // Decides the fate of one frame of `frame_len` bytes sent at `now`. Every
  // random draw happens in a fixed order whatever the outcome, so one frame's
  // fate never shifts the draws of the next (runs stay comparable). A profile
  // with no random fault (no loss, duplication, reordering, corruption or
  // jitter) draws nothing: the stream stays where it is until a profile that
  // needs it is set, and a clean link costs no random numbers per frame.
  FaultDecision decide(Instant now, std::size_t frame_len) {
    if (random_) return decide_random(now, frame_len);
    FaultDecision d;
    d.extra_delay = profile_.delay;
    d.drop = fixed_drop(now, frame_len);
    return d;
  }

  const FaultProfile& profile() const noexcept { return profile_; }
  void set_profile(FaultProfile p) {
    profile_ = std::move(p);
    random_ = needs_random(profile_);
  }

 private:
  static bool needs_random(const FaultProfile& p) noexcept {
    return p.loss_ppm != 0 || p.dup_ppm != 0 || p.reorder_ppm != 0 || p.corrupt_ppm != 0 ||
           p.jitter.nanos() > 0;
  }
  FaultDecision decide_random(Instant now, std::size_t frame_len);
  // The drops that need no randomness: a partition, then the MTU.
  FaultDecision::Drop fixed_drop(Instant now, std::size_t frame_len) const noexcept {
    if (!profile_.partitions.empty() && partitioned(now)) return FaultDecision::Drop::Partition;
    if (profile_.mtu != 0 && frame_len > profile_.mtu + kEthernetHeaderLen) return FaultDecision::Drop::Mtu;
    return FaultDecision::Drop::None;
  }
  bool partitioned(Instant now) const noexcept;

  static constexpr std::size_t kEthernetHeaderLen = 14;
  FaultProfile profile_;
  Rng rng_;
  bool random_ = needs_random(profile_);
};

}  // namespace synack::driver

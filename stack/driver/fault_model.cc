#include "stack/driver/fault_model.h"

namespace synack::driver {

bool FaultModel::partitioned(Instant now) const noexcept {
  for (const auto& p : profile_.partitions)
    if (now >= p.start && now < p.end) return true;
  return false;
}

FaultDecision FaultModel::decide_random(Instant now, std::size_t frame_len) {
  FaultDecision d;
  bool lost = rng_.chance_ppm(profile_.loss_ppm);
  d.duplicate = rng_.chance_ppm(profile_.dup_ppm);
  d.reorder = rng_.chance_ppm(profile_.reorder_ppm);
  bool corrupt = rng_.chance_ppm(profile_.corrupt_ppm);
  std::uint32_t bit = rng_.below(static_cast<std::uint32_t>(frame_len * 8 > 0 ? frame_len * 8 : 1));
  std::int64_t jitter_ns = profile_.jitter.nanos() > 0
                               ? static_cast<std::int64_t>(rng_.next_u64() % static_cast<std::uint64_t>(
                                                               profile_.jitter.nanos() + 1))
                               : 0;
  if (corrupt && frame_len > 0) d.corrupt_bit = bit;
  d.extra_delay = profile_.delay + Duration::from_nanos(jitter_ns);
  d.drop = fixed_drop(now, frame_len);
  if (d.drop == FaultDecision::Drop::None && lost) d.drop = FaultDecision::Drop::Loss;
  return d;
}

}  // namespace synack::driver

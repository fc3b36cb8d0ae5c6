#include "stack/driver/wrappers.h"

namespace synack::driver {

bool FaultInjector::transmit(Instant now, ConstBytes frame) {
  auto fate = model_.decide(now, frame.size());
  if (fate.drop != FaultDecision::Drop::None) {
    ++stats_.dropped;
    return true;
  }
  ConstBytes out = frame;
  if (fate.corrupt_bit) {
    scratch_.assign(frame.begin(), frame.end());
    scratch_[*fate.corrupt_bit / 8] ^= static_cast<std::uint8_t>(1u << (*fate.corrupt_bit % 8));
    out = scratch_;
    ++stats_.corrupted;
  }
  if (!inner_.transmit(now, out)) return false;
  ++stats_.passed;
  if (fate.duplicate && inner_.transmit(now, out)) ++stats_.duplicated;
  return true;
}

}  // namespace synack::driver

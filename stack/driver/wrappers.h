// Wrapper devices that compose around any Device (smoltcp phy/ style):
//  - Tracer hands every transmitted frame, with its time, to a sink (a pcap
//    writer in the harness, a test's vector) and passes it on;
//  - FaultInjector drops, duplicates and corrupts transmitted frames with
//    its own seeded FaultModel (delay and reordering need time and belong to
//    the world's links).
// Wrappers stack: FaultInjector(Tracer(tap)) traces what really leaves.
#pragma once

#include <functional>
#include <utility>

#include "stack/base/bytes.h"
#include "stack/driver/device.h"
#include "stack/driver/fault_model.h"

namespace synack::driver {

class Tracer final : public Device {
 public:
  using Sink = std::function<void(Instant, ConstBytes)>;
  Tracer(Device& inner, Sink sink) : inner_(inner), sink_(std::move(sink)) {}
  DeviceCaps capabilities() const override { return inner_.capabilities(); }
  bool can_transmit() const override { return inner_.can_transmit(); }
  bool transmit(Instant now, ConstBytes frame) override {
    if (!inner_.transmit(now, frame)) return false;
    sink_(now, frame);
    return true;
  }

 private:
  Device& inner_;
  Sink sink_;
};

struct FaultInjectorStats {
  std::uint64_t passed = 0, dropped = 0, duplicated = 0, corrupted = 0;
};

class FaultInjector final : public Device {
 public:
  FaultInjector(Device& inner, FaultProfile profile, std::uint64_t seed) : inner_(inner), model_(std::move(profile), seed) {}
  DeviceCaps capabilities() const override { return inner_.capabilities(); }
  bool can_transmit() const override { return inner_.can_transmit(); }
  // A dropped frame counts as sent: the loss happens "on the wire".
  bool transmit(Instant now, ConstBytes frame) override;
  const FaultInjectorStats& stats() const noexcept { return stats_; }

 private:
  Device& inner_;
  FaultModel model_;
  FaultInjectorStats stats_;
  Bytes scratch_;
};

}  // namespace synack::driver

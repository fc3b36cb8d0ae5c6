// A Device for fuzz targets: accepts every frame and keeps a copy, so a
// target can inspect (and then discard) what the host transmitted. The
// copies' buffers are kept across clear() and reused (no allocation per
// frame once a few have been sent).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "fuzz/common/check.h"
#include "stack/driver/device.h"

namespace synack::fuzz {

class CaptureDevice final : public driver::Device {
 public:
  explicit CaptureDevice(std::uint16_t mtu = 1500) : mtu_(mtu) {}
  FUZZ_NO_COVERAGE driver::DeviceCaps capabilities() const override { return {mtu_}; }
  FUZZ_NO_COVERAGE bool transmit(Instant, ConstBytes frame) override {
    if (count_ == slots_.size()) slots_.emplace_back();
    slots_[count_++].assign(frame.begin(), frame.end());
    ++total_;
    return true;
  }
  // The frames transmitted since the last clear(), oldest first.
  std::span<const Bytes> frames() const noexcept { return {slots_.data(), count_}; }
  void clear() noexcept { count_ = 0; }
  std::size_t total() const noexcept { return total_; }

 private:
  std::uint16_t mtu_;
  std::vector<Bytes> slots_;
  std::size_t count_ = 0;
  std::size_t total_ = 0;
};

}  // namespace synack::fuzz

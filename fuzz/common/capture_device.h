// A Device for fuzz targets: accepts every frame and keeps a copy, so a
// target can inspect (and then discard) what the host transmitted.
#pragma once

#include <cstddef>
#include <vector>

#include "stack/driver/device.h"

namespace synack::fuzz {

class CaptureDevice final : public driver::Device {
 public:
  explicit CaptureDevice(std::uint16_t mtu = 1500) : mtu_(mtu) {}
  driver::DeviceCaps capabilities() const override { return {mtu_}; }
  bool transmit(Instant, ConstBytes frame) override {
    frames_.emplace_back(frame.begin(), frame.end());
    ++total_;
    return true;
  }
  std::vector<Bytes>& frames() noexcept { return frames_; }
  void clear() noexcept { frames_.clear(); }
  std::size_t total() const noexcept { return total_; }

 private:
  std::uint16_t mtu_;
  std::vector<Bytes> frames_;
  std::size_t total_ = 0;
};

}  // namespace synack::fuzz

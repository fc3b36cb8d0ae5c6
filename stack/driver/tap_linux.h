// A Linux TAP device as a driver::Device: the one place under stack/ that
// touches the operating system (DESIGN.md "Real time over TAP").
//
// Contract: open() creates (or attaches to) the TAP interface NAME with
// IFF_TAP | IFF_NO_PI, optionally inside a named network namespace
// (/var/run/netns/NAME, entered with setns() by the calling thread only and
// left again before open() returns), sets its MTU and brings it up. The file
// descriptor is non-blocking: read_frame() returns 0 when nothing is queued,
// transmit() writes one Ethernet frame (no FCS) or refuses it. Every failure
// is a value with a one-line message naming the cause. Closing the device
// removes a non-persistent TAP interface (the kernel does it on the last close).
// The device owns no clock and no thread; a runtime drives it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "stack/base/bytes.h"
#include "stack/base/result.h"
#include "stack/driver/device.h"

namespace synack::driver {

struct TapOptions {
  std::string name;    // interface name, at most 15 characters
  std::string netns;   // named network namespace; empty: the caller's
  std::uint16_t mtu = 1500;
  bool bring_up = true;
};

struct TapError {
  std::string message;  // one line, e.g. "TAP name 'x' is taken"
};

struct TapStats {
  std::uint64_t rx_frames = 0;
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_frames = 0;
  std::uint64_t tx_bytes = 0;
  std::uint64_t tx_refused = 0;  // EAGAIN/ENOBUFS: the kernel's queue was full
  std::uint64_t tx_errors = 0;
};

class TapDevice final : public Device {
 public:
  static Result<std::unique_ptr<TapDevice>, TapError> open(const TapOptions& opt);
  ~TapDevice() override;
  TapDevice(const TapDevice&) = delete;
  TapDevice& operator=(const TapDevice&) = delete;

  int fd() const noexcept { return fd_; }
  const std::string& name() const noexcept { return name_; }
  const TapStats& stats() const noexcept { return stats_; }

  DeviceCaps capabilities() const override { return DeviceCaps{.mtu = mtu_}; }
  bool transmit(Instant now, ConstBytes frame) override;
  // Reads one frame into `buf` (which should hold mtu + 14 bytes or more).
  // Returns its length, 0 when no frame is queued; frames longer than `buf`
  // are cut by the kernel and dropped here (counted as errors, reported as 0).
  Result<std::size_t, TapError> read_frame(MutBytes buf);
  // Accounts for a frame the runtime read from fd() itself.
  void count_rx(std::size_t len) noexcept {
    ++stats_.rx_frames;
    stats_.rx_bytes += len;
  }

 private:
  TapDevice(int fd, std::string name, std::uint16_t mtu) : fd_(fd), name_(std::move(name)), mtu_(mtu) {}
  int fd_;
  std::string name_;
  std::uint16_t mtu_;
  TapStats stats_;
};

// Whether this process may create TAP devices: root and /dev/net/tun present.
// Returns the reason when it may not.
std::optional<std::string> tap_unavailable_reason();

}  // namespace synack::driver

// A Linux TAP device as a driver::Device: the one place under stack/ that
// touches the operating system (DESIGN.md "Real time over TAP").
//
// Contract: open() creates (or attaches to) the TAP interface NAME with
// IFF_TAP | IFF_NO_PI, optionally inside a named network namespace
// (/var/run/netns/NAME, entered with setns() by the calling thread only and
// left again before open() returns), sets its MTU and brings it up. The file
// descriptor is non-blocking: read_frame() returns no frame when nothing is queued,
// transmit() writes one Ethernet frame (no FCS) or refuses it. Every failure
// is a value with a one-line message naming the cause. Closing the device
// removes a non-persistent TAP interface (the kernel does it on the last close).
// The device owns no clock and no thread; a runtime drives it.
//
// With `offload` the TAP is opened with IFF_VNET_HDR and offers the kernel
// checksum and TCP segmentation offload (TUNSETOFFLOAD TUN_F_CSUM |
// TUN_F_TSO4), as a virtio NIC does (tap_offload.h has the byte contract):
// inbound frames may be up to 64 KiB (one GSO packet) with their checksum
// completed here; outbound full-sized TCP segments of one connection are
// held by transmit() and joined into one GSO frame, written by flush() (or
// when a frame that cannot join arrives). Whoever drives the device must
// call flush() after each Host::poll.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "stack/base/bytes.h"
#include "stack/base/result.h"
#include "stack/driver/device.h"
#include "stack/driver/tap_offload.h"

namespace synack::driver {

struct TapOptions {
  std::string name;    // interface name, at most 15 characters
  std::string netns;   // named network namespace; empty: the caller's
  std::uint16_t mtu = 1500;
  bool bring_up = true;
  bool offload = false;  // IFF_VNET_HDR with checksum and TSO offload (above)
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
  std::uint64_t rx_gso_frames = 0;  // inbound frames that were GSO packets (offload)
  std::uint64_t tx_gso_frames = 0;  // writes that carried several segments (offload)
  std::uint64_t rx_malformed = 0;   // bad virtio_net_hdr (offload): dropped
  std::uint64_t tx_writes = 0;      // write()/writev() calls, one per frame or GSO frame
  std::uint64_t rx_csum_trusted = 0;  // frames whose TCP/UDP checksum the kernel vouched for (RxMeta)
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
  // Writes what transmit() held back (offload); a no-op otherwise.
  void flush();
  bool offload() const noexcept { return offload_; }
  // The buffer size read_frame() needs for any frame: mtu + 14, or with
  // offload a whole GSO packet.
  std::size_t max_read_len() const noexcept;
  // Reads one frame into `buf`. Returns the frame (inside `buf`), empty
  // when no frame is queued or the one read was malformed (counted).
  // With `meta` (offload), the kernel's checksum offload is trusted rather
  // than completed (accept_vnet_frame) and *meta says what it vouches for,
  // for Host::receive; without, every checksum is complete in the frame.
  Result<MutBytes, TapError> read_frame(MutBytes buf, RxMeta* meta = nullptr);
  // For a runtime that read `raw` bytes from fd() itself: accounts for them
  // and returns the frame in them (empty when malformed); `meta` as above.
  MutBytes accept_read(MutBytes raw, RxMeta* meta = nullptr) noexcept;

 private:
  TapDevice(int fd, std::string name, std::uint16_t mtu, bool offload)
      : fd_(fd), name_(std::move(name)), mtu_(mtu), offload_(offload) {}
  bool write_raw(ConstBytes bytes, std::size_t frames);
  int fd_;
  std::string name_;
  std::uint16_t mtu_;
  bool offload_;
  TapStats stats_;
  std::unique_ptr<TsoCoalescer> tso_;  // offload only
};

// Whether this process may create TAP devices: root and /dev/net/tun present.
// Returns the reason when it may not.
std::optional<std::string> tap_unavailable_reason();

}  // namespace synack::driver

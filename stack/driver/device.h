// The Device seam: where frames leave a Host. Inbound frames are pushed into
// the Host by its runtime (Host::receive); outbound frames are handed to the
// interface's Device during Host::poll. Devices may refuse a frame
// (backpressure, a full queue): the host counts it as a transmit drop.
// This is one of the few virtual interfaces in the stack: a real seam between
// the sans-I/O core and the world, TAP, or a test's capture.
#pragma once

#include <cstdint>

#include "stack/base/bytes.h"
#include "stack/base/instant.h"

namespace synack::driver {

// What a device vouches for in a frame it received; the runtime that reads
// the device hands it to Host::receive with the frame. Default: nothing.
struct RxMeta {
  // The transport checksum (TCP or UDP) of this frame need not be verified:
  // the device checked it, or the frame comes from a sender on this machine
  // that left it to checksum offload (a TAP's virtio header DATA_VALID or
  // NEEDS_CSUM; Linux's CHECKSUM_UNNECESSARY). Never set for frames from a
  // wire the device did not check. The IPv4 header checksum is verified
  // anyway (20 bytes), as Linux does.
  bool l4_checksum_valid = false;
};

struct DeviceCaps {
  std::uint16_t mtu = 1500;  // largest IP datagram the link carries (Ethernet payload)
};

class Device {
 public:
  virtual ~Device() = default;
  virtual DeviceCaps capabilities() const = 0;
  // Whether a frame would be accepted now (pull-based egress asks first).
  virtual bool can_transmit() const { return true; }
  // Takes a copy of one Ethernet frame (no FCS). Returns false when refused.
  virtual bool transmit(Instant now, ConstBytes frame) = 0;
};

}  // namespace synack::driver

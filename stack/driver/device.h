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

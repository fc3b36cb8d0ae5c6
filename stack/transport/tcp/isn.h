// RFC 6528 initial sequence numbers: ISN = M + F(localip, localport,
// remoteip, remoteport, secretkey), M a timer ticking every 4 microseconds
// (taken from the `now` argument: the stack reads no clock), F SipHash-2-4
// keyed with a 128-bit secret drawn once from the host's seeded Rng. So a
// given seed yields the same ISNs, different connections get unrelated ones,
// and a reused 4-tuple gets ISNs that keep moving forward with time.
#pragma once

#include <cstdint>

#include "stack/base/instant.h"
#include "stack/base/rng.h"
#include "stack/base/siphash.h"
#include "stack/wire/address.h"
#include "stack/wire/seq_number.h"

namespace synack::tcp {

class IsnGenerator {
 public:
  explicit IsnGenerator(Rng& rng) noexcept;  // draws the secret
  explicit IsnGenerator(const SipKey& secret) noexcept : secret_(secret) {}

  wire::SeqNumber isn(Instant now, wire::Ipv4Address local, std::uint16_t local_port,
                      wire::Ipv4Address remote, std::uint16_t remote_port) const noexcept;

  // A 64-bit key derived from the secret, for hash tables that must not be
  // steerable from outside (the listener's 4-tuple table): deterministic for
  // a seed, and drawing nothing from the Rng stream.
  std::uint64_t table_key() const noexcept;

  // M: the RFC 6528 4-microsecond timer at `now`, modulo 2^32.
  static std::uint32_t timer_ticks(Instant now) noexcept;

 private:
  SipKey secret_;
};

}  // namespace synack::tcp

// RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport,
// secretkey). F must not be computable from outside; SipHash-2-4 is a PRF
// made for exactly this (Linux uses it too).
#include "stack/transport/tcp/isn.h"

#include <array>

namespace synack::tcp {

IsnGenerator::IsnGenerator(Rng& rng) noexcept {
  // RFC 6528 §3: "secretkey is a random number"; ours comes from the host's
  // seeded Rng so a simulation is reproducible from its seed.
  secret_.k0 = rng.next_u64();
  secret_.k1 = rng.next_u64();
}

std::uint32_t IsnGenerator::timer_ticks(Instant now) noexcept {
  // "M is the 4 microsecond timer": one tick per 4 µs, wrapping mod 2^32
  // (about every 4.77 hours).
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(now.nanos() / 4000));
}

wire::SeqNumber IsnGenerator::isn(Instant now, wire::Ipv4Address local, std::uint16_t local_port,
                                  wire::Ipv4Address remote,
                                  std::uint16_t remote_port) const noexcept {
  std::array<std::uint8_t, 12> msg{};
  store_be32(msg, 0, local.value);
  store_be16(msg, 4, local_port);
  store_be32(msg, 6, remote.value);
  store_be16(msg, 10, remote_port);
  const auto f = static_cast<std::uint32_t>(siphash24(secret_, msg));
  return wire::SeqNumber(timer_ticks(now) + f);
}

std::uint64_t IsnGenerator::table_key() const noexcept {
  static constexpr std::array<std::uint8_t, 9> kLabel{'t', 'a', 'b', 'l', 'e', '-', 'k', 'e', 'y'};
  return siphash24(secret_, kLabel);
}

}  // namespace synack::tcp

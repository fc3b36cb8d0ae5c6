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

namespace {

// The big-endian bytes of `v` (n of them) as a little-endian integer: the
// value a little-endian word load of store_be(v) would give.
constexpr std::uint64_t be_as_le(std::uint32_t v, int n) noexcept {
  std::uint64_t r = 0;
  for (int i = 0; i < n; ++i) r |= std::uint64_t{(v >> (8 * (n - 1 - i))) & 0xff} << (8 * i);
  return r;
}

}  // namespace

wire::SeqNumber IsnGenerator::isn(Instant now, wire::Ipv4Address local, std::uint16_t local_port,
                                  wire::Ipv4Address remote,
                                  std::uint16_t remote_port) const noexcept {
  // F over the 12 bytes local(4) local_port(2) remote(4) remote_port(2),
  // each big-endian: word 0 is bytes 0..7, word 1 bytes 8..11 and the length.
  const std::uint64_t m0 = be_as_le(local.value, 4) | be_as_le(local_port, 2) << 32 |
                           be_as_le(remote.value >> 16, 2) << 48;
  const std::uint64_t m1 = be_as_le(remote.value & 0xffff, 2) | be_as_le(remote_port, 2) << 16 |
                           std::uint64_t{12} << 56;
  const auto f = static_cast<std::uint32_t>(siphash24_words(secret_, m0, m1));
  return wire::SeqNumber(timer_ticks(now) + f);
}

std::uint64_t IsnGenerator::table_key() const noexcept {
  const std::array<std::uint8_t, 9> label{'t', 'a', 'b', 'l', 'e', '-', 'k', 'e', 'y'};
  return siphash24(secret_, label);
}

}  // namespace synack::tcp

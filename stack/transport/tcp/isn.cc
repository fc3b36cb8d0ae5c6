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

constexpr std::uint64_t rotl(std::uint64_t x, int b) noexcept { return (x << b) | (x >> (64 - b)); }

// SipHash-2-4 of a 12-byte message given as its two little-endian words (the
// second carrying the length, 12, in its top byte): base/siphash.h's
// function, unrolled for the one message shape F hashes, since the generic
// byte loop costs as much again as the rounds themselves. isn_test checks it
// against siphash24 of the same bytes.
std::uint64_t siphash24_12(const SipKey& key, std::uint64_t m0, std::uint64_t m1) noexcept {
  std::uint64_t v0 = key.k0 ^ 0x736f6d6570736575ULL, v1 = key.k1 ^ 0x646f72616e646f6dULL;
  std::uint64_t v2 = key.k0 ^ 0x6c7967656e657261ULL, v3 = key.k1 ^ 0x7465646279746573ULL;
  auto round = [&] {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  };
  for (std::uint64_t m : {m0, m1}) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

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
  const auto f = static_cast<std::uint32_t>(siphash24_12(secret_, m0, m1));
  return wire::SeqNumber(timer_ticks(now) + f);
}

std::uint64_t IsnGenerator::table_key() const noexcept {
  const std::array<std::uint8_t, 9> label{'t', 'a', 'b', 'l', 'e', '-', 'k', 'e', 'y'};
  return siphash24(secret_, label);
}

}  // namespace synack::tcp

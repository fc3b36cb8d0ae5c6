#include "stack/transport/tcp/isn.h"

#include <gtest/gtest.h>

#include <array>

namespace synack::tcp {
namespace {

const wire::Ipv4Address kLocal = wire::Ipv4Address::from_octets(10, 0, 0, 1);
const wire::Ipv4Address kRemote = wire::Ipv4Address::from_octets(10, 0, 0, 2);
const Instant kNow = Instant::from_secs(100);

TEST(Isn, DeterministicForSeed) {
  Rng a(42), b(42), c(43);
  IsnGenerator ga(a), gb(b), gc(c);
  EXPECT_EQ(ga.isn(kNow, kLocal, 80, kRemote, 5555), gb.isn(kNow, kLocal, 80, kRemote, 5555));
  EXPECT_NE(ga.isn(kNow, kLocal, 80, kRemote, 5555), gc.isn(kNow, kLocal, 80, kRemote, 5555));
}

TEST(Isn, ChangesWithTuple) {
  Rng rng(7);
  IsnGenerator g(rng);
  const auto base = g.isn(kNow, kLocal, 80, kRemote, 5555);
  EXPECT_NE(base, g.isn(kNow, kLocal, 80, kRemote, 5556));
  EXPECT_NE(base, g.isn(kNow, kLocal, 81, kRemote, 5555));
  EXPECT_NE(base, g.isn(kNow, kRemote, 80, kRemote, 5555));
  EXPECT_NE(base, g.isn(kNow, kLocal, 80, kLocal, 5555));
  EXPECT_NE(base, g.isn(kNow, kRemote, 5555, kLocal, 80));  // direction matters
}

// RFC 6528: M ticks every 4 µs, so for one tuple the ISN advances with time.
TEST(Isn, AdvancesWithTime) {
  Rng rng(7);
  IsnGenerator g(rng);
  const auto t0 = g.isn(kNow, kLocal, 80, kRemote, 5555);
  EXPECT_EQ(g.isn(kNow + Duration::from_micros(3), kLocal, 80, kRemote, 5555), t0);
  EXPECT_EQ(g.isn(kNow + Duration::from_micros(4), kLocal, 80, kRemote, 5555) - t0, 1);
  EXPECT_EQ(g.isn(kNow + Duration::from_secs(1), kLocal, 80, kRemote, 5555) - t0, 250000);
  EXPECT_EQ(IsnGenerator::timer_ticks(Instant::from_micros(4000)), 1000u);
}

TEST(Isn, ExplicitSecret) {
  IsnGenerator g(SipKey{1, 2});
  IsnGenerator h(SipKey{1, 2});
  EXPECT_EQ(g.isn(kNow, kLocal, 1, kRemote, 2), h.isn(kNow, kLocal, 1, kRemote, 2));
}

// F is SipHash-2-4 of the 12 bytes local, local port, remote, remote port
// (big-endian), keyed with the secret: isn() computes it from two words
// rather than through siphash24's byte loop, and must agree with it.
TEST(Isn, FIsSiphashOfTheTupleBytes) {
  Rng rng(11);
  for (int n = 0; n < 1000; ++n) {
    SipKey key{rng.next_u64(), rng.next_u64()};
    IsnGenerator g(key);
    wire::Ipv4Address local{static_cast<std::uint32_t>(rng.next_u64())};
    wire::Ipv4Address remote{static_cast<std::uint32_t>(rng.next_u64())};
    auto lp = static_cast<std::uint16_t>(rng.next_u64());
    auto rp = static_cast<std::uint16_t>(rng.next_u64());
    std::array<std::uint8_t, 12> msg{};
    store_be32(msg, 0, local.value);
    store_be16(msg, 4, lp);
    store_be32(msg, 6, remote.value);
    store_be16(msg, 10, rp);
    auto f = static_cast<std::uint32_t>(siphash24(key, msg));
    EXPECT_EQ(g.isn(Instant::zero(), local, lp, remote, rp), wire::SeqNumber(f));
  }
}

// The listener's table key: fixed by the secret, different across secrets.
TEST(Isn, TableKeyFollowsTheSecret) {
  EXPECT_EQ(IsnGenerator(SipKey{1, 2}).table_key(), IsnGenerator(SipKey{1, 2}).table_key());
  EXPECT_NE(IsnGenerator(SipKey{1, 2}).table_key(), IsnGenerator(SipKey{1, 3}).table_key());
}

}  // namespace
}  // namespace synack::tcp

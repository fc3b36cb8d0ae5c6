#include "stack/transport/tcp/isn.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace synack::tcp

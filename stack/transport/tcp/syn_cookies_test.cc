#include "stack/transport/tcp/syn_cookies.h"

#include <gtest/gtest.h>

namespace synack::tcp {
namespace {

using wire::SeqNumber;
const wire::Ipv4Address kServer = wire::Ipv4Address::from_octets(10, 0, 0, 1);
const wire::Ipv4Address kClient = wire::Ipv4Address::from_octets(10, 0, 0, 2);
const Instant kNow = Instant::from_secs(1000);
const SeqNumber kClientIsn(0x12345678);

class SynCookiesTest : public ::testing::Test {
 protected:
  SeqNumber make(Instant now, std::uint16_t mss) const {
    return cookies.make(now, kServer, 80, kClient, 40000, kClientIsn, mss);
  }
  std::optional<std::uint16_t> check(Instant now, SeqNumber cookie) const {
    return cookies.check(now, kServer, 80, kClient, 40000, kClientIsn, cookie);
  }
  Rng rng{99};
  SynCookies cookies{rng};
};

TEST_F(SynCookiesTest, MssTable) {
  EXPECT_EQ(SynCookies::mss_class(100), 536);
  EXPECT_EQ(SynCookies::mss_class(536), 536);
  EXPECT_EQ(SynCookies::mss_class(1299), 536);
  EXPECT_EQ(SynCookies::mss_class(1300), 1300);
  EXPECT_EQ(SynCookies::mss_class(1440), 1440);
  EXPECT_EQ(SynCookies::mss_class(1459), 1440);
  EXPECT_EQ(SynCookies::mss_class(1460), 1460);
  EXPECT_EQ(SynCookies::mss_class(9000), 1460);
}

TEST_F(SynCookiesTest, RoundTrip) {
  for (std::uint16_t mss : {100, 536, 1300, 1400, 1440, 1460, 8960}) {
    EXPECT_EQ(check(kNow, make(kNow, mss)), SynCookies::mss_class(mss)) << mss;
  }
}

TEST_F(SynCookiesTest, ExpiresAfterTwoCounterPeriods) {
  // Made at the very start of a 64 s period: valid through the next period,
  // rejected once the counter has moved on twice (RFC 4987 §3.6 freshness).
  const Instant made = Instant::from_secs(64 * 100);
  const SeqNumber c = make(made, 1460);
  EXPECT_EQ(check(made + Duration::from_secs(63), c), 1460);
  EXPECT_EQ(check(made + Duration::from_secs(127), c), 1460);
  EXPECT_EQ(check(made + Duration::from_secs(128), c), std::nullopt);
  EXPECT_EQ(check(made + Duration::from_secs(600), c), std::nullopt);
  // A cookie from the future (counter ahead) is rejected too.
  EXPECT_EQ(check(made - Duration::from_secs(64), c), std::nullopt);
}

TEST_F(SynCookiesTest, RejectsWrongTupleIsnOrCookie) {
  const SeqNumber c = make(kNow, 1460);
  EXPECT_EQ(cookies.check(kNow, kServer, 80, kClient, 40001, kClientIsn, c), std::nullopt);
  EXPECT_EQ(cookies.check(kNow, kServer, 81, kClient, 40000, kClientIsn, c), std::nullopt);
  EXPECT_EQ(cookies.check(kNow, kServer, 80, kServer, 40000, kClientIsn, c), std::nullopt);
  EXPECT_EQ(cookies.check(kNow, kServer, 80, kClient, 40000, kClientIsn + 1, c), std::nullopt);
  // The MSS index sits in the low bits (as in Linux), so c - 3 is the same
  // cookie for MSS 536; anything past the 4-entry table is rejected.
  EXPECT_EQ(check(kNow, c - 3), 536);
  EXPECT_EQ(check(kNow, c + 1), std::nullopt);
  EXPECT_EQ(check(kNow, c - 4), std::nullopt);
  EXPECT_EQ(check(kNow, c + (1u << 24)), std::nullopt);
}

TEST_F(SynCookiesTest, OtherSecretRejects) {
  Rng other_rng(100);
  SynCookies other(other_rng);
  const SeqNumber c = make(kNow, 1460);
  EXPECT_EQ(other.check(kNow, kServer, 80, kClient, 40000, kClientIsn, c), std::nullopt);
}

TEST_F(SynCookiesTest, DeterministicForSeed) {
  Rng again(99);
  SynCookies same(again);
  EXPECT_EQ(same.make(kNow, kServer, 80, kClient, 40000, kClientIsn, 1460), make(kNow, 1460));
}

TEST(SynCookieTs, EncodeDecode) {
  const std::uint32_t now = 0x12345678;
  const CookieTsOptions o{.window_scale = 7, .sack_permitted = true};
  const std::uint32_t ts = SynCookies::encode_ts_options(now, o);
  // Options 0x17 are below the clock's low bits 0x38: same 64-tick unit.
  EXPECT_EQ(ts, (now & ~0x3fu) | 0x17u);
  EXPECT_EQ(SynCookies::decode_ts_options(ts), o);
  const CookieTsOptions none{};
  EXPECT_EQ(SynCookies::decode_ts_options(SynCookies::encode_ts_options(now, none)), none);
  // Above 14 is used as 14 (RFC 7323 §2.3).
  const CookieTsOptions big{.window_scale = 20, .sack_permitted = false};
  EXPECT_EQ(SynCookies::decode_ts_options(SynCookies::encode_ts_options(now, big))->window_scale,
            14);
  EXPECT_EQ(SynCookies::decode_ts_options(0x20), std::nullopt);  // ECN bit: not ours
}

TEST(SynCookieTs, NeverAheadOfClock) {
  // Low bits of the clock smaller than the options: step back one unit.
  const std::uint32_t now = 0x1000;
  const CookieTsOptions o{.window_scale = 14, .sack_permitted = true};
  const std::uint32_t ts = SynCookies::encode_ts_options(now, o);
  EXPECT_EQ(ts, 0x1000u - 0x40u + 0x1eu);
  EXPECT_EQ(SynCookies::decode_ts_options(ts), o);
}

}  // namespace
}  // namespace synack::tcp

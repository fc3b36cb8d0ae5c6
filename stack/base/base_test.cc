#include <gtest/gtest.h>

#include "stack/base/bytes.h"
#include "stack/base/instant.h"
#include "stack/base/result.h"
#include "stack/base/rng.h"

namespace synack {
namespace {

TEST(Instant, ArithmeticAndUnits) {
  Instant t = Instant::from_millis(1500);
  EXPECT_EQ(t.micros(), 1500000);
  EXPECT_EQ((t + Duration::from_micros(250)).nanos(), 1500250000);
  EXPECT_EQ((t - Instant::from_secs(1)).millis(), 500);
  EXPECT_LT(Instant::zero(), t);
  EXPECT_EQ(Duration::from_secs(2) / 4, Duration::from_millis(500));
}

TEST(Result, ValueAndError) {
  enum class E { A, B };
  Result<int, E> ok = 7;
  Result<int, E> bad = Err{E::B};
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 7);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), E::B);
  Result<void, E> v;
  EXPECT_TRUE(v.ok());
  Result<void, E> verr = Err{E::A};
  EXPECT_EQ(verr.error(), E::A);
}

TEST(Bytes, BigEndian) {
  std::uint8_t buf[6] = {};
  store_be16(buf, 0, 0x1234);
  store_be32(buf, 2, 0xdeadbeef);
  EXPECT_EQ(buf[0], 0x12);
  EXPECT_EQ(buf[5], 0xef);
  EXPECT_EQ(load_be16(buf, 0), 0x1234);
  EXPECT_EQ(load_be32(buf, 2), 0xdeadbeefu);
}

TEST(Rng, SameSeedSameStreamOtherSeedOther) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    auto x = a.next_u32();
    EXPECT_EQ(x, b.next_u32());
    differs |= x != c.next_u32();
  }
  EXPECT_TRUE(differs);
}

TEST(Rng, BelowStaysInRangeAndCoversIt) {
  Rng r(1);
  int seen[7] = {};
  for (int i = 0; i < 7000; ++i) {
    auto v = r.below(7);
    ASSERT_LT(v, 7u);
    ++seen[v];
  }
  for (int s : seen) EXPECT_GT(s, 800);
}

TEST(Rng, DerivedSeedsDiffer) {
  EXPECT_NE(derive_seed(1, 0), derive_seed(1, 1));
  EXPECT_NE(derive_seed(1, 0), derive_seed(2, 0));
  EXPECT_EQ(derive_seed(5, 9), derive_seed(5, 9));
}

}  // namespace
}  // namespace synack

#include "stack/driver/wrappers.h"

#include <gtest/gtest.h>

#include <vector>

namespace synack::driver {
namespace {

struct Capture final : Device {
  DeviceCaps capabilities() const override { return {1400}; }
  bool transmit(Instant, ConstBytes f) override {
    frames.emplace_back(f.begin(), f.end());
    return accept;
  }
  std::vector<Bytes> frames;
  bool accept = true;
};

TEST(Tracer, SeesWhatTheInnerDeviceTakes) {
  Capture inner;
  std::vector<std::pair<Instant, Bytes>> seen;
  Tracer t(inner, [&](Instant at, ConstBytes f) { seen.emplace_back(at, Bytes(f.begin(), f.end())); });
  EXPECT_EQ(t.capabilities().mtu, 1400);
  ASSERT_TRUE(t.transmit(Instant::from_micros(5), Bytes{1, 2, 3}));
  inner.accept = false;
  EXPECT_FALSE(t.transmit(Instant::from_micros(6), Bytes{4}));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, Instant::from_micros(5));
  EXPECT_EQ(seen[0].second, (Bytes{1, 2, 3}));
}

TEST(FaultInjector, DropsDuplicatesAndCorruptsDeterministically) {
  auto run = [](std::uint64_t seed) {
    Capture inner;
    FaultProfile p;
    p.loss_ppm = 200'000;
    p.dup_ppm = 100'000;
    p.corrupt_ppm = 100'000;
    FaultInjector f(inner, p, seed);
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(f.transmit(Instant::zero(), Bytes(64, static_cast<std::uint8_t>(i))));
    return std::pair{inner.frames, f.stats()};
  };
  auto [a, sa] = run(1);
  auto [b, sb] = run(1);
  auto [c, sc] = run(2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_GT(sa.dropped, 150u);
  EXPECT_LT(sa.dropped, 250u);
  EXPECT_GT(sa.duplicated, 50u);
  EXPECT_GT(sa.corrupted, 50u);
  EXPECT_EQ(a.size(), sa.passed + sa.duplicated);
}

TEST(Wrappers, Compose) {
  Capture wire;
  std::size_t traced = 0;
  Tracer t(wire, [&](Instant, ConstBytes) { ++traced; });
  FaultProfile drop_all;
  drop_all.loss_ppm = 1'000'000;
  FaultInjector f(t, drop_all, 3);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(f.transmit(Instant::zero(), Bytes(60, 0)));
  EXPECT_EQ(traced, 0u);
  EXPECT_TRUE(wire.frames.empty());
  EXPECT_EQ(f.stats().dropped, 10u);
}

}  // namespace
}  // namespace synack::driver

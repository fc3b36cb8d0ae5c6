#include "harness/cli/units.h"

#include <gtest/gtest.h>

namespace synack::cli {
namespace {

TEST(Units, Probabilities) {
  EXPECT_EQ(*parse_probability_ppm("0.05"), 50000u);
  EXPECT_EQ(*parse_probability_ppm("1"), 1000000u);
  EXPECT_EQ(*parse_probability_ppm("0"), 0u);
  EXPECT_EQ(*parse_probability_ppm(".3"), 300000u);
  EXPECT_FALSE(parse_probability_ppm("1.5").ok());
  EXPECT_FALSE(parse_probability_ppm("-0.1").ok());
  EXPECT_FALSE(parse_probability_ppm("abc").ok());
  EXPECT_FALSE(parse_probability_ppm("").ok());
  EXPECT_FALSE(parse_probability_ppm(".").ok());
}

TEST(Units, Durations) {
  EXPECT_EQ(*parse_duration("300us"), Duration::from_micros(300));
  EXPECT_EQ(*parse_duration("2ms"), Duration::from_millis(2));
  EXPECT_EQ(*parse_duration("1.5s"), Duration::from_millis(1500));
  EXPECT_EQ(*parse_duration("2m"), Duration::from_secs(120));
  EXPECT_EQ(*parse_duration("10ns"), Duration::from_nanos(10));
  EXPECT_FALSE(parse_duration("5").ok());
  EXPECT_FALSE(parse_duration("ms").ok());
  EXPECT_FALSE(parse_duration("1.2.3s").ok());
  EXPECT_EQ(parse_duration("5").error(), "duration '5' needs a unit (ns, us, ms, s, m)");
}

TEST(Units, Bytes) {
  EXPECT_EQ(*parse_bytes("1000"), 1000u);
  EXPECT_EQ(*parse_bytes("64K"), 65536u);
  EXPECT_EQ(*parse_bytes("1M"), 1048576u);
  EXPECT_FALSE(parse_bytes("1.5M").ok());
  EXPECT_FALSE(parse_bytes("M").ok());
  EXPECT_FALSE(parse_bytes("99999999999999999G").ok());
}

TEST(Units, FormatDuration) {
  EXPECT_EQ(format_duration(Duration::from_micros(1500)), "1.500ms");
  EXPECT_EQ(format_duration(Duration::from_nanos(12)), "12ns");
}

}  // namespace
}  // namespace synack::cli

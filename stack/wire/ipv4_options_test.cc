#include "stack/wire/ipv4_options.h"

#include <gtest/gtest.h>

#include "stack/wire/hex_for_tests.h"

#include <string_view>
#include <vector>

namespace synack::wire {
namespace {


std::vector<Ipv4Option> items(const Ipv4Options& o) { return {o.begin(), o.end()}; }

TEST(Ipv4Options, ParsesRouterAlertRecordRouteAndEol) {
  Bytes b = from_hex("94040000 070b04 00000000 00000000 00");
  auto o = Ipv4Options::parse(b);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->size(), 16u);
  EXPECT_TRUE(std::ranges::equal(o->bytes(), b));
  auto v = items(*o);
  ASSERT_EQ(v.size(), 3u);
  ASSERT_TRUE(std::holds_alternative<Ipv4OptRouterAlert>(v[0]));
  EXPECT_EQ(std::get<Ipv4OptRouterAlert>(v[0]).value, 0);
  ASSERT_TRUE(std::holds_alternative<Ipv4OptRoute>(v[1]));
  const auto& rr = std::get<Ipv4OptRoute>(v[1]);
  EXPECT_EQ(rr.kind, kIpv4OptRecordRoute);
  EXPECT_EQ(rr.pointer, 4);
  EXPECT_EQ(rr.slot_count(), 2u);
  EXPECT_FALSE(rr.full());
  ASSERT_TRUE(std::holds_alternative<Ipv4OptEol>(v[2]));
  EXPECT_TRUE(std::get<Ipv4OptEol>(v[2]).padding.empty());
}

TEST(Ipv4Options, KeepsPaddingAfterEolAndUnknownKinds) {
  // NOP, NOP, kind 30 (length 3), kind 134 (CIPSO-like, length 4), EOL, junk padding.
  Bytes b = from_hex("01 01 1e03aa 86040102 00 ffffff");
  auto o = Ipv4Options::parse(b);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(std::ranges::equal(o->bytes(), b));
  auto v = items(*o);
  ASSERT_EQ(v.size(), 5u);
  EXPECT_TRUE(std::holds_alternative<Ipv4OptNop>(v[0]));
  EXPECT_TRUE(std::holds_alternative<Ipv4OptNop>(v[1]));
  ASSERT_TRUE(std::holds_alternative<Ipv4OptUnknown>(v[2]));
  EXPECT_EQ(std::get<Ipv4OptUnknown>(v[2]).kind, 0x1e);
  EXPECT_TRUE(std::ranges::equal(std::get<Ipv4OptUnknown>(v[2]).data, from_hex("aa")));
  ASSERT_TRUE(std::holds_alternative<Ipv4OptUnknown>(v[3]));
  EXPECT_EQ(std::get<Ipv4OptUnknown>(v[3]).kind, 0x86);
  EXPECT_TRUE(std::ranges::equal(std::get<Ipv4OptUnknown>(v[3]).data, from_hex("0102")));
  ASSERT_TRUE(std::holds_alternative<Ipv4OptEol>(v[4]));
  EXPECT_TRUE(std::ranges::equal(std::get<Ipv4OptEol>(v[4]).padding, from_hex("ffffff")));
}

TEST(Ipv4Options, EolEndsTheListAndTheRestIsPadding) {
  Bytes b = from_hex("01 00 ffff");
  auto o = Ipv4Options::parse(b);
  ASSERT_TRUE(o.ok());
  auto v = items(*o);
  ASSERT_EQ(v.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<Ipv4OptEol>(v[1]));
  EXPECT_EQ(std::get<Ipv4OptEol>(v[1]).padding.size(), 2u);
}

TEST(Ipv4Options, ParsesTimestamps) {
  // Flag 0, one of two entries filled; flag 1 full with overflow 2.
  Bytes b = from_hex("44 0c 09 00 00000001 00000000 44 0c 0d 21 0a000001 00000002");
  auto o = Ipv4Options::parse(b);
  ASSERT_TRUE(o.ok());
  auto v = items(*o);
  ASSERT_EQ(v.size(), 2u);
  const auto& a = std::get<Ipv4OptTimestamp>(v[0]);
  EXPECT_EQ(a.pointer, 9);
  EXPECT_EQ(a.flag, kIpv4TsOnly);
  EXPECT_EQ(a.data.size(), 8u);
  const auto& t = std::get<Ipv4OptTimestamp>(v[1]);
  EXPECT_EQ(t.overflow, 2);
  EXPECT_EQ(t.flag, kIpv4TsAndAddr);
}

struct BadCase {
  const char* name;
  const char* hex;
};

TEST(Ipv4Options, RejectsMalformedLists) {
  const BadCase cases[] = {
      {"length byte missing", "01 07"},
      {"length 0", "8800 0000"},
      {"length 1", "8801 0000"},
      {"length past end", "8806 0000"},
      {"RR length not 3+4n", "0708 04 0000000000"},
      {"RR pointer < 4", "0707 03 00000000"},
      {"RR pointer misaligned", "070b 05 0000000000000000"},
      {"RR pointer past full", "0707 0c 00000000"},
      {"LSRR length 2", "8302"},
      {"SSRR pointer 0", "8907 00 00000000"},
      {"TS length 3", "4403 05"},
      {"TS pointer 4", "4408 04 00 00000000"},
      {"TS bad flag 2", "4408 05 02 00000000"},
      {"TS bad flag 4", "4408 05 04 00000000"},
      {"TS entry does not fit", "440c 05 01 00000000 00000000 44"},
      {"TS pointer misaligned", "440c 07 00 00000000 00000000"},
      {"TS overflow saturated", "4408 09 f0 00000000"},
      {"RA length 2", "9402"},
      {"RA length 6", "9406 000000000000"},
  };
  for (const auto& c : cases) {
    auto o = Ipv4Options::parse(from_hex(c.hex));
    ASSERT_FALSE(o.ok()) << c.name;
    EXPECT_EQ(o.error(), ParseError::BadOption) << c.name;
  }
  Bytes long_list(41, kIpv4OptNop);
  EXPECT_EQ(Ipv4Options::parse(long_list).error(), ParseError::BadLength);
}

TEST(Ipv4Options, AcceptsEdgeCases) {
  for (const char* hex : {"", "00", "01010101", "0703 04", "0707 08 00000000", "4404 05 00",
                          "4408 09 e0 00000000", "9404 0001"}) {
    EXPECT_TRUE(Ipv4Options::parse(from_hex(hex)).ok()) << hex;
  }
}

TEST(Ipv4Options, BuildersProduceParsableBytes) {
  Ipv4Options o;
  ASSERT_TRUE(o.append_router_alert(0));
  const Ipv4Address slots[] = {Ipv4Address::from_octets(10, 0, 0, 1), {}};
  ASSERT_TRUE(o.append_route(kIpv4OptRecordRoute, slots, 1));
  EXPECT_FALSE(o.append_route(kIpv4OptTimestamp, slots, 0));  // not a route kind
  EXPECT_FALSE(o.append_route(kIpv4OptLsrr, slots, 3));       // filled > slots
  EXPECT_FALSE(o.append_raw(kIpv4OptRouterAlert, from_hex("00")));
  ASSERT_TRUE(o.pad());
  EXPECT_EQ(o.bytes().size(), 16u);
  EXPECT_TRUE(std::ranges::equal(o.bytes(), from_hex("94040000 070b08 0a000001 00000000 00")));
  EXPECT_TRUE(o.pad());  // already aligned: no change
  EXPECT_EQ(o.bytes().size(), 16u);
  EXPECT_FALSE(o.append_nop());  // nothing after EOL
  auto back = Ipv4Options::parse(o.bytes());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, o);

  Ipv4Options full;
  Bytes ts_data(36, 0);
  ASSERT_TRUE(full.append_timestamp(kIpv4TsOnly, 0, ts_data, 0));
  EXPECT_EQ(full.size(), 40u);
  EXPECT_FALSE(full.append_nop());
  EXPECT_TRUE(full.pad());
  Ipv4Options t;
  EXPECT_FALSE(t.append_timestamp(kIpv4TsAndAddr, 0, ts_data, 4));  // pointer not on an 8-byte entry
  EXPECT_FALSE(t.append_timestamp(2, 0, ts_data, 0));               // flag 2 is undefined
  EXPECT_FALSE(t.append_timestamp(kIpv4TsOnly, 15, ts_data, 36));   // full and overflow saturated
  EXPECT_TRUE(t.append_timestamp(kIpv4TsOnly, 14, ts_data, 36));
  EXPECT_TRUE(std::get<Ipv4OptTimestamp>(*t.begin()).pointer == 41);
}

TEST(Ipv4Options, EveryPrefixEitherParsesOrIsBadOption) {
  Bytes b = from_hex("94040000 070b04 00000000 00000000 01");
  for (std::size_t n = 0; n <= b.size(); ++n) {
    auto o = Ipv4Options::parse(ConstBytes(b).first(n));
    bool ok = n == 0 || n == 4 || n == 15 || n == 16;
    EXPECT_EQ(o.ok(), ok) << n;
    if (!o.ok()) {
      EXPECT_EQ(o.error(), ParseError::BadOption) << n;
    }
  }
}

}  // namespace
}  // namespace synack::wire

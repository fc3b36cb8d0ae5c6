// TCP option lists: golden Linux SYN options, exact round trips, and every
// malformed shape rejected with BadOption.
#include "stack/wire/tcp_options.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <ostream>
#include <vector>

namespace synack::wire {
namespace {

// What Linux puts in a SYN: MSS 1460, SACK-permitted, TS val 123456 ecr 0, NOP, wscale 7.
const std::vector<std::uint8_t> kLinuxSyn = {0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x01,
                                             0xe2, 0x40, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07};

}  // namespace

void PrintTo(const TcpOptions& o, std::ostream* os) { *os << "<" << o.to_string() << ">"; }

namespace {

std::vector<std::uint8_t> emitted(const TcpOptions& o) {
  std::vector<std::uint8_t> out(o.padded_size());
  o.emit(out);
  return out;
}

ParseError error_of(std::vector<std::uint8_t> b) {
  auto r = TcpOptions::parse(b);
  return r ? ParseError::Unsupported : r.error();  // Unsupported: "no error" marker
}

TEST(TcpOptions, ParsesLinuxSyn) {
  auto o = TcpOptions::parse(kLinuxSyn);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->mss(), 1460);
  EXPECT_TRUE(o->sack_permitted());
  EXPECT_EQ(o->timestamps(), (TcpTimestamps{123456, 0}));
  EXPECT_EQ(o->window_scale(), 7);
  EXPECT_FALSE(o->sack_blocks());
  EXPECT_EQ(o->to_string(), "mss 1460,sackOK,TS val 123456 ecr 0,nop,wscale 7");
  EXPECT_EQ(emitted(*o), kLinuxSyn);
}

TEST(TcpOptions, BuildersReproduceLinuxSyn) {
  TcpOptions o;
  EXPECT_TRUE(o.push_mss(1460));
  EXPECT_TRUE(o.push_sack_permitted());
  EXPECT_TRUE(o.push_timestamps(123456, 0));
  EXPECT_TRUE(o.push_nop());
  EXPECT_TRUE(o.push_wscale(7));
  EXPECT_EQ(emitted(o), kLinuxSyn);
  EXPECT_EQ(o, *TcpOptions::parse(kLinuxSyn));
}

TEST(TcpOptions, ItemsInOrder) {
  auto o = TcpOptions::parse(kLinuxSyn);
  std::vector<std::uint8_t> kinds;
  for (const TcpOption it : *o) kinds.push_back(it.kind);
  EXPECT_EQ(kinds, (std::vector<std::uint8_t>{2, 4, 8, 1, 3}));
}

TEST(TcpOptions, SackBlocks) {
  TcpOptions o;
  o.push_nop();
  o.push_nop();
  const std::array<SackBlock, 3> blocks{{{SeqNumber(1), SeqNumber(2)},
                                         {SeqNumber(0xfffffff0), SeqNumber(5)},
                                         {SeqNumber(100), SeqNumber(200)}}};
  ASSERT_TRUE(o.push_sack(blocks));
  EXPECT_EQ(o.size(), 2u + 2 + 24);
  auto s = o.sack_blocks();
  ASSERT_TRUE(s);
  ASSERT_EQ(s->count, 3u);
  EXPECT_EQ(s->blocks[1], blocks[1]);
  auto back = TcpOptions::parse(emitted(o));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, o);
  EXPECT_EQ(back->sack_blocks()->view().size(), 3u);
  EXPECT_FALSE(o.push_sack({}));  // no empty SACK option
  const std::array<SackBlock, 5> five{};
  EXPECT_FALSE(o.push_sack(five));
}

TEST(TcpOptions, KeepsEolAndPaddingVerbatim) {
  // MSS, EOL, then non-zero junk after EOL: kept, not parsed, re-emitted.
  const std::vector<std::uint8_t> b = {0x02, 0x04, 0x05, 0xb4, 0x00, 0x07, 0x99, 0x02};
  auto o = TcpOptions::parse(b);
  ASSERT_TRUE(o);
  EXPECT_EQ(emitted(*o), b);
  EXPECT_EQ(o->mss(), 1460);
  EXPECT_FALSE(o->find(0x07));  // nothing after EOL counts
  std::vector<std::uint8_t> kinds;
  for (const TcpOption it : *o) kinds.push_back(it.kind);
  EXPECT_EQ(kinds, (std::vector<std::uint8_t>{2, 0}));
}

TEST(TcpOptions, UnknownOptionsKept) {
  // Kind 30 (MPTCP-like) with 6 data bytes, then kind 254 (experimental) len 4.
  const std::vector<std::uint8_t> b = {30, 8, 1, 2, 3, 4, 5, 6, 254, 4, 0xf9, 0x89};
  auto o = TcpOptions::parse(b);
  ASSERT_TRUE(o);
  EXPECT_EQ(emitted(*o), b);
  ASSERT_TRUE(o->find(254));
  EXPECT_EQ(o->find(254)->size(), 2u);
  TcpOptions built;
  EXPECT_TRUE(built.push_raw(30, ConstBytes(b).subspan(2, 6)));
  EXPECT_TRUE(built.push_raw(254, ConstBytes(b).subspan(10, 2)));
  EXPECT_EQ(built, *o);
  EXPECT_FALSE(built.push_raw(kTcpOptMss, ConstBytes(b).first(3)));  // MSS must be 4 long
  EXPECT_FALSE(built.push_raw(kTcpOptNop, {}));
}

TEST(TcpOptions, EqualityIgnoresTrailingPaddingOnly) {
  TcpOptions a;
  a.push_mss(536);
  a.push_wscale(2);
  EXPECT_EQ(a.padded_size(), 8u);
  EXPECT_EQ(emitted(a), (std::vector<std::uint8_t>{2, 4, 2, 0x18, 3, 3, 2, 0}));
  TcpOptions b = a;
  b.push_eol();
  EXPECT_EQ(a, b);  // same 8 bytes on the wire
  TcpOptions c = a;
  c.push_nop();
  EXPECT_NE(a, c);
  TcpOptions d;
  d.push_mss(536);
  TcpOptions e = d;
  e.push_eol();
  EXPECT_NE(d, e);  // 4 bytes vs 8 bytes on the wire
}

TEST(TcpOptions, CapacityIsFortyBytes) {
  TcpOptions o;
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(o.push_nop());
  EXPECT_FALSE(o.push_nop());
  EXPECT_FALSE(o.push_eol());
  TcpOptions t;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(t.push_timestamps(1, 2));
  EXPECT_FALSE(t.push_mss(1));  // 40 + 4 > 40
  EXPECT_EQ(t.size(), 40u);
  EXPECT_EQ(error_of(std::vector<std::uint8_t>(41, 1)), ParseError::BadOption);
}

TEST(TcpOptions, WindowScaleAboveFourteenIsKept) {
  auto o = TcpOptions::parse(std::vector<std::uint8_t>{3, 3, 200, 0});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->window_scale(), 200);
}

TEST(TcpOptions, EmptyListIsValid) {
  auto o = TcpOptions::parse({});
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->empty());
  EXPECT_FALSE(o->mss());
  EXPECT_EQ(o->begin(), o->end());
}

TEST(TcpOptions, MalformedListsAreBadOption) {
  // Length byte below 2, for every non-EOL/NOP kind.
  for (int kind = 2; kind < 256; ++kind) {
    for (std::uint8_t len : {0, 1}) {
      EXPECT_EQ(error_of({static_cast<std::uint8_t>(kind), len, 0, 0}), ParseError::BadOption) << kind;
    }
    // A lone kind byte at the end of the option space.
    EXPECT_EQ(error_of({1, 1, 1, static_cast<std::uint8_t>(kind)}), ParseError::BadOption) << kind;
    // An option running past the end.
    EXPECT_EQ(error_of({static_cast<std::uint8_t>(kind), 5, 0, 0}), ParseError::BadOption) << kind;
  }
  // Wrong fixed lengths.
  EXPECT_EQ(error_of({2, 3, 5, 0}), ParseError::BadOption);
  EXPECT_EQ(error_of({2, 5, 5, 0xb4, 0, 0, 0, 0}), ParseError::BadOption);
  EXPECT_EQ(error_of({3, 2, 1, 1}), ParseError::BadOption);
  EXPECT_EQ(error_of({3, 4, 7, 0}), ParseError::BadOption);
  EXPECT_EQ(error_of({4, 3, 0, 0}), ParseError::BadOption);
  EXPECT_EQ(error_of({4, 4, 0, 0}), ParseError::BadOption);
  EXPECT_EQ(error_of({8, 8, 0, 0, 0, 0, 0, 0}), ParseError::BadOption);
  EXPECT_EQ(error_of({8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), ParseError::BadOption);
  // SACK lengths other than 2 + 8n, n in 1..4.
  for (std::uint8_t len = 2; len <= 40; ++len) {
    std::vector<std::uint8_t> b(40, 0);
    b[0] = kTcpOptSack;
    b[1] = len;
    const bool ok = len >= 10 && (len - 2) % 8 == 0;
    EXPECT_EQ(error_of(b), ok ? ParseError::Unsupported : ParseError::BadOption) << int{len};
  }
  // A bad option after good ones.
  std::vector<std::uint8_t> b = kLinuxSyn;
  b.insert(b.end(), {3, 4, 0, 0});
  EXPECT_EQ(error_of(b), ParseError::BadOption);
}

TEST(TcpOptions, SynLayoutFastPathMatchesTheWalk) {
  // The 20-byte SYN layout is recognised whole; the answers are those of a
  // list indexed item by item (the builders), and near misses take the walk.
  auto o = TcpOptions::parse(kLinuxSyn);
  ASSERT_TRUE(o);
  TcpOptions built;
  built.push_mss(1460);
  built.push_sack_permitted();
  built.push_timestamps(123456, 0);
  built.push_nop();
  built.push_wscale(7);
  EXPECT_EQ(o->mss(), built.mss());
  EXPECT_EQ(o->sack_permitted(), built.sack_permitted());
  EXPECT_EQ(o->timestamps(), built.timestamps());
  EXPECT_EQ(o->window_scale(), built.window_scale());
  std::vector<std::uint8_t> bad = kLinuxSyn;
  bad[18] = 4;  // wscale length past the end
  EXPECT_EQ(error_of(bad), ParseError::BadOption);
  std::vector<std::uint8_t> other = kLinuxSyn;
  other[16] = 0;  // EOL where the NOP was: wscale is padding now
  auto e = TcpOptions::parse(other);
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->window_scale());
  EXPECT_EQ(e->mss(), 1460);
}

TEST(TcpOptions, NopNopTimestampsFastPath) {
  // RFC 7323 Appendix A layout, what Linux sends on every data segment.
  const std::vector<std::uint8_t> b = {1, 1, 8, 10, 0, 0, 3, 0xe8, 0, 0, 7, 0xd0};
  auto o = TcpOptions::parse(b);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->timestamps(), (TcpTimestamps{1000, 2000}));
  EXPECT_FALSE(o->mss());
  EXPECT_FALSE(o->sack_permitted());
  EXPECT_FALSE(o->sack_blocks());
  EXPECT_EQ(emitted(*o), b);
  TcpOptions built;
  built.push_nop();
  built.push_nop();
  built.push_timestamps(1000, 2000);
  EXPECT_EQ(built, *o);
  EXPECT_EQ(built.timestamps(), o->timestamps());
  // The same prefix with a bad length is not taken for timestamps.
  std::vector<std::uint8_t> bad = b;
  bad[3] = 12;
  EXPECT_EQ(error_of(bad), ParseError::BadOption);
}

TEST(TcpOptions, AssignReplacesAndFailureLeavesEmpty) {
  TcpOptions o;
  ASSERT_TRUE(o.assign(kLinuxSyn));
  EXPECT_EQ(o.mss(), 1460);
  EXPECT_EQ(o.window_scale(), 7);
  const std::vector<std::uint8_t> ts = {1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 6};
  ASSERT_TRUE(o.assign(ts));
  EXPECT_FALSE(o.mss());  // nothing left over from the SYN
  EXPECT_FALSE(o.window_scale());
  EXPECT_EQ(o.timestamps(), (TcpTimestamps{5, 6}));
  EXPECT_FALSE(o.assign(std::vector<std::uint8_t>{2, 4, 5, 0xb4, 3, 4, 7, 0}));
  EXPECT_TRUE(o.empty());
  EXPECT_FALSE(o.mss());
  EXPECT_EQ(o, TcpOptions{});
  EXPECT_FALSE(o.assign(std::vector<std::uint8_t>(41, 1)));
  EXPECT_TRUE(o.empty());
}

TEST(TcpOptions, BuildersAfterEolDoNotIndex) {
  // Options pushed after an EOL are padding to a receiver; the accessors of
  // the built list must say the same as those of the parsed one.
  TcpOptions o;
  o.push_nop();
  o.push_eol();
  o.push_mss(1460);
  o.push_timestamps(1, 2);
  EXPECT_FALSE(o.mss());
  EXPECT_FALSE(o.timestamps());
  auto back = TcpOptions::parse(o.bytes());
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->mss());
  EXPECT_FALSE(back->timestamps());
}

TEST(TcpOptions, FirstOccurrenceWins) {
  TcpOptions o;
  o.push_mss(1000);
  o.push_mss(2000);
  o.push_timestamps(1, 2);
  o.push_timestamps(3, 4);
  EXPECT_EQ(o.mss(), 1000);
  EXPECT_EQ(o.timestamps(), (TcpTimestamps{1, 2}));
  auto back = TcpOptions::parse(o.bytes());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->mss(), 1000);
  EXPECT_EQ(back->timestamps(), (TcpTimestamps{1, 2}));
}

TEST(TcpOptions, EveryCutOfValidListsIsBadOptionOrValid) {
  // Cutting a valid list either ends on an option boundary (valid) or inside
  // an option (BadOption); never anything else.
  for (std::size_t n = 0; n <= kLinuxSyn.size(); ++n) {
    const auto r = TcpOptions::parse(ConstBytes(kLinuxSyn).first(n));
    const bool boundary = n == 0 || n == 4 || n == 6 || n == 16 || n == 17 || n == 20;
    EXPECT_EQ(r.ok(), boundary) << n;
    if (!r) {
      EXPECT_EQ(r.error(), ParseError::BadOption) << n;
    }
  }
}

}  // namespace
}  // namespace synack::wire

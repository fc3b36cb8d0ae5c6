#include "stack/wire/ipv4.h"

#include <gtest/gtest.h>

#include "stack/wire/hex_for_tests.h"

#include <string_view>

#include "stack/wire/checksum.h"

namespace synack::wire {
namespace {


// ICMP echo request 10.0.2.15 -> 8.8.8.8, DF, TTL 64, 84 bytes.
const Bytes kPing = from_hex(
    "450000541c464000400102450a00020f08080808"
    "08002cf612340001101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
    "303132333435363738393a3b3c3d3e3f4041424344454647");
// IGMP-like datagram to 224.0.0.22 with Router Alert + Record Route (2 slots) + EOL, TOS 0xc0.
const Bytes kWithOptions = from_hex(
    "49c0002c0000000001022ae90a010101e0000016"
    "94040000 070b04 0000000000000000 00"
    "2200fa0200000001");
// The well-known RFC 1071 example header (UDP 192.168.0.1 -> 192.168.0.199), header only.
const Bytes kWikiHeader = from_hex("450000730000400040 11b861c0a80001c0a800c7");

TEST(Ipv4, ParsesPingHeader) {
  auto p = Ipv4Packet::checked(kPing);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->version(), 4);
  EXPECT_EQ(p->ihl(), 5);
  EXPECT_EQ(p->header_len(), 20u);
  EXPECT_EQ(p->dscp(), 0);
  EXPECT_EQ(p->ecn(), 0);
  EXPECT_EQ(p->total_length(), 84);
  EXPECT_EQ(p->ident(), 0x1c46);
  EXPECT_TRUE(p->dont_frag());
  EXPECT_FALSE(p->more_frags());
  EXPECT_FALSE(p->reserved_flag());
  EXPECT_EQ(p->frag_offset(), 0u);
  EXPECT_EQ(p->ttl(), 64);
  EXPECT_EQ(p->protocol(), kIpProtoIcmp);
  EXPECT_EQ(p->checksum(), 0x0245);
  EXPECT_EQ(p->src(), Ipv4Address::from_octets(10, 0, 2, 15));
  EXPECT_EQ(p->dst(), Ipv4Address::from_octets(8, 8, 8, 8));
  EXPECT_TRUE(p->options().empty());
  EXPECT_EQ(p->payload().size(), 64u);
  EXPECT_TRUE(p->verify_checksum());
  auto r = Ipv4Repr::parse(*p);
  ASSERT_TRUE(r.ok());
  Ipv4Repr want{.src = Ipv4Address::from_octets(10, 0, 2, 15),
                .dst = Ipv4Address::from_octets(8, 8, 8, 8),
                .protocol = kIpProtoIcmp,
                .ttl = 64,
                .tos = 0,
                .ident = 0x1c46,
                .dont_frag = true,
                .more_frags = false,
                .frag_offset = 0,
                .payload_len = 64,
                .options = {}};
  EXPECT_EQ(*r, want);
  Bytes out(want.buffer_len());
  want.emit(out, p->payload());
  EXPECT_EQ(out, kPing);
}

TEST(Ipv4, ParsesOptionsHeader) {
  auto p = Ipv4Packet::checked(kWithOptions);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->ihl(), 9);
  EXPECT_EQ(p->dscp(), 48);  // CS6
  EXPECT_EQ(p->options().size(), 16u);
  EXPECT_EQ(p->payload().size(), 8u);
  auto r = Ipv4Repr::parse(*p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ttl, 1);
  EXPECT_EQ(r->protocol, 2);
  EXPECT_EQ(r->header_len(), 36u);
  auto it = r->options.begin();
  EXPECT_TRUE(std::holds_alternative<Ipv4OptRouterAlert>(*it++));
  EXPECT_TRUE(std::holds_alternative<Ipv4OptRoute>(*it++));
  EXPECT_TRUE(std::holds_alternative<Ipv4OptEol>(*it++));
  EXPECT_TRUE(it == r->options.end());
  Bytes out(r->buffer_len());
  r->emit(out, p->payload());
  EXPECT_EQ(out, kWithOptions);

  // Built from scratch with the option builders.
  Ipv4Repr b = *r;
  b.options = {};
  ASSERT_TRUE(b.options.append_router_alert(0));
  const Ipv4Address slots[2] = {};
  ASSERT_TRUE(b.options.append_route(kIpv4OptRecordRoute, slots, 0));
  ASSERT_TRUE(b.options.pad());
  Bytes built(b.buffer_len());
  b.emit(built, p->payload());
  EXPECT_EQ(built, kWithOptions);
}

TEST(Ipv4, Rfc1071ExampleChecksum) {
  auto p = Ipv4Packet::checked_quoted(kWikiHeader);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->is_truncated());
  EXPECT_TRUE(p->verify_checksum());
  auto r = Ipv4Repr::parse(*p);
  ASSERT_TRUE(r.ok());
  Bytes out(r->header_len());
  r->emit(out, {});
  EXPECT_EQ(out, kWikiHeader);
}

TEST(Ipv4, EveryCutGivesTheRightError) {
  for (const Bytes* b : {&kPing, &kWithOptions}) {
    std::size_t hl = (b->front() & 0x0f) * 4u;
    for (std::size_t n = 0; n < b->size(); ++n) {
      ConstBytes cut = ConstBytes(*b).first(n);
      auto p = Ipv4Packet::checked(cut);
      ASSERT_FALSE(p.ok()) << n;
      EXPECT_EQ(p.error(), ParseError::Truncated) << n;
      // A quoted datagram only needs its header.
      auto q = Ipv4Packet::checked_quoted(cut);
      EXPECT_EQ(q.ok(), n >= hl) << n;
      if (q.ok()) {
        EXPECT_TRUE(q->is_truncated());
        EXPECT_EQ(q->payload().size(), n - hl);
        EXPECT_TRUE(Ipv4Repr::parse(*q).ok());
      } else {
        EXPECT_EQ(q.error(), ParseError::Truncated);
      }
    }
  }
}

TEST(Ipv4, TrimsLinkPadding) {
  Bytes b = kWithOptions;
  b.resize(b.size() + 6, 0);
  auto p = Ipv4Packet::checked(b);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->payload().size(), 8u);
  EXPECT_EQ(p->bytes().size(), kWithOptions.size());
  EXPECT_FALSE(p->is_truncated());
}

TEST(Ipv4, RejectsBadVersionIhlAndLengths) {
  auto err = [](const Bytes& b) { return Ipv4Packet::checked(b).error(); };
  Bytes v6 = kPing;
  v6[0] = 0x65;
  EXPECT_EQ(err(v6), ParseError::BadVersion);
  for (std::uint8_t ihl = 0; ihl < 5; ++ihl) {
    Bytes b = kPing;
    b[0] = static_cast<std::uint8_t>(0x40 | ihl);
    EXPECT_EQ(err(b), ParseError::BadVersion) << int{ihl};
  }
  Bytes long_ihl = kPing;
  long_ihl[0] = 0x4f;  // 60-byte header, but total length 84 still fits... options invalid
  EXPECT_TRUE(Ipv4Packet::checked(long_ihl).ok());
  EXPECT_EQ(Ipv4Repr::parse(*Ipv4Packet::checked(long_ihl), false).error(), ParseError::BadOption);
  Bytes short_total = kPing;
  store_be16(short_total, 2, 19);
  EXPECT_EQ(err(short_total), ParseError::BadLength);
  Bytes opt_total = kWithOptions;
  store_be16(opt_total, 2, 35);  // less than the 36-byte header
  EXPECT_EQ(err(opt_total), ParseError::BadLength);
  EXPECT_EQ(Ipv4Packet::checked_quoted(opt_total).error(), ParseError::BadLength);
  Bytes long_total = kPing;
  store_be16(long_total, 2, 85);
  EXPECT_EQ(err(long_total), ParseError::Truncated);
  EXPECT_TRUE(Ipv4Packet::checked_quoted(long_total).ok());
}

TEST(Ipv4, ChecksumFailures) {
  for (std::size_t i = 0; i < 20; ++i) {
    if (i == 2 || i == 3 || i == 0) continue;  // these change the length checks
    Bytes b = kPing;
    b[i] ^= 0x10;
    auto p = Ipv4Packet::checked(b);
    ASSERT_TRUE(p.ok()) << i;
    EXPECT_FALSE(p->verify_checksum()) << i;
    auto r = Ipv4Repr::parse(*p);
    ASSERT_FALSE(r.ok()) << i;
    EXPECT_EQ(r.error(), ParseError::BadChecksum) << i;
    EXPECT_TRUE(Ipv4Repr::parse(*p, /*verify_checksum=*/false).ok()) << i;
  }
  // Payload corruption does not concern the header checksum.
  Bytes b = kPing;
  ASSERT_FALSE(b.empty());  // also tells GCC 12 that back() is in bounds
  b.back() ^= 0xff;
  EXPECT_TRUE(Ipv4Repr::parse(*Ipv4Packet::checked(b)).ok());
}

TEST(Ipv4, BadOptionsInHeader) {
  Bytes b = kWithOptions;
  b[21] = 2;  // Router Alert length 2
  store_be16(b, 10, 0);
  store_be16(b, 10, checksum(ConstBytes(b).first(36)));
  auto p = Ipv4Packet::checked(b);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->verify_checksum());
  EXPECT_EQ(Ipv4Repr::parse(*p).error(), ParseError::BadOption);
}

TEST(Ipv4, FragmentFields) {
  Ipv4Repr r{.src = Ipv4Address::from_octets(10, 0, 0, 1),
             .dst = Ipv4Address::from_octets(10, 0, 0, 2),
             .protocol = kIpProtoUdp,
             .ttl = 3,
             .tos = 0x2e << 2 | 1,
             .ident = 0xbeef,
             .dont_frag = false,
             .more_frags = true,
             .frag_offset = 1480,
             .payload_len = 8,
             .options = {}};
  Bytes payload(8, 0xab);
  Bytes out(r.buffer_len());
  r.emit(out, payload);
  EXPECT_EQ(load_be16(out, 6), 0x2000 | 185);
  auto p = Ipv4Packet::checked(out);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->frag_offset(), 1480u);
  EXPECT_TRUE(p->more_frags());
  EXPECT_EQ(p->dscp(), 0x2e);
  EXPECT_EQ(p->ecn(), 1);
  EXPECT_EQ(*Ipv4Repr::parse(*p), r);
  // Header-only emit still writes the full total length.
  Bytes hdr(r.header_len());
  r.emit(hdr, {});
  EXPECT_EQ(load_be16(hdr, 2), 28);
  EXPECT_TRUE(std::ranges::equal(ConstBytes(hdr), ConstBytes(out).first(20)));
}

}  // namespace
}  // namespace synack::wire

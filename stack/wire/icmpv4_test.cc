#include "stack/wire/icmpv4.h"

#include <gtest/gtest.h>

#include "stack/wire/hex_for_tests.h"

#include <string_view>

#include "stack/wire/checksum.h"

namespace synack::wire {
namespace {


// Echo request 10.0.2.15 -> 8.8.8.8, ident 0x1234, seq 1, 56 data bytes.
const Bytes kPing = from_hex(
    "450000541c464000400102450a00020f08080808"
    "08002cf612340001101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
    "303132333435363738393a3b3c3d3e3f4041424344454647");
// Port unreachable from 10.0.0.2 quoting the UDP datagram 10.0.0.1:5353 -> 10.0.0.2:9999 "abcd".
const Bytes kPortUnreachable = from_hex(
    "4500003c02020000400164bd0a0000020a000001"
    "0303fc3100000000"
    "4500002001010000401165ca0a0000010a000002 14e9270f000c0000 61626364");
// Fragmentation needed, next-hop MTU 1400, quoting a 1500-byte DF TCP segment (header + 8 bytes).
const Bytes kFragNeeded = from_hex(
    "4500003803030000ff013566c0a80101c0a8010a"
    "030456ed00000578"
    "450005dc424240004006f521c0a8010acb007105 9c40005001020304");

ConstBytes icmp_of(const Bytes& frame) { return Ipv4Packet::checked(frame)->payload(); }

TEST(Icmpv4, ParsesEchoRequest) {
  auto ip = Ipv4Packet::checked(kPing);
  ASSERT_TRUE(ip.ok());
  auto p = Icmpv4Packet::checked(ip->payload());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->type(), kIcmpv4EchoRequest);
  EXPECT_EQ(p->code(), 0);
  EXPECT_EQ(p->checksum(), 0x2cf6);
  EXPECT_EQ(p->echo_ident(), 0x1234);
  EXPECT_EQ(p->echo_seq(), 1);
  EXPECT_EQ(p->data().size(), 56u);
  EXPECT_TRUE(p->verify_checksum());
  auto r = Icmpv4Repr::parse(*p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->message, Icmpv4Message(Icmpv4EchoRequest{0x1234, 1}));
  EXPECT_FALSE(r->is_error());
  EXPECT_EQ(r->quoted_ipv4().error(), ParseError::Unsupported);
  Bytes out(r->buffer_len());
  r->emit(out);
  EXPECT_TRUE(std::ranges::equal(out, ip->payload()));

  // The reply a host would send: same ident, seq and data.
  Icmpv4Repr reply{Icmpv4EchoReply{0x1234, 1}, r->data};
  Bytes rb(reply.buffer_len());
  reply.emit(rb);
  EXPECT_EQ(rb[0], kIcmpv4EchoReply);
  EXPECT_EQ(load_be16(rb, 2), 0x2cf6 + 0x0800);  // RFC 1624: type 8 -> 0 adds 0x0800
  EXPECT_TRUE(Icmpv4Packet::checked(rb)->verify_checksum());
}

TEST(Icmpv4, ParsesPortUnreachableQuotingUdp) {
  auto p = Icmpv4Packet::checked(icmp_of(kPortUnreachable));
  ASSERT_TRUE(p.ok());
  auto r = Icmpv4Repr::parse(*p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->message,
            Icmpv4Message(Icmpv4DestUnreachable{Icmpv4UnreachableCode::PortUnreachable, 0}));
  EXPECT_TRUE(r->is_error());
  EXPECT_EQ(r->type(), kIcmpv4DestUnreachable);
  EXPECT_EQ(r->code(), 3);
  auto q = r->quoted_ipv4();
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->is_truncated());
  EXPECT_EQ(q->protocol(), kIpProtoUdp);
  EXPECT_EQ(q->src(), Ipv4Address::from_octets(10, 0, 0, 1));
  EXPECT_EQ(q->dst(), Ipv4Address::from_octets(10, 0, 0, 2));
  ASSERT_EQ(q->payload().size(), 12u);
  EXPECT_EQ(load_be16(q->payload(), 0), 5353);
  EXPECT_EQ(load_be16(q->payload(), 2), 9999);
  EXPECT_TRUE(q->verify_checksum());

  Icmpv4Repr built{Icmpv4DestUnreachable{Icmpv4UnreachableCode::PortUnreachable, 0}, q->bytes()};
  Bytes out(built.buffer_len());
  built.emit(out);
  EXPECT_TRUE(std::ranges::equal(out, icmp_of(kPortUnreachable)));
}

TEST(Icmpv4, ParsesFragNeededWithMtu) {
  auto r = Icmpv4Repr::parse(*Icmpv4Packet::checked(icmp_of(kFragNeeded)));
  ASSERT_TRUE(r.ok());
  const auto* u = std::get_if<Icmpv4DestUnreachable>(&r->message);
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->code, Icmpv4UnreachableCode::FragNeeded);
  EXPECT_EQ(u->next_hop_mtu, 1400);
  auto q = r->quoted_ipv4();
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->is_truncated());
  EXPECT_EQ(q->total_length(), 1500);
  EXPECT_TRUE(q->dont_frag());
  EXPECT_EQ(q->protocol(), kIpProtoTcp);
  EXPECT_EQ(q->payload().size(), 8u);
  EXPECT_EQ(load_be16(q->payload(), 0), 40000);
  Bytes out(r->buffer_len());
  r->emit(out);
  EXPECT_TRUE(std::ranges::equal(out, icmp_of(kFragNeeded)));
}

TEST(Icmpv4, QuotedHeaderMustBeComplete) {
  Bytes icmp(icmp_of(kFragNeeded).begin(), icmp_of(kFragNeeded).end());
  for (std::size_t n = 8; n < icmp.size(); ++n) {
    Icmpv4Repr r{Icmpv4DestUnreachable{Icmpv4UnreachableCode::FragNeeded, 1400},
                 ConstBytes(icmp).subspan(8, n - 8)};
    auto q = r.quoted_ipv4();
    EXPECT_EQ(q.ok(), n - 8 >= 20) << n;
    if (!q.ok()) {
      EXPECT_EQ(q.error(), ParseError::Truncated);
    }
  }
}

TEST(Icmpv4, EveryCutGivesTheRightError) {
  for (const Bytes* frame : {&kPing, &kPortUnreachable, &kFragNeeded}) {
    ConstBytes icmp = icmp_of(*frame);
    for (std::size_t n = 0; n < icmp.size(); ++n) {
      auto p = Icmpv4Packet::checked(icmp.first(n));
      if (n < 8) {
        ASSERT_FALSE(p.ok());
        EXPECT_EQ(p.error(), ParseError::Truncated);
        continue;
      }
      // A cut message no longer matches its checksum (odd cuts can collide
      // only if the dropped bytes sum to zero, which these do not).
      ASSERT_TRUE(p.ok());
      auto r = Icmpv4Repr::parse(*p);
      ASSERT_FALSE(r.ok()) << n;
      EXPECT_EQ(r.error(), ParseError::BadChecksum) << n;
      EXPECT_TRUE(Icmpv4Repr::parse(*p, false).ok());
    }
    // The enclosing IPv4 datagram reports the cut as Truncated.
    for (std::size_t n = 0; n < frame->size(); ++n) {
      EXPECT_EQ(Ipv4Packet::checked(ConstBytes(*frame).first(n)).error(), ParseError::Truncated);
    }
  }
}

TEST(Icmpv4, ChecksumFailures) {
  Bytes icmp(icmp_of(kPing).begin(), icmp_of(kPing).end());
  for (std::size_t i = 0; i < icmp.size(); ++i) {
    Bytes b = icmp;
    b[i] ^= 0x01;
    auto p = Icmpv4Packet::checked(b);
    ASSERT_TRUE(p.ok());
    EXPECT_FALSE(p->verify_checksum()) << i;
    EXPECT_EQ(Icmpv4Repr::parse(*p).error(), ParseError::BadChecksum) << i;
  }
}

TEST(Icmpv4, TypedErrorsAndOthers) {
  struct Case {
    Icmpv4Message m;
    const char* hex;  // the 8-byte header with a zero checksum
  };
  const Ipv4Address gw = Ipv4Address::from_octets(192, 168, 1, 254);
  const Case cases[] = {
      {Icmpv4TimeExceeded{Icmpv4TimeExceededCode::TtlExceeded}, "0b00000000000000"},
      {Icmpv4TimeExceeded{Icmpv4TimeExceededCode::FragReassembly}, "0b01000000000000"},
      {Icmpv4ParamProblem{kIcmpv4ParamPointer, 20}, "0c00000014000000"},
      {Icmpv4RedirectMsg{Icmpv4RedirectCode::Host, gw}, "05010000c0a801fe"},
      {Icmpv4Other{kIcmpv4SourceQuench, 0, 0}, "04000000 00000000"},
      {Icmpv4Other{13, 0, 0xabcd0001}, "0d000000abcd0001"},    // timestamp request
      {Icmpv4Other{kIcmpv4EchoRequest, 1, 7}, "0801000000000007"},  // echo with odd code
      {Icmpv4Other{kIcmpv4DestUnreachable, 16, 0}, "0310000000000000"},
      {Icmpv4Other{kIcmpv4TimeExceeded, 2, 0}, "0b02000000000000"},
      {Icmpv4Other{kIcmpv4Redirect, 4, 1}, "0504000000000001"},
      {Icmpv4Other{kIcmpv4ParamProblem, 3, 0}, "0c03000000000000"},
      {Icmpv4Other{200, 9, 0xffffffff}, "c809 0000 ffffffff"},
  };
  for (const auto& c : cases) {
    Bytes want = from_hex(c.hex);
    store_be16(want, 2, checksum(want));
    auto r = Icmpv4Repr::parse(*Icmpv4Packet::checked(want));
    ASSERT_TRUE(r.ok()) << c.hex;
    EXPECT_EQ(r->message, c.m) << c.hex;
    Icmpv4Repr built{c.m, {}};
    Bytes out(built.buffer_len());
    built.emit(out);
    EXPECT_EQ(out, want) << c.hex;
  }
  for (std::uint8_t code = 0; code <= 15; ++code) {
    Bytes b = from_hex("0300000000000000");
    b[1] = code;
    store_be16(b, 2, checksum(b));
    auto r = Icmpv4Repr::parse(*Icmpv4Packet::checked(b));
    ASSERT_TRUE(std::holds_alternative<Icmpv4DestUnreachable>(r->message)) << int{code};
    EXPECT_TRUE(r->is_error());
  }
  EXPECT_TRUE((Icmpv4Repr{Icmpv4Other{kIcmpv4SourceQuench, 0, 0}, {}}.is_error()));
  EXPECT_FALSE((Icmpv4Repr{Icmpv4Other{13, 0, 0}, {}}.is_error()));
}

}  // namespace
}  // namespace synack::wire

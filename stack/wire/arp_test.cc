#include "stack/wire/arp.h"

#include <gtest/gtest.h>

#include "stack/wire/hex_for_tests.h"

#include <string_view>

#include "stack/wire/ethernet.h"

namespace synack::wire {
namespace {


// "Who has 10.0.2.2? Tell 10.0.2.1", broadcast, padded to 60 bytes.
const Bytes kArpRequestFrame = from_hex(
    "ffffffffffff 525400123456 0806"
    "0001 0800 06 04 0001 525400123456 0a000201 000000000000 0a000202"
    "000000000000000000000000000000000000");
// "10.0.2.2 is at 52:54:00:12:35:02".
const Bytes kArpReply = from_hex("0001 0800 06 04 0002 525400123502 0a000202 525400123456 0a000201");

const MacAddress kMacA{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const MacAddress kMacB{{0x52, 0x54, 0x00, 0x12, 0x35, 0x02}};
const Ipv4Address kIpA = Ipv4Address::from_octets(10, 0, 2, 1);
const Ipv4Address kIpB = Ipv4Address::from_octets(10, 0, 2, 2);

TEST(Arp, ParsesRequestInsidePaddedFrame) {
  ASSERT_EQ(kArpRequestFrame.size(), 60u);
  auto f = EthernetFrame::checked(kArpRequestFrame);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->ethertype(), kEtherTypeArp);
  EXPECT_TRUE(f->dst().is_broadcast());
  auto p = ArpPacket::checked(f->payload());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->hardware_type(), 1);
  EXPECT_EQ(p->protocol_type(), 0x0800);
  EXPECT_EQ(p->hardware_len(), 6);
  EXPECT_EQ(p->protocol_len(), 4);
  EXPECT_EQ(p->operation(), 1);
  EXPECT_EQ(p->bytes().size(), 28u);
  auto r = ArpRepr::parse(*p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (ArpRepr{ArpOperation::Request, kMacA, kIpA, MacAddress{}, kIpB}));
  Bytes out(r->buffer_len());
  r->emit(out);
  EXPECT_TRUE(std::ranges::equal(out, f->payload().first(28)));
}

TEST(Arp, ParsesAndEmitsReply) {
  auto p = ArpPacket::checked(kArpReply);
  ASSERT_TRUE(p.ok());
  auto r = ArpRepr::parse(*p);
  ASSERT_TRUE(r.ok());
  ArpRepr want{ArpOperation::Reply, kMacB, kIpB, kMacA, kIpA};
  EXPECT_EQ(*r, want);
  Bytes out(28);
  want.emit(out);
  EXPECT_EQ(out, kArpReply);
}

TEST(Arp, EveryCutIsTruncated) {
  for (std::size_t n = 0; n < kArpReply.size(); ++n) {
    auto p = ArpPacket::checked(ConstBytes(kArpReply).first(n));
    ASSERT_FALSE(p.ok()) << n;
    EXPECT_EQ(p.error(), ParseError::Truncated) << n;
  }
}

TEST(Arp, OtherTypesAreUnsupported) {
  for (std::size_t off : {0u, 1u, 2u, 3u, 4u, 5u}) {
    Bytes b = kArpReply;
    b[off] ^= 0x01;
    auto p = ArpPacket::checked(b);
    ASSERT_FALSE(p.ok()) << off;
    EXPECT_EQ(p.error(), ParseError::Unsupported) << off;
  }
  // Non-Ethernet ARP is reported as unsupported even when short.
  Bytes ieee802 = from_hex("0006 0800 06 04 0001");
  EXPECT_EQ(ArpPacket::checked(ieee802).error(), ParseError::Unsupported);
}

TEST(Arp, OtherOperationsAreUnsupported) {
  for (std::uint8_t op : {0, 3, 4, 8, 9}) {
    Bytes b = kArpReply;
    b[7] = op;
    auto p = ArpPacket::checked(b);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->operation(), op);
    auto r = ArpRepr::parse(*p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), ParseError::Unsupported);
  }
}

}  // namespace
}  // namespace synack::wire

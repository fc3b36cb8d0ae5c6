#include "stack/wire/ethernet.h"

#include <gtest/gtest.h>

#include "stack/wire/hex_for_tests.h"

#include <string_view>

namespace synack::wire {
namespace {


const MacAddress kDst{{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};
const MacAddress kSrc{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};

// Untagged IPv4 frame (payload shortened to 4 bytes).
const Bytes kPlain = from_hex("525400abcdef 020000000001 0800 45000014");
// 802.1Q: PCP 5, DEI 0, VID 100.
const Bytes kTagged = from_hex("525400abcdef 020000000001 8100 a064 0806 00010800");
// QinQ: S-tag 0x88a8 PCP 0 VID 10, C-tag 0x8100 PCP 3 DEI 1 VID 4094.
const Bytes kQinQ = from_hex("525400abcdef 020000000001 88a8 000a 8100 7ffe 0800 4500");

TEST(Ethernet, ParsesPlainFrame) {
  auto f = EthernetFrame::checked(kPlain);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->dst(), kDst);
  EXPECT_EQ(f->src(), kSrc);
  EXPECT_EQ(f->ethertype(), kEtherTypeIpv4);
  EXPECT_EQ(f->tag_count(), 0u);
  EXPECT_EQ(f->header_len(), 14u);
  EXPECT_EQ(f->payload().size(), 4u);
  auto r = EthernetRepr::parse(*f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (EthernetRepr{kDst, kSrc, kEtherTypeIpv4, std::nullopt, std::nullopt}));
}

TEST(Ethernet, ParsesSingleTag) {
  auto f = EthernetFrame::checked(kTagged);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->tag_count(), 1u);
  EXPECT_EQ(f->tag(0), (VlanTag{.pcp = 5, .dei = false, .vid = 100}));
  EXPECT_EQ(f->ethertype(), kEtherTypeArp);
  EXPECT_EQ(f->header_len(), 18u);
  EXPECT_EQ(f->payload().size(), 4u);
  auto r = EthernetRepr::parse(*f);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->vlan.has_value());
  EXPECT_FALSE(r->outer_vlan.has_value());
  EXPECT_EQ(r->vlan->vid, 100);
  EXPECT_EQ(r->vlan->tpid, kEtherTypeVlan);
}

TEST(Ethernet, ParsesQinQ) {
  auto f = EthernetFrame::checked(kQinQ);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->tag_count(), 2u);
  EXPECT_EQ(f->tag(0), (VlanTag{.pcp = 0, .dei = false, .vid = 10, .tpid = kEtherTypeQinQ}));
  EXPECT_EQ(f->tag(1), (VlanTag{.pcp = 3, .dei = true, .vid = 4094, .tpid = kEtherTypeVlan}));
  EXPECT_EQ(f->ethertype(), kEtherTypeIpv4);
  EXPECT_EQ(f->header_len(), 22u);
  auto r = EthernetRepr::parse(*f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outer_vlan->vid, 10);
  EXPECT_EQ(r->vlan->vid, 4094);
}

TEST(Ethernet, ThirdTagStaysInPayload) {
  Bytes b = from_hex("525400abcdef 020000000001 88a8 0001 8100 0002 8100 0003 0800");
  auto f = EthernetFrame::checked(b);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->tag_count(), 2u);
  EXPECT_EQ(f->ethertype(), kEtherTypeVlan);
  EXPECT_EQ(f->payload().size(), 4u);
  auto r = EthernetRepr::parse(*f);
  Bytes out(r->header_len() + f->payload().size());
  r->emit(out, f->payload());
  EXPECT_EQ(out, b);
}

TEST(Ethernet, EveryCutIsTruncated) {
  for (const Bytes* b : {&kPlain, &kTagged, &kQinQ}) {
    std::size_t hl = EthernetFrame::checked(*b)->header_len();
    for (std::size_t n = 0; n < b->size(); ++n) {
      auto f = EthernetFrame::checked(ConstBytes(*b).first(n));
      if (n < hl) {
        ASSERT_FALSE(f.ok()) << n;
        EXPECT_EQ(f.error(), ParseError::Truncated) << n;
      } else {
        ASSERT_TRUE(f.ok()) << n;
        EXPECT_EQ(f->payload().size(), n - hl);
      }
    }
  }
}

TEST(Ethernet, EmitsGoldenBytes) {
  for (const Bytes* b : {&kPlain, &kTagged, &kQinQ}) {
    auto f = EthernetFrame::checked(*b);
    auto r = EthernetRepr::parse(*f);
    Bytes out(r->header_len() + f->payload().size());
    r->emit(out, f->payload());
    EXPECT_EQ(out, *b);
  }
  EthernetRepr r{kDst, kSrc, kEtherTypeArp, VlanTag{.pcp = 5, .dei = false, .vid = 100}, std::nullopt};
  Bytes payload = from_hex("00010800");
  Bytes out(r.header_len() + payload.size());
  r.emit(out, payload);
  EXPECT_EQ(out, kTagged);
}

TEST(Ethernet, VlanTciMasksOutOfRangeBits) {
  VlanTag t{.pcp = 0xff, .dei = true, .vid = 0xffff};
  EXPECT_EQ(t.tci(), 0xffff);
  EXPECT_EQ(VlanTag::from_tci(0xffff), (VlanTag{.pcp = 7, .dei = true, .vid = 0xfff}));
}

}  // namespace
}  // namespace synack::wire

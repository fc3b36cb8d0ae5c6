// UDP view and Repr against golden bytes (a DNS query checked with tshark).
#include "stack/wire/udp.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace synack::wire {
namespace {

const Ipv4Address kSrc = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address kDst = Ipv4Address::from_octets(10, 0, 0, 53);

// 10.0.0.1:53000 -> 10.0.0.53:53, DNS query "example.com A"; tshark reports
// udp.checksum.status Good.
const std::vector<std::uint8_t> kDnsQuery = {
    0xcf, 0x08, 0x00, 0x35, 0x00, 0x25, 0xa0, 0xf5, 0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01};

TEST(Udp, ParsesDnsQuery) {
  auto p = UdpPacket::checked(kDnsQuery);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->src_port(), 53000);
  EXPECT_EQ(p->dst_port(), 53);
  EXPECT_EQ(p->length(), 37);
  EXPECT_EQ(p->checksum(), 0xa0f5);
  EXPECT_EQ(p->payload().size(), 29u);
  EXPECT_EQ(p->payload()[0], 0xab);
  EXPECT_TRUE(p->verify_checksum(kSrc, kDst));
  auto r = UdpRepr::parse(*p, kSrc, kDst);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (UdpRepr{.src_port = 53000, .dst_port = 53}));
}

TEST(Udp, EmitReproducesDnsQuery) {
  const UdpRepr r{.src_port = 53000, .dst_port = 53};
  std::vector<std::uint8_t> out(r.buffer_len(29));
  r.emit(out, ConstBytes(kDnsQuery).subspan(8), kSrc, kDst);
  EXPECT_EQ(out, kDnsQuery);
}

TEST(Udp, EmitWithPayloadAlreadyInPlace) {
  std::vector<std::uint8_t> out = kDnsQuery;
  out[6] = out[7] = 0;
  const UdpRepr r{.src_port = 53000, .dst_port = 53};
  r.emit(out, ConstBytes(out).subspan(8), kSrc, kDst);
  EXPECT_EQ(out, kDnsQuery);
}

TEST(Udp, EveryCutIsTruncated) {
  for (std::size_t n = 0; n < kDnsQuery.size(); ++n) {
    auto p = UdpPacket::checked(ConstBytes(kDnsQuery).first(n));
    ASSERT_FALSE(p) << n;
    EXPECT_EQ(p.error(), ParseError::Truncated) << n;
  }
}

TEST(Udp, LengthFieldBelowHeaderIsBadLength) {
  for (std::uint16_t len = 0; len < 8; ++len) {
    std::vector<std::uint8_t> b = kDnsQuery;
    store_be16(b, 4, len);
    auto p = UdpPacket::checked(b);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), ParseError::BadLength);
  }
}

TEST(Udp, TrailingBytesAreTrimmed) {
  std::vector<std::uint8_t> b = kDnsQuery;
  b.insert(b.end(), {0, 0, 0, 0, 0});  // e.g. Ethernet padding
  auto p = UdpPacket::checked(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->bytes().size(), kDnsQuery.size());
  EXPECT_EQ(p->payload().size(), 29u);
  EXPECT_TRUE(p->verify_checksum(kSrc, kDst));
}

TEST(Udp, BadChecksumIsRejectedUnlessNotVerifying) {
  std::vector<std::uint8_t> b = kDnsQuery;
  b[20] ^= 0x01;
  auto p = UdpPacket::checked(b);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->verify_checksum(kSrc, kDst));
  auto r = UdpRepr::parse(*p, kSrc, kDst);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ParseError::BadChecksum);
  EXPECT_TRUE(UdpRepr::parse(*p, kSrc, kDst, /*verify_checksum=*/false));
  // The pseudo header counts: the right datagram to the wrong address fails.
  auto q = UdpPacket::checked(kDnsQuery);
  EXPECT_FALSE(q->verify_checksum(kSrc, Ipv4Address::from_octets(10, 0, 0, 54)));
}

TEST(Udp, ZeroChecksumMeansNone) {
  std::vector<std::uint8_t> b = kDnsQuery;
  b[6] = b[7] = 0;
  b[20] ^= 0x55;  // anything goes without a checksum
  auto p = UdpPacket::checked(b);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->verify_checksum(kSrc, kDst));
  EXPECT_TRUE(UdpRepr::parse(*p, kSrc, kDst));
}

// RFC 768: a computed checksum of zero goes out as 0xffff.
TEST(Udp, ComputedZeroIsSentAsAllOnes) {
  const UdpRepr r{.src_port = 0, .dst_port = 0};
  // Choose a payload word that makes the one's-complement sum 0xffff, so the
  // complemented checksum would be zero.
  const Ipv4Address zero{0};
  std::array<std::uint8_t, 2> payload{0, 0};
  // Sum without the payload word: pseudo (0, 0, 17, 10) + header length 10.
  const std::uint16_t rest = static_cast<std::uint16_t>(17 + 10 + 10);
  store_be16(payload, 0, static_cast<std::uint16_t>(0xffff - rest));
  std::vector<std::uint8_t> out(r.buffer_len(payload.size()));
  r.emit(out, payload, zero, zero);
  EXPECT_EQ(load_be16(out, 6), 0xffff);
  auto p = UdpPacket::checked(out);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->verify_checksum(zero, zero));
}

}  // namespace
}  // namespace synack::wire

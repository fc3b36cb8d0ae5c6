// TCP view and Repr against golden segments (checked with tshark: checksum
// status Good, tcp.flags 0x0002 / 0x0012 / 0x0018).
#include "stack/wire/tcp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace synack::wire {

void PrintTo(const TcpRepr& r, std::ostream* os) {
  *os << r.src_port << ">" << r.dst_port << " " << tcp_flags_to_string(r.flags) << " seq " << r.seq.raw()
      << " ack " << r.ack.raw() << " win " << r.window << " <" << r.options.to_string() << ">";
}

namespace {

const Ipv4Address kA = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address kB = Ipv4Address::from_octets(10, 0, 0, 2);

// 10.0.0.1:40000 > 10.0.0.2:80 [S] seq 0x12345678 win 64240
// <mss 1460,sackOK,TS val 123456 ecr 0,nop,wscale 7>, as Linux sends it.
const std::vector<std::uint8_t> kSyn = {
    0x9c, 0x40, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
    0xfa, 0xf0, 0x51, 0x8e, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
    0x00, 0x01, 0xe2, 0x40, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07};
// 10.0.0.2:80 > 10.0.0.1:40000 [S.] seq 0x9abcdef0 ack 0x12345679 win 65160
// <mss 1460,sackOK,TS val 12345678 ecr 123456,nop,wscale 7>
const std::vector<std::uint8_t> kSynAck = {
    0x00, 0x50, 0x9c, 0x40, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x79, 0xa0, 0x12,
    0xfe, 0x88, 0x72, 0x2d, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
    0x00, 0xbc, 0x61, 0x4e, 0x00, 0x01, 0xe2, 0x40, 0x01, 0x03, 0x03, 0x07};
// 10.0.0.1:40000 > 10.0.0.2:80 [P.] seq 0x12345679 ack 0x9abcdef1 win 502
// <nop,nop,TS val 123556 ecr 12345678> "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
const std::vector<std::uint8_t> kData = {
    0x9c, 0x40, 0x00, 0x50, 0x12, 0x34, 0x56, 0x79, 0x9a, 0xbc, 0xde, 0xf1, 0x80, 0x18, 0x01, 0xf6,
    0x49, 0x50, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x01, 0xe2, 0xa4, 0x00, 0xbc, 0x61, 0x4e,
    0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e, 0x31, 0x0d, 0x0a,
    0x48, 0x6f, 0x73, 0x74, 0x3a, 0x20, 0x78, 0x0d, 0x0a, 0x0d, 0x0a};

std::vector<std::uint8_t> emit(const TcpRepr& r, ConstBytes payload, Ipv4Address src, Ipv4Address dst) {
  std::vector<std::uint8_t> out(r.buffer_len(payload.size()));
  r.emit(out, payload, src, dst);
  return out;
}

TEST(Tcp, ParsesLinuxSyn) {
  auto p = TcpPacket::checked(kSyn);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->src_port(), 40000);
  EXPECT_EQ(p->dst_port(), 80);
  EXPECT_EQ(p->seq(), SeqNumber(0x12345678));
  EXPECT_EQ(p->ack(), SeqNumber(0));
  EXPECT_EQ(p->data_offset(), 10);
  EXPECT_EQ(p->header_len(), 40u);
  EXPECT_EQ(p->flags(), kTcpSyn);
  EXPECT_EQ(p->window(), 64240);
  EXPECT_EQ(p->checksum(), 0x518e);
  EXPECT_EQ(p->urgent(), 0);
  EXPECT_EQ(p->options().size(), 20u);
  EXPECT_TRUE(p->payload().empty());
  EXPECT_TRUE(p->verify_checksum(kA, kB));
  auto r = TcpRepr::parse(*p, kA, kB);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->options.mss(), 1460);
  EXPECT_EQ(r->options.window_scale(), 7);
  EXPECT_TRUE(r->options.sack_permitted());
  EXPECT_EQ(r->options.timestamps(), (TcpTimestamps{123456, 0}));
  EXPECT_EQ(r->segment_len(0), 1u);
}

TEST(Tcp, BuildsLinuxSynFromScratch) {
  TcpRepr r{.src_port = 40000, .dst_port = 80, .seq = SeqNumber(0x12345678), .flags = kTcpSyn, .window = 64240};
  r.options.push_mss(1460);
  r.options.push_sack_permitted();
  r.options.push_timestamps(123456, 0);
  r.options.push_nop();
  r.options.push_wscale(7);
  EXPECT_EQ(r.header_len(), 40u);
  EXPECT_EQ(emit(r, {}, kA, kB), kSyn);
}

TEST(Tcp, SynAckAndDataRoundTrip) {
  for (const auto* seg : {&kSyn, &kSynAck, &kData}) {
    const bool from_a = seg != &kSynAck;
    const Ipv4Address src = from_a ? kA : kB, dst = from_a ? kB : kA;
    auto p = TcpPacket::checked(*seg);
    ASSERT_TRUE(p);
    auto r = TcpRepr::parse(*p, src, dst);
    ASSERT_TRUE(r);
    EXPECT_EQ(emit(*r, p->payload(), src, dst), *seg);
  }
  auto sa = TcpRepr::parse(*TcpPacket::checked(kSynAck), kB, kA);
  EXPECT_EQ(sa->flags, 0x0012);
  EXPECT_EQ(sa->ack, SeqNumber(0x12345679));
  EXPECT_EQ(tcp_flags_to_string(sa->flags), "S.");
  auto d = TcpPacket::checked(kData);
  EXPECT_EQ(d->flags(), kTcpPsh | kTcpAck);
  EXPECT_EQ(std::string(d->payload().begin(), d->payload().end()), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(TcpRepr::parse(*d, kA, kB)->options.timestamps(), (TcpTimestamps{123556, 12345678}));
}

TEST(Tcp, FlagsLayoutAndNames) {
  std::vector<std::uint8_t> b = kSyn;
  b[12] |= 0x01;  // AE
  b[13] = 0xff;
  auto p = TcpPacket::checked(b);
  EXPECT_EQ(p->flags(), 0x1ff);
  EXPECT_EQ(tcp_flags_to_string(p->flags()), "FSRP.UEWe");
  EXPECT_EQ(tcp_flags_to_string(kTcpRst | kTcpAck), "R.");
  EXPECT_EQ(tcp_flags_to_string(kTcpFin | kTcpAck), "F.");
  EXPECT_EQ(tcp_flags_to_string(kTcpAck), ".");
  EXPECT_EQ(tcp_flags_to_string(0), "none");
  // Reserved bits are readable but not part of the flags.
  b[12] = static_cast<std::uint8_t>(0xa0 | 0x0e);
  EXPECT_EQ(TcpPacket::checked(b)->reserved(), 7);
  EXPECT_EQ(TcpPacket::checked(b)->flags(), 0xff);
  // Emit puts AE in byte 12 and the rest in byte 13.
  TcpRepr r{.flags = kTcpAe | kTcpCwr | kTcpSyn};
  const auto out = emit(r, {}, kA, kB);
  EXPECT_EQ(out[12], 0x51);
  EXPECT_EQ(out[13], 0x82);
}

TEST(Tcp, EveryCutIsTruncatedOrBadOption) {
  // The IP layer delimits the segment, so a cut shorter than the header is
  // Truncated; a cut inside the payload is a shorter but valid segment whose
  // checksum no longer verifies.
  for (std::size_t n = 0; n < kData.size(); ++n) {
    auto p = TcpPacket::checked(ConstBytes(kData).first(n));
    if (n < 32) {
      ASSERT_FALSE(p) << n;
      EXPECT_EQ(p.error(), ParseError::Truncated) << n;
    } else {
      ASSERT_TRUE(p) << n;
      auto r = TcpRepr::parse(*p, kA, kB);
      ASSERT_FALSE(r) << n;
      EXPECT_EQ(r.error(), ParseError::BadChecksum) << n;
    }
  }
}

TEST(Tcp, DataOffsetBelowFiveIsBadLength) {
  for (std::uint8_t off = 0; off < 5; ++off) {
    std::vector<std::uint8_t> b = kSyn;
    b[12] = static_cast<std::uint8_t>(off << 4);
    auto p = TcpPacket::checked(b);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), ParseError::BadLength);
  }
  std::vector<std::uint8_t> b = kSyn;
  b[12] = 0xf0;  // 60-byte header in a 40-byte segment
  EXPECT_EQ(TcpPacket::checked(b).error(), ParseError::Truncated);
}

TEST(Tcp, BadChecksum) {
  for (std::size_t i = 0; i < kSyn.size(); ++i) {
    std::vector<std::uint8_t> b = kSyn;
    b[i] ^= 0x20;
    auto p = TcpPacket::checked(b);
    if (!p) continue;  // flipped the data offset
    EXPECT_FALSE(p->verify_checksum(kA, kB)) << i;
    auto r = TcpRepr::parse(*p, kA, kB);
    ASSERT_FALSE(r) << i;
    EXPECT_EQ(r.error(), ParseError::BadChecksum) << i;
  }
  EXPECT_FALSE(TcpPacket::checked(kSyn)->verify_checksum(kA, Ipv4Address::from_octets(10, 0, 0, 3)));
}

TEST(Tcp, BadOptionsAreBadOption) {
  // Replace the SYN's options with malformed ones and re-checksum, for every kind.
  for (int kind = 2; kind < 256; ++kind) {
    std::vector<std::uint8_t> b = kSyn;
    ASSERT_GE(b.size(), 40u);  // also tells GCC 12 the writes below are in bounds
    for (std::size_t i = 20; i < 40; ++i) b[i] = 1;  // NOPs
    b[38] = static_cast<std::uint8_t>(kind);
    b[39] = 1;  // length below 2
    auto p = TcpPacket::checked(b);
    ASSERT_TRUE(p);
    auto r = TcpRepr::parse(*p, kA, kB, /*verify_checksum=*/false);
    ASSERT_FALSE(r) << kind;
    EXPECT_EQ(r.error(), ParseError::BadOption) << kind;
    b[38] = 1;
    b[39] = static_cast<std::uint8_t>(kind);  // lone kind byte at the end
    r = TcpRepr::parse(*TcpPacket::checked(b), kA, kB, false);
    ASSERT_FALSE(r) << kind;
    EXPECT_EQ(r.error(), ParseError::BadOption) << kind;
  }
}

TEST(Tcp, EmitPadsOptionsWithEol) {
  TcpRepr r{.src_port = 1, .dst_port = 2, .flags = kTcpSyn};
  r.options.push_mss(536);
  r.options.push_wscale(14);  // 7 bytes of options
  const std::vector<std::uint8_t> payload = {'h', 'i', '!'};
  const auto out = emit(r, payload, kA, kB);
  ASSERT_EQ(out.size(), 28u + 3);
  EXPECT_EQ(out[12] >> 4, 7);
  EXPECT_EQ(out[27], 0);  // EOL padding
  auto p = TcpPacket::checked(out);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->verify_checksum(kA, kB));
  EXPECT_EQ(p->payload().size(), 3u);
  auto back = TcpRepr::parse(*p, kA, kB);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, r);  // padding compares equal
}

}  // namespace
}  // namespace synack::wire

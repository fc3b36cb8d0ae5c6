// TAP offload byte work: virtio header layout, checksum completion, and the
// TSO coalescer's joins and refusals; a joined frame, once its checksum is
// completed as the kernel would, must parse as one valid TCP segment whose
// payload is the segments' payloads in order.
#include "stack/driver/tap_offload.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::driver {
namespace {

const wire::Ipv4Address kSrc = wire::Ipv4Address::from_octets(10, 0, 0, 2);
const wire::Ipv4Address kDst = wire::Ipv4Address::from_octets(10, 0, 0, 1);

struct SegSpec {
  std::uint32_t seq = 1000;
  std::size_t len = 1448;
  std::uint16_t flags = wire::kTcpAck;
  std::uint16_t ident = 1;
  std::uint16_t window = 500;
  std::uint8_t fill = 0;  // payload byte i is fill + i
};

// An Ethernet/IPv4/TCP frame (timestamps option) as the stack emits it.
Bytes frame(const SegSpec& s) {
  Bytes payload(s.len);
  for (std::size_t i = 0; i < s.len; ++i) payload[i] = static_cast<std::uint8_t>(s.fill + i);
  wire::TcpRepr tcp{.src_port = 7, .dst_port = 40000, .seq = wire::SeqNumber(s.seq), .ack = wire::SeqNumber(77),
                    .flags = s.flags, .window = s.window};
  tcp.options.push_nop();
  tcp.options.push_nop();
  tcp.options.push_timestamps(5, 6);
  wire::Ipv4Repr ip{.src = kSrc, .dst = kDst, .protocol = wire::kIpProtoTcp, .ident = s.ident, .dont_frag = true,
                    .payload_len = static_cast<std::uint16_t>(tcp.header_len() + s.len), .options = {}};
  wire::EthernetRepr eth{wire::MacAddress{{2, 0, 0, 0, 0, 1}}, wire::MacAddress{{2, 0, 0, 0, 0, 2}},
                         wire::kEtherTypeIpv4, std::nullopt, std::nullopt};
  Bytes out(eth.header_len() + ip.buffer_len());
  MutBytes o(out);
  Bytes seg(tcp.header_len() + s.len);
  tcp.emit(seg, payload, kSrc, kDst);
  Bytes pkt(ip.buffer_len());
  ip.emit(pkt, seg);
  eth.emit(o, pkt);
  return out;
}

TEST(VnetHeader, LittleEndianLayout) {
  VnetHeader h{VnetHeader::kNeedsCsum, VnetHeader::kGsoTcpv4, 0x0142, 1448, 34, 16};
  std::uint8_t b[VnetHeader::kLen];
  h.emit(b);
  const std::uint8_t want[] = {1, 1, 0x42, 0x01, 0xa8, 0x05, 34, 0, 16, 0};
  EXPECT_TRUE(std::equal(std::begin(b), std::end(b), std::begin(want)));
  VnetHeader back = VnetHeader::parse(b);
  EXPECT_EQ(back.hdr_len, 0x0142);
  EXPECT_EQ(back.gso_size, 1448);
  EXPECT_EQ(back.csum_start, 34);
  EXPECT_EQ(back.csum_offset, 16);
}

TEST(CompleteChecksum, TurnsAPseudoHeaderSumIntoTheChecksum) {
  Bytes f = frame({.len = 333});
  const std::uint16_t good = load_be16(f, 34 + 16);
  // What the kernel hands over with NEEDS_CSUM: the pseudo-header sum only.
  store_be16(f, 34 + 16, wire::checksum_fold(wire::pseudo_header_sum(kSrc, kDst, 6, f.size() - 34)));
  ASSERT_TRUE(complete_checksum(f, 34, 16));
  EXPECT_EQ(load_be16(f, 34 + 16), good);
  EXPECT_FALSE(complete_checksum(f, f.size(), 0));
  EXPECT_FALSE(complete_checksum(f, f.size() - 1, 0));
  EXPECT_FALSE(complete_checksum(f, 34, f.size()));
}

TEST(AcceptVnetFrame, StripsTheHeaderAndCompletesOnlyWhenAsked) {
  Bytes f = frame({.len = 100});
  Bytes raw(VnetHeader::kLen, 0);
  raw.insert(raw.end(), f.begin(), f.end());
  auto plain = accept_vnet_frame(raw);
  ASSERT_TRUE(plain);
  EXPECT_TRUE(std::equal(plain->begin(), plain->end(), f.begin(), f.end()));
  VnetHeader{VnetHeader::kNeedsCsum, 0, 0, 0, 34, 60000}.emit(raw);
  EXPECT_FALSE(accept_vnet_frame(raw));  // checksum field beyond the frame
  EXPECT_FALSE(accept_vnet_frame(MutBytes(raw).first(5)));
}

// With `trusted`: NEEDS_CSUM on TCP (or UDP) is vouched for and left as the
// kernel sent it, DATA_VALID is vouched for, anything else is not, and
// NEEDS_CSUM on another protocol is still completed.
TEST(AcceptVnetFrame, TrustsTheKernelsOffloadWhenAsked) {
  Bytes f = frame({.len = 100});
  Bytes partial = f;  // what the kernel hands over with NEEDS_CSUM
  store_be16(partial, 34 + 16, wire::checksum_fold(wire::pseudo_header_sum(kSrc, kDst, 6, f.size() - 34)));
  auto with = [](std::uint8_t flags, const Bytes& fr) {
    Bytes raw(VnetHeader::kLen + fr.size(), 0);
    std::copy(fr.begin(), fr.end(), raw.begin() + VnetHeader::kLen);
    VnetHeader{flags, 0, 0, 0, 34, 16}.emit(raw);
    return raw;
  };
  bool trusted = false;
  Bytes raw = with(VnetHeader::kNeedsCsum, partial);
  auto got = accept_vnet_frame(raw, &trusted);
  ASSERT_TRUE(got);
  EXPECT_TRUE(trusted);
  EXPECT_TRUE(std::equal(got->begin(), got->end(), partial.begin(), partial.end()));  // not completed
  raw = with(VnetHeader::kDataValid, f);
  ASSERT_TRUE(accept_vnet_frame(raw, &trusted));
  EXPECT_TRUE(trusted);
  raw = with(0, f);
  ASSERT_TRUE(accept_vnet_frame(raw, &trusted));
  EXPECT_FALSE(trusted);
  // Without `trusted`, NEEDS_CSUM is completed as before.
  raw = with(VnetHeader::kNeedsCsum, partial);
  got = accept_vnet_frame(raw);
  ASSERT_TRUE(got);
  EXPECT_TRUE(std::equal(got->begin(), got->end(), f.begin(), f.end()));
  // NEEDS_CSUM on a protocol RxMeta does not cover (ICMP here) is completed.
  Bytes icmp = partial;
  icmp[14 + wire::ipv4_field::kProtocol] = wire::kIpProtoIcmp;
  raw = with(VnetHeader::kNeedsCsum, icmp);
  got = accept_vnet_frame(raw, &trusted);
  ASSERT_TRUE(got);
  EXPECT_FALSE(trusted);
  EXPECT_NE(load_be16(*got, 34 + 16), load_be16(partial, 34 + 16));
  // A header pointing outside the frame is malformed either way.
  VnetHeader{VnetHeader::kNeedsCsum, 0, 0, 0, 34, 60000}.emit(raw);
  EXPECT_FALSE(accept_vnet_frame(raw, &trusted));
}

// The frame written for a joined run, checksum completed as the kernel
// would: one TCP segment carrying `payload`.
void expect_joined(ConstBytes written, std::size_t segments, std::uint16_t mss, ConstBytes payload,
                   std::uint16_t flags) {
  ASSERT_GT(written.size(), VnetHeader::kLen);
  VnetHeader h = VnetHeader::parse(written);
  Bytes f(written.begin() + VnetHeader::kLen, written.end());
  if (segments == 1) {
    EXPECT_EQ(h.flags, 0);
    EXPECT_EQ(h.gso_type, VnetHeader::kGsoNone);
  } else {
    EXPECT_EQ(h.flags, VnetHeader::kNeedsCsum);
    EXPECT_EQ(h.gso_type, VnetHeader::kGsoTcpv4);
    EXPECT_EQ(h.gso_size, mss);
    EXPECT_EQ(h.hdr_len, 14 + 20 + 32);
    ASSERT_TRUE(complete_checksum(f, h.csum_start, h.csum_offset));
  }
  auto eth = wire::EthernetFrame::checked(f);
  ASSERT_TRUE(eth);
  auto ipp = wire::Ipv4Packet::checked(eth->payload());
  ASSERT_TRUE(ipp);
  ASSERT_TRUE(wire::Ipv4Repr::parse(*ipp));  // header checksum verified
  auto tp = wire::TcpPacket::checked(ipp->payload());
  ASSERT_TRUE(tp);
  auto tcp = wire::TcpRepr::parse(*tp, kSrc, kDst, true);
  ASSERT_TRUE(tcp) << "checksum of the joined segment";
  EXPECT_EQ(tcp->flags, flags);
  EXPECT_EQ(tcp->seq, wire::SeqNumber(1000));
  EXPECT_TRUE(std::equal(tp->payload().begin(), tp->payload().end(), payload.begin(), payload.end()));
}

TEST(TsoCoalescer, JoinsConsecutiveSegmentsUntilAShortPshOne) {
  TsoCoalescer c;
  Bytes all;
  for (std::uint32_t i = 0; i < 4; ++i) {
    bool last = i == 3;
    SegSpec s{.seq = 1000 + i * 1448, .len = last ? 700u : 1448u,
              .flags = static_cast<std::uint16_t>(wire::kTcpAck | (last ? wire::kTcpPsh : 0)),
              .ident = static_cast<std::uint16_t>(10 + i), .fill = static_cast<std::uint8_t>(i * 7)};
    Bytes f = frame(s);
    ASSERT_TRUE(c.append(f)) << i;
    EXPECT_EQ(c.closed(), last);
    all.insert(all.end(), f.end() - static_cast<std::ptrdiff_t>(s.len), f.end());
  }
  EXPECT_FALSE(c.append(frame({.seq = 1000 + 3 * 1448 + 700})));  // closed
  EXPECT_EQ(c.segments(), 4u);
  expect_joined(c.finish(), 4, 1448, all, wire::kTcpAck | wire::kTcpPsh);
}

TEST(TsoCoalescer, OneSegmentIsWrittenAsBuilt) {
  TsoCoalescer c;
  Bytes f = frame({});
  ASSERT_TRUE(c.append(f));
  ConstBytes w = c.finish();
  EXPECT_TRUE(std::equal(w.begin() + VnetHeader::kLen, w.end(), f.begin(), f.end()));
  expect_joined(w, 1, 1448, ConstBytes(f).last(1448), wire::kTcpAck);
}

TEST(TsoCoalescer, RefusesWhatCannotJoin) {
  TsoCoalescer c;
  ASSERT_TRUE(c.append(frame({})));
  EXPECT_FALSE(c.append(frame({.seq = 1000 + 1448 + 1})));       // a gap
  EXPECT_FALSE(c.append(frame({.seq = 1000})));                  // a retransmission
  EXPECT_FALSE(c.append(frame({.seq = 2448, .len = 1449})));     // longer than the first
  EXPECT_FALSE(c.append(frame({.seq = 2448, .window = 501})));   // another header
  EXPECT_FALSE(c.append(frame({.seq = 2448, .flags = wire::kTcpAck | wire::kTcpFin})));
  EXPECT_EQ(c.segments(), 1u);
  TsoCoalescer d;
  EXPECT_FALSE(d.append(frame({.flags = wire::kTcpSyn | wire::kTcpAck})));
  EXPECT_FALSE(d.append(frame({.flags = wire::kTcpRst | wire::kTcpAck})));
  EXPECT_FALSE(d.append(frame({.len = 0})));
  Bytes arp = frame({});
  store_be16(arp, 12, wire::kEtherTypeArp);
  EXPECT_FALSE(d.append(arp));
  EXPECT_TRUE(d.empty());
}

TEST(TsoCoalescer, StopsBeforeTheIpv4LengthLimit) {
  TsoCoalescer c;
  std::size_t n = 0;
  for (std::uint32_t seq = 1000; !c.closed(); seq += 1448, ++n) ASSERT_TRUE(c.append(frame({.seq = seq})));
  EXPECT_EQ(n, (65535u - 20 - 32) / 1448);
  EXPECT_LE(c.finish().size(), VnetHeader::kLen + TsoCoalescer::kMaxFrame);
}

// Any run of equal-sized segments with a shorter tail joins into one frame
// carrying exactly their payloads.
RC_GTEST_PROP(TsoCoalescerProp, JoinedPayloadIsTheSegmentsInOrder, ()) {
  const auto mss = *rc::gen::inRange<std::size_t>(1, 1461);
  const auto count = *rc::gen::inRange<std::size_t>(1, 65000 / mss + 1);
  const auto tail = *rc::gen::inRange<std::size_t>(1, mss + 1);
  TsoCoalescer c;
  Bytes all;
  std::uint32_t seq = 1000;
  for (std::size_t i = 0; i < count && !c.closed(); ++i) {
    std::size_t len = i + 1 == count ? tail : mss;
    Bytes f = frame({.seq = seq, .len = len, .fill = static_cast<std::uint8_t>(i)});
    RC_ASSERT(c.append(f));
    all.insert(all.end(), f.end() - static_cast<std::ptrdiff_t>(len), f.end());
    seq += static_cast<std::uint32_t>(len);
  }
  ConstBytes w = c.finish();
  VnetHeader h = VnetHeader::parse(w);
  Bytes f(w.begin() + VnetHeader::kLen, w.end());
  if (c.segments() > 1) RC_ASSERT(complete_checksum(f, h.csum_start, h.csum_offset));
  auto ipp = wire::Ipv4Packet::checked(ConstBytes(f).subspan(14));
  RC_ASSERT(static_cast<bool>(ipp));
  RC_ASSERT(static_cast<bool>(wire::Ipv4Repr::parse(*ipp)));
  auto tp = wire::TcpPacket::checked(ipp->payload());
  RC_ASSERT(static_cast<bool>(tp));
  RC_ASSERT(static_cast<bool>(wire::TcpRepr::parse(*tp, kSrc, kDst, true)));
  RC_ASSERT(std::equal(tp->payload().begin(), tp->payload().end(), all.begin(), all.end()));
}

}  // namespace
}  // namespace synack::driver

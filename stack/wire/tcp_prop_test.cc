// TCP and TCP option properties: parse(emit(repr)) == repr with a verifying
// checksum; emit(parse(bytes)) == bytes for valid segments and option lists;
// arbitrary bytes never crash and parsed views stay in bounds.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>
#include <cstdint>
#include <vector>

#include "stack/wire/checksum.h"
#include "stack/wire/tcp.h"

namespace synack::wire {
namespace {

// A random well-formed option list built from the builders, in random order,
// possibly ending in EOL plus non-zero padding (kept verbatim by parse).
TcpOptions random_options() {
  TcpOptions o;
  const auto steps = *rc::gen::inRange(0, 12);
  for (int i = 0; i < steps; ++i) {
    switch (*rc::gen::inRange(0, 8)) {
      case 0: o.push_nop(); break;
      case 1: o.push_mss(*rc::gen::arbitrary<std::uint16_t>()); break;
      case 2: o.push_wscale(*rc::gen::arbitrary<std::uint8_t>()); break;
      case 3: o.push_sack_permitted(); break;
      case 4: {
        const auto n = *rc::gen::inRange<std::size_t>(1, 5);
        std::vector<SackBlock> blocks(n);
        for (auto& b : blocks) b = {SeqNumber(*rc::gen::arbitrary<std::uint32_t>()),
                                    SeqNumber(*rc::gen::arbitrary<std::uint32_t>())};
        o.push_sack(blocks);
        break;
      }
      case 5: o.push_timestamps(*rc::gen::arbitrary<std::uint32_t>(), *rc::gen::arbitrary<std::uint32_t>()); break;
      case 6: {
        const auto kind = *rc::gen::element<std::uint8_t>(6, 7, 30, 34, 253, 254);
        const auto data = *rc::gen::container<std::vector<std::uint8_t>>(*rc::gen::inRange(0, 12),
                                                                         rc::gen::arbitrary<std::uint8_t>());
        o.push_raw(kind, data);
        break;
      }
      default: {
        if (!o.push_eol()) break;
        const auto junk = *rc::gen::inRange(0, 4);
        for (int k = 0; k < junk; ++k) o.push_mss(1);  // bytes after EOL are just padding
        i = steps;
        break;
      }
    }
  }
  return o;
}

TcpRepr random_repr() {
  TcpRepr r;
  r.src_port = *rc::gen::arbitrary<std::uint16_t>();
  r.dst_port = *rc::gen::arbitrary<std::uint16_t>();
  r.seq = SeqNumber(*rc::gen::arbitrary<std::uint32_t>());
  r.ack = SeqNumber(*rc::gen::arbitrary<std::uint32_t>());
  r.flags = *rc::gen::inRange<std::uint16_t>(0, 0x200);
  r.window = *rc::gen::arbitrary<std::uint16_t>();
  r.urgent = *rc::gen::arbitrary<std::uint16_t>();
  r.options = random_options();
  return r;
}

std::vector<std::uint8_t> emit(const TcpRepr& r, ConstBytes payload, Ipv4Address src, Ipv4Address dst) {
  std::vector<std::uint8_t> out(r.buffer_len(payload.size()));
  r.emit(out, payload, src, dst);
  return out;
}

RC_GTEST_PROP(TcpProp, ParseEmitRoundTrip, (std::uint32_t src, std::uint32_t dst, const std::vector<std::uint8_t>& payload)) {
  const TcpRepr r = random_repr();
  const auto out = emit(r, payload, {src}, {dst});
  RC_ASSERT(out.size() % 4 == payload.size() % 4);
  auto p = TcpPacket::checked(out);
  RC_ASSERT(p.ok());
  RC_ASSERT(p->header_len() == r.header_len());
  RC_ASSERT(p->verify_checksum({src}, {dst}));
  RC_ASSERT(std::vector<std::uint8_t>(p->payload().begin(), p->payload().end()) == payload);
  auto back = TcpRepr::parse(*p, {src}, {dst});
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == r);
  RC_ASSERT(back->options.mss() == r.options.mss());
  RC_ASSERT(back->options.timestamps() == r.options.timestamps());
}

// The segment RFC 9293 §3.1 describes for `r`, built field by field, with
// its checksum from a plain RFC 1071 loop over the pseudo header and the
// segment: independent of emit's sum from the field values and of the
// optimised checksum loops.
std::vector<std::uint8_t> reference_segment(const TcpRepr& r, ConstBytes payload, std::uint32_t src,
                                            std::uint32_t dst) {
  const std::size_t hlen = r.header_len();
  std::vector<std::uint8_t> seg(hlen, 0);
  store_be16(seg, 0, r.src_port);
  store_be16(seg, 2, r.dst_port);
  store_be32(seg, 4, r.seq.raw());
  store_be32(seg, 8, r.ack.raw());
  seg[12] = static_cast<std::uint8_t>((hlen / 4) << 4 | ((r.flags >> 8) & 0x01));
  seg[13] = static_cast<std::uint8_t>(r.flags);
  store_be16(seg, 14, r.window);
  store_be16(seg, 18, r.urgent);
  std::copy(r.options.bytes().begin(), r.options.bytes().end(), seg.begin() + 20);
  seg.insert(seg.end(), payload.begin(), payload.end());
  std::vector<std::uint8_t> summed(12, 0);
  store_be32(summed, 0, src);
  store_be32(summed, 4, dst);
  summed[9] = 6;
  store_be16(summed, 10, static_cast<std::uint16_t>(seg.size()));
  summed.insert(summed.end(), seg.begin(), seg.end());
  summed.push_back(0);  // an odd length is padded with zero
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i + 1 < summed.size(); i += 2) sum += std::uint32_t{summed[i]} << 8 | summed[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  store_be16(seg, 16, static_cast<std::uint16_t>(~sum));
  return seg;
}

// emit equals the reference segment byte for byte and verifies, for random
// fields, options and payloads (none, short, longer than the vector steps),
// the output at any misalignment and the payload either copied in or
// already in place.
RC_GTEST_PROP(TcpProp, EmitMatchesTheReferenceSegment, (std::uint32_t src, std::uint32_t dst)) {
  const TcpRepr r = random_repr();
  const auto len = *rc::gen::oneOf(rc::gen::just<std::size_t>(0), rc::gen::inRange<std::size_t>(0, 64),
                                   rc::gen::inRange<std::size_t>(0, 3000));
  const auto payload = *rc::gen::container<std::vector<std::uint8_t>>(len, rc::gen::arbitrary<std::uint8_t>());
  const auto off = *rc::gen::inRange<std::size_t>(0, 16);
  const bool in_place = *rc::gen::arbitrary<bool>();
  std::vector<std::uint8_t> buf(off + r.buffer_len(len), 0xa5);
  const MutBytes out = MutBytes(buf).subspan(off);
  const MutBytes body = out.subspan(r.header_len());
  if (in_place) std::copy(payload.begin(), payload.end(), body.begin());
  r.emit(out, in_place ? ConstBytes(body) : ConstBytes(payload), {src}, {dst});
  const auto ref = reference_segment(r, payload, src, dst);
  RC_ASSERT(std::equal(out.begin(), out.end(), ref.begin(), ref.end()));
  for (std::size_t i = 0; i < off; ++i) RC_ASSERT(buf[i] == 0xa5);
  RC_ASSERT(TcpPacket::checked(out)->verify_checksum({src}, {dst}));
}

RC_GTEST_PROP(TcpProp, EmitParseReproducesValidSegments, (std::uint32_t src, std::uint32_t dst)) {
  // A valid segment: random fixed header, a random valid option list padded
  // to 4, reserved bits zero, a correct checksum.
  const TcpOptions o = random_options();
  auto bytes = *rc::gen::container<std::vector<std::uint8_t>>(20, rc::gen::arbitrary<std::uint8_t>());
  std::vector<std::uint8_t> opt(o.padded_size());
  o.emit(opt);
  bytes.insert(bytes.end(), opt.begin(), opt.end());
  const auto payload = *rc::gen::arbitrary<std::vector<std::uint8_t>>();
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  bytes[12] = static_cast<std::uint8_t>(((20 + opt.size()) / 4) << 4 | (bytes[12] & 0x01));
  store_be16(bytes, 16, 0);
  store_be16(bytes, 16, checksum(bytes, pseudo_header_sum({src}, {dst}, 6, static_cast<std::uint32_t>(bytes.size()))));

  auto p = TcpPacket::checked(bytes);
  RC_ASSERT(p.ok());
  auto r = TcpRepr::parse(*p, {src}, {dst});
  RC_ASSERT(r.ok());
  RC_ASSERT(emit(*r, p->payload(), {src}, {dst}) == bytes);
}

RC_GTEST_PROP(TcpProp, OptionBytesRoundTripExactly, ()) {
  const TcpOptions o = random_options();
  // Any valid list, including lengths that are not a multiple of 4.
  auto parsed = TcpOptions::parse(o.bytes());
  RC_ASSERT(parsed.ok());
  RC_ASSERT(std::vector<std::uint8_t>(parsed->bytes().begin(), parsed->bytes().end()) ==
            std::vector<std::uint8_t>(o.bytes().begin(), o.bytes().end()));
  std::size_t walked = 0;
  for (const TcpOption it : *parsed) {
    walked += it.kind <= kTcpOptNop ? 1 + (it.kind == kTcpOptEol ? it.data.size() : 0) : 2 + it.data.size();
  }
  RC_ASSERT(walked == o.size());
}

// The accessors read offsets recorded while parsing or building; they must
// agree with a plain walk over the items (first occurrence before any EOL).
void check_index_matches_walk(const TcpOptions& o) {
  std::optional<ConstBytes> mss, ws, sack_ok, sack, ts;
  for (const TcpOption it : o) {
    if (it.kind == kTcpOptEol) break;
    auto first = [&](std::optional<ConstBytes>& slot) {
      if (!slot) slot = it.data;
    };
    switch (it.kind) {
      case kTcpOptMss: first(mss); break;
      case kTcpOptWindowScale: first(ws); break;
      case kTcpOptSackPermitted: first(sack_ok); break;
      case kTcpOptSack: first(sack); break;
      case kTcpOptTimestamps: first(ts); break;
      default: break;
    }
  }
  RC_ASSERT(o.mss() == (mss ? std::optional<std::uint16_t>(load_be16(*mss, 0)) : std::nullopt));
  RC_ASSERT(o.window_scale() == (ws ? std::optional<std::uint8_t>((*ws)[0]) : std::nullopt));
  RC_ASSERT(o.sack_permitted() == sack_ok.has_value());
  RC_ASSERT(o.timestamps() ==
            (ts ? std::optional<TcpTimestamps>(TcpTimestamps{load_be32(*ts, 0), load_be32(*ts, 4)}) : std::nullopt));
  const auto blocks = o.sack_blocks();
  RC_ASSERT(blocks.has_value() == sack.has_value());
  if (blocks) {
    RC_ASSERT(blocks->count * 8 == sack->size());
    for (std::size_t k = 0; k < blocks->count; ++k) {
      RC_ASSERT(blocks->blocks[k].left.raw() == load_be32(*sack, 8 * k));
      RC_ASSERT(blocks->blocks[k].right.raw() == load_be32(*sack, 8 * k + 4));
    }
  }
  for (std::uint8_t kind : {kTcpOptMss, kTcpOptWindowScale, kTcpOptSackPermitted, kTcpOptSack, kTcpOptTimestamps}) {
    const auto f = o.find(kind);
    const auto& ref = kind == kTcpOptMss ? mss : kind == kTcpOptWindowScale ? ws : kind == kTcpOptSackPermitted ? sack_ok : kind == kTcpOptSack ? sack : ts;
    RC_ASSERT(f.has_value() == ref.has_value());
    if (f) RC_ASSERT(f->data() == ref->data() && f->size() == ref->size());
  }
}

RC_GTEST_PROP(TcpProp, IndexedAccessorsMatchAWalk, ()) {
  const TcpOptions built = random_options();
  check_index_matches_walk(built);
  auto parsed = TcpOptions::parse(built.bytes());
  RC_ASSERT(parsed.ok());
  check_index_matches_walk(*parsed);
  // Through a whole segment (padded with EOL), and after more builder pushes
  // on the parsed copy.
  std::vector<std::uint8_t> padded(built.padded_size());
  built.emit(padded);
  auto reparsed = TcpOptions::parse(padded);
  RC_ASSERT(reparsed.ok());
  check_index_matches_walk(*reparsed);
  TcpOptions more = *parsed;
  (void)more.push_nop();
  (void)more.push_timestamps(*rc::gen::arbitrary<std::uint32_t>(), 7);
  (void)more.push_mss(*rc::gen::arbitrary<std::uint16_t>());
  check_index_matches_walk(more);
  // Arbitrary bytes that happen to be valid, the NOP NOP TS prefix included.
  auto raw = *rc::gen::container<std::vector<std::uint8_t>>(*rc::gen::inRange(0, 41),
                                                             rc::gen::arbitrary<std::uint8_t>());
  if (*rc::gen::arbitrary<bool>() && raw.size() >= 4) {
    raw[0] = 1;
    raw[1] = 1;
    raw[2] = 8;
    raw[3] = 10;
  }
  if (auto a = TcpOptions::parse(raw)) check_index_matches_walk(*a);
}

RC_GTEST_PROP(TcpProp, ArbitraryOptionBytesNeverCrash, ()) {
  const auto b = *rc::gen::container<std::vector<std::uint8_t>>(*rc::gen::inRange(0, 41),
                                                                 rc::gen::arbitrary<std::uint8_t>());
  auto o = TcpOptions::parse(b);
  if (!o) {
    RC_ASSERT(o.error() == ParseError::BadOption);
    return;
  }
  (void)o->mss();
  (void)o->window_scale();
  (void)o->sack_permitted();
  (void)o->sack_blocks();
  (void)o->timestamps();
  (void)o->to_string();
  std::vector<std::uint8_t> out(o->padded_size());
  o->emit(out);
  RC_ASSERT(std::equal(b.begin(), b.end(), out.begin()));
}

RC_GTEST_PROP(TcpProp, ArbitrarySegmentsNeverCrash, (const std::vector<std::uint8_t>& b, bool verify)) {
  auto p = TcpPacket::checked(b);
  if (!p) {
    RC_ASSERT(p.error() == ParseError::Truncated || p.error() == ParseError::BadLength);
    return;
  }
  RC_ASSERT(p->header_len() + p->payload().size() == b.size());
  RC_ASSERT(p->options().size() + 20 == p->header_len());
  auto r = TcpRepr::parse(*p, {1}, {2}, verify);
  if (r) RC_ASSERT(r->options.size() == p->options().size());
}

}  // namespace
}  // namespace synack::wire

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "stack/wire/ipv4.h"

namespace synack::wire {
namespace {

// A well-formed option list, built only through the public builders and
// padded to a word (the form in which it round-trips through a header).
Ipv4Options gen_options() {
  Ipv4Options o;
  int n = *rc::gen::inRange(0, 6);
  for (int i = 0; i < n; ++i) {
    bool ok = true;
    switch (*rc::gen::inRange(0, 5)) {
      case 0:
        ok = o.append_nop();
        break;
      case 1: {
        auto slots = *rc::gen::container<std::vector<std::uint32_t>>(
            static_cast<std::size_t>(*rc::gen::inRange(0, 10)), rc::gen::arbitrary<std::uint32_t>());
        std::vector<Ipv4Address> addrs;
        for (auto s : slots) addrs.push_back({s});
        auto filled = static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, addrs.size() + 1));
        auto kind = *rc::gen::element(kIpv4OptRecordRoute, kIpv4OptLsrr, kIpv4OptSsrr);
        ok = o.append_route(kind, addrs, filled);
        break;
      }
      case 2: {
        auto flag = *rc::gen::element(kIpv4TsOnly, kIpv4TsAndAddr, kIpv4TsPrespecified);
        std::size_t entry = flag == kIpv4TsOnly ? 4 : 8;
        auto entries = static_cast<std::size_t>(*rc::gen::inRange(0, 5));
        auto data = *rc::gen::container<Bytes>(entries * entry, rc::gen::arbitrary<std::uint8_t>());
        auto filled = entry * static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, entries + 1));
        auto overflow = *rc::gen::inRange<std::uint8_t>(0, 15);
        ok = o.append_timestamp(flag, overflow, data, filled);
        break;
      }
      case 3:
        ok = o.append_router_alert(*rc::gen::arbitrary<std::uint16_t>());
        break;
      default: {
        auto kind = *rc::gen::suchThat(rc::gen::arbitrary<std::uint8_t>(), [](std::uint8_t k) {
          return k > 1 && k != kIpv4OptRecordRoute && k != kIpv4OptLsrr && k != kIpv4OptSsrr &&
                 k != kIpv4OptTimestamp && k != kIpv4OptRouterAlert;
        });
        auto data = *rc::gen::container<Bytes>(static_cast<std::size_t>(*rc::gen::inRange(0, 8)),
                                               rc::gen::arbitrary<std::uint8_t>());
        ok = o.append_raw(kind, data);
        break;
      }
    }
    (void)ok;  // a full list just stops growing
  }
  RC_ASSERT(o.pad());
  return o;
}

Ipv4Repr gen_repr() {
  Ipv4Repr r;
  r.src = {*rc::gen::arbitrary<std::uint32_t>()};
  r.dst = {*rc::gen::arbitrary<std::uint32_t>()};
  r.protocol = *rc::gen::arbitrary<std::uint8_t>();
  r.ttl = *rc::gen::arbitrary<std::uint8_t>();
  r.tos = *rc::gen::arbitrary<std::uint8_t>();
  r.ident = *rc::gen::arbitrary<std::uint16_t>();
  r.dont_frag = *rc::gen::arbitrary<bool>();
  r.more_frags = *rc::gen::arbitrary<bool>();
  r.frag_offset = static_cast<std::uint16_t>(*rc::gen::inRange(0, 8192) * 8);
  r.options = gen_options();
  r.payload_len = static_cast<std::uint16_t>(*rc::gen::inRange(0, 200));
  return r;
}

RC_GTEST_PROP(Ipv4Prop, ParseEmitRoundTrip, ()) {
  Ipv4Repr r = gen_repr();
  auto payload = *rc::gen::container<Bytes>(r.payload_len, rc::gen::arbitrary<std::uint8_t>());
  Bytes out(r.buffer_len());
  r.emit(out, payload);
  auto p = Ipv4Packet::checked(out);
  RC_ASSERT(p.ok());
  RC_ASSERT(p->verify_checksum());
  RC_ASSERT(std::ranges::equal(p->payload(), payload));
  auto back = Ipv4Repr::parse(*p);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == r);
  Bytes again(back->buffer_len());
  back->emit(again, p->payload());
  RC_ASSERT(again == out);
}

RC_GTEST_PROP(Ipv4Prop, OptionsBytesRoundTrip, ()) {
  Ipv4Options o = gen_options();
  auto back = Ipv4Options::parse(o.bytes());
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == o);
  std::size_t walked = 0;
  for (auto it = back->begin(); it != back->end(); ++it) ++walked;
  RC_ASSERT(walked <= o.size());
}

RC_GTEST_PROP(Ipv4Prop, ArbitraryBytesNeverCrash, (const Bytes& b)) {
  for (bool quoted : {false, true}) {
    auto p = quoted ? Ipv4Packet::checked_quoted(b) : Ipv4Packet::checked(b);
    if (!p.ok()) continue;
    RC_ASSERT(p->header_len() + p->payload().size() <= b.size());
    (void)p->verify_checksum();
    auto r = Ipv4Repr::parse(*p, /*verify_checksum=*/false);
    if (!r.ok()) {
      RC_ASSERT(r.error() == ParseError::BadOption);
      continue;
    }
    for (auto it = r->options.begin(); it != r->options.end(); ++it) (void)*it;
    RC_ASSERT(r->header_len() == p->header_len());
  }
}

// Random bytes shaped like IPv4 (version 4, plausible IHL and total length),
// so that the option and payload paths run on hostile input too.
RC_GTEST_PROP(Ipv4Prop, ShapedBytesNeverCrash, (std::uint8_t ihl)) {
  auto b = *rc::gen::container<Bytes>(static_cast<std::size_t>(*rc::gen::inRange(20, 100)),
                                      rc::gen::arbitrary<std::uint8_t>());
  b[0] = static_cast<std::uint8_t>(0x40 | (ihl & 0x0f));
  store_be16(b, 2, static_cast<std::uint16_t>(*rc::gen::inRange<std::size_t>(0, b.size() + 8)));
  for (bool quoted : {false, true}) {
    auto p = quoted ? Ipv4Packet::checked_quoted(b) : Ipv4Packet::checked(b);
    if (!p.ok()) continue;
    RC_ASSERT(p->bytes().size() <= b.size());
    auto r = Ipv4Repr::parse(*p, false);
    if (!r.ok()) {
      RC_ASSERT(r.error() == ParseError::BadOption);
      continue;
    }
    // emit(parse(bytes)) == bytes up to the checksum and the reserved flag.
    Bytes out(r->header_len());
    r->emit(out, {});
    Bytes want(p->header().begin(), p->header().end());
    want[6] &= 0x7f;
    store_be16(want, 10, 0);
    store_be16(out, 10, 0);
    RC_ASSERT(out == want);
  }
}

// Random option bytes: parse never crashes, and what parses re-emits verbatim.
RC_GTEST_PROP(Ipv4Prop, ArbitraryOptionBytes, ()) {
  auto b = *rc::gen::container<Bytes>(static_cast<std::size_t>(*rc::gen::inRange(0, 41)),
                                      rc::gen::arbitrary<std::uint8_t>());
  auto o = Ipv4Options::parse(b);
  if (!o.ok()) {
    RC_ASSERT(o.error() == ParseError::BadOption);
    return;
  }
  RC_ASSERT(std::ranges::equal(o->bytes(), b));
  for (auto item : *o) {
    if (auto* route = std::get_if<Ipv4OptRoute>(&item)) {
      for (std::size_t i = 0; i < route->slot_count(); ++i) (void)route->slot(i);
    }
  }
}

// A valid datagram with a random header byte flipped: never crashes, and a
// changed header without a fixed-up checksum never parses as valid.
RC_GTEST_PROP(Ipv4Prop, CorruptedHeaderIsDetected, ()) {
  Ipv4Repr r = gen_repr();
  Bytes out(r.buffer_len());
  Bytes payload(r.payload_len, 0x5a);
  r.emit(out, payload);
  auto idx = static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(1, r.header_len()));  // not IHL: that moves the summed range
  auto bit = static_cast<std::uint8_t>(1u << *rc::gen::inRange(0, 8));
  out[idx] ^= bit;
  auto p = Ipv4Packet::checked(out);
  if (!p.ok()) return;
  RC_ASSERT(!p->verify_checksum());
  auto back = Ipv4Repr::parse(*p);
  RC_ASSERT(!back.ok());
  RC_ASSERT(back.error() == ParseError::BadChecksum);
}

}  // namespace
}  // namespace synack::wire

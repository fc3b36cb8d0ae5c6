#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "stack/wire/checksum.h"
#include "stack/wire/icmpv4.h"

namespace synack::wire {
namespace {

bool has_typed_struct(std::uint8_t type, std::uint8_t code) {
  switch (type) {
    case kIcmpv4EchoRequest:
    case kIcmpv4EchoReply: return code == 0;
    case kIcmpv4DestUnreachable: return code <= 15;
    case kIcmpv4TimeExceeded: return code <= 1;
    case kIcmpv4ParamProblem: return code <= 2;
    case kIcmpv4Redirect: return code <= 3;
    default: return false;
  }
}

Icmpv4Message gen_message() {
  auto u16 = [] { return *rc::gen::arbitrary<std::uint16_t>(); };
  switch (*rc::gen::inRange(0, 7)) {
    case 0: return Icmpv4EchoRequest{u16(), u16()};
    case 1: return Icmpv4EchoReply{u16(), u16()};
    case 2: {
      auto code = static_cast<Icmpv4UnreachableCode>(*rc::gen::inRange(0, 16));
      return Icmpv4DestUnreachable{code, code == Icmpv4UnreachableCode::FragNeeded ? u16() : std::uint16_t{0}};
    }
    case 3: return Icmpv4TimeExceeded{static_cast<Icmpv4TimeExceededCode>(*rc::gen::inRange(0, 2))};
    case 4:
      return Icmpv4ParamProblem{*rc::gen::inRange<std::uint8_t>(0, 3), *rc::gen::arbitrary<std::uint8_t>()};
    case 5:
      return Icmpv4RedirectMsg{static_cast<Icmpv4RedirectCode>(*rc::gen::inRange(0, 4)),
                               Ipv4Address{*rc::gen::arbitrary<std::uint32_t>()}};
    default: {
      auto type = *rc::gen::arbitrary<std::uint8_t>();
      auto code = *rc::gen::arbitrary<std::uint8_t>();
      RC_PRE(!has_typed_struct(type, code));
      return Icmpv4Other{type, code, *rc::gen::arbitrary<std::uint32_t>()};
    }
  }
}

RC_GTEST_PROP(Icmpv4Prop, ParseEmitRoundTrip, (const Bytes& data)) {
  Icmpv4Repr r{gen_message(), data};
  Bytes out(r.buffer_len());
  r.emit(out);
  auto p = Icmpv4Packet::checked(out);
  RC_ASSERT(p.ok());
  RC_ASSERT(p->verify_checksum());
  RC_ASSERT(checksum(out) == 0);
  auto back = Icmpv4Repr::parse(*p);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == r);
  RC_ASSERT(back->type() == out[0] && back->code() == out[1]);
  Bytes again(back->buffer_len());
  back->emit(again);
  RC_ASSERT(again == out);
}

// Errors quoting an emitted datagram give that datagram back.
RC_GTEST_PROP(Icmpv4Prop, QuotedDatagramRoundTrip, (std::uint32_t src, std::uint32_t dst, std::uint8_t proto)) {
  Ipv4Repr ip;
  ip.src = {src};
  ip.dst = {dst};
  ip.protocol = proto;
  ip.payload_len = 64;
  Bytes payload(ip.payload_len, 0x11);
  Bytes inner(ip.buffer_len());
  ip.emit(inner, payload);
  auto keep = *rc::gen::inRange<std::size_t>(20, inner.size() + 1);
  Icmpv4Repr r{Icmpv4TimeExceeded{}, ConstBytes(inner).first(keep)};
  Bytes out(r.buffer_len());
  r.emit(out);
  auto back = Icmpv4Repr::parse(*Icmpv4Packet::checked(out));
  RC_ASSERT(back.ok());
  auto q = back->quoted_ipv4();
  RC_ASSERT(q.ok());
  RC_ASSERT(q->is_truncated() == (keep < inner.size()));
  auto qr = Ipv4Repr::parse(*q);
  RC_ASSERT(qr.ok());
  RC_ASSERT(*qr == ip);
}

RC_GTEST_PROP(Icmpv4Prop, ArbitraryBytesNeverCrash, (const Bytes& b)) {
  auto p = Icmpv4Packet::checked(b);
  if (!p.ok()) {
    RC_ASSERT(b.size() < 8u);
    return;
  }
  (void)p->verify_checksum();
  auto r = Icmpv4Repr::parse(*p, /*verify_checksum=*/false);
  RC_ASSERT(r.ok());
  RC_ASSERT(r->type() == b[0] && r->code() == b[1]);
  auto q = r->quoted_ipv4();
  if (q.ok()) (void)Ipv4Repr::parse(*q, false);
  // Fixing up the checksum makes every message verify.
  Bytes fixed = b;
  store_be16(fixed, 2, 0);
  store_be16(fixed, 2, checksum(fixed));
  RC_ASSERT(Icmpv4Repr::parse(*Icmpv4Packet::checked(fixed)).ok());
}

}  // namespace
}  // namespace synack::wire

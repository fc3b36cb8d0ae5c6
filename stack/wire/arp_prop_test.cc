#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "stack/wire/arp.h"

namespace synack::wire {
namespace {

using Mac6 = std::array<std::uint8_t, 6>;
using Tail20 = std::array<std::uint8_t, 20>;

RC_GTEST_PROP(ArpProp, ParseEmitRoundTrip,
              (bool reply, Mac6 sha, std::uint32_t spa,
               Mac6 tha, std::uint32_t tpa)) {
  ArpRepr r{reply ? ArpOperation::Reply : ArpOperation::Request, MacAddress{sha}, Ipv4Address{spa},
            MacAddress{tha}, Ipv4Address{tpa}};
  Bytes out(r.buffer_len());
  r.emit(out);
  auto p = ArpPacket::checked(out);
  RC_ASSERT(p.ok());
  auto back = ArpRepr::parse(*p);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == r);
  Bytes again(back->buffer_len());
  back->emit(again);
  RC_ASSERT(again == out);
}

RC_GTEST_PROP(ArpProp, ArbitraryBytesNeverCrash, (const Bytes& b)) {
  auto p = ArpPacket::checked(b);
  if (!p.ok()) return;
  RC_ASSERT(b.size() >= 28u);
  auto r = ArpRepr::parse(*p);
  if (!r.ok()) {
    RC_ASSERT(r.error() == ParseError::Unsupported);
    return;
  }
  Bytes out(28);
  r->emit(out);
  RC_ASSERT(std::ranges::equal(out, ConstBytes(b).first(28)));
}

// Biased towards valid headers so the parse path is exercised, not just the type check.
RC_GTEST_PROP(ArpProp, MutatedValidPacketsNeverCrash, (Tail20 tail, std::uint8_t op)) {
  Bytes b = {0x00, 0x01, 0x08, 0x00, 6, 4, 0, op};
  b.insert(b.end(), tail.begin(), tail.end());
  auto p = ArpPacket::checked(b);
  RC_ASSERT(p.ok());
  auto r = ArpRepr::parse(*p);
  RC_ASSERT(r.ok() == (op == 1 || op == 2));
}

}  // namespace
}  // namespace synack::wire

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "stack/wire/ethernet.h"

namespace synack::wire {
namespace {

rc::Gen<MacAddress> gen_mac() {
  return rc::gen::map(rc::gen::arbitrary<std::array<std::uint8_t, 6>>(),
                      [](std::array<std::uint8_t, 6> a) { return MacAddress{a}; });
}

rc::Gen<VlanTag> gen_tag() {
  return rc::gen::build<VlanTag>(rc::gen::set(&VlanTag::pcp, rc::gen::inRange<std::uint8_t>(0, 8)),
                                 rc::gen::set(&VlanTag::dei),
                                 rc::gen::set(&VlanTag::vid, rc::gen::inRange<std::uint16_t>(0, 4096)),
                                 rc::gen::set(&VlanTag::tpid, rc::gen::element(kEtherTypeVlan, kEtherTypeQinQ)));
}

EthernetRepr gen_repr() {
  EthernetRepr r;
  r.dst = *gen_mac();
  r.src = *gen_mac();
  int tags = *rc::gen::inRange(0, 3);
  if (tags >= 1) r.vlan = *gen_tag();
  if (tags == 2) r.outer_vlan = *gen_tag();
  // A TPID as ethertype reads back as another tag unless both slots are used.
  r.ethertype = tags == 2 ? *rc::gen::arbitrary<std::uint16_t>()
                          : *rc::gen::suchThat(rc::gen::arbitrary<std::uint16_t>(),
                                               [](std::uint16_t t) { return !is_vlan_tpid(t); });
  return r;
}

RC_GTEST_PROP(EthernetProp, ParseEmitRoundTrip, ()) {
  EthernetRepr r = gen_repr();
  auto payload = *rc::gen::container<Bytes>(rc::gen::arbitrary<std::uint8_t>());
  Bytes out(r.header_len() + payload.size());
  r.emit(out, payload);
  auto f = EthernetFrame::checked(out);
  RC_ASSERT(f.ok());
  auto back = EthernetRepr::parse(*f);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == r);
  RC_ASSERT(std::ranges::equal(f->payload(), payload));
  // emit(parse(bytes)) == bytes
  Bytes again(back->header_len() + f->payload().size());
  back->emit(again, f->payload());
  RC_ASSERT(again == out);
}

RC_GTEST_PROP(EthernetProp, ArbitraryBytesNeverCrash, (const Bytes& b)) {
  auto f = EthernetFrame::checked(b);
  if (!f.ok()) {
    RC_ASSERT(f.error() == ParseError::Truncated);
    return;
  }
  RC_ASSERT(f->header_len() <= b.size());
  auto r = EthernetRepr::parse(*f);
  RC_ASSERT(r.ok());
  Bytes out(r->header_len() + f->payload().size());
  r->emit(out, f->payload());
  RC_ASSERT(out == b);
}

}  // namespace
}  // namespace synack::wire

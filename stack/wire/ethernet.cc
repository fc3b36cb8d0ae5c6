#include "stack/wire/ethernet.h"

#include <algorithm>

#include "stack/base/assert.h"

namespace synack::wire {
namespace {

using namespace ethernet_field;

}  // namespace

ParseResult<EthernetFrame> EthernetFrame::checked(ConstBytes b) noexcept {
  if (b.size() < kHeaderLen) return Err{ParseError::Truncated};
  std::size_t tags = 0;
  // Each recognised TPID announces 4 more header bytes (802.1Q §9.5).
  while (tags < kMaxTags && is_vlan_tpid(load_be16(b, kEtherType + tags * kTagLen))) {
    ++tags;
    if (b.size() < kHeaderLen + tags * kTagLen) return Err{ParseError::Truncated};
  }
  return EthernetFrame(b, tags);
}

MacAddress EthernetFrame::dst() const noexcept { return load_mac(b_, kDst); }
MacAddress EthernetFrame::src() const noexcept { return load_mac(b_, kSrc); }

VlanTag EthernetFrame::tag(std::size_t i) const noexcept {
  SYNACK_ASSERT(i < tags_);
  std::size_t off = kEtherType + i * kTagLen;
  return VlanTag::from_tci(load_be16(b_, off + 2), load_be16(b_, off));
}

std::uint16_t EthernetFrame::ethertype() const noexcept {
  return load_be16(b_, kEtherType + tags_ * kTagLen);
}

ParseResult<EthernetRepr> EthernetRepr::parse(const EthernetFrame& f) noexcept {
  EthernetRepr r;
  r.dst = f.dst();
  r.src = f.src();
  r.ethertype = f.ethertype();
  if (f.tag_count() == 1) {
    r.vlan = f.tag(0);
  } else if (f.tag_count() == 2) {
    r.outer_vlan = f.tag(0);
    r.vlan = f.tag(1);
  }
  return r;
}

std::size_t EthernetRepr::header_len() const noexcept {
  return kHeaderLen + (vlan ? kTagLen : 0) + (outer_vlan ? kTagLen : 0);
}

void EthernetRepr::emit(MutBytes out, ConstBytes payload) const noexcept {
  SYNACK_ASSERT(out.size() == header_len() + payload.size());
  SYNACK_ASSERT(!outer_vlan || vlan);
  store_mac(out, kDst, dst);
  store_mac(out, kSrc, src);
  std::size_t off = kEtherType;
  for (const auto* t : {&outer_vlan, &vlan}) {
    if (!*t) continue;
    SYNACK_ASSERT(is_vlan_tpid((*t)->tpid));
    store_be16(out, off, (*t)->tpid);
    store_be16(out, off + 2, (*t)->tci());
    off += kTagLen;
  }
  store_be16(out, off, ethertype);
  std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(off + 2));
}

}  // namespace synack::wire

#include "stack/wire/ethernet.h"

#include <algorithm>
#include <cstring>

#include "stack/base/assert.h"

namespace synack::wire {
namespace {

using namespace ethernet_field;

}  // namespace

VlanTag EthernetFrame::tag(std::size_t i) const noexcept {
  SYNACK_ASSERT(i < tags_);
  std::size_t off = kEtherType + i * kTagLen;
  return VlanTag::from_tci(load_be16(b_, off + 2), load_be16(b_, off));
}

void EthernetRepr::emit(MutBytes out, ConstBytes payload) const noexcept {
  SYNACK_ASSERT(out.size() == header_len() + payload.size());
  SYNACK_ASSERT(!outer_vlan || vlan);
  // The addresses as two block copies (the size check is the assert above:
  // every frame goes through here once).
  std::memcpy(out.data() + kDst, dst.octets.data(), dst.octets.size());
  std::memcpy(out.data() + kSrc, src.octets.data(), src.octets.size());
  std::size_t off = kEtherType;
  if (!vlan) {  // untagged, the common case: no tag walk
    store_be16(out, off, ethertype);
    std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(off + 2));
    return;
  }
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

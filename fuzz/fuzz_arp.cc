// ARP (RFC 826): no crash, and for every packet that parses, emit(parse(p))
// re-parses to the same Repr and reproduces the 28 bytes it came from.
#include <algorithm>
#include <array>
#include <cstdint>

#include "fuzz/common/check.h"
#include "stack/wire/arp.h"

using namespace synack;
using namespace synack::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ConstBytes in(data, size);
  auto p = ArpPacket::checked(in);
  if (!p) return 0;
  (void)p->hardware_type();
  (void)p->operation();
  auto r = ArpRepr::parse(*p);
  if (!r) return 0;
  std::array<std::uint8_t, arp_field::kHeaderLen> out{};
  r->emit(out);
  ConstBytes orig = p->bytes();
  FUZZ_CHECK(std::equal(out.begin(), out.end(), orig.begin(), orig.end()), "emit(parse(arp)) != arp bytes");
  auto p2 = ArpPacket::checked(out);
  FUZZ_CHECK(p2.ok(), "emitted ARP does not check");
  auto r2 = ArpRepr::parse(*p2);
  FUZZ_CHECK(r2.ok() && *r2 == *r, "re-parsed ArpRepr differs");
  return 0;
}

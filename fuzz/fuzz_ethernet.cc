// Ethernet II + VLAN tags: no crash on any input, and for every frame that
// parses, emit(parse(frame)) re-parses to the same Repr and gives the same
// header bytes back (ethernet.h promises an exact round trip).
#include <algorithm>
#include <cstdint>

#include "fuzz/common/check.h"
#include "stack/wire/ethernet.h"

using namespace synack;
using namespace synack::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ConstBytes in(data, size);
  auto f = EthernetFrame::checked(in);
  if (!f) return 0;
  FUZZ_CHECK(f->header_len() <= in.size(), "header_len %zu past %zu bytes", f->header_len(), in.size());
  for (std::size_t i = 0; i < f->tag_count(); ++i) (void)f->tag(i);
  auto r = EthernetRepr::parse(*f);
  FUZZ_CHECK(r.ok(), "EthernetRepr::parse failed on a checked frame");
  FUZZ_CHECK(r->header_len() == f->header_len(), "repr header %zu != view header %zu", r->header_len(),
             f->header_len());
  Bytes out(r->header_len() + f->payload().size());
  r->emit(out, f->payload());
  FUZZ_CHECK(std::equal(out.begin(), out.end(), in.begin(), in.end()), "emit(parse(frame)) != frame");
  auto f2 = EthernetFrame::checked(out);
  FUZZ_CHECK(f2.ok(), "emitted frame does not check");
  auto r2 = EthernetRepr::parse(*f2);
  FUZZ_CHECK(r2.ok() && *r2 == *r, "re-parsed Repr differs");
  (void)f->src().to_string();
  return 0;
}

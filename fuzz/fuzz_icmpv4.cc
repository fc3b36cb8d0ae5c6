// ICMPv4 (RFC 792): no crash; for every message that parses (checksum not
// verified), emit(parse(m)) re-parses with a valid checksum to the same Repr;
// echo and untyped messages (which keep every header bit) with a valid
// checksum round-trip byte for byte (up to the checksum's two encodings of
// zero, 0x0000 and 0xffff, which both verify). Quoted datagrams are parsed as well.
#include <algorithm>
#include <cstdint>
#include <variant>

#include "fuzz/common/check.h"
#include "stack/wire/icmpv4.h"

using namespace synack;
using namespace synack::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ConstBytes in(data, size);
  auto p = Icmpv4Packet::checked(in);
  if (!p) return 0;
  bool verified = p->verify_checksum();
  auto r = Icmpv4Repr::parse(*p, false);
  if (!r) return 0;
  FUZZ_CHECK(r->type() == p->type(), "type %u != %u", r->type(), p->type());
  FUZZ_CHECK(r->code() == p->code(), "code %u != %u", r->code(), p->code());
  if (auto q = r->quoted_ipv4()) {
    FUZZ_CHECK(r->is_error(), "quoted datagram from a non-error message");
    (void)Ipv4Repr::parse(*q, false);
  }
  Bytes out(r->buffer_len());
  r->emit(out);
  auto p2 = Icmpv4Packet::checked(out);
  FUZZ_CHECK(p2.ok(), "emitted message does not check");
  auto r2 = Icmpv4Repr::parse(*p2, true);
  FUZZ_CHECK(r2.ok(), "emitted message fails checksum verification");
  FUZZ_CHECK(*r2 == *r, "re-parsed Icmpv4Repr differs (type %u code %u)", r->type(), r->code());
  bool keeps_all = std::holds_alternative<Icmpv4Other>(r->message) ||
                   std::holds_alternative<Icmpv4EchoRequest>(r->message) ||
                   std::holds_alternative<Icmpv4EchoReply>(r->message);
  if (verified && keeps_all) {
    // 0x0000 and 0xffff are the same one's-complement checksum (both verify):
    // compare everything else.
    out[icmpv4_field::kChecksum] = in[icmpv4_field::kChecksum];
    out[icmpv4_field::kChecksum + 1] = in[icmpv4_field::kChecksum + 1];
    FUZZ_CHECK(std::equal(out.begin(), out.end(), in.begin(), in.end()), "emit(parse(m)) != m");
  }
  return 0;
}

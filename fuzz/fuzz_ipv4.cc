// IPv4 (RFC 791) with options: no crash; for every datagram that parses
// (checksum not verified), emit(parse(d)) re-parses with a valid checksum to
// the same Repr; when the input's checksum verified and the reserved flag was
// clear, the emitted bytes equal the input's datagram bytes (the checksum
// field up to its two encodings of zero, which both verify). The
// quoted-datagram view (ICMP errors) and option iteration are exercised too.
#include <algorithm>
#include <cstdint>
#include <variant>

#include "fuzz/common/check.h"
#include "stack/wire/ipv4.h"

using namespace synack;
using namespace synack::wire;

namespace {
void walk_options(const Ipv4Options& o) {
  std::size_t n = 0;
  for (auto it = o.begin(); it != o.end() && n < 64; ++it, ++n) {
    Ipv4Option opt = *it;
    if (auto* r = std::get_if<Ipv4OptRoute>(&opt)) {
      for (std::size_t i = 0; i < r->slot_count(); ++i) (void)r->slot(i);
      (void)r->full();
    }
  }
  FUZZ_CHECK(n < 64, "option iteration does not terminate");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ConstBytes in(data, size);
  if (auto q = Ipv4Packet::checked_quoted(in)) {
    FUZZ_CHECK(q->bytes().size() <= in.size(), "quoted view past the buffer");
    if (auto qr = Ipv4Repr::parse(*q, false)) walk_options(qr->options);
  }
  auto p = Ipv4Packet::checked(in);
  if (!p) return 0;
  FUZZ_CHECK(!p->is_truncated(), "checked() view claims truncation");
  bool verified = p->verify_checksum();
  auto r = Ipv4Repr::parse(*p, false);
  if (!r) return 0;
  walk_options(r->options);
  FUZZ_CHECK(r->header_len() == p->header_len(), "repr header %zu != view %zu", r->header_len(), p->header_len());
  FUZZ_CHECK(r->payload_len == p->payload().size(), "payload_len %u != %zu", r->payload_len, p->payload().size());
  Bytes out(r->buffer_len());
  r->emit(out, p->payload());
  auto p2 = Ipv4Packet::checked(out);
  FUZZ_CHECK(p2.ok(), "emitted datagram does not check");
  auto r2 = Ipv4Repr::parse(*p2, true);
  FUZZ_CHECK(r2.ok(), "emitted datagram does not parse with checksum verification");
  FUZZ_CHECK(*r2 == *r, "re-parsed Ipv4Repr differs");
  if (verified && !p->reserved_flag()) {
    ConstBytes orig = p->bytes();
    out[ipv4_field::kChecksum] = orig[ipv4_field::kChecksum];  // 0x0000 and 0xffff both verify
    out[ipv4_field::kChecksum + 1] = orig[ipv4_field::kChecksum + 1];
    FUZZ_CHECK(std::equal(out.begin(), out.end(), orig.begin(), orig.end()), "emit(parse(d)) != d");
  }
  return 0;
}

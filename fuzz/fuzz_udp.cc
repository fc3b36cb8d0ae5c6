// UDP (RFC 768): input = 4-byte source address, 4-byte destination address
// (for the pseudo header), then the datagram. No crash; for every datagram
// that parses, emit(parse(d)) verifies and re-parses to the same Repr; with a
// non-zero checksum that verified, the bytes round-trip exactly.
#include <algorithm>
#include <cstdint>

#include "fuzz/common/check.h"
#include "stack/wire/udp.h"

using namespace synack;
using namespace synack::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  ConstBytes all(data, size);
  Ipv4Address src{load_be32(all, 0)}, dst{load_be32(all, 4)};
  ConstBytes in = all.subspan(8);
  auto p = UdpPacket::checked(in);
  if (!p) return 0;
  FUZZ_CHECK(p->bytes().size() == p->length(), "view %zu bytes, length field %u", p->bytes().size(), p->length());
  bool verified = p->verify_checksum(src, dst);
  auto r = UdpRepr::parse(*p, src, dst, false);
  FUZZ_CHECK(r.ok(), "UdpRepr::parse without verification failed");
  FUZZ_CHECK(verified == UdpRepr::parse(*p, src, dst, true).ok(), "verify_checksum and parse disagree");
  Bytes out(r->buffer_len(p->payload().size()));
  r->emit(out, p->payload(), src, dst);
  auto p2 = UdpPacket::checked(out);
  FUZZ_CHECK(p2.ok(), "emitted datagram does not check");
  auto r2 = UdpRepr::parse(*p2, src, dst, true);
  FUZZ_CHECK(r2.ok(), "emitted datagram fails checksum verification");
  FUZZ_CHECK(*r2 == *r, "re-parsed UdpRepr differs");
  FUZZ_CHECK(p2->checksum() != 0, "emit wrote a zero checksum");
  if (verified && p->checksum() != 0) {
    ConstBytes orig = p->bytes();
    FUZZ_CHECK(std::equal(out.begin(), out.end(), orig.begin(), orig.end()), "emit(parse(d)) != d");
  }
  return 0;
}

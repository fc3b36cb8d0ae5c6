// UDP properties: parse(emit(repr)) == repr with a verifying checksum;
// emit(parse(bytes)) == bytes; arbitrary bytes never crash.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <vector>

#include "stack/wire/udp.h"

namespace synack::wire {
namespace {

RC_GTEST_PROP(UdpProp, ParseEmitRoundTrip,
              (std::uint16_t sp, std::uint16_t dp, std::uint32_t src, std::uint32_t dst,
               const std::vector<std::uint8_t>& payload)) {
  const UdpRepr r{.src_port = sp, .dst_port = dp};
  std::vector<std::uint8_t> out(r.buffer_len(payload.size()));
  r.emit(out, payload, {src}, {dst});
  RC_ASSERT(load_be16(out, 6) != 0);  // emit always sends a checksum
  auto p = UdpPacket::checked(out);
  RC_ASSERT(p.ok());
  RC_ASSERT(p->verify_checksum({src}, {dst}));
  RC_ASSERT(std::vector<std::uint8_t>(p->payload().begin(), p->payload().end()) == payload);
  auto back = UdpRepr::parse(*p, {src}, {dst});
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == r);
}

RC_GTEST_PROP(UdpProp, EmitParseReproducesValidBytes,
              (std::uint32_t src, std::uint32_t dst, std::vector<std::uint8_t> bytes)) {
  RC_PRE(bytes.size() >= 8);
  store_be16(bytes, 4, static_cast<std::uint16_t>(bytes.size()));
  store_be16(bytes, 6, 0);
  // Fix up the checksum so the datagram is valid (a zero sum goes as 0xffff).
  const auto fixed = [&] {
    std::vector<std::uint8_t> tmp = bytes;
    UdpRepr{load_be16(bytes, 0), load_be16(bytes, 2)}.emit(tmp, ConstBytes(bytes).subspan(8), {src}, {dst});
    return tmp;
  }();
  auto p = UdpPacket::checked(fixed);
  RC_ASSERT(p.ok());
  auto r = UdpRepr::parse(*p, {src}, {dst});
  RC_ASSERT(r.ok());
  std::vector<std::uint8_t> out(r->buffer_len(p->payload().size()));
  r->emit(out, p->payload(), {src}, {dst});
  RC_ASSERT(out == fixed);
}

RC_GTEST_PROP(UdpProp, ArbitraryBytesNeverCrash, (const std::vector<std::uint8_t>& bytes, bool verify)) {
  auto p = UdpPacket::checked(bytes);
  if (!p) return;
  RC_ASSERT(p->bytes().size() == p->length());
  RC_ASSERT(p->payload().size() + 8 == p->length());
  (void)UdpRepr::parse(*p, {1}, {2}, verify);
}

}  // namespace
}  // namespace synack::wire

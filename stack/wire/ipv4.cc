#include "stack/wire/ipv4.h"

#include <algorithm>
#include <cstring>

#include "stack/base/assert.h"
#include "stack/wire/checksum.h"

namespace synack::wire {
namespace {
using namespace ipv4_field;
}  // namespace

bool Ipv4Packet::verify_checksum_slow() const noexcept { return wire::checksum(header()) == 0; }

void Ipv4Repr::emit(MutBytes out, ConstBytes payload) const noexcept {
  if (options.empty()) {
    emit_min(out, payload);
    return;
  }
  std::size_t hl = header_len();
  SYNACK_ASSERT(out.size() == hl + payload.size());
  SYNACK_ASSERT(payload.empty() || payload.size() == payload_len);
  SYNACK_ASSERT(hl + payload_len <= kIpv4MaxTotalLen);
  SYNACK_ASSERT(frag_offset % 8 == 0);
  out[kVersionIhl] = static_cast<std::uint8_t>(0x40 | (hl / 4));
  out[kTos] = tos;
  store_be16(out, kTotalLen, static_cast<std::uint16_t>(hl + payload_len));
  store_be16(out, kIdent, ident);
  std::uint16_t ff = static_cast<std::uint16_t>(frag_offset / 8);
  if (dont_frag) ff |= kFlagDf;
  if (more_frags) ff |= kFlagMf;
  store_be16(out, kFlagsFrag, ff);
  out[kTtl] = ttl;
  out[kProtocol] = protocol;
  store_be16(out, kChecksum, 0);
  store_be32(out, kSrc, src.value);
  store_be32(out, kDst, dst.value);
  ConstBytes opts = options.bytes();
  auto it = std::copy(opts.begin(), opts.end(), out.begin() + kOptions);
  std::fill(it, out.begin() + static_cast<std::ptrdiff_t>(hl), std::uint8_t{0});
  if (hl == kMinHeaderLen) {
    // Summed and stored in native order: the complement of the native sum,
    // written as native bytes, is the network-order checksum field.
    const auto sum = static_cast<std::uint16_t>(~ipv4_min_header_native_sum(out.data()));
    std::memcpy(out.data() + kChecksum, &sum, sizeof sum);
  } else {
    store_be16(out, kChecksum, checksum(out.first(hl)));
  }
  std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(hl));
}

// The common header without options: the checksum is summed from the field
// values as they are written (RFC 1071: the sum of the nine non-checksum
// 16-bit words), not read back from the buffer.
void Ipv4Repr::emit_min(MutBytes out, ConstBytes payload) const noexcept {
  SYNACK_ASSERT(out.size() == kMinHeaderLen + payload.size());
  SYNACK_ASSERT(payload.empty() || payload.size() == payload_len);
  SYNACK_ASSERT(kMinHeaderLen + payload_len <= kIpv4MaxTotalLen);
  SYNACK_ASSERT(frag_offset % 8 == 0);
  const std::uint16_t w0 = static_cast<std::uint16_t>(0x4500 | tos);
  const auto total = static_cast<std::uint16_t>(kMinHeaderLen + payload_len);
  auto ff = static_cast<std::uint16_t>(frag_offset / 8);
  if (dont_frag) ff |= kFlagDf;
  if (more_frags) ff |= kFlagMf;
  const auto w4 = static_cast<std::uint16_t>((ttl << 8) | protocol);
  std::uint32_t sum = std::uint32_t{w0} + total + ident + ff + w4 + (src.value >> 16) + (src.value & 0xffff) +
                      (dst.value >> 16) + (dst.value & 0xffff);
  std::uint8_t* p = out.data();
  store_be16(out, 0, w0);
  store_be16(out, kTotalLen, total);
  store_be16(out, kIdent, ident);
  store_be16(out, kFlagsFrag, ff);
  store_be16(out, kTtl, w4);
  store_be16(out, kChecksum, static_cast<std::uint16_t>(~checksum_fold(sum)));
  store_be32(out, kSrc, src.value);
  store_be32(out, kDst, dst.value);
  if (!payload.empty()) std::memcpy(p + kMinHeaderLen, payload.data(), payload.size());
}

}  // namespace synack::wire

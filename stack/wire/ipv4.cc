#include "stack/wire/ipv4.h"

#include <algorithm>

#include "stack/base/assert.h"
#include "stack/wire/checksum.h"

namespace synack::wire {
namespace {
using namespace ipv4_field;
}  // namespace

ParseResult<Ipv4Packet> Ipv4Packet::check(ConstBytes b, bool allow_cut) noexcept {
  if (b.size() < kMinHeaderLen) return Err{ParseError::Truncated};
  if ((b[kVersionIhl] >> 4) != 4) return Err{ParseError::BadVersion};
  std::size_t hl = std::size_t{static_cast<std::uint8_t>(b[kVersionIhl] & 0x0f)} * 4;
  if (hl < kMinHeaderLen) return Err{ParseError::BadVersion};
  if (b.size() < hl) return Err{ParseError::Truncated};
  std::size_t total = load_be16(b, kTotalLen);
  if (total < hl) return Err{ParseError::BadLength};
  if (total > b.size()) {
    if (!allow_cut) return Err{ParseError::Truncated};
    total = b.size();
  }
  return Ipv4Packet(b, total - hl);
}

ParseResult<Ipv4Packet> Ipv4Packet::checked(ConstBytes b) noexcept { return check(b, false); }
ParseResult<Ipv4Packet> Ipv4Packet::checked_quoted(ConstBytes b) noexcept { return check(b, true); }

// RFC 791: "the 16 bit one's complement of the one's complement sum of all
// 16 bit words in the header"; summing a correct header gives 0xffff.
bool Ipv4Packet::verify_checksum() const noexcept { return wire::checksum(header()) == 0; }

ParseResult<Ipv4Repr> Ipv4Repr::parse(const Ipv4Packet& p, bool verify_checksum) noexcept {
  if (verify_checksum && !p.verify_checksum()) return Err{ParseError::BadChecksum};
  auto options = Ipv4Options::parse(p.options());
  if (!options) return Err{options.error()};
  Ipv4Repr r;
  r.src = p.src();
  r.dst = p.dst();
  r.protocol = p.protocol();
  r.ttl = p.ttl();
  r.tos = p.tos();
  r.ident = p.ident();
  r.dont_frag = p.dont_frag();
  r.more_frags = p.more_frags();
  r.frag_offset = static_cast<std::uint16_t>(p.frag_offset());
  r.payload_len = static_cast<std::uint16_t>(p.total_length() - p.header_len());
  r.options = *options;
  return r;
}

void Ipv4Repr::emit(MutBytes out, ConstBytes payload) const noexcept {
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
  store_be16(out, kChecksum, checksum(out.first(hl)));
  std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(hl));
}

}  // namespace synack::wire

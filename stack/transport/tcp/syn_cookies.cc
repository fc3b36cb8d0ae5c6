// SYN cookies after Linux's __cookie_v4_init_sequence / __cookie_v4_check,
// with SipHash-2-4 as the keyed hash. See syn_cookies.h for the layout.
#include "stack/transport/tcp/syn_cookies.h"

#include <algorithm>

namespace synack::tcp {
namespace {

constexpr unsigned kCookieBits = 24;  // low bits: H2 + MSS index
constexpr std::uint32_t kCookieMask = (1u << kCookieBits) - 1;
constexpr std::uint32_t kTsMask = (1u << SynCookies::kTsOptionBits) - 1;
constexpr std::uint32_t kTsWscaleMask = 0xf;
constexpr std::uint32_t kTsSack = 1u << 4;
constexpr std::uint32_t kTsEcn = 1u << 5;  // Linux's ECN bit; we never set it

}  // namespace

SynCookies::SynCookies(Rng& rng) noexcept {
  k1_ = {rng.next_u64(), rng.next_u64()};
  k2_ = {rng.next_u64(), rng.next_u64()};
}

std::uint32_t SynCookies::counter(Instant now) noexcept {
  return static_cast<std::uint32_t>(now.nanos() / Duration::from_secs(kCounterPeriodSecs).nanos());
}

std::uint16_t SynCookies::mss_class(std::uint16_t mss) noexcept {
  std::uint16_t best = kMssTable[0];
  for (std::uint16_t v : kMssTable) {
    if (v <= mss) best = v;
  }
  return best;
}

std::uint32_t SynCookies::hash(const SipKey& key, wire::Ipv4Address local,
                               std::uint16_t local_port, wire::Ipv4Address remote,
                               std::uint16_t remote_port, std::uint32_t count) const noexcept {
  std::array<std::uint8_t, 16> msg{};
  store_be32(msg, 0, local.value);
  store_be16(msg, 4, local_port);
  store_be32(msg, 6, remote.value);
  store_be16(msg, 10, remote_port);
  store_be32(msg, 12, count);
  return static_cast<std::uint32_t>(siphash24(key, msg));
}

wire::SeqNumber SynCookies::make(Instant now, wire::Ipv4Address local, std::uint16_t local_port,
                                 wire::Ipv4Address remote, std::uint16_t remote_port,
                                 wire::SeqNumber client_isn, std::uint16_t mss) const noexcept {
  std::uint32_t index = 0;
  for (std::uint32_t i = 0; i < kMssTable.size(); ++i) {
    if (kMssTable[i] <= mss) index = i;
  }
  const std::uint32_t count = counter(now);
  // H1 hides the counter and index from anyone without the secret; adding
  // the client ISN ties the cookie to this particular SYN.
  const std::uint32_t h1 = hash(k1_, local, local_port, remote, remote_port, 0);
  const std::uint32_t h2 = hash(k2_, local, local_port, remote, remote_port, count);
  const std::uint32_t low = (h2 + index) & kCookieMask;
  return client_isn + (h1 + (count << kCookieBits) + low);
}

std::optional<std::uint16_t> SynCookies::check(Instant now, wire::Ipv4Address local,
                                               std::uint16_t local_port, wire::Ipv4Address remote,
                                               std::uint16_t remote_port,
                                               wire::SeqNumber client_isn,
                                               wire::SeqNumber cookie) const noexcept {
  const std::uint32_t h1 = hash(k1_, local, local_port, remote, remote_port, 0);
  const std::uint32_t v = static_cast<std::uint32_t>(cookie - client_isn) - h1;
  // The counter only has 8 bits in the cookie: compare modulo 2^8, as Linux.
  const std::uint32_t now_count = counter(now);
  const std::uint32_t age = (now_count - (v >> kCookieBits)) & 0xff;
  if (age >= kMaxAge) return std::nullopt;
  const std::uint32_t count = now_count - age;
  const std::uint32_t h2 = hash(k2_, local, local_port, remote, remote_port, count);
  const std::uint32_t index = (v - h2) & kCookieMask;
  if (index >= kMssTable.size()) return std::nullopt;
  return kMssTable[index];
}

std::uint32_t SynCookies::encode_ts_options(std::uint32_t ts_now,
                                            const CookieTsOptions& o) noexcept {
  // RFC 7323 §2.3: a shift above 14 is used as 14.
  std::uint32_t options =
      o.window_scale ? std::min<std::uint32_t>(*o.window_scale, 14) : kTsWscaleMask;
  if (o.sack_permitted) options |= kTsSack;
  std::uint32_t ts = (ts_now & ~kTsMask) | options;
  // Never send a TSval ahead of our clock (the peer may check monotonicity
  // against later segments): step one 64-tick unit back instead.
  if (static_cast<std::int32_t>(ts - ts_now) > 0) ts -= kTsMask + 1;
  return ts;
}

std::optional<CookieTsOptions> SynCookies::decode_ts_options(std::uint32_t tsecr) noexcept {
  if ((tsecr & kTsEcn) != 0) return std::nullopt;  // not one of our TSvals
  CookieTsOptions o;
  const std::uint32_t ws = tsecr & kTsWscaleMask;
  if (ws != kTsWscaleMask) {
    if (ws > 14) return std::nullopt;  // RFC 7323 §2.3: shift count at most 14
    o.window_scale = static_cast<std::uint8_t>(ws);
  }
  o.sack_permitted = (tsecr & kTsSack) != 0;
  return o;
}

}  // namespace synack::tcp

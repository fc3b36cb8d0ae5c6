// RFC 4987 §3.6 SYN cookies, using the scheme of Linux's
// net/ipv4/syncookies.c. A listener under SYN-flood pressure answers a SYN
// without keeping state; the connection is rebuilt from the final ACK.
//
// cookie = H1(tuple) + client_isn + (count << 24)
//          + ((H2(tuple, count) + mss_index) mod 2^24)        (mod 2^32)
// where count = now / 64 s (a minute-ish counter), H1 and H2 are
// SipHash-2-4 under two independent 128-bit secrets, mss_index indexes the
// MSS table {536, 1300, 1440, 1460}. check() subtracts H1 and the client ISN,
// reads count from the top 8 bits, accepts counts at most 1 behind the
// current one (Linux MAX_SYNCOOKIE_AGE = 2 counter values, so a cookie lives
// 64-128 s), and verifies the low 24 bits against H2.
//
// Options a cookie cannot carry (SACK-permitted, window scale) are kept, as
// Linux does, in the low 6 bits of our TSval when timestamps are used
// (encode_ts_options/decode_ts_options); without timestamps they are lost.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "stack/base/instant.h"
#include "stack/base/rng.h"
#include "stack/base/siphash.h"
#include "stack/wire/address.h"
#include "stack/wire/seq_number.h"

namespace synack::tcp {

// Options of the SYN recorded in the TSval's low bits.
struct CookieTsOptions {
  std::optional<std::uint8_t> window_scale;  // 0..14, nullopt: none offered
  bool sack_permitted = false;
  bool operator==(const CookieTsOptions&) const = default;
};

class SynCookies {
 public:
  static constexpr std::array<std::uint16_t, 4> kMssTable = {536, 1300, 1440, 1460};
  static constexpr std::int64_t kCounterPeriodSecs = 64;
  static constexpr std::uint32_t kMaxAge = 2;  // counter values accepted: now, now-1
  static constexpr unsigned kTsOptionBits = 6;

  explicit SynCookies(Rng& rng) noexcept;  // draws two 128-bit secrets
  SynCookies(const SipKey& k1, const SipKey& k2) noexcept : k1_(k1), k2_(k2) {}

  // Our ISN for a SYN from remote:remote_port to local:local_port. The MSS is
  // rounded down to the table (values below 536 use 536).
  wire::SeqNumber make(Instant now, wire::Ipv4Address local, std::uint16_t local_port,
                       wire::Ipv4Address remote, std::uint16_t remote_port,
                       wire::SeqNumber client_isn, std::uint16_t mss) const noexcept;
  // For an ACK of a cookie SYN-ACK: client_isn = SEG.SEQ - 1, cookie =
  // SEG.ACK - 1. Returns the encoded MSS if the cookie is genuine and fresh.
  std::optional<std::uint16_t> check(Instant now, wire::Ipv4Address local,
                                     std::uint16_t local_port, wire::Ipv4Address remote,
                                     std::uint16_t remote_port, wire::SeqNumber client_isn,
                                     wire::SeqNumber cookie) const noexcept;

  // The MSS that make() encodes for `mss` (largest table value <= mss).
  static std::uint16_t mss_class(std::uint16_t mss) noexcept;
  static std::uint32_t counter(Instant now) noexcept;

  // Linux cookie_init_timestamp: TSval = ts_now with its low 6 bits replaced
  // by [ecn-unused:1][sack:1][wscale:4] (wscale 0xf = none), moved one
  // 64-tick step back if that would put it ahead of ts_now.
  static std::uint32_t encode_ts_options(std::uint32_t ts_now, const CookieTsOptions& o) noexcept;
  // From the echoed TSecr: wscale bits 0xf mean none offered; nullopt when the
  // ECN bit (which we never set) is present, i.e. not a TSval of ours.
  static std::optional<CookieTsOptions> decode_ts_options(std::uint32_t tsecr) noexcept;

 private:
  std::uint32_t hash(const SipKey& key, wire::Ipv4Address local, std::uint16_t local_port,
                     wire::Ipv4Address remote, std::uint16_t remote_port,
                     std::uint32_t count) const noexcept;

  SipKey k1_;
  SipKey k2_;
};

}  // namespace synack::tcp

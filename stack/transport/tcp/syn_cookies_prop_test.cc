#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "stack/transport/tcp/syn_cookies.h"

namespace synack::tcp {
namespace {

struct Tuple {
  wire::Ipv4Address local, remote;
  std::uint16_t local_port, remote_port;
};

rc::Gen<Tuple> gen_tuple() {
  return rc::gen::apply(
      [](std::uint32_t a, std::uint32_t b, std::uint16_t p, std::uint16_t q) {
        return Tuple{{a}, {b}, p, q};
      },
      rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<std::uint32_t>(),
      rc::gen::arbitrary<std::uint16_t>(), rc::gen::arbitrary<std::uint16_t>());
}

// check(make(x)) == mss_class(x) whenever the ACK comes back within one
// counter period (so the counter moved at most once).
RC_GTEST_PROP(SynCookiesProp, RoundTrip, (std::uint64_t seed, std::uint32_t isn, std::uint16_t mss)) {
  Rng rng(seed);
  SynCookies c(rng);
  const Tuple t = *gen_tuple();
  const Instant made = Instant::from_millis(*rc::gen::inRange<std::int64_t>(0, 1000000000));
  const Instant back = made + Duration::from_millis(*rc::gen::inRange<std::int64_t>(0, 64000));
  const auto cookie = c.make(made, t.local, t.local_port, t.remote, t.remote_port,
                             wire::SeqNumber(isn), mss);
  RC_ASSERT(c.check(back, t.local, t.local_port, t.remote, t.remote_port, wire::SeqNumber(isn),
                    cookie) == std::optional(SynCookies::mss_class(mss)));
}

// Two or more counter periods later (and before the 8-bit counter could
// wrap), the cookie is always refused.
RC_GTEST_PROP(SynCookiesProp, StaleRejected, (std::uint64_t seed, std::uint32_t isn, std::uint16_t mss)) {
  Rng rng(seed);
  SynCookies c(rng);
  const Tuple t = *gen_tuple();
  const Instant made = Instant::from_secs(*rc::gen::inRange<std::int64_t>(0, 100000000));
  const Instant back = made + Duration::from_secs(*rc::gen::inRange<std::int64_t>(128, 64 * 250));
  const auto cookie = c.make(made, t.local, t.local_port, t.remote, t.remote_port,
                             wire::SeqNumber(isn), mss);
  RC_ASSERT(!c.check(back, t.local, t.local_port, t.remote, t.remote_port, wire::SeqNumber(isn),
                     cookie).has_value());
}

RC_GTEST_PROP(SynCookiesProp, TsOptionsRoundTrip, (std::uint32_t now, bool sack, std::uint8_t ws, bool has_ws)) {
  const CookieTsOptions o{.window_scale = has_ws ? std::optional<std::uint8_t>(ws % 15) : std::nullopt,
                          .sack_permitted = sack};
  const std::uint32_t ts = SynCookies::encode_ts_options(now, o);
  RC_ASSERT(SynCookies::decode_ts_options(ts) == std::optional(o));
  RC_ASSERT(static_cast<std::int32_t>(ts - now) <= 0);  // never ahead of the clock
  RC_ASSERT(now - ts < 64u);
}

}  // namespace
}  // namespace synack::tcp

// SeqNumber properties: ordering is antisymmetric and consistent with the
// signed distance, invariant under translation (so wrap-around is invisible),
// and in_window agrees with the distance.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>

#include "stack/wire/seq_number.h"

namespace synack::wire {
namespace {

RC_GTEST_PROP(SeqNumberProp, LtIsGtReversed, (std::uint32_t x, std::uint32_t y)) {
  const SeqNumber a(x), b(y);
  RC_ASSERT(a.lt(b) == b.gt(a));
  RC_ASSERT(a.le(b) == b.ge(a));
  RC_ASSERT(a.le(b) == (a.lt(b) || a == b));
}

RC_GTEST_PROP(SeqNumberProp, ExactlyOneOrderUnlessHalfSpaceApart, (std::uint32_t x, std::uint32_t y)) {
  const SeqNumber a(x), b(y);
  RC_PRE(y - x != 0x80000000u);
  RC_ASSERT(int{a.lt(b)} + int{b.lt(a)} + int{a == b} == 1);
}

RC_GTEST_PROP(SeqNumberProp, TranslationInvariant, (std::uint32_t x, std::uint32_t y, std::uint32_t k)) {
  const SeqNumber a(x), b(y);
  RC_ASSERT(a.lt(b) == (a + k).lt(b + k));
  RC_ASSERT((b - a) == ((b + k) - (a + k)));
}

RC_GTEST_PROP(SeqNumberProp, AddThenDistance, (std::uint32_t x, std::int32_t d)) {
  const SeqNumber a(x);
  const SeqNumber b = a + static_cast<std::uint32_t>(d);
  RC_ASSERT(b - a == d);
  RC_ASSERT(b - static_cast<std::uint32_t>(d) == a);
  if (d > 0) RC_ASSERT(a.lt(b));
  if (d < 0 && d != INT32_MIN) RC_ASSERT(b.lt(a));
}

RC_GTEST_PROP(SeqNumberProp, InWindowMatchesOffset, (std::uint32_t first, std::uint32_t off, std::uint32_t size)) {
  const SeqNumber f(first);
  const SeqNumber s = f + off;
  RC_ASSERT(s.in_window(f, size) == (off < size));
  // Inside a window smaller than half the space, in_window == (first <= s < first + size).
  if (size > 0 && size < 0x80000000u) RC_ASSERT(s.in_window(f, size) == (f.le(s) && s.lt(f + size)));
}

}  // namespace
}  // namespace synack::wire

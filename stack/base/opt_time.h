// An optional Instant or Duration in 8 bytes instead of std::optional's 16:
// "none" is the one value no clock or timer ever produces (INT64_MIN
// nanoseconds). TCP keeps a dozen such optional deadlines per connection
// (timers, RTT and keepalive state, socket options), so the packing is
// worth about a hundred bytes per endpoint.
//
// Drop-in for the std::optional subset the stack uses: construction and
// assignment from a value, std::nullopt or a std::optional; explicit bool;
// *, ->, value_or, reset, emplace; comparison with another OptTime, a
// std::optional or a value; implicit conversion to std::optional. Storing the
// sentinel value itself is not possible (it reads back as none).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>

#include "stack/base/instant.h"

namespace synack {

template <class T>
class OptTime {
 public:
  constexpr OptTime() noexcept = default;
  constexpr OptTime(std::nullopt_t) noexcept {}
  constexpr OptTime(T v) noexcept : v_(v) {}
  constexpr OptTime(const std::optional<T>& o) noexcept : v_(o ? *o : kNone) {}

  constexpr OptTime& operator=(std::nullopt_t) noexcept {
    v_ = kNone;
    return *this;
  }
  constexpr OptTime& operator=(T v) noexcept {
    v_ = v;
    return *this;
  }
  constexpr OptTime& operator=(const std::optional<T>& o) noexcept {
    v_ = o ? *o : kNone;
    return *this;
  }

  constexpr bool has_value() const noexcept { return v_ != kNone; }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  constexpr const T& operator*() const noexcept { return v_; }
  constexpr T& operator*() noexcept { return v_; }
  constexpr const T* operator->() const noexcept { return &v_; }
  constexpr T value_or(T dflt) const noexcept { return has_value() ? v_ : dflt; }
  constexpr void reset() noexcept { v_ = kNone; }
  constexpr T& emplace(T v) noexcept { return v_ = v; }
  constexpr operator std::optional<T>() const noexcept { return has_value() ? std::optional<T>(v_) : std::nullopt; }

  constexpr bool operator==(const OptTime& o) const noexcept { return v_ == o.v_; }
  constexpr bool operator==(const std::optional<T>& o) const noexcept { return *this == OptTime(o); }
  constexpr bool operator==(std::nullopt_t) const noexcept { return !has_value(); }
  constexpr bool operator==(const T& v) const noexcept { return has_value() && v_ == v; }

 private:
  static constexpr T kNone = T::from_nanos(INT64_MIN);
  T v_ = kNone;
};

using OptInstant = OptTime<Instant>;
using OptDuration = OptTime<Duration>;

}  // namespace synack

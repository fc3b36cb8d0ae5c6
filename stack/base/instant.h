// Virtual and real time as plain integers. The stack never reads a clock:
// every entry point takes an Instant, so the same inputs give the same outputs.
#pragma once

#include <compare>
#include <cstdint>

namespace synack {

// A span of time in nanoseconds. Signed so that differences can be negative.
class Duration {
 public:
  constexpr Duration() noexcept = default;
  static constexpr Duration from_nanos(std::int64_t v) noexcept { return Duration(v); }
  static constexpr Duration from_micros(std::int64_t v) noexcept { return Duration(v * 1000); }
  static constexpr Duration from_millis(std::int64_t v) noexcept { return Duration(v * 1000000); }
  static constexpr Duration from_secs(std::int64_t v) noexcept { return Duration(v * 1000000000); }
  static constexpr Duration zero() noexcept { return Duration(0); }
  static constexpr Duration max() noexcept { return Duration(INT64_MAX); }

  constexpr std::int64_t nanos() const noexcept { return ns_; }
  constexpr std::int64_t micros() const noexcept { return ns_ / 1000; }
  constexpr std::int64_t millis() const noexcept { return ns_ / 1000000; }
  constexpr std::int64_t secs() const noexcept { return ns_ / 1000000000; }

  constexpr Duration operator+(Duration o) const noexcept { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const noexcept { return Duration(ns_ - o.ns_); }
  constexpr Duration operator*(std::int64_t k) const noexcept { return Duration(ns_ * k); }
  constexpr Duration operator/(std::int64_t k) const noexcept { return Duration(ns_ / k); }
  constexpr Duration& operator+=(Duration o) noexcept { ns_ += o.ns_; return *this; }
  constexpr Duration& operator-=(Duration o) noexcept { ns_ -= o.ns_; return *this; }
  constexpr auto operator<=>(const Duration&) const noexcept = default;

 private:
  constexpr explicit Duration(std::int64_t v) noexcept : ns_(v) {}
  std::int64_t ns_ = 0;
};

// A point in time, nanoseconds since an arbitrary epoch chosen by the runtime
// (zero at the start of a simulation; the monotonic clock for real time).
class Instant {
 public:
  constexpr Instant() noexcept = default;
  static constexpr Instant from_nanos(std::int64_t v) noexcept { return Instant(v); }
  static constexpr Instant from_micros(std::int64_t v) noexcept { return Instant(v * 1000); }
  static constexpr Instant from_millis(std::int64_t v) noexcept { return Instant(v * 1000000); }
  static constexpr Instant from_secs(std::int64_t v) noexcept { return Instant(v * 1000000000); }
  static constexpr Instant zero() noexcept { return Instant(0); }
  static constexpr Instant max() noexcept { return Instant(INT64_MAX); }

  constexpr std::int64_t nanos() const noexcept { return ns_; }
  constexpr std::int64_t micros() const noexcept { return ns_ / 1000; }
  constexpr std::int64_t millis() const noexcept { return ns_ / 1000000; }

  constexpr Instant operator+(Duration d) const noexcept { return Instant(ns_ + d.nanos()); }
  constexpr Instant operator-(Duration d) const noexcept { return Instant(ns_ - d.nanos()); }
  constexpr Duration operator-(Instant o) const noexcept { return Duration::from_nanos(ns_ - o.ns_); }
  constexpr Instant& operator+=(Duration d) noexcept { ns_ += d.nanos(); return *this; }
  constexpr auto operator<=>(const Instant&) const noexcept = default;

 private:
  constexpr explicit Instant(std::int64_t v) noexcept : ns_(v) {}
  std::int64_t ns_ = 0;
};

}  // namespace synack

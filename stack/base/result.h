// Errors are values on the data path: Result<T, E> holds either a value or an
// error. No exceptions anywhere under stack/ (GCC 12 has no std::expected).
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "stack/base/assert.h"

namespace synack {

// Wraps an error so that Result<T, E> can be built from it unambiguously:
//   return Err{ParseError::Truncated};
template <class E>
struct Err {
  E error;
};
template <class E>
Err(E) -> Err<E>;

template <class T, class E>
class [[nodiscard]] Result {
 public:
  constexpr Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  constexpr Result(Err<E> e) : v_(std::in_place_index<1>, e.error) {}         // NOLINT
  template <class E2>
    requires std::is_convertible_v<E2, E> && (!std::is_same_v<E2, E>)
  constexpr Result(Err<E2> e) : v_(std::in_place_index<1>, E(e.error)) {}  // NOLINT

  constexpr bool ok() const noexcept { return v_.index() == 0; }
  constexpr explicit operator bool() const noexcept { return ok(); }

  constexpr T& value() & {
    SYNACK_ASSERT(ok());
    return std::get<0>(v_);
  }
  constexpr const T& value() const& {
    SYNACK_ASSERT(ok());
    return std::get<0>(v_);
  }
  constexpr T&& value() && {
    SYNACK_ASSERT(ok());
    return std::get<0>(std::move(v_));
  }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }
  constexpr T& operator*() & { return value(); }
  constexpr const T& operator*() const& { return value(); }

  constexpr E error() const {
    SYNACK_ASSERT(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, E> v_;
};

// Result of an operation that returns nothing on success.
template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  constexpr Result() = default;
  constexpr Result(Err<E> e) : err_(e.error), ok_(false) {}  // NOLINT
  static constexpr Result success() { return Result(); }

  constexpr bool ok() const noexcept { return ok_; }
  constexpr explicit operator bool() const noexcept { return ok_; }
  constexpr E error() const {
    SYNACK_ASSERT(!ok_);
    return err_;
  }

 private:
  E err_{};
  bool ok_ = true;
};

}  // namespace synack

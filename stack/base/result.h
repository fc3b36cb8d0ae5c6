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

namespace detail {

// How a Result<T, E> holds its value or error. In general a std::variant.
template <class T, class E>
struct VariantStorage {
  constexpr VariantStorage(std::in_place_index_t<0>, T&& value) : v(std::in_place_index<0>, std::move(value)) {}
  constexpr VariantStorage(std::in_place_index_t<1>, E e) : v(std::in_place_index<1>, std::move(e)) {}
  constexpr bool ok() const noexcept { return v.index() == 0; }
  constexpr T& value() { return std::get<0>(v); }
  constexpr const T& value() const { return std::get<0>(v); }
  constexpr E error() const { return std::get<1>(v); }
  std::variant<T, E> v;
};

// Small trivially copyable values and errors (the socket API's counts,
// descriptors and pointers with an errno-like enum) side by side, every
// member initialised. GCC returns a variant of them in registers but builds
// it through memory: the error's one-byte store read back as a whole word,
// a store-forwarding stall on every EAGAIN. A plain struct is assembled in
// registers.
template <class T, class E>
struct PairStorage {
  constexpr PairStorage(std::in_place_index_t<0>, T value) : val(value), is_ok(true) {}
  constexpr PairStorage(std::in_place_index_t<1>, E e) : err(e) {}
  constexpr bool ok() const noexcept { return is_ok; }
  constexpr T& value() { return val; }
  constexpr const T& value() const { return val; }
  constexpr E error() const { return err; }
  T val{};
  E err{};
  bool is_ok = false;
};

template <class T, class E>
inline constexpr bool kPairStorage = std::is_trivially_copyable_v<T> && std::is_trivially_copyable_v<E> &&
                                     std::is_default_constructible_v<T> && std::is_default_constructible_v<E> &&
                                     sizeof(T) <= 8 && sizeof(E) <= 4;

template <class T, class E>
using ResultStorage = std::conditional_t<kPairStorage<T, E>, PairStorage<T, E>, VariantStorage<T, E>>;

}  // namespace detail

template <class T, class E>
class [[nodiscard]] Result {
 public:
  constexpr Result(T value) : s_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  constexpr Result(Err<E> e) : s_(std::in_place_index<1>, e.error) {}         // NOLINT
  template <class E2>
    requires std::is_convertible_v<E2, E> && (!std::is_same_v<E2, E>)
  constexpr Result(Err<E2> e) : s_(std::in_place_index<1>, E(e.error)) {}  // NOLINT

  constexpr bool ok() const noexcept { return s_.ok(); }
  constexpr explicit operator bool() const noexcept { return ok(); }

  constexpr T& value() & {
    SYNACK_ASSERT(ok());
    return s_.value();
  }
  constexpr const T& value() const& {
    SYNACK_ASSERT(ok());
    return s_.value();
  }
  constexpr T&& value() && {
    SYNACK_ASSERT(ok());
    return std::move(s_.value());
  }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }
  constexpr T& operator*() & { return value(); }
  constexpr const T& operator*() const& { return value(); }

  constexpr E error() const {
    SYNACK_ASSERT(!ok());
    return s_.error();
  }

 private:
  detail::ResultStorage<T, E> s_;
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

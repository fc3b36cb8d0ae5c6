// Link and network addresses as small value types (host byte order inside).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace synack::wire {

struct MacAddress {
  std::array<std::uint8_t, 6> octets{};

  static constexpr MacAddress broadcast() noexcept { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
  constexpr bool is_broadcast() const noexcept { return *this == broadcast(); }
  constexpr bool is_multicast() const noexcept { return (octets[0] & 0x01) != 0; }
  constexpr bool is_unicast() const noexcept { return !is_multicast(); }
  constexpr bool is_zero() const noexcept { return *this == MacAddress{}; }
  std::string to_string() const;                                // "02:00:00:00:00:01"
  static std::optional<MacAddress> parse(std::string_view s);    // same format
  constexpr auto operator<=>(const MacAddress&) const noexcept = default;
};

struct Ipv4Address {
  std::uint32_t value = 0;  // host order: 10.0.0.1 is 0x0a000001

  static constexpr Ipv4Address from_octets(std::uint8_t a, std::uint8_t b, std::uint8_t c,
                                           std::uint8_t d) noexcept {
    return {(std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d};
  }
  static constexpr Ipv4Address any() noexcept { return {0}; }
  static constexpr Ipv4Address broadcast() noexcept { return {0xffffffff}; }
  constexpr bool is_unspecified() const noexcept { return value == 0; }
  constexpr bool is_broadcast() const noexcept { return value == 0xffffffff; }
  constexpr bool is_multicast() const noexcept { return (value >> 28) == 0xe; }
  constexpr bool is_loopback() const noexcept { return (value >> 24) == 127; }
  constexpr std::uint8_t octet(int i) const noexcept {
    return static_cast<std::uint8_t>(value >> (24 - 8 * i));
  }
  std::string to_string() const;                                // dotted quad
  static std::optional<Ipv4Address> parse(std::string_view s);  // dotted quad, strict
  constexpr auto operator<=>(const Ipv4Address&) const noexcept = default;
};

// An address with a prefix length, e.g. 10.0.0.1/24.
struct Ipv4Cidr {
  Ipv4Address address;
  std::uint8_t prefix_len = 0;

  constexpr std::uint32_t mask() const noexcept {
    return prefix_len == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix_len);
  }
  constexpr Ipv4Address network() const noexcept { return {address.value & mask()}; }
  constexpr Ipv4Address directed_broadcast() const noexcept { return {address.value | ~mask()}; }
  constexpr bool contains(Ipv4Address a) const noexcept {
    return (a.value & mask()) == (address.value & mask());
  }
  std::string to_string() const;
  static std::optional<Ipv4Cidr> parse(std::string_view s);  // "a.b.c.d/len"
  constexpr auto operator<=>(const Ipv4Cidr&) const noexcept = default;
};

}  // namespace synack::wire

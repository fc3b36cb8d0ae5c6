// Byte spans and big-endian loads and stores. Bytes are std::uint8_t rather
// than std::byte so that libpcap buffers and TAP reads need no casts.
// Callers check bounds first (a view's checked()); these helpers do not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace synack {

using ConstBytes = std::span<const std::uint8_t>;
using MutBytes = std::span<std::uint8_t>;
using Bytes = std::vector<std::uint8_t>;

inline std::uint16_t load_be16(ConstBytes b, std::size_t off) noexcept {
  return static_cast<std::uint16_t>((b[off] << 8) | b[off + 1]);
}
inline std::uint32_t load_be32(ConstBytes b, std::size_t off) noexcept {
  return (std::uint32_t{b[off]} << 24) | (std::uint32_t{b[off + 1]} << 16) |
         (std::uint32_t{b[off + 2]} << 8) | std::uint32_t{b[off + 3]};
}
inline void store_be16(MutBytes b, std::size_t off, std::uint16_t v) noexcept {
  b[off] = static_cast<std::uint8_t>(v >> 8);
  b[off + 1] = static_cast<std::uint8_t>(v);
}
inline void store_be32(MutBytes b, std::size_t off, std::uint32_t v) noexcept {
  b[off] = static_cast<std::uint8_t>(v >> 24);
  b[off + 1] = static_cast<std::uint8_t>(v >> 16);
  b[off + 2] = static_cast<std::uint8_t>(v >> 8);
  b[off + 3] = static_cast<std::uint8_t>(v);
}

}  // namespace synack

// Test helper: bytes from a hex string ("ffff 0800 ..."; spaces ignored).
// Only for tests: it trusts its input.
#pragma once

#include <string_view>

#include "stack/base/bytes.h"

namespace synack::wire {

inline Bytes from_hex(std::string_view s) {
  Bytes out;
  auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
    if (s[i] == ' ') {
      --i;
      continue;
    }
    out.push_back(static_cast<std::uint8_t>(nib(s[i]) * 16 + nib(s[i + 1])));
  }
  return out;
}

}  // namespace synack::wire

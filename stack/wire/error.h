// Wire-layer contract (smoltcp wire/mod.rs): a view's checked() is the only
// length check; after it succeeds no accessor reads out of bounds. A Repr's
// parse() never fails on a checked view except for semantic reasons, and
// emit() needs a buffer of exactly buffer_len() bytes. Errors are values.
#pragma once

#include <cstdint>
#include <string_view>

#include "stack/base/result.h"

namespace synack::wire {

enum class ParseError : std::uint8_t {
  Truncated,    // fewer bytes than the header or its length fields need
  BadLength,    // a length field is inconsistent (too small, past the buffer)
  BadChecksum,  // the checksum does not verify
  BadVersion,   // wrong version, hardware/protocol type, or IHL
  BadOption,    // malformed option list (IPv4 or TCP)
  Unsupported,  // well-formed but not something we handle (e.g. link type)
};

constexpr std::string_view to_string(ParseError e) noexcept {
  switch (e) {
    case ParseError::Truncated: return "truncated";
    case ParseError::BadLength: return "bad length";
    case ParseError::BadChecksum: return "bad checksum";
    case ParseError::BadVersion: return "bad version";
    case ParseError::BadOption: return "bad option";
    case ParseError::Unsupported: return "unsupported";
  }
  return "unknown";
}

template <class T>
using ParseResult = Result<T, ParseError>;

}  // namespace synack::wire

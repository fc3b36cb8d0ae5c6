#include "stack/wire/ipv4_options.h"

#include <algorithm>

#include "stack/base/assert.h"

namespace synack::wire {
namespace {

// RFC 791 §3.1 route options: "The pointer is relative to this option, and
// the smallest legal value for the pointer is 4." A full route has
// pointer == length + 1.
bool route_ok(ConstBytes opt) noexcept {
  std::size_t len = opt.size();
  if (len < 3 || (len - 3) % 4 != 0) return false;
  std::size_t ptr = opt[2];
  return ptr >= 4 && ptr % 4 == 0 && ptr <= len + 1;
}

// RFC 791 §3.1 Internet Timestamp: smallest legal pointer is 5; entries are
// 4 bytes (flag 0) or 8 bytes (flags 1 and 3).
bool timestamp_ok(ConstBytes opt) noexcept {
  std::size_t len = opt.size();
  if (len < 4) return false;
  std::size_t ptr = opt[2];
  std::uint8_t overflow = opt[3] >> 4;
  std::uint8_t flag = opt[3] & 0x0f;
  if (flag != kIpv4TsOnly && flag != kIpv4TsAndAddr && flag != kIpv4TsPrespecified) return false;
  std::size_t entry = flag == kIpv4TsOnly ? 4 : 8;
  if (ptr < 5 || (ptr - 5) % entry != 0) return false;
  if (ptr <= len) return ptr + entry - 1 <= len;  // the next entry must fit
  // Full: the overflow counter must still be able to count this hop.
  return ptr <= len + 1 && overflow != 15;
}

// Validates one option of length >= 2 (kind, length, data).
bool option_ok(ConstBytes opt) noexcept {
  switch (opt[0]) {
    case kIpv4OptRecordRoute:
    case kIpv4OptLsrr:
    case kIpv4OptSsrr:
      return route_ok(opt);
    case kIpv4OptTimestamp:
      return timestamp_ok(opt);
    case kIpv4OptRouterAlert:
      return opt.size() == 4;  // RFC 2113 §2.1
    default:
      return true;
  }
}

}  // namespace

ParseResult<Ipv4Options> Ipv4Options::parse(ConstBytes b) noexcept {
  Ipv4Options o;
  if (auto r = o.assign(b); !r) return Err{r.error()};
  return o;
}

ParseResult<void> Ipv4Options::assign_slow(ConstBytes b) noexcept {
  if (b.size() > kCapacity) return Err{ParseError::BadLength};
  std::size_t off = 0;
  while (off < b.size()) {
    std::uint8_t kind = b[off];
    if (kind == kIpv4OptEol) break;  // the rest is padding
    if (kind == kIpv4OptNop) {
      ++off;
      continue;
    }
    if (off + 1 >= b.size()) return Err{ParseError::BadOption};
    std::size_t len = b[off + 1];
    if (len < 2 || off + len > b.size()) return Err{ParseError::BadOption};
    if (!option_ok(b.subspan(off, len))) return Err{ParseError::BadOption};
    off += len;
  }
  std::copy(b.begin(), b.end(), bytes_.begin());
  len_ = static_cast<std::uint8_t>(b.size());
  return {};
}

std::size_t Ipv4Options::item_len(std::size_t off) const noexcept {
  switch (bytes_[off]) {
    case kIpv4OptEol: return len_ - off;
    case kIpv4OptNop: return 1;
    default: return bytes_[off + 1];
  }
}

Ipv4Option Ipv4Options::Iterator::operator*() const noexcept {
  SYNACK_ASSERT(o_ != nullptr && off_ < o_->len_);
  ConstBytes opt = o_->bytes().subspan(off_, o_->item_len(off_));
  switch (opt[0]) {
    case kIpv4OptEol: return Ipv4OptEol{opt.subspan(1)};
    case kIpv4OptNop: return Ipv4OptNop{};
    case kIpv4OptRecordRoute:
    case kIpv4OptLsrr:
    case kIpv4OptSsrr: return Ipv4OptRoute{opt[0], opt[2], opt.subspan(3)};
    case kIpv4OptTimestamp:
      return Ipv4OptTimestamp{opt[2], static_cast<std::uint8_t>(opt[3] >> 4),
                              static_cast<std::uint8_t>(opt[3] & 0x0f), opt.subspan(4)};
    case kIpv4OptRouterAlert: return Ipv4OptRouterAlert{load_be16(opt, 2)};
    default: return Ipv4OptUnknown{opt[0], opt.subspan(2)};
  }
}

Ipv4Options::Iterator& Ipv4Options::Iterator::operator++() noexcept {
  SYNACK_ASSERT(o_ != nullptr && off_ < o_->len_);
  off_ += o_->item_len(off_);
  return *this;
}

bool Ipv4Options::operator==(const Ipv4Options& o) const noexcept {
  return std::ranges::equal(bytes(), o.bytes());
}

bool Ipv4Options::ended() const noexcept {
  for (auto it = begin(); it != end(); ++it) {
    if (std::holds_alternative<Ipv4OptEol>(*it)) return true;
  }
  return false;
}

bool Ipv4Options::append_bytes(ConstBytes b) noexcept {
  // Nothing may follow EOL as an item: it would be read as padding.
  if (b.size() > kCapacity - len_ || ended()) return false;
  append_unchecked(b);
  return true;
}

void Ipv4Options::append_unchecked(ConstBytes b) noexcept {
  SYNACK_ASSERT(b.size() <= kCapacity - len_);
  std::copy(b.begin(), b.end(), bytes_.begin() + len_);
  len_ = static_cast<std::uint8_t>(len_ + b.size());
}

bool Ipv4Options::append_nop() noexcept {
  const std::uint8_t b[] = {kIpv4OptNop};
  return append_bytes(b);
}

bool Ipv4Options::append_eol() noexcept {
  const std::uint8_t b[] = {kIpv4OptEol};
  return append_bytes(b);
}

bool Ipv4Options::append_raw(std::uint8_t kind, ConstBytes data) noexcept {
  if (kind == kIpv4OptEol || kind == kIpv4OptNop || data.size() > kCapacity - 2) return false;
  std::array<std::uint8_t, kCapacity> buf{};
  buf[0] = kind;
  buf[1] = static_cast<std::uint8_t>(data.size() + 2);
  std::copy(data.begin(), data.end(), buf.begin() + 2);
  ConstBytes opt(buf.data(), data.size() + 2);
  if (!option_ok(opt)) return false;
  return append_bytes(opt);
}

bool Ipv4Options::append_route(std::uint8_t kind, std::span<const Ipv4Address> slots,
                               std::size_t filled) noexcept {
  if (kind != kIpv4OptRecordRoute && kind != kIpv4OptLsrr && kind != kIpv4OptSsrr) return false;
  if (filled > slots.size() || slots.size() > 9) return false;  // 3 + 4*9 = 39
  std::array<std::uint8_t, kCapacity> buf{};
  buf[0] = static_cast<std::uint8_t>(4 + 4 * filled);
  for (std::size_t i = 0; i < slots.size(); ++i) store_be32(buf, 1 + 4 * i, slots[i].value);
  return append_raw(kind, ConstBytes(buf.data(), 1 + 4 * slots.size()));
}

bool Ipv4Options::append_timestamp(std::uint8_t flag, std::uint8_t overflow, ConstBytes data,
                                   std::size_t filled) noexcept {
  if (overflow > 15 || flag > 15 || filled > data.size() || data.size() > kCapacity - 4) return false;
  std::array<std::uint8_t, kCapacity> buf{};
  buf[0] = static_cast<std::uint8_t>(5 + filled);
  buf[1] = static_cast<std::uint8_t>((overflow << 4) | flag);
  std::copy(data.begin(), data.end(), buf.begin() + 2);
  return append_raw(kIpv4OptTimestamp, ConstBytes(buf.data(), 2 + data.size()));
}

bool Ipv4Options::append_router_alert(std::uint16_t value) noexcept {
  std::uint8_t buf[2];
  store_be16(buf, 0, value);
  return append_raw(kIpv4OptRouterAlert, buf);
}

bool Ipv4Options::pad() noexcept {
  if (len_ % 4 == 0) return true;
  std::size_t n = 4 - len_ % 4;
  if (n > kCapacity - len_) return false;
  const std::uint8_t zeros[4] = {};
  append_unchecked(ConstBytes(zeros, n));  // an EOL then zero padding, or more padding
  return true;
}

}  // namespace synack::wire

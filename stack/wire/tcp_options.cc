#include "stack/wire/tcp_options.h"

#include <algorithm>
#include <cstdio>

namespace synack::wire {

namespace {

// Fixed total lengths (kind + length + data) of the known options, 0 if the
// kind has no fixed length (SACK, unknown kinds).
constexpr std::size_t fixed_length(std::uint8_t kind) noexcept {
  switch (kind) {
    case kTcpOptMss: return 4;
    case kTcpOptWindowScale: return 3;
    case kTcpOptSackPermitted: return 2;
    case kTcpOptTimestamps: return 10;
    default: return 0;
  }
}

// RFC 2018 §3: "Length: Variable" = 2 + 8 * n; at most 4 blocks fit in 40
// bytes (and only 3 alongside timestamps).
constexpr bool valid_sack_length(std::size_t len) noexcept {
  return len >= 10 && (len - 2) % 8 == 0 && (len - 2) / 8 <= TcpSackBlocks::kMaxBlocks;
}

constexpr bool valid_length(std::uint8_t kind, std::size_t len) noexcept {
  if (len < 2) return false;
  if (kind == kTcpOptSack) return valid_sack_length(len);
  const std::size_t fixed = fixed_length(kind);
  return fixed == 0 || fixed == len;
}

}  // namespace

ParseResult<TcpOptions> TcpOptions::parse(ConstBytes b) noexcept {
  if (b.size() > kCapacity) return Err{ParseError::BadOption};
  std::size_t i = 0;
  while (i < b.size()) {
    const std::uint8_t kind = b[i];
    if (kind == kTcpOptEol) break;  // the rest is padding
    if (kind == kTcpOptNop) {
      ++i;
      continue;
    }
    // A kind byte with no room for its length byte: see the header comment.
    if (i + 1 >= b.size()) return Err{ParseError::BadOption};
    const std::size_t len = b[i + 1];
    if (!valid_length(kind, len) || len > b.size() - i) return Err{ParseError::BadOption};
    i += len;
  }
  TcpOptions o;
  std::copy(b.begin(), b.end(), o.bytes_.begin());
  o.len_ = static_cast<std::uint8_t>(b.size());
  return o;
}

void TcpOptions::emit(MutBytes out) const noexcept {
  // bytes_ beyond len_ are zero, i.e. EOL followed by zero padding.
  std::copy_n(bytes_.begin(), out.size(), out.begin());
}

TcpOption TcpOptions::Iterator::operator*() const noexcept {
  const std::uint8_t kind = b_[pos_];
  if (kind == kTcpOptEol) return {kind, b_.subspan(pos_ + 1)};
  if (kind == kTcpOptNop) return {kind, {}};
  return {kind, b_.subspan(pos_ + 2, b_[pos_ + 1] - 2u)};
}

TcpOptions::Iterator& TcpOptions::Iterator::operator++() noexcept {
  const std::uint8_t kind = b_[pos_];
  if (kind == kTcpOptEol) {
    pos_ = b_.size();
  } else if (kind == kTcpOptNop) {
    pos_ += 1;
  } else {
    pos_ += b_[pos_ + 1];
  }
  return *this;
}

std::optional<ConstBytes> TcpOptions::find(std::uint8_t kind) const noexcept {
  for (const TcpOption o : *this) {
    if (o.kind == kTcpOptEol) break;
    if (o.kind == kind && kind != kTcpOptNop) return o.data;
  }
  return std::nullopt;
}

std::optional<std::uint16_t> TcpOptions::mss() const noexcept {
  const auto d = find(kTcpOptMss);
  if (!d) return std::nullopt;
  return load_be16(*d, 0);
}

std::optional<std::uint8_t> TcpOptions::window_scale() const noexcept {
  const auto d = find(kTcpOptWindowScale);
  if (!d) return std::nullopt;
  return (*d)[0];
}

bool TcpOptions::sack_permitted() const noexcept { return find(kTcpOptSackPermitted).has_value(); }

std::optional<TcpSackBlocks> TcpOptions::sack_blocks() const noexcept {
  const auto d = find(kTcpOptSack);
  if (!d) return std::nullopt;
  TcpSackBlocks s;
  s.count = d->size() / 8;
  for (std::size_t k = 0; k < s.count; ++k) {
    s.blocks[k] = {SeqNumber(load_be32(*d, 8 * k)), SeqNumber(load_be32(*d, 8 * k + 4))};
  }
  return s;
}

std::optional<TcpTimestamps> TcpOptions::timestamps() const noexcept {
  const auto d = find(kTcpOptTimestamps);
  if (!d) return std::nullopt;
  return TcpTimestamps{load_be32(*d, 0), load_be32(*d, 4)};
}

bool TcpOptions::append(std::uint8_t kind, ConstBytes data) noexcept {
  const std::size_t total = 2 + data.size();
  if (!valid_length(kind, total) || total > kCapacity - len_) return false;
  bytes_[len_] = kind;
  bytes_[len_ + 1u] = static_cast<std::uint8_t>(total);
  std::copy(data.begin(), data.end(), bytes_.begin() + len_ + 2);
  len_ = static_cast<std::uint8_t>(len_ + total);
  return true;
}

bool TcpOptions::push_eol() noexcept {
  if (len_ == kCapacity) return false;
  bytes_[len_++] = kTcpOptEol;
  return true;
}

bool TcpOptions::push_nop() noexcept {
  if (len_ == kCapacity) return false;
  bytes_[len_++] = kTcpOptNop;
  return true;
}

bool TcpOptions::push_mss(std::uint16_t mss) noexcept {
  std::array<std::uint8_t, 2> d{};
  store_be16(d, 0, mss);
  return append(kTcpOptMss, d);
}

bool TcpOptions::push_wscale(std::uint8_t shift) noexcept {
  const std::array<std::uint8_t, 1> d{shift};
  return append(kTcpOptWindowScale, d);
}

bool TcpOptions::push_sack_permitted() noexcept { return append(kTcpOptSackPermitted, {}); }

bool TcpOptions::push_sack(std::span<const SackBlock> blocks) noexcept {
  if (blocks.empty() || blocks.size() > TcpSackBlocks::kMaxBlocks) return false;
  std::array<std::uint8_t, 8 * TcpSackBlocks::kMaxBlocks> d{};
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    store_be32(d, 8 * k, blocks[k].left.raw());
    store_be32(d, 8 * k + 4, blocks[k].right.raw());
  }
  return append(kTcpOptSack, ConstBytes(d).first(8 * blocks.size()));
}

bool TcpOptions::push_timestamps(std::uint32_t tsval, std::uint32_t tsecr) noexcept {
  std::array<std::uint8_t, 8> d{};
  store_be32(d, 0, tsval);
  store_be32(d, 4, tsecr);
  return append(kTcpOptTimestamps, d);
}

bool TcpOptions::push_raw(std::uint8_t kind, ConstBytes data) noexcept {
  if (kind == kTcpOptEol || kind == kTcpOptNop) return false;
  return append(kind, data);
}

std::string TcpOptions::to_string() const {
  std::string s;
  char buf[64];
  for (const TcpOption o : *this) {
    if (!s.empty()) s += ',';
    switch (o.kind) {
      case kTcpOptEol: s += "eol"; break;
      case kTcpOptNop: s += "nop"; break;
      case kTcpOptMss: std::snprintf(buf, sizeof buf, "mss %u", unsigned{load_be16(o.data, 0)}); s += buf; break;
      case kTcpOptWindowScale: std::snprintf(buf, sizeof buf, "wscale %u", unsigned{o.data[0]}); s += buf; break;
      case kTcpOptSackPermitted: s += "sackOK"; break;
      case kTcpOptTimestamps:
        std::snprintf(buf, sizeof buf, "TS val %u ecr %u", unsigned{load_be32(o.data, 0)},
                      unsigned{load_be32(o.data, 4)});
        s += buf;
        break;
      case kTcpOptSack:
        s += "sack";
        for (std::size_t k = 0; k + 8 <= o.data.size(); k += 8) {
          std::snprintf(buf, sizeof buf, " %u:%u", unsigned{load_be32(o.data, k)}, unsigned{load_be32(o.data, k + 4)});
          s += buf;
        }
        break;
      default:
        std::snprintf(buf, sizeof buf, "unknown-%u len %zu", unsigned{o.kind}, o.data.size() + 2);
        s += buf;
        break;
    }
  }
  return s;
}

}  // namespace synack::wire

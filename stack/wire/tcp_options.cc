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
  TcpOptions o;
  if (auto r = o.assign(b); !r) return Err{r.error()};
  return o;
}

ParseResult<void> TcpOptions::index() noexcept {
  // MSS, SACK permitted, timestamps, NOP, window scale: the SYN and SYN-ACK
  // layout of Linux and of this stack (20 bytes), recognised whole.
  if (len_ == 20 && load_be16(bytes_, 0) == 0x0204 && load_be32(bytes_, 4) == 0x0402080a &&
      load_be16(bytes_, 16) == 0x0103 && bytes_[18] == 3) {
    mss_at_ = 2;
    sack_ok_at_ = 6;
    ts_at_ = 8;
    wscale_at_ = 19;
    return {};
  }
  std::size_t i = 0;
  while (i < len_) {
    const std::uint8_t kind = bytes_[i];
    if (kind == kTcpOptEol) {  // the rest is padding
      ended_ = true;
      break;
    }
    if (kind == kTcpOptNop) {
      ++i;
      continue;
    }
    // A kind byte with no room for its length byte: see the header comment.
    const std::size_t len = i + 1 < len_ ? bytes_[i + 1] : 0;
    if (!valid_length(kind, len) || len > len_ - i) {
      *this = TcpOptions{};
      return Err{ParseError::BadOption};
    }
    note(kind, i + 2);
    i += len;
  }
  return {};
}

void TcpOptions::note(std::uint8_t kind, std::size_t at) noexcept {
  const auto a = static_cast<std::uint8_t>(at);
  auto first = [a](std::uint8_t& slot) {
    if (slot == 0) slot = a;
  };
  switch (kind) {
    case kTcpOptMss: first(mss_at_); break;
    case kTcpOptWindowScale: first(wscale_at_); break;
    case kTcpOptSackPermitted: first(sack_ok_at_); break;
    case kTcpOptSack: first(sack_at_); break;
    case kTcpOptTimestamps: first(ts_at_); break;
    default: break;
  }
}

void TcpOptions::emit(MutBytes out) const noexcept {
  // bytes_ beyond len_ are zero, i.e. EOL followed by zero padding.
  copy_short(out.data(), bytes_.data(), out.size());
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

std::optional<TcpSackBlocks> TcpOptions::sack_blocks() const noexcept {
  if (sack_at_ == 0) return std::nullopt;
  TcpSackBlocks s;
  s.count = (bytes_[sack_at_ - 1u] - 2u) / 8;
  for (std::size_t k = 0; k < s.count; ++k) {
    s.blocks[k] = {SeqNumber(load_be32(bytes_, sack_at_ + 8 * k)),
                   SeqNumber(load_be32(bytes_, sack_at_ + 8 * k + 4))};
  }
  return s;
}

bool TcpOptions::append(std::uint8_t kind, ConstBytes data) noexcept {
  const std::size_t total = 2 + data.size();
  if (!valid_length(kind, total) || total > kCapacity - len_) return false;
  if (!ended_) note(kind, len_ + 2u);
  bytes_[len_] = kind;
  bytes_[len_ + 1u] = static_cast<std::uint8_t>(total);
  copy_short(bytes_.data() + len_ + 2, data.data(), data.size());
  len_ = static_cast<std::uint8_t>(len_ + total);
  return true;
}

bool TcpOptions::push_eol() noexcept {
  if (len_ == kCapacity) return false;
  bytes_[len_++] = kTcpOptEol;
  ended_ = true;
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

// Written in place rather than through append(): once negotiated, every
// segment of a connection carries one (RFC 7323 §3.2).
bool TcpOptions::push_timestamps(std::uint32_t tsval, std::uint32_t tsecr) noexcept {
  constexpr std::size_t kTotal = 10;  // kind, length, TSval, TSecr
  if (kTotal > kCapacity - len_) return false;
  if (!ended_) note(kTcpOptTimestamps, len_ + 2u);
  bytes_[len_] = kTcpOptTimestamps;
  bytes_[len_ + 1u] = static_cast<std::uint8_t>(kTotal);
  store_be32(bytes_, len_ + 2u, tsval);
  store_be32(bytes_, len_ + 6u, tsecr);
  len_ = static_cast<std::uint8_t>(len_ + kTotal);
  return true;
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

#include "stack/iface/reassembly.h"

namespace synack::iface {

namespace {
constexpr std::uint32_t kMaxDatagram = 65535;
constexpr std::size_t kIpv4MinHeader = 20;
// Bookkeeping charged per datagram and per piece, so that floods of empty
// fragments also count against the memory bound.
constexpr std::size_t kDatagramOverhead = 128;
constexpr std::size_t kPieceOverhead = 64;
}  // namespace

bool Reassembler::overlaps(const Pending& p, std::uint32_t offset, std::size_t len) const {
  auto end = offset + len;
  auto it = p.pieces.upper_bound(offset);
  if (it != p.pieces.end() && it->first < end) return true;
  if (it != p.pieces.begin()) {
    --it;
    if (it->first + it->second.size() > offset) return true;
  }
  return false;
}

bool Reassembler::complete(const Pending& p) const {
  if (!p.total) return false;
  std::uint32_t next = 0;
  for (const auto& [off, data] : p.pieces) {
    if (off != next) return false;
    next = off + static_cast<std::uint32_t>(data.size());
  }
  return next == *p.total;
}

void Reassembler::drop(std::map<FragmentKey, Pending>::iterator it) {
  memory_ -= it->second.bytes;
  by_age_.erase(it->second.order);
  pending_.erase(it);
}

void Reassembler::enforce_memory() {
  if (memory_ <= cfg_.high_thresh) return;
  while (memory_ > cfg_.low_thresh && !pending_.empty()) {
    ++stats_.evicted;
    drop(pending_.find(by_age_.begin()->second));
  }
}

std::optional<Reassembled> Reassembler::add(Instant now, const FragmentKey& key, std::uint32_t offset, bool more,
                                            ConstBytes payload, ConstBytes header) {
  ++stats_.fragments;
  auto it = pending_.find(key);
  if (offset + payload.size() + kIpv4MinHeader > kMaxDatagram) {
    ++stats_.oversize;  // RFC 791: a datagram never exceeds 65535 bytes
    if (it != pending_.end()) drop(it);
    return std::nullopt;
  }
  if (it == pending_.end()) {
    it = pending_.emplace(key, Pending{now + cfg_.timeout, order_, {}, std::nullopt, {}, kDatagramOverhead}).first;
    by_age_.emplace(order_++, key);
    memory_ += kDatagramOverhead;
  }
  Pending& p = it->second;
  auto end = offset + static_cast<std::uint32_t>(payload.size());
  bool bad_end = (!more && p.total && *p.total != end) || (p.total && end > *p.total) ||
                 (!more && !p.pieces.empty() && std::prev(p.pieces.end())->first +
                                                        std::prev(p.pieces.end())->second.size() > end);
  if (bad_end) {
    ++stats_.inconsistent;
    drop(it);
    return std::nullopt;
  }
  if (overlaps(p, offset, payload.size())) {
    ++stats_.overlaps;
    drop(it);
    return std::nullopt;
  }
  if (!more) p.total = end;
  if (offset == 0) {
    p.first_header.assign(header.begin(), header.end());
    p.bytes += header.size();
    memory_ += header.size();
  }
  if (!payload.empty() || !more) p.pieces.emplace(offset, Bytes(payload.begin(), payload.end()));
  p.bytes += payload.size() + kPieceOverhead;
  memory_ += payload.size() + kPieceOverhead;
  if (complete(p) && !p.first_header.empty()) {
    Reassembled r{key, std::move(p.first_header), {}};
    r.payload.reserve(*p.total);
    for (auto& [off, data] : p.pieces) r.payload.insert(r.payload.end(), data.begin(), data.end());
    drop(it);
    ++stats_.reassembled;
    return r;
  }
  enforce_memory();
  return std::nullopt;
}

std::vector<ReassemblyTimeout> Reassembler::poll(Instant now) {
  std::vector<ReassemblyTimeout> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    ++stats_.timeouts;
    Pending& p = it->second;
    // RFC 1122 §3.3.2: time exceeded only when fragment zero has arrived.
    if (!p.first_header.empty()) {
      ReassemblyTimeout t{it->first, p.first_header};
      if (auto first = p.pieces.find(0); first != p.pieces.end()) {
        auto n = std::min<std::size_t>(8, first->second.size());
        t.quote.insert(t.quote.end(), first->second.begin(), first->second.begin() + static_cast<std::ptrdiff_t>(n));
      }
      out.push_back(std::move(t));
    }
    auto victim = it++;
    drop(victim);
  }
  return out;
}

std::optional<Instant> Reassembler::poll_at() const {
  std::optional<Instant> t;
  for (const auto& [k, p] : pending_) t = t ? std::min(*t, p.deadline) : p.deadline;
  return t;
}

}  // namespace synack::iface

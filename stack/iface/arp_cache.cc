#include "stack/iface/arp_cache.h"

namespace synack::iface {

const char* to_string(NeighborState s) noexcept {
  switch (s) {
    case NeighborState::Incomplete: return "INCOMPLETE";
    case NeighborState::Reachable: return "REACHABLE";
    case NeighborState::Stale: return "STALE";
    case NeighborState::Static: return "PERMANENT";
  }
  return "?";
}

void ArpCache::age(Entry& e, Instant now) const {
  if (e.state == NeighborState::Reachable && now - e.confirmed >= cfg_.reachable_time)
    e.state = NeighborState::Stale;
}

std::optional<wire::MacAddress> ArpCache::lookup(wire::Ipv4Address ip, Instant now) {
  Entry* found = last_.ip == ip ? last_.entry : nullptr;
  if (found == nullptr) {
    auto it = entries_.find(ip);
    if (it == entries_.end()) return std::nullopt;
    found = &it->second;
    last_.ip = ip;
    last_.entry = found;
  }
  Entry& e = *found;
  age(e, now);
  if (e.state == NeighborState::Incomplete) return std::nullopt;
  e.last_used = now;
  if (e.state == NeighborState::Stale && !e.refreshing) {
    e.refreshing = true;
    e.retries = 0;
    e.next_request = now;
  }
  return e.mac;
}

// Evicts the least recently used STALE entry when the table is full.
bool ArpCache::make_room(Instant now) {
  if (entries_.size() < cfg_.max_entries) return true;
  auto victim = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    age(it->second, now);
    if (it->second.state != NeighborState::Stale) continue;
    if (victim == entries_.end() || it->second.last_used < victim->second.last_used) victim = it;
  }
  if (victim == entries_.end()) return false;
  last_.entry = nullptr;
  entries_.erase(victim);
  return true;
}

bool ArpCache::enqueue(wire::Ipv4Address ip, PendingPacket pkt, Instant now) {
  auto it = entries_.find(ip);
  if (it == entries_.end()) {
    if (!make_room(now)) {
      ++stats_.table_full;
      ++stats_.pending_dropped;
      return false;
    }
    Entry e;
    e.next_request = now;
    e.last_used = now;
    it = entries_.emplace(ip, std::move(e)).first;
  }
  Entry& e = it->second;
  if (pending_total_ >= cfg_.max_pending || e.pending.size() >= cfg_.max_pending_per_entry) {
    ++stats_.pending_dropped;
    return false;
  }
  e.pending.push_back(std::move(pkt));
  ++pending_total_;
  return true;
}

std::vector<PendingPacket> ArpCache::learn(wire::Ipv4Address ip, wire::MacAddress mac, Instant now, bool create) {
  auto it = entries_.find(ip);
  if (it == entries_.end()) {
    if (!create) return {};
    if (!make_room(now)) {
      ++stats_.table_full;
      return {};
    }
    it = entries_.emplace(ip, Entry{}).first;
    it->second.last_used = now;
  }
  Entry& e = it->second;
  if (e.state == NeighborState::Static) return {};
  if (e.state == NeighborState::Incomplete) ++stats_.resolved;
  e.mac = mac;
  e.state = NeighborState::Reachable;
  e.confirmed = now;
  e.retries = 0;
  e.refreshing = false;
  pending_total_ -= e.pending.size();
  return std::exchange(e.pending, {});
}

void ArpCache::add_static(wire::Ipv4Address ip, wire::MacAddress mac) {
  auto& e = entries_[ip];
  if (e.state != NeighborState::Static) ++static_count_;
  pending_total_ -= e.pending.size();
  e = Entry{};
  e.mac = mac;
  e.state = NeighborState::Static;
}

std::vector<PendingPacket> ArpCache::remove(wire::Ipv4Address ip) {
  auto it = entries_.find(ip);
  if (it == entries_.end()) return {};
  if (it->second.state == NeighborState::Static) --static_count_;
  auto waiting = std::exchange(it->second.pending, {});
  pending_total_ -= waiting.size();
  last_.entry = nullptr;
  entries_.erase(it);
  return waiting;
}

ArpCache::PollResult ArpCache::poll(Instant now) {
  PollResult out;
  if (all_static()) return out;
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& e = it->second;
    age(e, now);
    bool asking = e.state == NeighborState::Incomplete || e.refreshing;
    if (asking && e.next_request <= now) {
      if (e.retries >= cfg_.max_retries) {
        // RFC 1122 §2.3.2.1: give up; waiting datagrams are reported back.
        ++stats_.failed;
        pending_total_ -= e.pending.size();
        for (auto& p : e.pending) out.failed.push_back(std::move(p));
        last_.entry = nullptr;
        it = entries_.erase(it);
        continue;
      }
      out.requests.push_back(it->first);
      ++stats_.requests_sent;
      e.next_request = now + cfg_.retry_initial * (std::int64_t{1} << e.retries);  // backoff
      ++e.retries;
    }
    if (e.state == NeighborState::Stale && !e.refreshing && now - e.last_used >= cfg_.stale_gc_time) {
      last_.entry = nullptr;
      it = entries_.erase(it);
      continue;
    }
    ++it;
  }
  return out;
}

std::optional<Instant> ArpCache::poll_at() const {
  std::optional<Instant> t;
  if (all_static()) return t;
  auto consider = [&](Instant x) { t = t ? std::min(*t, x) : x; };
  for (const auto& [ip, e] : entries_) {
    if (e.state == NeighborState::Incomplete || e.refreshing) consider(e.next_request);
    else if (e.state == NeighborState::Reachable) consider(e.confirmed + cfg_.reachable_time + cfg_.stale_gc_time);
    else if (e.state == NeighborState::Stale) consider(e.last_used + cfg_.stale_gc_time);
  }
  return t;
}

std::vector<ArpCache::EntryView> ArpCache::entries() const {
  std::vector<EntryView> v;
  for (const auto& [ip, e] : entries_) v.push_back({ip, e.mac, e.state});
  return v;
}

}  // namespace synack::iface

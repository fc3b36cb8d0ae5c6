#include "stack/driver/virtual_switch.h"

#include <algorithm>

namespace synack::driver {

namespace {
wire::MacAddress mac_at(ConstBytes b, std::size_t off) {
  wire::MacAddress m;
  std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(off), 6, m.octets.begin());
  return m;
}
}  // namespace

void VirtualSwitch::learn(const wire::MacAddress& src, std::size_t port) {
  if (src.is_multicast()) return;  // never a valid source; do not learn it
  auto it = table_.find(src);
  if (it != table_.end()) {
    it->second.port = port;
    return;
  }
  if (table_.size() >= table_limit_ && !by_age_.empty()) {
    table_.erase(by_age_.begin()->second);
    by_age_.erase(by_age_.begin());
  }
  table_.emplace(src, Entry{port, clock_});
  by_age_.emplace(clock_++, src);
}

std::vector<std::size_t> VirtualSwitch::forward(std::size_t ingress, ConstBytes frame) {
  std::vector<std::size_t> out;
  if (frame.size() < 14 || ingress >= ports_) {
    ++runts_;
    return out;
  }
  auto dst = mac_at(frame, 0);
  learn(mac_at(frame, 6), ingress);
  if (dst.is_unicast()) {
    if (auto it = table_.find(dst); it != table_.end()) {
      if (it->second.port != ingress) out.push_back(it->second.port);
      return out;
    }
  }
  ++floods_;
  for (std::size_t p = 0; p < ports_; ++p)
    if (p != ingress) out.push_back(p);
  return out;
}

}  // namespace synack::driver

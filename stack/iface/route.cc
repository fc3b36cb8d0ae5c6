#include "stack/iface/route.h"

#include <bit>

namespace synack::iface {

void RouteTable::add(Route r) {
  r.destination.address = r.destination.network();
  auto& m = by_len_[r.destination.prefix_len];
  auto [it, inserted] = m.insert_or_assign(r.destination.address.value, r);
  (void)it;
  if (inserted) ++size_;
  lens_ |= std::uint64_t{1} << r.destination.prefix_len;
  last_.reset();
}

bool RouteTable::remove(wire::Ipv4Cidr destination) {
  if (destination.prefix_len > 32) return false;
  auto& m = by_len_[destination.prefix_len];
  if (m.erase(destination.network().value) == 0) return false;
  if (m.empty()) lens_ &= ~(std::uint64_t{1} << destination.prefix_len);
  --size_;
  last_.reset();
  return true;
}

std::optional<Route> RouteTable::lookup(wire::Ipv4Address dst) const {
  if (!last_ || last_->dst != dst) last_ = Cached{dst, search(dst)};
  return last_->route;
}

std::optional<Route> RouteTable::search(wire::Ipv4Address dst) const {
  for (std::uint64_t lens = lens_; lens != 0;) {
    const int len = 63 - std::countl_zero(lens);  // the longest prefix length left
    lens &= ~(std::uint64_t{1} << len);
    const auto& m = by_len_[static_cast<std::size_t>(len)];
    wire::Ipv4Cidr probe{dst, static_cast<std::uint8_t>(len)};
    if (auto it = m.find(probe.network().value); it != m.end()) return it->second;
  }
  return std::nullopt;
}

std::optional<NextHop> RouteTable::next_hop(wire::Ipv4Address dst) const {
  auto r = lookup(dst);
  if (!r) return std::nullopt;
  return NextHop{r->iface, r->gateway.value_or(dst)};
}

std::vector<Route> RouteTable::routes() const {
  std::vector<Route> out;
  for (int len = 32; len >= 0; --len)
    for (const auto& [net, r] : by_len_[len]) out.push_back(r);
  return out;
}

}  // namespace synack::iface

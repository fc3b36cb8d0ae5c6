#include "stack/iface/stack.h"

#include <algorithm>

namespace synack::iface {

Stack::Stack(StackConfig cfg)
    : cfg_(std::move(cfg)),
      rng_(cfg_.seed),
      arp_(cfg_.arp),
      reassembly_(cfg_.reassembly),
      next_ident_(static_cast<std::uint16_t>(rng_.next_u32())),
      icmp_tokens_milli_(std::uint64_t{cfg_.icmp.burst} * 1000),
      conns_(cfg_.seed),
      isn_(rng_),
      cookies_(rng_) {}

std::size_t Stack::add_interface(driver::Device& dev, wire::MacAddress mac, wire::Ipv4Cidr addr, std::string name) {
  Interface i;
  i.name = name.empty() ? "eth" + std::to_string(ifaces_.size()) : std::move(name);
  i.device = &dev;
  i.mac = mac;
  i.address = addr;
  i.mtu = dev.capabilities().mtu;
  ifaces_.push_back(std::move(i));
  std::size_t id = ifaces_.size() - 1;
  // The connected route for the interface's subnet (RFC 1812 §5.2.4.1).
  routes_.add(Route{{addr.network(), addr.prefix_len}, std::nullopt, id, 0});
  work_pending_ = true;
  return id;
}

void Stack::set_interface_up(std::size_t iface, bool up) {
  if (iface >= ifaces_.size()) return;
  if (up && !ifaces_[iface].up) ifaces_[iface].announce = true;
  ifaces_[iface].up = up;
  work_pending_ = true;
}

bool Stack::add_default_gateway(wire::Ipv4Address gw) {
  for (std::size_t i = 0; i < ifaces_.size(); ++i) {
    if (ifaces_[i].address.contains(gw)) {
      routes_.add(Route{{wire::Ipv4Address::any(), 0}, gw, i, 0});
      return true;
    }
  }
  return false;
}

bool Stack::is_local_address(wire::Ipv4Address a) const noexcept {
  return std::any_of(ifaces_.begin(), ifaces_.end(), [&](const Interface& i) { return i.address.address == a; });
}

bool Stack::is_broadcast_for_us(wire::Ipv4Address a) const noexcept {
  if (a.is_broadcast()) return true;
  return std::any_of(ifaces_.begin(), ifaces_.end(), [&](const Interface& i) { return i.directed_broadcast() == a; });
}

std::optional<wire::Ipv4Address> Stack::source_for(wire::Ipv4Address dst) const {
  if (is_local_address(dst)) return dst;
  if (dst.is_broadcast()) {
    if (ifaces_.empty()) return std::nullopt;
    return ifaces_.front().address.address;
  }
  auto r = routes_.lookup(dst);
  if (!r || r->iface >= ifaces_.size()) return std::nullopt;
  return ifaces_[r->iface].address.address;
}

// Conservative: pending work (an interface to announce, a closed listener),
// a dynamic ARP entry, a fragment held, any UDP or ping socket, a TCP socket
// or listener due. Otherwise each part of poll() is a no-op, and a runtime
// polls after every frame it feeds, mostly with nothing due.
bool Stack::poll_needed(const tcp::Context& ctx) {
  if (auto t = tcp_due_.next(); t && *t <= ctx.now) return true;
  if (work_pending_ || !arp_.all_static() || reassembly_.datagrams() != 0 || udp_.size() != 0 || ping_.size() != 0)
    return true;
  bool due = false;
  listeners_.for_each([&](Handle, const ListenEntry& e) {
    auto at = e.listener->poll_at(ctx);
    due |= (at && *at <= ctx.now) || e.orphan;
  });
  return due;
}

void Stack::poll(Instant now) {
  tcp::Context ctx = tcp_context(now);
  if (!poll_needed(ctx)) return;
  work_pending_ = false;
  for (std::size_t i = 0; i < ifaces_.size(); ++i) {
    auto& itf = ifaces_[i];
    if (itf.up && itf.announce) {
      // RFC 5227 §2.3 announcement: sender and target IP both ours.
      itf.announce = false;
      ++stats_.arp.tx_gratuitous;
      send_arp(now, i, 1, wire::MacAddress::broadcast(), itf.address.address, wire::MacAddress{});
    }
  }
  // Each part below is skipped when it has nothing to look at (the same
  // tests as poll_needed's).
  if (!arp_.all_static()) poll_arp(now);
  if (reassembly_.datagrams() != 0) {
    for (auto& t : reassembly_.poll(now)) {
      ++stats_.ip.reassembly_failures;
      Bytes quote = t.quote;
      send_icmp_error(now, 11, 1, 0, quote);  // RFC 792: fragment reassembly time exceeded
    }
  }
  if (udp_.size() != 0) flush_udp(now);
  if (ping_.size() != 0) flush_ping(now);
  flush_tcp(ctx);
}

void Stack::poll_arp(Instant now) {
  auto arp = arp_.poll(now);
  for (auto ip : arp.requests) {
    auto hop = routes_.lookup(ip);
    std::size_t iface = hop ? hop->iface : 0;
    if (iface < ifaces_.size()) send_arp(now, iface, 1, wire::MacAddress::broadcast(), ip, wire::MacAddress{});
  }
  for (auto& failed : arp.failed) {
    ++stats_.arp.unresolved_drops;
    report_unreachable(failed.ip_packet);
  }
}

std::optional<Instant> Stack::poll_at() const {
  if (work_pending_) return Instant::zero();
  // The world asks every node before each step: empty tables are not walked.
  bool sends = false;
  if (udp_.size() != 0) udp_.for_each([&](Handle, const udp::UdpSocket& u) { sends |= u.has_send(); });
  if (ping_.size() != 0) ping_.for_each([&](Handle, const PingSocket& p) { sends |= p.has_request(); });
  if (sends) return Instant::zero();
  for (const auto& i : ifaces_)
    if (i.up && i.announce) return Instant::zero();
  // The world asks every node before each step: parts holding nothing
  // are not asked.
  std::optional<Instant> t = tcp_due_.next();
  auto consider = [&](std::optional<Instant> x) {
    if (x) t = t ? std::min(*t, *x) : *x;
  };
  if (!arp_.all_static()) consider(arp_.poll_at());
  if (reassembly_.datagrams() != 0) consider(reassembly_.poll_at());
  if (listeners_.size() != 0) {
    auto& self = const_cast<Stack&>(*this);
    tcp::Context ctx = self.tcp_context(Instant::zero());
    listeners_.for_each([&](Handle, const ListenEntry& e) { consider(e.listener->poll_at(ctx)); });
  }
  return t;
}

}  // namespace synack::iface

// A synack stack as a world node. Port i of the node is interface i of the
// stack. Helpers build common topologies in a few lines.
#pragma once

#include <memory>
#include <vector>
#include <string>

#include "harness/world/switch_node.h"
#include "harness/world/world.h"
#include "stack/socket/host.h"

namespace synack::harness {

// An application running on a host: event-driven code over the socket API.
// It is polled after its host whenever the host received frames or its own
// deadline is due, so it can react to readiness.
class App {
 public:
  virtual ~App() = default;
  virtual void poll(Instant now) = 0;
  virtual std::optional<Instant> poll_at() const { return std::nullopt; }
};

class HostNode final : public Node {
 public:
  HostNode(World& world, NodeId id, iface::StackConfig cfg) : world_(world), id_(id), host_(std::move(cfg)) {}

  NodeId id() const noexcept { return id_; }
  iface::Stack& stack() noexcept { return host_.stack(); }
  socket::Host& host() noexcept { return host_; }
  // Adds an interface on the next free port; the MAC is derived from the node
  // id and port (locally administered), so topologies are reproducible.
  std::size_t add_interface(wire::Ipv4Cidr addr) {
    std::size_t port = host_.stack().interfaces().size();
    wire::MacAddress mac{{0x02, 0x00, static_cast<std::uint8_t>(id_ >> 16), static_cast<std::uint8_t>(id_ >> 8),
                          static_cast<std::uint8_t>(id_), static_cast<std::uint8_t>(port + 1)}};
    return host_.stack().add_interface(world_.port_device(id_, port), mac, addr);
  }

  // Runs `app` on this host (owned by the node).
  template <class T, class... Args>
  T& run_app(Args&&... args) {
    auto app = std::make_unique<T>(std::forward<Args>(args)...);
    T& ref = *app;
    apps_.push_back(std::move(app));
    apps_due_ = true;
    return ref;
  }
  // Asks for the apps to be polled at the next step (after socket calls
  // made from outside the world loop).
  void wake_apps() { apps_due_ = true; }

  void on_time(Instant now) override { host_.set_now(now); }
  void receive(Instant now, std::size_t port, ConstBytes frame) override {
    host_.receive(now, port, frame);
    apps_due_ = !apps_.empty();
  }
  std::optional<Instant> poll_at() const override {
    std::optional<Instant> t = host_.poll_at();
    if (apps_due_) return Instant::zero();
    for (const auto& a : apps_)
      if (auto p = a->poll_at()) t = t ? std::min(*t, *p) : *p;
    return t;
  }
  void poll(Instant now) override {
    host_.poll(now);
    apps_due_ = false;
    if (apps_.empty()) return;  // nothing can have queued output since
    for (auto& a : apps_) a->poll(now);
    // Apps may have queued output: let the host flush it at once; their
    // sockets' readiness changes only through frames or timers after that.
    host_.poll(now);
  }
  // Only applications reach other hosts; the stack's own work goes out
  // through links as frames.
  bool poll_reaches_others() const override { return !apps_.empty(); }
  std::string name() const override { return host_.stack().config().name; }

 private:
  World& world_;
  NodeId id_;
  socket::Host host_;
  std::vector<std::unique_ptr<App>> apps_;
  bool apps_due_ = false;
};

// Adds a host whose seed derives from the world seed and its node id.
inline HostNode& add_host(World& world, std::string name, iface::StackConfig cfg = {}) {
  NodeId id = world.node_count();
  cfg.name = std::move(name);
  cfg.seed = derive_seed(world.seed(), 0x484f535400000000ULL + id);
  auto [nid, host] = world.emplace<HostNode>(world, id, std::move(cfg));
  (void)nid;
  return *host;
}

// Gives `host` an interface with `addr` and links it to `peer`'s `peer_port`.
// The link comes first, so the interface learns the link's MTU.
inline Link& attach(World& world, HostNode& host, const std::string& addr, NodeId peer, std::size_t peer_port,
                    driver::FaultProfile out = {}, driver::FaultProfile in = {}) {
  std::size_t port = host.stack().interfaces().size();
  Link& l = world.connect({host.id(), port}, {peer, peer_port}, std::move(out), std::move(in));
  host.add_interface(*wire::Ipv4Cidr::parse(addr));
  return l;
}

// Two hosts on one point-to-point link.
inline Link& connect_hosts(World& world, HostNode& a, const std::string& addr_a, HostNode& b,
                           const std::string& addr_b, driver::FaultProfile a_to_b = {},
                           driver::FaultProfile b_to_a = {}) {
  std::size_t pa = a.stack().interfaces().size();
  std::size_t pb = b.stack().interfaces().size();
  Link& l = world.connect({a.id(), pa}, {b.id(), pb}, std::move(a_to_b), std::move(b_to_a));
  a.add_interface(*wire::Ipv4Cidr::parse(addr_a));
  b.add_interface(*wire::Ipv4Cidr::parse(addr_b));
  return l;
}

}  // namespace synack::harness

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
// It is polled whenever its host is (frames received, a deadline of the
// host's or its own due), BEFORE the host flushes its output at that
// instant, so that what it writes in answer leaves with the ACK TCP queued
// for the segment that woke it (the order of Realtime::step; Linux does the
// same when the reply is written before the delayed ACK fires). When a timer
// firing in that flush changes a socket's readiness, the apps get another
// turn at the same instant. Socket::Host's readiness events
// (watch_ready/take_ready) tell it which descriptors to look at.
class App {
 public:
  virtual ~App() = default;
  virtual void poll(Instant now) = 0;
  virtual std::optional<Instant> poll_at() const { return std::nullopt; }
  // Whether poll() may call another host's socket API (a test's client and
  // server in one object). False lets the world re-ask only this host for
  // its deadline after polling it (Node::poll_reaches_others).
  virtual bool reaches_other_hosts() const { return true; }
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
    apps_reach_others_ |= ref.reaches_other_hosts();
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
    if (apps_due_) return Instant::zero();
    std::optional<Instant> t = host_.poll_at();
    for (const auto& a : apps_)
      if (auto p = a->poll_at()) t = t ? std::min(*t, *p) : *p;
    return t;
  }
  void poll(Instant now) override {
    apps_due_ = false;  // wake_apps() on a host without apps included
    if (apps_.empty()) {
      host_.poll(now);
      return;
    }
    // Apps first: segments were processed on receive(), so they already see
    // what arrived, and their writes are queued before the flush below
    // builds any segment (an immediate ACK then rides on their data or FIN).
    for (auto& a : apps_) a->poll(now);
    const std::uint64_t events = host_.ready_generation();
    host_.poll(now);
    // A timer due now fired in that poll and changed a socket's readiness
    // (an error, a connection given up): the apps look again at this same
    // instant. poll_at() answers "now", so the world polls this node again
    // in the same run_instant round loop (whose round limit catches a node
    // that never settles). Output alone never counts as an event, so this
    // ends once the timers due now have fired.
    if (host_.ready_generation() != events) apps_due_ = true;
  }
  // Only applications reach other hosts; the stack's own work goes out
  // through links as frames.
  bool poll_reaches_others() const override { return apps_reach_others_; }
  std::string name() const override { return host_.stack().config().name; }

 private:
  World& world_;
  NodeId id_;
  socket::Host host_;
  std::vector<std::unique_ptr<App>> apps_;
  bool apps_due_ = false;
  bool apps_reach_others_ = false;  // some app's reaches_other_hosts()
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

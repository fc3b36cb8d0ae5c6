#include "harness/world/world.h"

#include <fmt/core.h>

#include <cstdlib>

namespace synack::harness {

namespace {
// A node whose poll_at() stays in the past after poll() would spin forever at
// one instant; past this many rounds it is a bug in that node, reported loudly.
constexpr int kMaxRoundsPerInstant = 1'000'000;
}  // namespace

driver::DeviceCaps PortDevice::capabilities() const {
  driver::DeviceCaps caps;
  if (auto att = world_.attachment(node_, port_)) {
    auto mtu = att->first->profile(att->second).mtu;
    if (mtu != 0) caps.mtu = static_cast<std::uint16_t>(mtu);
  }
  return caps;
}

bool PortDevice::transmit(Instant now, ConstBytes frame) {
  auto att = world_.attachment(node_, port_);
  if (!att) return false;
  att->first->send(now, att->second, frame);
  return true;
}

NodeId World::add_node(std::unique_ptr<Node> node) {
  nodes_.push_back(std::move(node));
  return nodes_.size() - 1;
}

driver::Device& World::port_device(NodeId node, std::size_t port) {
  auto& slot = ports_[{node, port}];
  if (!slot) slot = std::make_unique<PortDevice>(*this, node, port);
  return *slot;
}

Link& World::connect(LinkEnd a, LinkEnd b, driver::FaultProfile a_to_b, driver::FaultProfile b_to_a) {
  std::size_t id = links_.size();
  links_.push_back(std::make_unique<Link>(*this, id, a, b, std::move(a_to_b), std::move(b_to_a),
                                          derive_seed(seed_, 0x4c494e4b00000000ULL + id)));
  attached_[{a.node, a.port}] = {id, 0};
  attached_[{b.node, b.port}] = {id, 1};
  return *links_.back();
}

std::optional<std::pair<Link*, int>> World::attachment(NodeId node, std::size_t port) {
  auto it = attached_.find({node, port});
  if (it == attached_.end()) return std::nullopt;
  return std::pair<Link*, int>{links_[it->second.first].get(), it->second.second};
}

void World::schedule(Instant at, std::function<void(World&)> action) {
  queue_.push(std::max(at, now_), Event{std::move(action)});
}

void World::schedule_delivery(Instant at, std::size_t link, int to_side, Bytes frame) {
  queue_.push(std::max(at, now_), Event{Delivery{link, to_side, std::move(frame)}});
}

Bytes World::copy_frame(ConstBytes frame) {
  if (spare_frames_.empty()) return Bytes(frame.begin(), frame.end());
  Bytes b = std::move(spare_frames_.back());
  spare_frames_.pop_back();
  b.assign(frame.begin(), frame.end());
  return b;
}

void World::schedule_release(Instant at, std::size_t link, int from_side, std::uint64_t serial) {
  queue_.push(std::max(at, now_), Event{Release{link, from_side, serial}});
}

std::optional<Instant> World::next_deadline() const {
  std::optional<Instant> t = queue_.next_time();
  for (const auto& n : nodes_) {
    if (auto p = n->poll_at()) t = t ? std::min(*t, *p) : *p;
  }
  if (t && *t < now_) t = now_;
  return t;
}

void World::dispatch(Event& e) {
  ++stats_.events;
  if (auto* d = std::get_if<Delivery>(&e)) {
    Link& l = *links_[d->link];
    l.on_delivered(now_, d->to_side, d->frame);
    const LinkEnd& end = l.end(d->to_side);
    nodes_[end.node]->receive(now_, end.port, d->frame);
    // Bounded: enough for every frame in flight on a busy link.
    if (spare_frames_.size() < 256) spare_frames_.push_back(std::move(d->frame));
  } else if (auto* r = std::get_if<Release>(&e)) {
    links_[r->link]->release_held(now_, r->from_side, r->serial);
  } else {
    std::get<Action>(e)(*this);
  }
}

void World::run_instant() {
  for (int round = 0;; ++round) {
    if (round >= kMaxRoundsPerInstant) {
      fmt::print(stderr, "world (seed {}): stuck at t={}ns: a node keeps asking to be polled\n", seed_,
                 now_.nanos());
      std::abort();
    }
    bool worked = false;
    while (auto t = queue_.next_time()) {
      if (*t > now_) break;
      auto entry = queue_.pop();
      dispatch(entry.value);
      worked = true;
    }
    for (auto& n : nodes_) {
      if (auto p = n->poll_at(); p && *p <= now_) {
        ++stats_.polls;
        n->poll(now_);
        worked = true;
      }
    }
    if (!worked) return;
  }
}

bool World::run_until(const std::function<bool()>& done, Instant deadline) {
  if (done()) return true;
  while (true) {
    auto t = next_deadline();
    if (!t || *t > deadline) {
      now_ = std::max(now_, deadline);
      for (auto& n : nodes_) n->on_time(now_);
      return done();
    }
    now_ = *t;
    for (auto& n : nodes_) n->on_time(now_);
    run_instant();
    if (done()) return true;
  }
}

}  // namespace synack::harness

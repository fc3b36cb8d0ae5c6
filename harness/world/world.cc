#include "harness/world/world.h"

#include <fmt/core.h>

#include <cstdlib>

namespace synack::harness {

namespace {
// A node whose poll_at() stays in the past after poll() would spin forever at
// one instant; past this many rounds it is a bug in that node, reported loudly.
constexpr int kMaxRoundsPerInstant = 1'000'000;
// Delivered frames' buffers kept for reuse: more than a bulk transfer keeps
// in flight on a link, few enough to bound the memory held.
constexpr std::size_t kMaxSpareFrames = 1024;
}  // namespace

std::optional<std::pair<Link*, int>> PortDevice::attached() const {
  if (cached_gen_ != world_.attachment_generation()) {
    cached_ = world_.attachment(node_, port_);
    cached_gen_ = world_.attachment_generation();
  }
  return cached_;
}

driver::DeviceCaps PortDevice::capabilities() const {
  driver::DeviceCaps caps;
  if (auto att = attached()) {
    auto mtu = att->first->profile(att->second).mtu;
    if (mtu != 0) caps.mtu = static_cast<std::uint16_t>(mtu);
  }
  return caps;
}

bool PortDevice::transmit(Instant now, ConstBytes frame) {
  auto att = attached();
  if (!att) return false;
  att->first->send(now, att->second, frame);
  return true;
}

NodeId World::add_node(std::unique_ptr<Node> node) {
  nodes_.push_back(std::move(node));
  known_.emplace_back();
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
  ++attach_gen_;
  return *links_.back();
}

std::optional<std::pair<Link*, int>> World::attachment(NodeId node, std::size_t port) {
  auto it = attached_.find({node, port});
  if (it == attached_.end()) return std::nullopt;
  return std::pair<Link*, int>{links_[it->second.first].get(), it->second.second};
}

void World::schedule(Instant at, std::function<void(World&)> action) {
  queue_.push(std::max(at, now_), std::move(action));
}

void World::schedule_delivery(Instant at, std::size_t link, int to_side, Bytes frame) {
  queue_.push(std::max(at, now_), Delivery{link, to_side, std::move(frame)});
}

Bytes World::frame_buffer() {
  if (spare_frames_.empty()) return {};
  Bytes b = std::move(spare_frames_.back());
  spare_frames_.pop_back();
  return b;
}

void World::schedule_release(Instant at, std::size_t link, int from_side, std::uint64_t serial) {
  queue_.push(std::max(at, now_), Release{link, from_side, serial});
}

std::optional<Instant> World::node_poll_at(std::size_t i) {
  KnownPollAt& k = known_[i];
  if (!k.valid) {
    k.at = nodes_[i]->poll_at();
    k.valid = true;
  }
  return k.at;
}

std::optional<Instant> World::next_deadline() {
  std::optional<Instant> t = queue_.next_time();
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (auto p = node_poll_at(i)) t = t ? std::min(*t, *p) : *p;
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
    forget(end.node);
    if (spare_frames_.size() < kMaxSpareFrames) {
      d->frame.clear();
      spare_frames_.push_back(std::move(d->frame));
    }
  } else if (auto* r = std::get_if<Release>(&e)) {
    links_[r->link]->release_held(now_, r->from_side, r->serial);
  } else {
    std::get<Action>(e)(*this);
    forget_all();  // an action may call into any node
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
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (auto p = node_poll_at(i); p && *p <= now_) {
        ++stats_.polls;
        Node& n = *nodes_[i];
        n.poll(now_);
        if (n.poll_reaches_others()) forget_all();
        else forget(i);
        worked = true;
      }
    }
    if (!worked) return;
  }
}

bool World::run_until(const std::function<bool()>& done, Instant deadline) {
  if (done()) return true;
  while (true) {
    // Code outside the nodes (before this run, and done() after every
    // step) may have called into any of them.
    forget_all();
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

#include "harness/world/world.h"

#include <fmt/core.h>

#include <cstdlib>

namespace synack::harness {

namespace {
// A node whose poll_at() stays in the past after poll() would spin forever at
// one instant; past this many rounds it is a bug in that node, reported loudly.
constexpr int kMaxRoundsPerInstant = 1'000'000;
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
  std::uint32_t index;
  if (free_actions_.empty()) {
    index = static_cast<std::uint32_t>(actions_.size());
    actions_.push_back(std::move(action));
  } else {
    index = free_actions_.back();
    free_actions_.pop_back();
    actions_[index] = std::move(action);
  }
  queue_.push(std::max(at, now_), Event{Event::kAction, 0, 0, index});
}

void World::schedule_delivery(Instant at, std::size_t link, int to_side, ConstBytes frame) {
  schedule_frame(at, link, to_side, store_frame(frame));
}

World::FrameId World::store_frame(ConstBytes frame) {
  FrameId id;
  if (free_frames_.empty()) {
    id = static_cast<FrameId>(frames_.size());
    frames_.emplace_back();
  } else {
    id = free_frames_.back();
    free_frames_.pop_back();
  }
  frames_[id].assign(frame.begin(), frame.end());
  return id;
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

void World::deliver(const Event& e) {
  const auto id = static_cast<FrameId>(e.arg);
  // A span, not a reference to the pooled vector: the receiver may store
  // frames of its own (a switch forwarding), which can move the vectors but
  // not their bytes; the id stays taken until the receiver is done.
  const ConstBytes frame = frames_[id];
  Link& l = *links_[e.link];
  l.on_delivered(now_, e.side, frame);
  const LinkEnd& end = l.end(e.side);
  nodes_[end.node]->receive(now_, end.port, frame);
  forget(end.node);
  free_frames_.push_back(id);
}

void World::dispatch(const Event& e) {
  ++stats_.events;
  switch (e.kind) {
    case Event::kDelivery: deliver(e); return;
    case Event::kRelease: links_[e.link]->release_held(now_, e.side, e.arg); return;
    case Event::kAction: {
      // Moved out first: the action may schedule others, which reuse slots.
      auto action = std::move(actions_[e.arg]);
      actions_[e.arg] = nullptr;
      free_actions_.push_back(static_cast<std::uint32_t>(e.arg));
      action(*this);
      forget_all();  // an action may call into any node
      return;
    }
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
      dispatch(queue_.pop().value);
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

bool World::run_until(const std::function<bool()>& done, Instant deadline, DoneCheck check) {
  if (done()) return true;
  // Code outside the nodes (before this run, and a MayCallNodes done()
  // after every step) may have called into any of them.
  forget_all();
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
    if (check == DoneCheck::MayCallNodes) forget_all();
  }
}

}  // namespace synack::harness

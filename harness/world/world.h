// A deterministic discrete-event world: nodes (hosts, switches, scripted
// peers), links with seeded fault profiles, and one event queue ordered by
// (time, insertion id). Virtual time jumps straight to the next event or node
// deadline, so hours of idle time pass in milliseconds. One world seed; every
// link derives its own sub-seed from it (printed with failures by callers).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/world/event_queue.h"
#include "harness/world/link.h"
#include "harness/world/node.h"
#include "stack/driver/device.h"

namespace synack::harness {

class World;

// The Device a node uses to send out of one of its ports.
class PortDevice final : public driver::Device {
 public:
  PortDevice(World& world, NodeId node, std::size_t port) : world_(world), node_(node), port_(port) {}
  driver::DeviceCaps capabilities() const override;
  bool transmit(Instant now, ConstBytes frame) override;

 private:
  // The attachment, looked up again only after connect() (a map lookup per
  // frame otherwise, and capabilities() runs per segment for the path MTU).
  std::optional<std::pair<Link*, int>> attached() const;

  World& world_;
  NodeId node_;
  std::size_t port_;
  mutable std::optional<std::pair<Link*, int>> cached_;
  mutable std::uint64_t cached_gen_ = ~std::uint64_t{0};
};

struct WorldStats {
  std::uint64_t events = 0;
  std::uint64_t polls = 0;
  std::uint64_t unconnected_drops = 0;  // frames sent out of a port with no link
};

class World {
 public:
  explicit World(std::uint64_t seed) : seed_(seed) {}
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  std::uint64_t seed() const noexcept { return seed_; }
  Instant now() const noexcept { return now_; }
  const WorldStats& stats() const noexcept { return stats_; }

  // Adds a node; returns its id. emplace() constructs it in place.
  NodeId add_node(std::unique_ptr<Node> node);
  template <class T, class... Args>
  std::pair<NodeId, T*> emplace(Args&&... args) {
    auto owned = std::make_unique<T>(std::forward<Args>(args)...);
    T* raw = owned.get();
    return {add_node(std::move(owned)), raw};
  }
  Node& node(NodeId id) { return *nodes_.at(id); }
  std::size_t node_count() const noexcept { return nodes_.size(); }

  // The device through which `node` sends out of `port` (created on demand,
  // stable for the world's lifetime).
  driver::Device& port_device(NodeId node, std::size_t port);
  // Joins two ports with a link; each direction gets its own fault profile.
  Link& connect(LinkEnd a, LinkEnd b, driver::FaultProfile a_to_b = {}, driver::FaultProfile b_to_a = {});
  Link& link(std::size_t id) { return *links_.at(id); }
  std::size_t link_count() const noexcept { return links_.size(); }
  // The link and side attached to a port, if any.
  std::optional<std::pair<Link*, int>> attachment(NodeId node, std::size_t port);
  // Changes whenever an attachment may have changed (connect()).
  std::uint64_t attachment_generation() const noexcept { return attach_gen_; }

  // Runs `action` at virtual time `at` (>= now).
  void schedule(Instant at, std::function<void(World&)> action);
  // Delivers `frame` to `to_side` of `link` at `at` (a crafted frame, as if
  // the other end had sent it).
  void schedule_delivery(Instant at, std::size_t link, int to_side, ConstBytes frame);

  // Frames in flight live in a pool of buffers owned by the world, named by
  // a FrameId until delivered; a delivered frame's buffer keeps its capacity
  // for a later frame (no allocation per frame once traffic flows).
  using FrameId = std::uint32_t;
  // A pooled copy of `frame`.
  FrameId store_frame(ConstBytes frame);
  Bytes& frame(FrameId id) { return frames_[id]; }
  // Delivers stored frame `id` (the event owns it from then on).
  void schedule_frame(Instant at, std::size_t link, int to_side, FrameId id) {
    queue_.push(std::max(at, now_), Event{Event::kDelivery, to_side, static_cast<std::uint32_t>(link), id});
  }
  void schedule_release(Instant at, std::size_t link, int from_side, std::uint64_t serial) {
    queue_.push(std::max(at, now_), Event{Event::kRelease, from_side, static_cast<std::uint32_t>(link), serial});
  }

  // What run_until's done() may do to the nodes.
  enum class DoneCheck : std::uint8_t {
    // It may call into any node (a socket call, say): every node's
    // deadline is asked again after each check.
    MayCallNodes,
    // It only reads (counters an application keeps, a captured flag) and
    // calls no node: the deadlines the world remembers stay valid across
    // it, which saves asking every node again after every step.
    ObservesOnly,
  };
  // Advances time until `done()` holds (checked after every step) or the
  // next step would pass `deadline`; returns whether `done()` held. Time ends
  // at the deadline when it was reached without `done()`.
  bool run_until(const std::function<bool()>& done, Instant deadline,
                 DoneCheck check = DoneCheck::MayCallNodes);
  void run_for(Duration d) { run_until([] { return false; }, now_ + d, DoneCheck::ObservesOnly); }

 private:
  // A delivery names its frame in frames_, an action its function in
  // actions_: events stay small and trivially copyable for the heap.
  struct Event {
    enum Kind : std::uint8_t { kDelivery, kRelease, kAction };
    Kind kind;
    int side;              // delivery: the receiving side; release: the sending side
    std::uint32_t link;    // delivery, release
    std::uint64_t arg;     // delivery: FrameId; release: serial; action: index in actions_
  };

  std::optional<Instant> next_deadline();
  // Node i's poll_at(), asked again only when it may have changed (the
  // contract in node.h); forget() drops one remembered answer, forget_all()
  // every one (after code outside the nodes ran).
  std::optional<Instant> node_poll_at(std::size_t i);
  void forget(std::size_t i) { known_[i].valid = false; }
  void forget_all() {
    for (auto& k : known_) k.valid = false;
  }
  void run_instant();  // every event and poll due at now_
  void dispatch(const Event& e);
  void deliver(const Event& e);

  std::uint64_t seed_;
  Instant now_ = Instant::zero();
  std::vector<std::unique_ptr<Node>> nodes_;
  struct KnownPollAt {
    std::optional<Instant> at;
    bool valid = false;
  };
  std::vector<KnownPollAt> known_;  // by node id
  std::vector<std::unique_ptr<Link>> links_;
  std::map<std::pair<NodeId, std::size_t>, std::unique_ptr<PortDevice>> ports_;
  std::map<std::pair<NodeId, std::size_t>, std::pair<std::size_t, int>> attached_;
  EventQueue<Event> queue_;
  std::vector<Bytes> frames_;               // by FrameId
  std::vector<FrameId> free_frames_;        // ids of frames_ not in flight
  std::vector<std::function<void(World&)>> actions_;  // scheduled, by index
  std::vector<std::uint32_t> free_actions_;  // indices of actions_ not scheduled
  std::uint64_t attach_gen_ = 0;     // bumped by connect(): PortDevice caches attachments
  WorldStats stats_;
};

}  // namespace synack::harness

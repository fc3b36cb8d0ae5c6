#include "harness/world/world.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <queue>
#include <tuple>

#include "harness/world/switch_node.h"

namespace synack::harness {
namespace {

// Records what it receives; optionally echoes every frame back after a delay
// using a timer, to exercise poll_at()/poll().
class Recorder final : public Node {
 public:
  Recorder(World& w, std::string name, Duration echo_after = Duration::max())
      : world_(w), name_(std::move(name)), echo_after_(echo_after) {}
  void set_id(NodeId id) { id_ = id; }
  void receive(Instant now, std::size_t port, ConstBytes frame) override {
    got.push_back({now, port, Bytes(frame.begin(), frame.end())});
    if (echo_after_ != Duration::max()) pending.push_back({now + echo_after_, port, Bytes(frame.begin(), frame.end())});
  }
  std::optional<Instant> poll_at() const override {
    if (pending.empty()) return std::nullopt;
    return pending.front().at;
  }
  void poll(Instant now) override {
    while (!pending.empty() && pending.front().at <= now) {
      world_.port_device(id_, pending.front().port).transmit(now, pending.front().frame);
      pending.erase(pending.begin());
    }
  }
  std::string name() const override { return name_; }
  void send(std::size_t port, Bytes frame) { world_.port_device(id_, port).transmit(world_.now(), frame); }

  struct Rx {
    Instant at;
    std::size_t port;
    Bytes frame;
  };
  std::vector<Rx> got;
  std::vector<Rx> pending;

 private:
  World& world_;
  std::string name_;
  NodeId id_ = 0;
  Duration echo_after_;
};

std::pair<NodeId, Recorder*> add_recorder(World& w, std::string name, Duration echo = Duration::max()) {
  auto [id, r] = w.emplace<Recorder>(w, std::move(name), echo);
  r->set_id(id);
  return {id, r};
}

Bytes frame_from(std::uint8_t src, std::uint8_t dst, std::uint8_t tag, std::size_t len = 64) {
  Bytes f(len, tag);
  for (int i = 0; i < 6; ++i) f[i] = dst == 0xff ? 0xff : (i == 5 ? dst : 0x02 * (i == 0));
  for (int i = 0; i < 6; ++i) f[6 + i] = i == 5 ? src : 0x02 * (i == 0);
  return f;
}

TEST(EventQueue, OrdersByTimeThenInsertion) {
  EventQueue<int> q;
  q.push(Instant::from_micros(5), 1);
  q.push(Instant::from_micros(1), 2);
  q.push(Instant::from_micros(5), 3);
  q.push(Instant::from_micros(1), 4);
  std::vector<int> order;
  while (!q.empty()) order.push_back(q.pop().value);
  EXPECT_EQ(order, (std::vector<int>{2, 4, 1, 3}));
}

// Against a plain std::priority_queue of (time, id): random interleavings of
// push and pop, times a few microseconds either side of the last one popped
// (equal times often), so entries go to both the run and the heap and
// overtake each other; the pop order, ids and next_time() must be the same.
RC_GTEST_PROP(EventQueueProp, MatchesPriorityQueue, ()) {
  struct Op {
    bool pop;
    std::int64_t offset;  // push: the time, relative to the last popped one
  };
  const auto ops = *rc::gen::container<std::vector<Op>>(
      rc::gen::build<Op>(rc::gen::set(&Op::pop, rc::gen::arbitrary<bool>()),
                         rc::gen::set(&Op::offset, rc::gen::inRange<std::int64_t>(-2, 5))));
  using Key = std::tuple<Instant, std::uint64_t, int>;
  std::priority_queue<Key, std::vector<Key>, std::greater<>> model;
  EventQueue<int> q;
  std::int64_t now = 10;
  int value = 0;
  auto pop_both = [&] {
    const auto e = q.pop();
    const Key want = model.top();
    model.pop();
    RC_ASSERT((Key{e.at, e.id, e.value} == want));
    now = e.at.micros();
  };
  for (const Op& op : ops) {
    if (op.pop && !model.empty()) {
      pop_both();
    } else if (!op.pop) {
      const Instant at = Instant::from_micros(now + op.offset);
      const std::uint64_t id = q.push(at, value);
      model.push({at, id, value});
      ++value;
    }
    RC_ASSERT(q.size() == model.size());
    RC_ASSERT(q.empty() == model.empty());
    RC_ASSERT(q.next_time() == (model.empty() ? std::nullopt : std::optional<Instant>(std::get<0>(model.top()))));
  }
  while (!model.empty()) pop_both();
  RC_ASSERT(q.empty());
}

// A long stream at one delay (a link's deliveries) with the odd earlier
// entry among it: the run's ring wraps and grows while entries are taken
// from its front, and the order stays (time, id).
TEST(EventQueue, LongRunInterleavedWithEarlierEntries) {
  EventQueue<int> q;
  std::int64_t now = 0;
  std::vector<std::pair<Instant, std::uint64_t>> popped;
  for (int i = 0; i < 5000; ++i) {
    q.push(Instant::from_micros(now + 50), i);
    if (i % 7 == 0) q.push(Instant::from_micros(now + 10), -i);  // earlier than the run's last: the heap
    if (i % 3 != 0) {
      const auto e = q.pop();
      popped.push_back({e.at, e.id});
      now = e.at.micros();
    }
  }
  while (!q.empty()) {
    const auto e = q.pop();
    popped.push_back({e.at, e.id});
  }
  EXPECT_EQ(popped.size(), 5000u + 715u);
  EXPECT_TRUE(std::is_sorted(popped.begin(), popped.end()));
}

TEST(World, DelayIsApplied) {
  World w(1);
  auto [a, ra] = add_recorder(w, "a");
  auto [b, rb] = add_recorder(w, "b");
  driver::FaultProfile p;
  p.delay = Duration::from_millis(3);
  w.connect({a, 0}, {b, 0}, p, p);
  ra->send(0, frame_from(1, 2, 7));
  w.run_for(Duration::from_secs(1));
  ASSERT_EQ(rb->got.size(), 1u);
  EXPECT_EQ(rb->got[0].at, Instant::from_millis(3));
  EXPECT_EQ(w.now(), Instant::from_secs(1));
}

TEST(World, TimersAndEchoAcrossTwoHoursOfIdleTimeAreFast) {
  World w(1);
  auto [a, ra] = add_recorder(w, "a");
  auto [b, rb] = add_recorder(w, "b", Duration::from_secs(3600));
  w.connect({a, 0}, {b, 0});
  ra->send(0, frame_from(1, 2, 9));
  bool done = w.run_until([&] { return !ra->got.empty(); }, Instant::from_secs(7200));
  ASSERT_TRUE(done);
  EXPECT_EQ(ra->got[0].at, Instant::from_secs(3600));
}

TEST(World, BandwidthSerialisesAndTailDrops) {
  World w(1);
  auto [a, ra] = add_recorder(w, "a");
  auto [b, rb] = add_recorder(w, "b");
  driver::FaultProfile p;
  p.bandwidth_bps = 8'000'000;  // 1 byte per microsecond
  p.queue_limit_bytes = 3000;
  auto& l = w.connect({a, 0}, {b, 0}, p, {});
  for (int i = 0; i < 10; ++i) ra->send(0, frame_from(1, 2, static_cast<std::uint8_t>(i), 1000));
  w.run_for(Duration::from_secs(1));
  // 1000-byte frames take 1 ms each; the backlog limit admits 3 or 4 frames.
  EXPECT_GE(l.stats(0).queue_drops, 6u);
  ASSERT_GE(rb->got.size(), 3u);
  EXPECT_EQ(rb->got[0].at, Instant::from_millis(1));
  EXPECT_EQ(rb->got[1].at, Instant::from_millis(2));
  EXPECT_EQ(l.stats(0).sent, 10u);
  EXPECT_EQ(l.stats(0).delivered + l.stats(0).queue_drops, 10u);
}

std::vector<Bytes> lossy_run(std::uint64_t seed) {
  World w(seed);
  auto [a, ra] = add_recorder(w, "a");
  auto [b, rb] = add_recorder(w, "b");
  driver::FaultProfile p;
  p.loss_ppm = 200'000;
  p.dup_ppm = 100'000;
  p.reorder_ppm = 100'000;
  p.corrupt_ppm = 100'000;
  p.jitter = Duration::from_micros(50);
  w.connect({a, 0}, {b, 0}, p, p);
  for (int i = 0; i < 200; ++i) {
    w.schedule(Instant::from_micros(10 * i), [ra = ra, i](World&) {
      ra->send(0, frame_from(1, 2, static_cast<std::uint8_t>(i)));
    });
  }
  w.run_for(Duration::from_secs(1));
  std::vector<Bytes> out;
  for (auto& r : rb->got) out.push_back(r.frame);
  return out;
}

TEST(World, SameSeedSameOutcomeOtherSeedOther) {
  auto x = lossy_run(7), y = lossy_run(7), z = lossy_run(8);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  EXPECT_LT(x.size(), 230u);
  EXPECT_GT(x.size(), 120u);
}

TEST(World, ReorderingLetsLaterFramesOvertake) {
  World w(3);
  auto [a, ra] = add_recorder(w, "a");
  auto [b, rb] = add_recorder(w, "b");
  driver::FaultProfile p;
  p.reorder_ppm = 1'000'000;  // every frame is held ...
  p.reorder_distance = 2;
  w.connect({a, 0}, {b, 0}, p, {});
  ra->send(0, frame_from(1, 2, 1));
  w.link(0).set_profile(0, {});  // ... then the next ones pass
  ra->send(0, frame_from(1, 2, 2));
  ra->send(0, frame_from(1, 2, 3));
  w.run_for(Duration::from_secs(1));
  ASSERT_EQ(rb->got.size(), 3u);
  EXPECT_EQ(rb->got[0].frame[20], 2);
  EXPECT_EQ(rb->got[1].frame[20], 3);
  EXPECT_EQ(rb->got[2].frame[20], 1);
}

TEST(World, HeldFrameIsReleasedWhenTrafficStops) {
  World w(3);
  auto [a, ra] = add_recorder(w, "a");
  auto [b, rb] = add_recorder(w, "b");
  driver::FaultProfile p;
  p.reorder_ppm = 1'000'000;
  w.connect({a, 0}, {b, 0}, p, {});
  ra->send(0, frame_from(1, 2, 1));
  w.run_for(Duration::from_secs(1));
  EXPECT_EQ(rb->got.size(), 1u);
}

TEST(World, PartitionDropsThenHeals) {
  World w(3);
  auto [a, ra] = add_recorder(w, "a");
  auto [b, rb] = add_recorder(w, "b");
  driver::FaultProfile p;
  p.partitions.push_back({Instant::from_millis(10), Instant::from_millis(20)});
  auto& l = w.connect({a, 0}, {b, 0}, p, {});
  for (int ms : {5, 15, 25})
    w.schedule(Instant::from_millis(ms), [ra = ra](World&) { ra->send(0, frame_from(1, 2, 0)); });
  w.run_for(Duration::from_secs(1));
  EXPECT_EQ(rb->got.size(), 2u);
  EXPECT_EQ(l.stats(0).partition_drops, 1u);
}

TEST(World, MtuDropsLargeFrames) {
  World w(3);
  auto [a, ra] = add_recorder(w, "a");
  auto [b, rb] = add_recorder(w, "b");
  driver::FaultProfile p;
  p.mtu = 1000;
  auto& l = w.connect({a, 0}, {b, 0}, p, {});
  EXPECT_EQ(w.port_device(a, 0).capabilities().mtu, 1000);
  ra->send(0, frame_from(1, 2, 0, 1014));
  ra->send(0, frame_from(1, 2, 0, 1015));
  w.run_for(Duration::from_secs(1));
  EXPECT_EQ(rb->got.size(), 1u);
  EXPECT_EQ(l.stats(0).mtu_drops, 1u);
}

TEST(World, SwitchLearnsAndFloods) {
  World w(1);
  auto [s, sw] = add_switch(w, "sw", 3);
  auto [a, ra] = add_recorder(w, "a");
  auto [b, rb] = add_recorder(w, "b");
  auto [c, rc] = add_recorder(w, "c");
  w.connect({a, 0}, {s, 0});
  w.connect({b, 0}, {s, 1});
  w.connect({c, 0}, {s, 2});
  ra->send(0, frame_from(1, 2, 0));  // unknown dst: flooded to b and c
  w.run_for(Duration::from_millis(1));
  EXPECT_EQ(rb->got.size(), 1u);
  EXPECT_EQ(rc->got.size(), 1u);
  rb->send(0, frame_from(2, 1, 0));  // a was learned: only a gets it
  w.run_for(Duration::from_millis(1));
  EXPECT_EQ(ra->got.size(), 1u);
  EXPECT_EQ(rc->got.size(), 1u);
  rc->send(0, frame_from(3, 0xff, 0));  // broadcast
  w.run_for(Duration::from_millis(1));
  EXPECT_EQ(ra->got.size(), 2u);
  EXPECT_EQ(rb->got.size(), 2u);
}

TEST(World, DuplicatedFramesArriveTwiceWithTheSameBytes) {
  World w(3);
  auto [a, ra] = add_recorder(w, "a");
  auto [b, rb] = add_recorder(w, "b");
  driver::FaultProfile p;
  p.dup_ppm = 1'000'000;
  w.connect({a, 0}, {b, 0}, p);
  for (std::uint8_t tag = 1; tag <= 3; ++tag) ra->send(0, frame_from(1, 2, tag, 60 + tag));
  w.run_for(Duration::from_millis(1));
  ASSERT_EQ(rb->got.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(rb->got[i].frame, frame_from(1, 2, static_cast<std::uint8_t>(i / 2 + 1), 60 + i / 2 + 1));
  EXPECT_EQ(w.link(0).stats(0).duplicated, 3u);
}

// A done() that calls into a node (here: queues an echo on b) is noticed
// under the default DoneCheck; ObservesOnly runs the same steps when done()
// only reads.
TEST(World, DoneCheckMayCallNodesNoticesWhatDoneChanged) {
  for (auto check : {World::DoneCheck::MayCallNodes, World::DoneCheck::ObservesOnly}) {
    World w(1);
    auto [a, ra] = add_recorder(w, "a");
    auto [b, rb] = add_recorder(w, "b", Duration::from_secs(1));
    w.connect({a, 0}, {b, 0});
    ra->send(0, frame_from(1, 2, 9));
    ASSERT_TRUE(w.run_until([&] { return !ra->got.empty(); }, Instant::from_secs(10), check));
    EXPECT_EQ(ra->got[0].at, Instant::from_secs(1));
  }
  World w(1);
  auto [a, ra] = add_recorder(w, "a");
  auto [b, rb] = add_recorder(w, "b");
  w.connect({a, 0}, {b, 0});
  ra->send(0, frame_from(1, 2, 9));
  bool queued = false;
  ASSERT_TRUE(w.run_until(
      [&] {
        if (!rb->got.empty() && !queued) {
          rb->pending.push_back({w.now() + Duration::from_secs(2), 0, frame_from(2, 1, 5)});
          queued = true;
        }
        return !ra->got.empty();
      },
      Instant::from_secs(10)));
  EXPECT_EQ(ra->got[0].at, Instant::from_secs(2));
}

TEST(VirtualSwitch, TableStaysBoundedUnderForgedSources) {
  driver::VirtualSwitch sw(2, 64);
  for (int i = 0; i < 10000; ++i) {
    Bytes f(60, 0);
    f[6] = 0x02;
    f[9] = static_cast<std::uint8_t>(i >> 16);
    f[10] = static_cast<std::uint8_t>(i >> 8);
    f[11] = static_cast<std::uint8_t>(i);
    sw.forward(0, f);
  }
  EXPECT_EQ(sw.table_size(), 64u);
  EXPECT_TRUE(sw.forward(0, Bytes(5, 0)).empty());
  EXPECT_EQ(sw.runts(), 1u);
}

}  // namespace
}  // namespace synack::harness

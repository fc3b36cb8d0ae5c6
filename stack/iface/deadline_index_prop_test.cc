// DeadlineIndex against a model: the std::set of (deadline, handle) the
// stack used before. Random set/erase/pop sequences must give the same
// next(), get() and pop order (ties broken by handle), whichever of its
// places (lane, run, heap) holds an entry, and the run's garbage stays
// bounded. Handles come in two generations per slot, so entries are
// re-armed, replaced by the slot's next occupant, and erased through a
// stale handle (which must leave the live one alone).
#include "stack/iface/deadline_index.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace synack::iface {
namespace {

struct Op {
  int kind;  // 0 set, 1 erase, 2 pop_due
  std::uint32_t index;
  std::uint32_t generation;
  std::int64_t at;  // -1 in a set: remove (0 is Instant::zero(), "due now")
};

// Slot indices 0..11 times `stride`: 1 keeps them in one word of the
// lane's bitmap, 61 spreads them over words, 4099 over summary words too.
// Deadlines are drawn from -1 (remove) to max_at: a small max_at makes
// "due now" (0, the lane) frequent.
void matches_ordered_set(std::uint32_t stride, std::int64_t max_at) {
  const auto ops = *rc::gen::container<std::vector<Op>>(rc::gen::build<Op>(
      rc::gen::set(&Op::kind, rc::gen::inRange(0, 3)), rc::gen::set(&Op::index, rc::gen::inRange<std::uint32_t>(0, 12)),
      rc::gen::set(&Op::generation, rc::gen::inRange<std::uint32_t>(0, 2)),
      rc::gen::set(&Op::at, rc::gen::inRange<std::int64_t>(-1, max_at + 1))));
  DeadlineIndex idx;
  std::set<std::pair<Instant, Handle>> model;
  std::map<Handle, Instant> key;
  auto model_erase = [&](Handle h) {
    if (auto it = key.find(h); it != key.end()) {
      model.erase({it->second, h});
      key.erase(it);
    }
  };
  for (const Op& op : ops) {
    Handle h{op.index * stride, op.generation};
    if (op.kind == 0) {
      std::optional<Instant> at;
      if (op.at >= 0) at = Instant::from_micros(op.at);
      idx.set(h, at);
      model_erase(h);
      if (at) {
        // The slot's other generation is gone.
        for (std::uint32_t g = 0; g < 2; ++g)
          if (g != h.generation) model_erase(Handle{h.index, g});
        model.insert({*at, h});
        key[h] = *at;
      }
    } else if (op.kind == 1) {
      idx.erase(h);
      model_erase(h);
    } else {
      Instant now = Instant::from_micros(op.at);
      auto got = idx.pop_due(now);
      std::optional<Handle> want;
      if (!model.empty() && model.begin()->first <= now) want = model.begin()->second;
      RC_ASSERT(got == want);
      if (want) model_erase(*want);
    }
    RC_ASSERT(idx.size() == model.size());
    // At most one live entry per slot index (12): garbage at most as many plus the slack.
    RC_ASSERT(idx.run_entries() <= 2 * 12 + 32 + 1);
    std::optional<Instant> next;
    if (!model.empty()) next = model.begin()->first;
    RC_ASSERT(idx.next() == next);
    for (std::uint32_t i = 0; i < 12; ++i)
      for (std::uint32_t g = 0; g < 2; ++g) {
        Handle q{i * stride, g};
        auto it = key.find(q);
        RC_ASSERT(idx.get(q) == (it == key.end() ? std::nullopt : std::optional<Instant>(it->second)));
      }
  }
  // Draining gives the model's order.
  while (auto h = idx.pop_due(Instant::from_micros(100))) {
    RC_ASSERT(!model.empty());
    RC_ASSERT(*h == model.begin()->second);
    model.erase(model.begin());
  }
  RC_ASSERT(model.empty());
}

RC_GTEST_PROP(DeadlineIndexProp, MatchesOrderedSet, ()) { matches_ordered_set(1, 7); }
RC_GTEST_PROP(DeadlineIndexProp, MatchesOrderedSetMostlyDueNow, ()) { matches_ordered_set(1, 1); }
RC_GTEST_PROP(DeadlineIndexProp, MatchesOrderedSetAcrossLaneWords, ()) { matches_ordered_set(61, 2); }
RC_GTEST_PROP(DeadlineIndexProp, MatchesOrderedSetAcrossSummaryWords, ()) { matches_ordered_set(4099, 2); }

// Deadlines that keep moving later and back (TIME-WAIT entered, a FIN
// retransmitted into it, due at once, TIME-WAIT again) leave garbage in the
// run: it is dropped at the front or by a compaction, and the order stays
// exact.
TEST(DeadlineIndex, RunGarbageStaysBounded) {
  DeadlineIndex idx;
  std::int64_t now = 0;
  for (int round = 0; round < 20000; ++round) {
    const Handle h{static_cast<std::uint32_t>(round % 40), 0};
    idx.set(h, Instant::from_micros(now + 200));             // RTO
    idx.set(h, Instant::from_micros(now + 60000));           // TIME-WAIT: appended to the run
    if (round % 3 == 0) idx.set(h, Instant::zero());         // due at once (garbage)
    if (round % 3 == 1) idx.set(h, Instant::from_micros(now + 100));  // earlier: heap (garbage)
    EXPECT_LE(idx.run_entries(), 2u * 40 + 32 + 1);
    ++now;
    if (round % 100 == 0) {
      while (idx.pop_due(Instant::from_micros(now))) {
      }
    }
  }
  // The true deadlines come out in (deadline, handle) order.
  std::optional<Instant> last;
  std::optional<Handle> last_h;
  std::size_t popped = 0;
  const std::size_t held = idx.size();
  while (auto next = idx.next()) {
    auto h = idx.pop_due(*next);
    ASSERT_TRUE(h);
    if (last) {
      EXPECT_TRUE(*last < *next || (*last == *next && *last_h < *h));
    }
    last = next;
    last_h = h;
    ++popped;
  }
  EXPECT_EQ(popped, held);
  EXPECT_TRUE(idx.empty());
}

// TIME-WAIT deadlines (a constant span from a clock that only moves
// forward) all go to the run: the heap keeps only the others.
TEST(DeadlineIndex, IncreasingDeadlinesKeepTheirOrderWithTheHeap) {
  DeadlineIndex idx;
  for (std::uint32_t i = 0; i < 100; ++i) idx.set(Handle{i, 0}, Instant::from_micros(1000 + i));
  idx.set(Handle{100, 0}, Instant::from_micros(1050));  // among them: the heap
  idx.set(Handle{101, 0}, Instant::from_micros(1050));  // tie with {50, 0} and {100, 0}
  idx.set(Handle{7, 0}, std::nullopt);                 // garbage in the run
  EXPECT_EQ(idx.size(), 101u);
  std::vector<Handle> order;
  while (auto h = idx.pop_due(Instant::from_micros(2000))) order.push_back(*h);
  ASSERT_EQ(order.size(), 101u);
  EXPECT_EQ(order[49], (Handle{50, 0}));
  EXPECT_EQ(order[50], (Handle{100, 0}));
  EXPECT_EQ(order[51], (Handle{101, 0}));
  EXPECT_EQ(order[52], (Handle{51, 0}));
  EXPECT_EQ(std::count(order.begin(), order.end(), Handle{7, 0}), 0);
}

// "Due now" entries come out in handle order wherever their slots sit in
// the lane's bitmap; a stale handle neither removes nor reads the slot's
// live entry, and a re-armed one moves out of the lane and back.
TEST(DeadlineIndex, DueNowInHandleOrderAcrossTheBitmap) {
  DeadlineIndex idx;
  const Instant now = Instant::zero();
  for (std::uint32_t i : {70000u, 5u, 4096u, 63u, 64u}) idx.set(Handle{i, 1}, now);
  idx.erase(Handle{63, 0});                                // stale: the live {63, 1} stays
  EXPECT_EQ(idx.get(Handle{63, 0}), std::nullopt);
  EXPECT_EQ(idx.get(Handle{63, 1}), now);
  idx.set(Handle{64, 1}, Instant::from_micros(5));         // re-armed later: leaves the lane
  idx.set(Handle{4096, 2}, now);                           // the slot's next occupant
  idx.erase(Handle{5, 1});                                 // cancelled
  EXPECT_EQ(idx.size(), 4u);
  EXPECT_EQ(idx.next(), now);
  EXPECT_EQ(idx.pop_due(now), (Handle{63, 1}));
  EXPECT_EQ(idx.pop_due(now), (Handle{4096, 2}));
  idx.set(Handle{0, 3}, now);                              // lower than the lane's front
  EXPECT_EQ(idx.pop_due(now), (Handle{0, 3}));
  EXPECT_EQ(idx.pop_due(now), (Handle{70000, 1}));
  EXPECT_EQ(idx.pop_due(now), std::nullopt);
  EXPECT_EQ(idx.next(), Instant::from_micros(5));
  idx.set(Handle{64, 1}, now);                             // back into the lane
  EXPECT_EQ(idx.pop_due(now), (Handle{64, 1}));
  EXPECT_TRUE(idx.empty());
}

TEST(DeadlineIndex, TiesBreakByHandle) {
  DeadlineIndex idx;
  const Instant t = Instant::from_secs(1);
  idx.set(Handle{3, 0}, t);
  idx.set(Handle{1, 1}, t);
  idx.set(Handle{0, 0}, t + Duration::from_micros(1));
  idx.set(Handle{2, 0}, t);
  idx.set(Handle{4, 0}, t);
  idx.set(Handle{4, 1}, t);  // the slot's new occupant replaces the old one
  EXPECT_EQ(idx.size(), 5u);
  EXPECT_EQ(idx.pop_due(t), (Handle{1, 1}));
  EXPECT_EQ(idx.pop_due(t), (Handle{2, 0}));
  EXPECT_EQ(idx.pop_due(t), (Handle{3, 0}));
  EXPECT_EQ(idx.pop_due(t), (Handle{4, 1}));
  EXPECT_EQ(idx.pop_due(t), std::nullopt);
  EXPECT_EQ(idx.next(), t + Duration::from_micros(1));
}

}  // namespace
}  // namespace synack::iface

// DeadlineIndex against a model: the std::set of (deadline, handle) the
// stack used before. Random set/erase/pop sequences must give the same
// next(), get() and pop order (ties broken by handle).
#include "stack/iface/deadline_index.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

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

RC_GTEST_PROP(DeadlineIndexProp, MatchesOrderedSet, ()) {
  const auto ops = *rc::gen::container<std::vector<Op>>(rc::gen::build<Op>(
      rc::gen::set(&Op::kind, rc::gen::inRange(0, 3)), rc::gen::set(&Op::index, rc::gen::inRange<std::uint32_t>(0, 12)),
      rc::gen::set(&Op::generation, rc::gen::inRange<std::uint32_t>(0, 2)),
      rc::gen::set(&Op::at, rc::gen::inRange<std::int64_t>(-1, 8))));
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
    Handle h{op.index, op.generation};
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
    std::optional<Instant> next;
    if (!model.empty()) next = model.begin()->first;
    RC_ASSERT(idx.next() == next);
    for (std::uint32_t i = 0; i < 12; ++i)
      for (std::uint32_t g = 0; g < 2; ++g) {
        Handle q{i, g};
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

// Assembler against a bit model: a std::set of the byte offsets received.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

#include "stack/storage/assembler.h"

namespace synack::storage {
namespace {

using Bits = std::set<std::uint64_t>;

struct Op {
  bool remove = false;
  std::size_t offset = 0;
  std::size_t size = 0;
};

rc::Gen<Op> gen_op() {
  return rc::gen::oneOf(
      rc::gen::build<Op>(rc::gen::set(&Op::offset, rc::gen::inRange<std::size_t>(0, 64)),
                         rc::gen::set(&Op::size, rc::gen::inRange<std::size_t>(0, 12))),
      rc::gen::build<Op>(rc::gen::set(&Op::remove, rc::gen::just(true))));
}

Bits bits_of(const Assembler& a) {
  Bits b;
  for (const auto& r : a)
    for (std::size_t i = 0; i < r.size; ++i) b.insert(r.offset + i);
  return b;
}

// The runs of a bit set, as ranges.
std::vector<AssemblerRange> runs_of(const Bits& bits) {
  std::vector<AssemblerRange> runs;
  for (std::uint64_t x : bits) {
    if (!runs.empty() && runs.back().end() == x) {
      ++runs.back().size;
    } else {
      runs.push_back({.offset = static_cast<std::size_t>(x), .size = 1});
    }
  }
  return runs;
}

void check_invariants(const Assembler& a, const Bits& model) {
  std::vector<AssemblerRange> held(a.begin(), a.end());
  RC_ASSERT(held.size() <= a.max_ranges());
  // Canonical form: the ranges are exactly the maximal runs of the model.
  RC_ASSERT(held == runs_of(model));
  RC_ASSERT(a.is_empty() == model.empty());
  std::size_t front = 0;
  while (model.count(front) != 0) ++front;
  RC_ASSERT(a.peek_front() == front);
}

RC_GTEST_PROP(AssemblerModel, MatchesBitSet, ()) {
  std::size_t max_ranges = *rc::gen::inRange<std::size_t>(1, 6);
  auto ops = *rc::gen::container<std::vector<Op>>(gen_op());
  Assembler a(max_ranges);
  Bits model;
  for (const Op& op : ops) {
    if (op.remove) {
      std::size_t n = a.remove_front();
      std::size_t expect = 0;
      while (model.count(expect) != 0) ++expect;
      RC_ASSERT(n == expect);
      Bits shifted;
      for (auto x : model)
        if (x >= n) shifted.insert(x - n);
      model = shifted;
    } else {
      Bits grown = model;
      for (std::size_t i = 0; i < op.size; ++i) grown.insert(op.offset + i);
      std::vector<AssemblerRange> before(a.begin(), a.end());
      auto last_before = a.last_added();
      auto r = a.add(op.offset, op.size);
      if (runs_of(grown).size() > max_ranges) {
        // Overflow: reported, and nothing changed.
        RC_ASSERT(!r.ok());
        RC_ASSERT(r.error() == AssemblerError::TooManyHoles);
        RC_ASSERT((std::vector<AssemblerRange>(a.begin(), a.end())) == before);
        RC_ASSERT(a.last_added() == last_before);
      } else {
        RC_ASSERT(r.ok());
        model = grown;
        if (op.size > 0) {
          auto last = a.last_added();
          RC_ASSERT(last.has_value());
          RC_ASSERT(last->offset <= op.offset && op.offset + op.size <= last->end());
          std::vector<AssemblerRange> recent(a.size());
          RC_ASSERT(a.ranges_by_recency(recent) == a.size());
          RC_ASSERT(recent.front() == *last);
        }
      }
    }
    check_invariants(a, model);
    RC_ASSERT(bits_of(a) == model);
  }
}

// Adding the same segments in any order gives the same ranges.
RC_GTEST_PROP(AssemblerModel, OrderDoesNotMatter, ()) {
  auto segs = *rc::gen::container<std::vector<std::pair<std::size_t, std::size_t>>>(
      rc::gen::pair(rc::gen::inRange<std::size_t>(0, 100), rc::gen::inRange<std::size_t>(0, 10)));
  auto shuffled = *rc::gen::arbitrary<std::uint64_t>();
  Assembler a(1000), b(1000);
  for (auto [o, s] : segs) RC_ASSERT(a.add(o, s).ok());
  std::vector<std::size_t> idx(segs.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  for (std::size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[(shuffled + i * 7919) % i]);
  for (auto i : idx) RC_ASSERT(b.add(segs[i].first, segs[i].second).ok());
  RC_ASSERT((std::vector<AssemblerRange>(a.begin(), a.end())) ==
            (std::vector<AssemblerRange>(b.begin(), b.end())));
}

}  // namespace
}  // namespace synack::storage

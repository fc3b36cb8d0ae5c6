// RapidCheck state-machine test of RingBuffer against a std::deque model.
// The model also tracks the unallocated region ("ahead" of the queue), so that
// out-of-order writes are checked once they are enqueued; bytes whose value
// the contract leaves open (freed space, never written) are kUnknown.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "stack/base/rng.h"
#include "stack/storage/ring_buffer.h"

namespace synack::storage {
namespace {

constexpr int kUnknown = -1;

struct Model {
  std::size_t cap = 0;
  std::deque<int> queue;   // allocated bytes, front first
  std::deque<int> ahead;   // unallocated region; always cap - queue.size() long

  std::size_t read_at = 0;  // the contract: moves only by dequeues, reset by clear
  std::size_t window() const { return cap - queue.size(); }
  std::size_t pos(std::size_t k) const { return cap == 0 ? 0 : (read_at + k) % cap; }
  void push(std::size_t n) {  // enqueue n bytes taken from `ahead`
    for (std::size_t i = 0; i < n; ++i) {
      queue.push_back(ahead.front());
      ahead.pop_front();
    }
  }
  void pop(std::size_t n) {  // dequeue n bytes; their space joins `ahead`
    for (std::size_t i = 0; i < n; ++i) {
      queue.pop_front();
      ahead.push_back(kUnknown);
    }
    read_at = pos(n);
  }
};

using Cmd = rc::state::Command<Model, RingBuffer>;

void check_counters(const Model& m, const RingBuffer& rb) {
  RC_ASSERT(rb.capacity() == m.cap);
  RC_ASSERT(rb.len() == m.queue.size());
  RC_ASSERT(rb.window() == m.window());
  RC_ASSERT(rb.empty() == m.queue.empty());
  RC_ASSERT(rb.full() == (m.queue.size() == m.cap));
}

void check_bytes(const Model& m, std::size_t offset, ConstBytes got) {
  for (std::size_t i = 0; i < got.size(); ++i) {
    int want = m.queue[offset + i];
    if (want != kUnknown) RC_ASSERT(int{got[i]} == want);
  }
}

// Sizes a little past the capacity so clamping is exercised.
std::size_t gen_size(const Model& m) {
  return *rc::gen::inRange<std::size_t>(0, m.cap + 6);
}

struct EnqueueSlice : Cmd {
  std::vector<std::uint8_t> data;
  explicit EnqueueSlice(const Model& m)
      : data(*rc::gen::container<std::vector<std::uint8_t>>(gen_size(m), rc::gen::arbitrary<std::uint8_t>())) {}
  std::size_t expect(const Model& m) const { return std::min(data.size(), m.window()); }
  void apply(Model& m) const override {
    std::size_t n = expect(m);
    for (std::size_t i = 0; i < n; ++i) m.ahead[i] = data[i];
    m.push(n);
  }
  void run(const Model& m, RingBuffer& rb) const override {
    RC_ASSERT(rb.enqueue_slice(data) == expect(m));
    check_counters(nextState(m), rb);
  }
  void show(std::ostream& os) const override { os << "enqueue_slice(" << data.size() << ")"; }
};

struct DequeueSlice : Cmd {
  std::size_t n;
  explicit DequeueSlice(const Model& m) : n(gen_size(m)) {}
  void apply(Model& m) const override { m.pop(std::min(n, m.queue.size())); }
  void run(const Model& m, RingBuffer& rb) const override {
    std::vector<std::uint8_t> out(n, 0xee);
    std::size_t got = rb.dequeue_slice(out);
    RC_ASSERT(got == std::min(n, m.queue.size()));
    check_bytes(m, 0, ConstBytes(out).first(got));
    check_counters(nextState(m), rb);
  }
  void show(std::ostream& os) const override { os << "dequeue_slice(" << n << ")"; }
};

struct EnqueueMany : Cmd {
  std::size_t n;
  std::uint8_t fill;
  explicit EnqueueMany(const Model& m) : n(gen_size(m)), fill(*rc::gen::arbitrary<std::uint8_t>()) {}
  std::size_t expect(const Model& m) const {
    std::size_t want = std::min(n, m.window());
    return want == 0 ? 0 : std::min(want, m.cap - m.pos(m.queue.size()));
  }
  void apply(Model& m) const override {
    std::size_t count = expect(m);
    for (std::size_t i = 0; i < count; ++i) m.ahead[i] = fill;
    m.push(count);
  }
  void run(const Model& m, RingBuffer& rb) const override {
    MutBytes span = rb.enqueue_many(n);
    RC_ASSERT(span.size() == expect(m));
    std::fill(span.begin(), span.end(), fill);
    check_counters(nextState(m), rb);
  }
  void show(std::ostream& os) const override { os << "enqueue_many(" << n << ")"; }
};

struct DequeueMany : Cmd {
  std::size_t n;
  explicit DequeueMany(const Model& m) : n(gen_size(m)) {}
  std::size_t expect(const Model& m) const {
    std::size_t want = std::min(n, m.queue.size());
    return want == 0 ? 0 : std::min(want, m.cap - m.read_at);
  }
  void apply(Model& m) const override { m.pop(expect(m)); }
  void run(const Model& m, RingBuffer& rb) const override {
    ConstBytes got = rb.dequeue_many(n);
    RC_ASSERT(got.size() == expect(m));
    check_bytes(m, 0, got);
    check_counters(nextState(m), rb);
  }
  void show(std::ostream& os) const override { os << "dequeue_many(" << n << ")"; }
};

struct WriteUnallocated : Cmd {
  std::size_t offset;
  std::vector<std::uint8_t> data;
  explicit WriteUnallocated(const Model& m)
      : offset(gen_size(m)),
        data(*rc::gen::container<std::vector<std::uint8_t>>(gen_size(m), rc::gen::arbitrary<std::uint8_t>())) {}
  std::size_t expect(const Model& m) const {
    return offset >= m.window() ? 0 : std::min(data.size(), m.window() - offset);
  }
  void apply(Model& m) const override {
    for (std::size_t i = 0; i < expect(m); ++i) m.ahead[offset + i] = data[i];
  }
  void run(const Model& m, RingBuffer& rb) const override {
    std::size_t want = expect(m);
    std::size_t contiguous = rb.get_unallocated(offset, data.size()).size();
    RC_ASSERT(contiguous == (want == 0 ? 0 : std::min(want, m.cap - m.pos(m.queue.size() + offset))));
    RC_ASSERT(rb.write_unallocated(offset, data) == want);
    check_counters(m, rb);
  }
  void show(std::ostream& os) const override {
    os << "write_unallocated(" << offset << ", " << data.size() << ")";
  }
};

struct EnqueueUnallocated : Cmd {
  std::size_t n;
  explicit EnqueueUnallocated(const Model& m) : n(gen_size(m)) {}
  void apply(Model& m) const override { m.push(std::min(n, m.window())); }
  void run(const Model& m, RingBuffer& rb) const override {
    RC_ASSERT(rb.enqueue_unallocated(n) == std::min(n, m.window()));
    check_counters(nextState(m), rb);
  }
  void show(std::ostream& os) const override { os << "enqueue_unallocated(" << n << ")"; }
};

struct ReadAllocated : Cmd {
  std::size_t offset, n;
  explicit ReadAllocated(const Model& m) : offset(gen_size(m)), n(gen_size(m)) {}
  void run(const Model& m, RingBuffer& rb) const override {
    std::size_t want = offset >= m.queue.size() ? 0 : std::min(n, m.queue.size() - offset);
    std::vector<std::uint8_t> out(n);
    RC_ASSERT(rb.read_allocated(offset, out) == want);
    if (want > 0) check_bytes(m, offset, ConstBytes(out).first(want));
    ConstBytes contiguous = rb.get_allocated(offset, n);
    RC_ASSERT(contiguous.size() == (want == 0 ? 0 : std::min(want, m.cap - m.pos(offset))));
    check_bytes(m, offset, contiguous);
    check_counters(m, rb);
  }
  void show(std::ostream& os) const override {
    os << "read_allocated(" << offset << ", " << n << ")";
  }
};

struct DequeueAllocated : Cmd {
  std::size_t n;
  explicit DequeueAllocated(const Model& m) : n(gen_size(m)) {}
  void apply(Model& m) const override { m.pop(std::min(n, m.queue.size())); }
  void run(const Model& m, RingBuffer& rb) const override {
    RC_ASSERT(rb.dequeue_allocated(n) == std::min(n, m.queue.size()));
    check_counters(nextState(m), rb);
  }
  void show(std::ostream& os) const override { os << "dequeue_allocated(" << n << ")"; }
};

struct Clear : Cmd {
  bool release = false;
  Clear() : release(*rc::gen::arbitrary<bool>()) {}
  void apply(Model& m) const override {
    m.queue.clear();
    m.ahead.assign(m.cap, kUnknown);
    m.read_at = 0;
  }
  void run(const Model& m, RingBuffer& rb) const override {
    if (release) {
      rb.release();
      RC_ASSERT(!rb.allocated());
    } else {
      rb.clear();
    }
    check_counters(nextState(m), rb);
  }
  void show(std::ostream& os) const override { os << (release ? "release" : "clear"); }
};

RC_GTEST_PROP(RingBufferModel, BehavesLikeDeque, ()) {
  Model m;
  m.cap = *rc::gen::inRange<std::size_t>(0, 40);
  m.ahead.assign(m.cap, kUnknown);
  RingBuffer rb(m.cap);
  rc::state::check(m, rb,
                   rc::state::gen::execOneOfWithArgs<EnqueueSlice, DequeueSlice, EnqueueMany,
                                                     DequeueMany, WriteUnallocated,
                                                     EnqueueUnallocated, ReadAllocated,
                                                     DequeueAllocated, Clear>());
}

// Whatever the interleaving, the bytes come out in the order they went in.
// Chunk sizes come from a seeded Rng (not from generators inside the loop, so
// shrinking cannot turn them all into zeros and spin forever).
RC_GTEST_PROP(RingBufferModel, StreamRoundTrip,
              (const std::vector<std::uint8_t>& stream, std::uint8_t cap_seed, std::uint64_t seed)) {
  std::size_t cap = 1 + cap_seed % 17;
  auto cap32 = static_cast<std::uint32_t>(cap);
  Rng rng(seed);
  RingBuffer rb(cap);
  std::vector<std::uint8_t> out;
  std::size_t in = 0;
  while (out.size() < stream.size()) {
    std::size_t chunk = rng.below(cap32 + 3);
    in += rb.enqueue_slice(ConstBytes(stream).subspan(in, std::min(chunk, stream.size() - in)));
    std::vector<std::uint8_t> tmp(1 + rng.below(cap32 + 2));
    std::size_t got = rb.dequeue_slice(tmp);
    out.insert(out.end(), tmp.begin(), tmp.begin() + static_cast<std::ptrdiff_t>(got));
  }
  RC_ASSERT(out == stream);
  RC_ASSERT(rb.empty());
}

}  // namespace
}  // namespace synack::storage

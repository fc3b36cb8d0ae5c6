// RingBuffer storage growth (ring_buffer.h): storage starts at
// kInitialStorage and doubles up to the capacity as bytes must be addressed.
// Random interleavings of the TCP-style operations (enqueue, dequeue,
// out-of-order writes ahead of the queue, enqueue of what was written ahead,
// acknowledgement drops, retransmission reads, resize, release) are checked
// against a model of every byte's value; the storage never exceeds the
// capacity. The ring draws on a small BufferPool, whose block count is
// checked against a counting model: each replacement of the storage takes a
// block when the new storage is one (and the pool has any), then gives the
// old storage back when it was one (and the pool is below its ceiling).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "stack/base/rng.h"
#include "stack/storage/ring_buffer.h"

namespace synack::storage {
namespace {

constexpr int kUnknown = -1;

TEST(RingBufferGrowth, StartsSmallAndDoublesUpToTheCapacity) {
  RingBuffer rb(10'000);
  std::vector<std::uint8_t> one{7};
  ASSERT_EQ(rb.enqueue_slice(one), 1u);
  EXPECT_EQ(rb.storage_size(), RingBuffer::kInitialStorage);
  std::vector<std::uint8_t> chunk(1500, 1);
  ASSERT_EQ(rb.enqueue_slice(chunk), 1500u);
  EXPECT_EQ(rb.storage_size(), 2 * RingBuffer::kInitialStorage);
  std::vector<std::uint8_t> big(20'000, 2);
  EXPECT_EQ(rb.enqueue_slice(big), 10'000u - 1501u);
  EXPECT_TRUE(rb.full());
  EXPECT_EQ(rb.storage_size(), 10'000u);  // capped at the capacity, not 16 KiB
  rb.release();
  EXPECT_EQ(rb.storage_size(), 0u);
  EXPECT_FALSE(rb.allocated());
}

TEST(RingBufferGrowth, SmallCapacityAllocatesOnlyTheCapacity) {
  RingBuffer rb(100);
  std::vector<std::uint8_t> one{7};
  ASSERT_EQ(rb.enqueue_slice(one), 1u);
  EXPECT_EQ(rb.storage_size(), 100u);
}

TEST(RingBufferGrowth, OneLargeWriteAllocatesWhatItNeeds) {
  RingBuffer rb(64 * 1024);
  std::vector<std::uint8_t> data(5000, 3);
  ASSERT_EQ(rb.enqueue_slice(data), 5000u);
  EXPECT_EQ(rb.storage_size(), 5000u);
}

TEST(RingBufferGrowth, GrowthKeepsAWrappedQueueAndBytesHeldAhead) {
  RingBuffer rb(8192);
  std::vector<std::uint8_t> a(1000);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i);
  ASSERT_EQ(rb.enqueue_slice(a), 1000u);
  ASSERT_EQ(rb.dequeue_allocated(900), 900u);  // read position 900 of 1024
  ASSERT_EQ(rb.enqueue_slice(ConstBytes(a).first(924)), 924u);  // wraps; the storage is full
  EXPECT_EQ(rb.storage_size(), 1024u);
  // Out-of-order bytes far ahead: the storage must grow, keeping the wrap.
  std::vector<std::uint8_t> far{0xAA, 0xBB};
  ASSERT_EQ(rb.write_unallocated(3000, far), 2u);
  EXPECT_EQ(rb.storage_size(), 1024u + 3002u);  // more than double: what is needed
  std::vector<std::uint8_t> gap(3000, 0x55);
  ASSERT_EQ(rb.write_unallocated(0, gap), 3000u);
  ASSERT_EQ(rb.enqueue_unallocated(3002), 3002u);
  std::vector<std::uint8_t> out(rb.len());
  ASSERT_EQ(rb.dequeue_slice(out), out.size());
  ASSERT_EQ(out.size(), 100u + 924u + 3002u);
  for (std::size_t i = 0; i < 100; ++i) EXPECT_EQ(out[i], static_cast<std::uint8_t>(900 + i));
  for (std::size_t i = 0; i < 924; ++i) EXPECT_EQ(out[100 + i], static_cast<std::uint8_t>(i));
  EXPECT_EQ(out[1024], 0x55);
  EXPECT_EQ(out[1024 + 3000], 0xAA);
  EXPECT_EQ(out[1024 + 3001], 0xBB);
}

TEST(RingBufferGrowth, ResizeKeepsTheGrownStorageWithinTheNewCapacity) {
  RingBuffer rb(100'000);
  std::vector<std::uint8_t> data(3000, 9);
  ASSERT_EQ(rb.enqueue_slice(data), 3000u);
  EXPECT_EQ(rb.storage_size(), 3000u);
  EXPECT_EQ(rb.resize(200'000), 200'000u);
  EXPECT_EQ(rb.storage_size(), 3000u);  // not 200 KB at once
  EXPECT_EQ(rb.resize(2000), 3000u);    // never below the queue
  EXPECT_EQ(rb.storage_size(), 3000u);
  ASSERT_EQ(rb.dequeue_allocated(3000), 3000u);
  EXPECT_EQ(rb.resize(2000), 2000u);
  EXPECT_LE(rb.storage_size(), 2000u);
}

// Model: the queue and the unallocated region as known byte values.
struct Model {
  std::size_t cap;
  std::deque<int> queue;
  std::deque<int> ahead;  // cap - queue.size() entries
};

// The pool's block count after the ring's storage went from s0 to s1 bytes
// (replaced: new storage, not the same block kept).
void count_pool(std::size_t& blocks, std::size_t max, bool replaced, std::size_t s0, std::size_t s1) {
  if (!replaced) return;
  if (s1 == RingBuffer::kInitialStorage && blocks > 0) --blocks;
  if (s0 == RingBuffer::kInitialStorage && blocks < max) ++blocks;
}

RC_GTEST_PROP(RingBufferGrowth, KeepsEveryByteAndStaysWithinTheCapacity,
              (std::uint64_t seed, std::uint16_t cap_seed, std::uint8_t pool_max)) {
  const std::size_t cap0 = 1 + cap_seed % 9000;
  Rng rng(seed);
  BufferPool pool(pool_max % 4);
  std::size_t pooled = 0;  // the model of pool.blocks()
  RingBuffer rb(cap0, &pool);
  Model m{cap0, {}, std::deque<int>(cap0, kUnknown)};
  std::uint8_t next = 0;
  for (int step = 0; step < 60; ++step) {
    const std::size_t cap = m.cap;
    const auto cap32 = static_cast<std::uint32_t>(cap);
    std::size_t window = cap - m.queue.size();
    const std::size_t s0 = rb.storage_size();
    bool replaced_anyway = false;  // resize and release replace same-size storage too
    switch (rng.below(7)) {
      case 0: {  // application write
        std::vector<std::uint8_t> d(rng.below(cap32 + 1));
        for (auto& b : d) b = next++;
        std::size_t n = rb.enqueue_slice(d);
        RC_ASSERT(n == std::min(d.size(), window));
        for (std::size_t i = 0; i < n; ++i) {
          m.ahead.pop_front();
          m.queue.push_back(d[i]);
        }
        break;
      }
      case 1: {  // read or ACK drop
        std::size_t n = rng.below(cap32 + 1);
        std::vector<std::uint8_t> out(n);
        bool copy = rng.below(2) != 0;
        std::size_t got = copy ? rb.dequeue_slice(out) : rb.dequeue_allocated(n);
        RC_ASSERT(got == std::min(n, m.queue.size()));
        for (std::size_t i = 0; i < got; ++i) {
          if (copy && m.queue.front() != kUnknown) RC_ASSERT(int{out[i]} == m.queue.front());
          m.queue.pop_front();
          m.ahead.push_back(kUnknown);
        }
        break;
      }
      case 2: {  // out-of-order write ahead of the queue
        if (window == 0) break;
        std::size_t off = rng.below(static_cast<std::uint32_t>(window));
        std::vector<std::uint8_t> d(1 + rng.below(cap32));
        for (auto& b : d) b = next++;
        std::size_t n = rb.write_unallocated(off, d);
        RC_ASSERT(n == std::min(d.size(), window - off));
        for (std::size_t i = 0; i < n; ++i) m.ahead[off + i] = d[i];
        break;
      }
      case 3: {  // in-order arrival: enqueue what was written ahead
        std::size_t known = 0;
        while (known < m.ahead.size() && m.ahead[known] != kUnknown) ++known;
        std::size_t n = rb.enqueue_unallocated(known);
        RC_ASSERT(n == known);
        for (std::size_t i = 0; i < n; ++i) {
          m.queue.push_back(m.ahead.front());
          m.ahead.pop_front();
        }
        break;
      }
      case 4: {  // retransmission read
        if (m.queue.empty()) break;
        std::size_t off = rng.below(static_cast<std::uint32_t>(m.queue.size()));
        std::vector<std::uint8_t> out(1 + rng.below(cap32));
        std::size_t n = rb.read_allocated(off, out);
        RC_ASSERT(n == std::min(out.size(), m.queue.size() - off));
        for (std::size_t i = 0; i < n; ++i)
          if (m.queue[off + i] != kUnknown) RC_ASSERT(int{out[i]} == m.queue[off + i]);
        break;
      }
      case 5: {  // the connection ends (or its send queue is acknowledged)
        if (rng.below(3) != 0) break;
        rb.release();
        replaced_anyway = s0 > 0;
        m.queue.clear();
        m.ahead.assign(m.cap, kUnknown);
        break;
      }
      default: {  // SO_RCVBUF-like resize keeping what is held ahead
        replaced_anyway = s0 > 0;
        std::size_t keep = m.queue.size();
        while (keep < cap && m.ahead[keep - m.queue.size()] != kUnknown) ++keep;
        // Often exactly a pool block, so resizes take and give pooled blocks.
        std::size_t want = rng.below(3) == 0 ? RingBuffer::kInitialStorage : 1 + rng.below(2 * cap32);
        std::size_t got = rb.resize(want, keep);
        RC_ASSERT(got == std::max(want, keep));
        m.cap = got;
        std::size_t held = keep - m.queue.size();
        m.ahead.resize(held);
        m.ahead.resize(got - m.queue.size(), kUnknown);
        break;
      }
    }
    count_pool(pooled, pool.max_blocks(), replaced_anyway || rb.storage_size() != s0, s0, rb.storage_size());
    RC_ASSERT(pool.blocks() == pooled);
    RC_ASSERT(rb.len() == m.queue.size());
    RC_ASSERT(rb.capacity() == m.cap);
    RC_ASSERT(rb.storage_size() <= rb.capacity());
    // Every queued byte has its value.
    std::vector<std::uint8_t> all(rb.len());
    RC_ASSERT(rb.read_allocated(0, all) == all.size());
    for (std::size_t i = 0; i < all.size(); ++i)
      if (m.queue[i] != kUnknown) RC_ASSERT(int{all[i]} == m.queue[i]);
  }
}

}  // namespace
}  // namespace synack::storage

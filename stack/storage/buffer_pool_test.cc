// The per-stack pool of ring-buffer blocks: bounded, reused last in first
// out by rings of the initial storage size only, never shared with a copy.
// Random interleavings of give/take are checked against a model stack.
#include "stack/storage/buffer_pool.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "stack/base/rng.h"
#include "stack/storage/ring_buffer.h"

namespace synack::storage {
namespace {

ConstBytes bytes_of(std::string_view s) {
  return ConstBytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
std::string_view text(ConstBytes b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

TEST(BufferPool, KeepsAtMostItsBound) {
  BufferPool pool(2);
  EXPECT_EQ(pool.take(), nullptr);
  for (int i = 0; i < 3; ++i) pool.give(std::make_unique<std::uint8_t[]>(BufferPool::kBlockSize));
  EXPECT_EQ(pool.blocks(), 2u);  // the third was freed
  pool.give(nullptr);
  EXPECT_EQ(pool.blocks(), 2u);
  EXPECT_NE(pool.take(), nullptr);
  EXPECT_NE(pool.take(), nullptr);
  EXPECT_EQ(pool.take(), nullptr);
}

std::unique_ptr<std::uint8_t[]> block() { return std::make_unique<std::uint8_t[]>(BufferPool::kBlockSize); }

TEST(BufferPool, TheDefaultCeilingIsKept) {
  BufferPool pool;
  EXPECT_EQ(pool.max_blocks(), BufferPool::kDefaultMaxBlocks);
  for (std::size_t i = 0; i < BufferPool::kDefaultMaxBlocks + 5; ++i) pool.give(block());
  EXPECT_EQ(pool.blocks(), BufferPool::kDefaultMaxBlocks);
  for (std::size_t i = 0; i < BufferPool::kDefaultMaxBlocks; ++i) EXPECT_NE(pool.take(), nullptr);
  EXPECT_EQ(pool.take(), nullptr);
  EXPECT_EQ(pool.blocks(), 0u);
}

TEST(BufferPool, ReusesLastInFirstOut) {
  BufferPool pool(8);
  auto a = block();
  auto b = block();
  const std::uint8_t* pa = a.get();
  const std::uint8_t* pb = b.get();
  pool.give(std::move(a));
  pool.give(std::move(b));
  auto first = pool.take();
  auto second = pool.take();
  EXPECT_EQ(first.get(), pb);
  EXPECT_EQ(second.get(), pa);
  // A taken block is the caller's to fill, all of it (the link is gone).
  std::fill_n(first.get(), BufferPool::kBlockSize, std::uint8_t{0xee});
  pool.give(std::move(second));
  EXPECT_EQ(pool.take().get(), pa);
}

TEST(BufferPool, ACopyStartsEmpty) {
  BufferPool pool(4);
  pool.give(std::make_unique<std::uint8_t[]>(BufferPool::kBlockSize));
  BufferPool copy(pool);
  EXPECT_EQ(copy.blocks(), 0u);
  EXPECT_EQ(copy.max_blocks(), 4u);
  EXPECT_EQ(pool.blocks(), 1u);
}

// A ring's initial block goes back to the pool on release and on
// destruction, and the next ring's first write takes it.
TEST(BufferPool, RingsReuseTheirInitialBlocks) {
  BufferPool pool;
  const std::uint8_t* block = nullptr;
  {
    RingBuffer rb(64 * 1024, &pool);
    EXPECT_EQ(rb.enqueue_slice(bytes_of("abc")), 3u);
    EXPECT_EQ(rb.storage_size(), RingBuffer::kInitialStorage);
    block = rb.get_allocated(0, 1).data();
    rb.release();
    EXPECT_FALSE(rb.allocated());
    EXPECT_EQ(pool.blocks(), 1u);
    EXPECT_EQ(rb.enqueue_slice(bytes_of("xyz")), 3u);  // the same block again
    EXPECT_EQ(rb.get_allocated(0, 1).data(), block);
    EXPECT_EQ(pool.blocks(), 0u);
    EXPECT_EQ(text(rb.get_allocated(0, 3)), "xyz");
  }
  EXPECT_EQ(pool.blocks(), 1u);  // destruction gave it back
  RingBuffer other(4096, &pool);
  other.reserve();
  EXPECT_EQ(pool.blocks(), 0u);
}

// Growth replaces the initial block (back to the pool) with larger storage,
// which is freed, not pooled; rings smaller than a block never use the pool.
TEST(BufferPool, OnlyInitialSizeBlocksArePooled) {
  BufferPool pool;
  {
    RingBuffer rb(64 * 1024, &pool);
    EXPECT_EQ(rb.enqueue_slice(bytes_of("abc")), 3u);
    EXPECT_EQ(rb.storage_size(), RingBuffer::kInitialStorage);
    std::vector<std::uint8_t> data(3000, 7);
    EXPECT_EQ(rb.enqueue_slice(data), 3000u);
    EXPECT_GT(rb.storage_size(), RingBuffer::kInitialStorage);
    EXPECT_EQ(pool.blocks(), 1u);  // the initial block, given back by growth
    std::array<std::uint8_t, 3003> out{};
    EXPECT_EQ(rb.dequeue_slice(out), 3003u);
    EXPECT_EQ(text(ConstBytes(out).first(3)), "abc");
    EXPECT_EQ(out[3002], 7);
  }
  EXPECT_EQ(pool.blocks(), 1u);  // the grown storage was freed
  {
    RingBuffer small(100, &pool);
    EXPECT_EQ(small.enqueue_slice(bytes_of("abc")), 3u);
    EXPECT_EQ(small.storage_size(), 100u);
    EXPECT_EQ(pool.blocks(), 1u);
  }
  EXPECT_EQ(pool.blocks(), 1u);
}

// A copy of a ring (a copied host) has no pool: its storage is its own.
TEST(BufferPool, ARingCopyUsesNoPool) {
  BufferPool pool;
  RingBuffer rb(4096, &pool);
  EXPECT_EQ(rb.enqueue_slice(bytes_of("abc")), 3u);
  {
    RingBuffer copy(rb);
    EXPECT_EQ(text(copy.get_allocated(0, 3)), "abc");
    copy.release();
  }
  EXPECT_EQ(pool.blocks(), 0u);
  rb.release();
  EXPECT_EQ(pool.blocks(), 1u);
}

// resize() goes through the pool both ways: shrinking grown storage to the
// initial size takes a pooled block, and replacing that block (growth,
// another resize, release) hands it back.
TEST(BufferPool, ResizeTakesAndReturnsPooledBlocks) {
  BufferPool pool;
  pool.give(block());
  RingBuffer rb(64 * 1024, &pool);
  std::vector<std::uint8_t> data(3000, 7);
  ASSERT_EQ(rb.enqueue_slice(data), 3000u);  // a fresh 3000 bytes: pool unused
  EXPECT_EQ(pool.blocks(), 1u);
  ASSERT_EQ(rb.dequeue_allocated(2997), 2997u);
  EXPECT_EQ(rb.resize(RingBuffer::kInitialStorage), RingBuffer::kInitialStorage);
  EXPECT_EQ(rb.storage_size(), RingBuffer::kInitialStorage);
  EXPECT_EQ(pool.blocks(), 0u);  // the pooled block holds the queue now
  std::array<std::uint8_t, 3> kept{};
  EXPECT_EQ(rb.read_allocated(0, kept), 3u);
  EXPECT_EQ(kept[2], 7);
  // The same storage size in a new block: the pool is empty, so a fresh
  // one, and the old block goes back.
  EXPECT_EQ(rb.resize(64 * 1024, 3), 64u * 1024u);
  EXPECT_EQ(pool.blocks(), 1u);
  EXPECT_EQ(rb.enqueue_slice(data), 3000u);  // growth gives this one back too
  EXPECT_EQ(pool.blocks(), 2u);
  EXPECT_EQ(rb.dequeue_allocated(3003), 3003u);
  EXPECT_EQ(rb.resize(RingBuffer::kInitialStorage), RingBuffer::kInitialStorage);
  EXPECT_EQ(pool.blocks(), 1u);  // a pooled block again; the grown storage freed
  rb.release();
  EXPECT_EQ(pool.blocks(), 2u);
}

// 128 rings in flight at once (64 connections, both directions) all keep
// their blocks when they end, and the next 128 reuse every one of them.
TEST(BufferPool, KeepsWhatManyRingsInFlightGiveBack) {
  BufferPool pool;
  std::vector<RingBuffer> rings;
  rings.reserve(128);
  for (int i = 0; i < 128; ++i) {
    rings.emplace_back(64 * 1024, &pool);
    EXPECT_EQ(rings.back().enqueue_slice(bytes_of("x")), 1u);
  }
  rings.clear();
  EXPECT_EQ(pool.blocks(), 128u);
  for (int i = 0; i < 128; ++i) {
    rings.emplace_back(64 * 1024, &pool);
    rings.back().reserve();
  }
  EXPECT_EQ(pool.blocks(), 0u);
}

// Any interleaving of give and take (blocks, nulls, beyond the ceiling) acts
// as a stack of at most max_blocks blocks: the count, and which block each
// take returns, match the model.
RC_GTEST_PROP(BufferPool, BehavesLikeABoundedStack, (std::uint64_t seed, std::uint8_t max)) {
  Rng rng(seed);
  BufferPool pool(max % 20);
  std::vector<const std::uint8_t*> model;  // kept blocks, the next take last
  std::vector<std::unique_ptr<std::uint8_t[]>> held;
  for (int step = 0; step < 300; ++step) {
    switch (rng.below(4)) {
      case 0:
      case 1: {
        std::unique_ptr<std::uint8_t[]> b;
        if (!held.empty() && rng.below(2) == 0) {  // a block the pool gave out
          b = std::move(held.back());
          held.pop_back();
        } else {
          b = block();
        }
        if (model.size() < pool.max_blocks()) model.push_back(b.get());
        pool.give(std::move(b));
        break;
      }
      case 2: {
        auto b = pool.take();
        RC_ASSERT(b.get() == (model.empty() ? nullptr : model.back()));
        if (!model.empty()) model.pop_back();
        if (b) held.push_back(std::move(b));
        break;
      }
      default:
        pool.give(nullptr);  // ignored
        break;
    }
    RC_ASSERT(pool.blocks() == model.size());
  }
}

}  // namespace
}  // namespace synack::storage

// The per-stack pool of ring-buffer blocks: bounded, reused by rings of the
// initial storage size only, never shared with a copy.
#include "stack/storage/buffer_pool.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

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

}  // namespace
}  // namespace synack::storage

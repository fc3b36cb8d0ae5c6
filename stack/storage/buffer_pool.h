// A bounded free list of ring-buffer storage blocks, one per stack (never
// global: many stacks share a process, and a simulation must not depend on
// what another stack freed).
//
// Every TCP connection that moves a few bytes allocates one block of
// RingBuffer::kInitialStorage bytes per direction per side and frees it when
// the connection ends: four malloc/free pairs per short connection. The pool
// keeps freed blocks for the next connections instead, as many as were in
// use at once (it adapts to the number of connections in flight: 64 of them
// hold 128 blocks per stack), up to `max_blocks`.
// Bounds: it never holds more than max_blocks * kInitialStorage bytes
// (1 MiB by default), so closed connections never pin more than that; idle
// connections hold no block at all (a ring takes one at its first write),
// and an empty pool is three words.
//
// The free list is intrusive: each kept block stores the pointer to the next
// in its first bytes (a free block's contents are unspecified anyway), so
// keeping a block allocates nothing and the pool costs no memory of its own
// beyond the blocks. Blocks are reused last-in first-out (the most recently
// touched storage first).
//
// Only blocks of exactly kInitialStorage bytes are pooled; larger storage is
// freed as before. A block's bytes are unspecified when taken, as fresh
// storage is (RingBuffer never reads bytes it did not write).
//
// PoolLink is how a ring or a listener names its pool: a plain pointer that
// becomes null when copied, since a copy of a host (DeepPtr copies of its
// sockets) must never hand blocks to, or take them from, the original's pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace synack::storage {

class BufferPool {
 public:
  static constexpr std::size_t kBlockSize = 1024;  // RingBuffer::kInitialStorage
  static constexpr std::size_t kDefaultMaxBlocks = 1024;

  explicit BufferPool(std::size_t max_blocks = kDefaultMaxBlocks) noexcept : max_(max_blocks) {}
  // A copy starts empty (the blocks belong to the original's rings' history).
  BufferPool(const BufferPool& o) noexcept : max_(o.max_) {}
  BufferPool& operator=(const BufferPool&) = delete;
  ~BufferPool();

  // A free block (kBlockSize bytes, contents unspecified), or null when none.
  std::unique_ptr<std::uint8_t[]> take() noexcept {
    std::uint8_t* b = head_;
    if (!b) return nullptr;
    std::memcpy(&head_, b, sizeof head_);
    --count_;
    return std::unique_ptr<std::uint8_t[]>(b);
  }
  // Keeps a block of kBlockSize bytes for reuse, or frees it when full.
  void give(std::unique_ptr<std::uint8_t[]> block) noexcept {
    if (!block || count_ >= max_) return;  // freed here
    std::uint8_t* b = block.release();
    std::memcpy(b, &head_, sizeof head_);  // the link lives in the free block
    head_ = b;
    ++count_;
  }
  std::size_t blocks() const noexcept { return count_; }
  std::size_t max_blocks() const noexcept { return max_; }

 private:
  static_assert(kBlockSize >= sizeof(std::uint8_t*));
  std::size_t max_;
  std::size_t count_ = 0;
  std::uint8_t* head_ = nullptr;  // the last block given; each links the next
};

// A pointer to a pool that does not survive copying (see above).
class PoolLink {
 public:
  PoolLink() noexcept = default;
  PoolLink(BufferPool* p) noexcept : p_(p) {}  // NOLINT: implicit by design
  PoolLink(const PoolLink&) noexcept {}
  PoolLink(PoolLink&& o) noexcept : p_(o.p_) {}
  PoolLink& operator=(const PoolLink&) noexcept {
    p_ = nullptr;
    return *this;
  }
  PoolLink& operator=(PoolLink&& o) noexcept {
    p_ = o.p_;
    return *this;
  }
  ~PoolLink() = default;
  BufferPool* get() const noexcept { return p_; }

 private:
  BufferPool* p_ = nullptr;
};

}  // namespace synack::storage

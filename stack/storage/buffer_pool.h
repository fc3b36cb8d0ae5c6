// A bounded free list of ring-buffer storage blocks, one per stack (never
// global: many stacks share a process, and a simulation must not depend on
// what another stack freed).
//
// Every TCP connection that moves a few bytes allocates one block of
// RingBuffer::kInitialStorage bytes per direction per side and frees it when
// the connection ends: four malloc/free pairs per short connection. The pool
// keeps up to `max_blocks` freed blocks for the next connection instead.
// Bounds: it holds at most max_blocks * kInitialStorage bytes (64 KiB by
// default), so closed connections never pin more than that; idle
// connections hold no block at all (a ring takes one at its first write).
//
// Only blocks of exactly kInitialStorage bytes are pooled; a grown ring frees
// its larger storage as before. A block's bytes are unspecified when taken,
// as fresh storage is (RingBuffer never reads bytes it did not write).
//
// PoolLink is how a ring or a listener names its pool: a plain pointer that
// becomes null when copied, since a copy of a host (DeepPtr copies of its
// sockets) must never hand blocks to, or take them from, the original's pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace synack::storage {

class BufferPool {
 public:
  static constexpr std::size_t kBlockSize = 1024;  // RingBuffer::kInitialStorage
  static constexpr std::size_t kDefaultMaxBlocks = 64;

  explicit BufferPool(std::size_t max_blocks = kDefaultMaxBlocks) : max_(max_blocks) {}
  // A copy starts empty (the blocks belong to the original's rings' history).
  BufferPool(const BufferPool& o) : max_(o.max_) {}
  BufferPool& operator=(const BufferPool&) = delete;

  // A free block (kBlockSize bytes, contents unspecified), or null when none.
  std::unique_ptr<std::uint8_t[]> take() noexcept {
    if (free_.empty()) return nullptr;
    std::unique_ptr<std::uint8_t[]> b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  // Keeps a block of kBlockSize bytes for reuse, or frees it when full.
  void give(std::unique_ptr<std::uint8_t[]> block) noexcept;
  std::size_t blocks() const noexcept { return free_.size(); }
  std::size_t max_blocks() const noexcept { return max_; }

 private:
  std::size_t max_;
  std::vector<std::unique_ptr<std::uint8_t[]>> free_;
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

// A fixed-capacity byte ring for socket send and receive queues (the shape of
// smoltcp's storage::RingBuffer, written afresh).
//
// Contract:
//  - The capacity (the most the ring may hold, SO_SNDBUF/SO_RCVBUF) is fixed
//    at construction or by resize(). Memory is only held while it is needed:
//    the storage is allocated on the first operation that writes (or by
//    reserve()), small (kInitialStorage bytes, or what that write needs), and
//    grows geometrically as more bytes must be addressed, never beyond the
//    capacity; release() frees it again. A connection that moves a few bytes
//    (request/response, a lifecycle) so never touches 192 KiB of buffer.
//    Growth keeps every byte: the queue and anything written ahead in the
//    unallocated region, at the same offsets from the read position.
//    Storage is not zero-filled (a 128 KiB receive buffer would be cleared
//    per connection): bytes never
//    written have unspecified values, and only written bytes may be
//    enqueued with enqueue_many (the caller fills the span) or
//    enqueue_unallocated (TCP enqueues only what its assembler saw written).
//  - The ring holds `len()` allocated bytes starting at the read position;
//    the `window()` bytes after them are unallocated. The unallocated region
//    may be written ahead of time (out-of-order TCP data, RFC 9293 §3.10.7.4:
//    "segments with higher beginning sequence numbers may be held for later
//    processing") and later made part of the queue with enqueue_unallocated().
//    Its contents survive every operation except clear() and release(); in
//    particular the read position is never moved "to optimise contiguity",
//    since that would silently drop data held past the end.
//  - No argument can make an operation read or write out of bounds: sizes and
//    offsets are clamped, and each operation returns how much it did.
//  - Spans returned by enqueue_many/dequeue_many/get_* point into the storage
//    and are valid until the next non-const call.
//  - With a BufferPool (the stack's), storage of kInitialStorage bytes comes
//    from the pool when it has a block (by growth or resize()) and goes back
//    to it when released or replaced (by growth or resize()); nothing else
//    changes. A copy has no pool.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "stack/base/bytes.h"
#include "stack/storage/buffer_pool.h"

namespace synack::storage {

class RingBuffer {
 public:
  // Storage allocated by the first write (when the capacity and the write
  // allow): enough for a small exchange, one malloc size class of its own.
  static constexpr std::size_t kInitialStorage = BufferPool::kBlockSize;

  // Capacities are clamped to kMaxCapacity (socket buffer sizes are 32-bit).
  static constexpr std::size_t kMaxCapacity = 0xffffffff;

  explicit RingBuffer(std::size_t capacity, BufferPool* pool = nullptr) noexcept
      : capacity_(static_cast<std::uint32_t>(std::min(capacity, kMaxCapacity))), pool_(pool) {}
  // A copy holds the same bytes at the same offsets (the queue and anything
  // written ahead in the unallocated region) in storage of the same size.
  RingBuffer(const RingBuffer& o);
  RingBuffer(RingBuffer&&) noexcept = default;
  RingBuffer& operator=(const RingBuffer&) = delete;
  RingBuffer& operator=(RingBuffer&&) noexcept = default;
  ~RingBuffer() {
    if (storage_) drop_storage();
  }

  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t len() const noexcept { return len_; }
  // Free space: how many more bytes can be enqueued.
  std::size_t window() const noexcept { return capacity_ - len_; }
  bool empty() const noexcept { return len_ == 0; }
  bool full() const noexcept { return len_ == capacity_; }

  // True while storage is held (after the first write or reserve()).
  bool allocated() const noexcept { return storage_ != nullptr; }
  // Bytes of storage held now (0 when none; never above capacity()).
  std::size_t storage_size() const noexcept { return size_; }
  // Allocates the (initial) storage now (no-op when already held).
  void reserve();
  // Discards all contents (allocated and unallocated) and frees the storage.
  void release() noexcept;
  // Discards all contents; keeps the storage.
  void clear() noexcept;
  // A new capacity that keeps the queue and the first `keep` bytes past the
  // read position (queued data plus data held ahead in the unallocated
  // region); the capacity never drops below max(len(), keep). Storage, when
  // held, is reallocated with the read position at its start. Returns the
  // capacity set. (SO_SNDBUF/SO_RCVBUF on a connected socket.)
  std::size_t resize(std::size_t capacity, std::size_t keep = 0);

  // Appends as much of `data` as fits; returns the number of bytes copied.
  std::size_t enqueue_slice(ConstBytes data);
  // Removes up to out.size() bytes from the front into `out`; returns the count.
  std::size_t dequeue_slice(MutBytes out) noexcept;

  // Allocates up to `n` contiguous bytes at the back and returns them for the
  // caller to fill (shorter than `n` at the end of the storage or when the
  // window is smaller; empty when full).
  MutBytes enqueue_many(std::size_t n);
  // Removes up to `n` contiguous bytes from the front and returns them.
  ConstBytes dequeue_many(std::size_t n) noexcept;

  // The contiguous unallocated bytes starting `offset` bytes past the end of
  // the queue, at most `n` of them (empty when offset >= window()).
  MutBytes get_unallocated(std::size_t offset, std::size_t n);
  // Copies `data` into the unallocated region at `offset` past the end,
  // wrapping as needed; returns how many bytes fit.
  std::size_t write_unallocated(std::size_t offset, ConstBytes data);
  // Moves up to `n` bytes from the unallocated region into the queue; returns
  // the count (clamped to window()).
  std::size_t enqueue_unallocated(std::size_t n);

  // The contiguous allocated bytes starting `offset` bytes past the read
  // position, at most `n` of them (empty when offset >= len()).
  ConstBytes get_allocated(std::size_t offset, std::size_t n) const noexcept;
  // Copies allocated bytes starting at `offset` into `out` without removing
  // them (retransmissions), wrapping as needed; returns the count.
  std::size_t read_allocated(std::size_t offset, MutBytes out) const noexcept;
  // Drops up to `n` bytes from the front (acknowledged data); returns the count.
  std::size_t dequeue_allocated(std::size_t n) noexcept;

 private:
  // Storage index of the byte `k` bytes past the read position (k < 2*size_).
  std::size_t index(std::size_t k) const noexcept {
    std::size_t i = read_at_ + k;
    return i >= size_ ? i - size_ : i;
  }
  // Makes the first `need` bytes past the read position addressable
  // (need <= capacity_), allocating or growing the storage.
  void ensure_storage(std::size_t need) {
    if (need > size_) grow(need);
  }
  void grow(std::size_t need);
  // New storage of `size` bytes: a pooled block when that is the block
  // size and the pool has one, else fresh (contents unspecified either way).
  std::unique_ptr<std::uint8_t[]> new_storage(std::size_t size) {
    if (size == kInitialStorage && pool_.get()) {
      if (auto block = pool_.get()->take()) return block;
    }
    return std::make_unique_for_overwrite<std::uint8_t[]>(size);
  }
  // Frees the storage, or hands it back to the pool (size_ is left alone).
  void drop_storage() noexcept;

  // 32-bit capacity and storage size: with the pool link, a ring stays 40
  // bytes (two per connection, and idle connections are counted in bytes).
  std::uint32_t capacity_;
  std::uint32_t size_ = 0;  // storage bytes held (0: none), <= capacity_
  std::size_t read_at_ = 0;
  std::size_t len_ = 0;
  std::unique_ptr<std::uint8_t[]> storage_;  // size_ bytes when held
  PoolLink pool_;
};

}  // namespace synack::storage

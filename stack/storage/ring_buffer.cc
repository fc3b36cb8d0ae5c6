#include "stack/storage/ring_buffer.h"

#include <algorithm>
#include <cstring>

namespace synack::storage {

RingBuffer::RingBuffer(const RingBuffer& o)
    : capacity_(o.capacity_), size_(o.size_), read_at_(o.read_at_), len_(o.len_) {
  if (!o.storage_) return;
  // All size_ bytes, also those never written (copied, never interpreted).
  storage_ = std::make_unique_for_overwrite<std::uint8_t[]>(size_);
  std::memcpy(storage_.get(), o.storage_.get(), size_);
}

void RingBuffer::grow(std::size_t need) {
  // Doubling (from kInitialStorage) keeps the copies linear in the bytes
  // that ever passed; the capacity bounds it.
  std::size_t size = std::max({need, kInitialStorage, 2 * std::size_t{size_}});
  size = std::min<std::size_t>(size, capacity_);
  if (size <= size_) return;
  std::unique_ptr<std::uint8_t[]> fresh = new_storage(size);
  if (size_ > 0) {
    // Every old byte in order from the read position: the queue and what
    // is held ahead in the unallocated region keep their offsets.
    std::size_t first = size_ - read_at_;
    std::memcpy(fresh.get(), storage_.get() + read_at_, first);
    std::memcpy(fresh.get() + first, storage_.get(), read_at_);
    drop_storage();
  }
  storage_ = std::move(fresh);
  size_ = static_cast<std::uint32_t>(size);
  read_at_ = 0;
}

void RingBuffer::drop_storage() noexcept {
  if (BufferPool* pool = pool_.get(); pool && size_ == kInitialStorage) {
    pool->give(std::move(storage_));
    return;
  }
  storage_.reset();
}

void RingBuffer::reserve() { ensure_storage(std::min<std::size_t>(capacity_, 1)); }

void RingBuffer::release() noexcept {
  if (storage_) drop_storage();
  size_ = 0;
  clear();
}

void RingBuffer::clear() noexcept {
  read_at_ = 0;
  len_ = 0;
}

std::size_t RingBuffer::resize(std::size_t capacity, std::size_t keep) {
  keep = std::min<std::size_t>(std::max(keep, len_), capacity_);
  capacity = std::min(std::max(capacity, keep), kMaxCapacity);
  if (allocated()) {
    // Storage as large as now (the ring keeps its growth so far), within
    // the new capacity, and never below what is kept.
    std::size_t size = std::max(std::min<std::size_t>(size_, capacity), keep);
    // Through the pool both ways, so that shrinking to the initial size and
    // growing back recycle blocks as connections' first writes do.
    auto fresh = size > 0 ? new_storage(size) : nullptr;
    // The kept bytes in order from the read position, in at most two
    // pieces (only bytes within the old storage were ever written).
    keep = std::min<std::size_t>(keep, size_);
    std::size_t first = std::min(keep, size_ - read_at_);
    if (keep > 0) {
      std::memcpy(fresh.get(), storage_.get() + read_at_, first);
      std::memcpy(fresh.get() + first, storage_.get(), keep - first);
    }
    drop_storage();
    storage_ = std::move(fresh);
    size_ = static_cast<std::uint32_t>(size);
  }
  capacity_ = static_cast<std::uint32_t>(capacity);
  read_at_ = 0;
  return capacity_;
}

std::size_t RingBuffer::enqueue_slice(ConstBytes data) {
  // At most two pieces: up to the end of the storage, then from its start.
  std::size_t done = 0;
  for (int piece = 0; piece < 2 && done < data.size(); ++piece) {
    MutBytes dst = enqueue_many(data.size() - done);
    if (dst.empty()) break;
    std::memcpy(dst.data(), data.data() + done, dst.size());
    done += dst.size();
  }
  return done;
}

std::size_t RingBuffer::dequeue_slice(MutBytes out) noexcept {
  std::size_t done = 0;
  for (int piece = 0; piece < 2 && done < out.size(); ++piece) {
    ConstBytes src = dequeue_many(out.size() - done);
    if (src.empty()) break;
    std::memcpy(out.data() + done, src.data(), src.size());
    done += src.size();
  }
  return done;
}

MutBytes RingBuffer::enqueue_many(std::size_t n) {
  std::size_t want = std::min(n, window());
  if (want == 0) return {};
  ensure_storage(len_ + want);
  std::size_t start = index(len_);
  std::size_t count = std::min(want, size_ - start);
  len_ += count;
  return MutBytes(storage_.get() + start, count);
}

ConstBytes RingBuffer::dequeue_many(std::size_t n) noexcept {
  std::size_t want = std::min(n, len_);
  if (want == 0) return {};
  std::size_t start = read_at_;
  std::size_t count = std::min(want, size_ - start);
  read_at_ = index(count);
  len_ -= count;
  return ConstBytes(storage_.get() + start, count);
}

MutBytes RingBuffer::get_unallocated(std::size_t offset, std::size_t n) {
  if (offset >= window()) return {};
  std::size_t want = std::min(n, window() - offset);
  if (want == 0) return {};
  // len_ + offset + want <= capacity_; after this it is <= size_, so
  // index() stays within one wrap.
  ensure_storage(len_ + offset + want);
  std::size_t start = index(len_ + offset);
  std::size_t count = std::min(want, size_ - start);
  return MutBytes(storage_.get() + start, count);
}

std::size_t RingBuffer::write_unallocated(std::size_t offset, ConstBytes data) {
  std::size_t done = 0;
  for (int piece = 0; piece < 2 && done < data.size(); ++piece) {
    // offset + done <= window() here, so the sum cannot overflow.
    MutBytes dst = get_unallocated(offset + done, data.size() - done);
    if (dst.empty()) break;
    std::memcpy(dst.data(), data.data() + done, dst.size());
    done += dst.size();
  }
  return done;
}

std::size_t RingBuffer::enqueue_unallocated(std::size_t n) {
  std::size_t count = std::min(n, window());
  if (count == 0) return 0;
  // Bytes never written have unspecified values (see the header): the caller
  // enqueues only what it wrote.
  ensure_storage(len_ + count);
  len_ += count;
  return count;
}

ConstBytes RingBuffer::get_allocated(std::size_t offset, std::size_t n) const noexcept {
  if (offset >= len_) return {};
  std::size_t want = std::min(n, len_ - offset);
  if (want == 0) return {};
  std::size_t start = index(offset);
  std::size_t count = std::min(want, size_ - start);
  return ConstBytes(storage_.get() + start, count);
}

std::size_t RingBuffer::read_allocated(std::size_t offset, MutBytes out) const noexcept {
  std::size_t done = 0;
  for (int piece = 0; piece < 2 && done < out.size(); ++piece) {
    if (offset >= len_ || done > len_ - offset) break;
    ConstBytes src = get_allocated(offset + done, out.size() - done);
    if (src.empty()) break;
    std::memcpy(out.data() + done, src.data(), src.size());
    done += src.size();
  }
  return done;
}

std::size_t RingBuffer::dequeue_allocated(std::size_t n) noexcept {
  std::size_t count = std::min(n, len_);
  read_at_ = index(count);
  len_ -= count;
  return count;
}

}  // namespace synack::storage

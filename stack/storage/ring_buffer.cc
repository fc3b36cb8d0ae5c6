#include "stack/storage/ring_buffer.h"

#include <algorithm>
#include <cstring>

namespace synack::storage {

void RingBuffer::ensure_storage() {
  if (!storage_ && capacity_ > 0) storage_ = std::make_unique_for_overwrite<std::uint8_t[]>(capacity_);
}

void RingBuffer::reserve() { ensure_storage(); }

void RingBuffer::release() noexcept {
  storage_.reset();
  clear();
}

void RingBuffer::clear() noexcept {
  read_at_ = 0;
  len_ = 0;
}

std::size_t RingBuffer::resize(std::size_t capacity, std::size_t keep) {
  keep = std::min(std::max(keep, len_), capacity_);
  capacity = std::max(capacity, keep);
  if (allocated()) {
    auto fresh = capacity > 0 ? std::make_unique_for_overwrite<std::uint8_t[]>(capacity) : nullptr;
    // The kept bytes in order from the read position, in at most two pieces.
    std::size_t first = std::min(keep, capacity_ - read_at_);
    if (keep > 0) {
      std::memcpy(fresh.get(), storage_.get() + read_at_, first);
      std::memcpy(fresh.get() + first, storage_.get(), keep - first);
    }
    storage_ = std::move(fresh);
  }
  capacity_ = capacity;
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
  ensure_storage();
  std::size_t start = index(len_);
  std::size_t count = std::min(want, capacity_ - start);
  len_ += count;
  return MutBytes(storage_.get() + start, count);
}

ConstBytes RingBuffer::dequeue_many(std::size_t n) noexcept {
  std::size_t want = std::min(n, len_);
  if (want == 0) return {};
  std::size_t start = read_at_;
  std::size_t count = std::min(want, capacity_ - start);
  read_at_ = index(count);
  len_ -= count;
  return ConstBytes(storage_.get() + start, count);
}

MutBytes RingBuffer::get_unallocated(std::size_t offset, std::size_t n) {
  if (offset >= window()) return {};
  std::size_t want = std::min(n, window() - offset);
  if (want == 0) return {};
  ensure_storage();
  // len_ + offset < capacity_, so index() stays within one wrap.
  std::size_t start = index(len_ + offset);
  std::size_t count = std::min(want, capacity_ - start);
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
  ensure_storage();
  len_ += count;
  return count;
}

ConstBytes RingBuffer::get_allocated(std::size_t offset, std::size_t n) const noexcept {
  if (offset >= len_) return {};
  std::size_t want = std::min(n, len_ - offset);
  if (want == 0) return {};
  std::size_t start = index(offset);
  std::size_t count = std::min(want, capacity_ - start);
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

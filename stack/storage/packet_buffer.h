// A packet under construction or being parsed, with headroom in front of the
// data so each layer can prepend its header without copying the payload
// (gVisor's PacketBuffer reserved header, Seastar's packet headroom).
//
// Layout of the storage:   [ headroom | data | tailroom ]
//  - Output: build the payload (append/extend), then each layer from the top
//    down calls push_header(n) and emits into the span it gets (TCP, IPv4,
//    Ethernet). Size the headroom for the whole header stack up front;
//    push_header never reallocates and fails cleanly when it runs out.
//  - Input: wrap the received frame (from_bytes) and let each layer
//    consume_header(n) once its view has been checked.
//  - Sizes are never trusted: every operation checks its bounds and reports
//    failure instead of asserting. Spans returned point into the storage and are
//    valid until the next call that can reallocate (append, extend, reserve).
#pragma once

#include <cstddef>

#include "stack/base/bytes.h"
#include "stack/base/result.h"

namespace synack::storage {

enum class PacketBufferError {
  NoHeadroom,  // push_header: fewer than n bytes of headroom left
  Truncated,   // consume_header: fewer than n bytes of data
};

class PacketBuffer {
 public:
  PacketBuffer() = default;
  // Empty data with `headroom` bytes in front and room for `payload_capacity`
  // bytes behind (append grows past it if needed).
  PacketBuffer(std::size_t headroom, std::size_t payload_capacity);
  // A copy of `bytes` as the data, with `headroom` bytes in front.
  static PacketBuffer from_bytes(ConstBytes bytes, std::size_t headroom = 0);

  std::size_t size() const noexcept { return end_ - begin_; }
  bool empty() const noexcept { return begin_ == end_; }
  std::size_t headroom() const noexcept { return begin_; }
  std::size_t tailroom() const noexcept { return storage_.size() - end_; }

  ConstBytes data() const noexcept { return ConstBytes(storage_).subspan(begin_, size()); }
  MutBytes data() noexcept { return MutBytes(storage_).subspan(begin_, size()); }

  // Makes sure at least `headroom` bytes are free in front, moving the data
  // back (one copy) only when there is less.
  void reserve(std::size_t headroom);

  // Grows the data toward the front by n bytes and returns them for the
  // header to be written into; NoHeadroom (state unchanged) if n > headroom().
  Result<MutBytes, PacketBufferError> push_header(std::size_t n) noexcept;
  // Removes n bytes from the front of the data and returns them; Truncated
  // (state unchanged) if n > size().
  Result<ConstBytes, PacketBufferError> consume_header(std::size_t n) noexcept;

  // Copies `bytes` to the back of the data, growing the storage if needed.
  void append(ConstBytes bytes);
  // Grows the data at the back by n bytes (zeroed unless previously used) and
  // returns them to be filled in place, e.g. by RingBuffer::read_allocated.
  MutBytes extend(std::size_t n);
  // Drops up to n bytes from the back (e.g. Ethernet padding below the IPv4
  // total length); returns how many were dropped.
  std::size_t trim_back(std::size_t n) noexcept;
  // Empties the data and restores `headroom` bytes in front.
  void reset(std::size_t headroom);

 private:
  Bytes storage_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace synack::storage

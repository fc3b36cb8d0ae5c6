#include "stack/storage/packet_buffer.h"

#include <algorithm>
#include <cstring>

namespace synack::storage {

PacketBuffer::PacketBuffer(std::size_t headroom, std::size_t payload_capacity)
    : storage_(headroom + payload_capacity, 0), begin_(headroom), end_(headroom) {}

PacketBuffer PacketBuffer::from_bytes(ConstBytes bytes, std::size_t headroom) {
  PacketBuffer pb(headroom, bytes.size());
  pb.append(bytes);
  return pb;
}

void PacketBuffer::reserve(std::size_t headroom) {
  if (begin_ >= headroom) return;
  Bytes grown(headroom + size() + tailroom(), 0);
  if (!empty()) std::memcpy(grown.data() + headroom, storage_.data() + begin_, size());
  end_ = headroom + size();
  begin_ = headroom;
  storage_.swap(grown);
}

Result<MutBytes, PacketBufferError> PacketBuffer::push_header(std::size_t n) noexcept {
  if (n > begin_) return Err{PacketBufferError::NoHeadroom};
  begin_ -= n;
  return MutBytes(storage_).subspan(begin_, n);
}

Result<ConstBytes, PacketBufferError> PacketBuffer::consume_header(std::size_t n) noexcept {
  if (n > size()) return Err{PacketBufferError::Truncated};
  ConstBytes header = ConstBytes(storage_).subspan(begin_, n);
  begin_ += n;
  return header;
}

MutBytes PacketBuffer::extend(std::size_t n) {
  if (n > tailroom()) storage_.resize(end_ + n, 0);
  MutBytes tail = MutBytes(storage_).subspan(end_, n);
  end_ += n;
  return tail;
}

void PacketBuffer::append(ConstBytes bytes) {
  if (bytes.empty()) return;
  MutBytes tail = extend(bytes.size());
  std::memcpy(tail.data(), bytes.data(), bytes.size());
}

std::size_t PacketBuffer::trim_back(std::size_t n) noexcept {
  std::size_t count = std::min(n, size());
  end_ -= count;
  return count;
}

void PacketBuffer::reset(std::size_t headroom) {
  if (storage_.size() < headroom) storage_.resize(headroom, 0);
  begin_ = headroom;
  end_ = headroom;
}

}  // namespace synack::storage

#include "stack/storage/buffer_pool.h"

namespace synack::storage {

void BufferPool::give(std::unique_ptr<std::uint8_t[]> block) noexcept {
  if (!block || free_.size() >= max_) return;  // freed here
  // Room for every block at the first one: no reallocation while in use.
  if (free_.capacity() == 0) free_.reserve(max_);
  free_.push_back(std::move(block));
}

}  // namespace synack::storage

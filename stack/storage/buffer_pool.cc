#include "stack/storage/buffer_pool.h"

namespace synack::storage {

BufferPool::~BufferPool() {
  while (take()) {
  }  // each block is freed as its unique_ptr goes
}

}  // namespace synack::storage

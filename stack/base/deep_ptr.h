// DeepPtr<T>: a std::unique_ptr<T> that copies the object it owns when it is
// copied (a null pointer copies as null). It lets a struct that owns heap
// objects (the stack's socket table entries, a listener's children) stay a
// plain aggregate and still be copied member by member, which is how a whole
// Host is copied (a fuzz target snapshots a host once and copies it per
// input instead of rebuilding it). Moves and every unique_ptr operation are
// unchanged; a DeepPtr converts to a unique_ptr by move.
#pragma once

#include <memory>
#include <utility>

namespace synack {

template <class T>
class DeepPtr : public std::unique_ptr<T> {
 public:
  using std::unique_ptr<T>::unique_ptr;
  DeepPtr() noexcept = default;
  DeepPtr(std::unique_ptr<T> p) noexcept : std::unique_ptr<T>(std::move(p)) {}  // NOLINT: implicit by design
  DeepPtr(const DeepPtr& o) : std::unique_ptr<T>(o ? std::make_unique<T>(*o) : nullptr) {}
  DeepPtr(DeepPtr&&) noexcept = default;
  DeepPtr& operator=(const DeepPtr& o) {
    if (this != &o) this->reset(o ? new T(*o) : nullptr);
    return *this;
  }
  DeepPtr& operator=(DeepPtr&&) noexcept = default;
  ~DeepPtr() = default;
};

}  // namespace synack

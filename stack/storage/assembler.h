// Out-of-order segment tracker for TCP reassembly (RFC 9293 §3.10.7.4 step
// "seventh, process the segment text"; RFC 2018 for the SACK blocks).
//
// Contract:
//  - Offsets are relative to the front (the next byte the reader expects,
//    RCV.NXT for TCP). The assembler only records *which* bytes have arrived;
//    the bytes themselves live in the socket's RingBuffer (unallocated region).
//  - It holds at most `max_ranges` disjoint, non-adjacent ranges, sorted by
//    offset. A range starting at offset 0 is data ready to hand to the reader.
//  - add() merges overlapping and adjacent ranges. When the new data would need
//    one range more than allowed it fails with TooManyHoles and leaves the state
//    exactly as it was (the segment is then dropped, the peer retransmits).
//  - Each range remembers when it was last touched by add(), so TCP can put
//    the block holding the newest segment first and the rest by recency
//    (RFC 2018 §4: "The first SACK block ... MUST specify the contiguous block
//    of data containing the segment which triggered this ACK").
//  - Untrusted sizes never trip an assert: offset + size saturates.
//  - Memory: none while at most one range is held (in-order data, the common
//    case, is added and removed at once); the first out-of-order island
//    allocates room for max_ranges ranges; clear() frees it (inline_vec.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stack/base/result.h"
#include "stack/storage/inline_vec.h"

namespace synack::storage {

enum class AssemblerError {
  TooManyHoles,  // recording the range would need more than max_ranges ranges
};

// A run of received bytes, `offset` bytes past the front.
struct AssemblerRange {
  std::size_t offset = 0;
  std::size_t size = 0;
  std::size_t end() const noexcept { return offset + size; }
  bool operator==(const AssemblerRange&) const = default;
};

class Assembler {
 public:
  static constexpr std::size_t kDefaultMaxRanges = 32;

  // `max_ranges` is clamped to at least 1.
  explicit Assembler(std::size_t max_ranges = kDefaultMaxRanges);

  std::size_t max_ranges() const noexcept { return max_ranges_; }
  // Number of ranges held.
  std::size_t size() const noexcept { return ranges_.size(); }
  bool is_empty() const noexcept { return ranges_.empty(); }
  // Forgets every range and frees the heap storage, if any.
  void clear() noexcept;

  // Records that bytes [offset, offset + size) have arrived. size == 0 is a
  // successful no-op.
  Result<void, AssemblerError> add(std::size_t offset, std::size_t size);

  // Bytes contiguous at the front (0 when the front is a hole).
  std::size_t peek_front() const noexcept;
  // Removes the contiguous front range, shifts the remaining ranges toward the
  // front by its size, and returns that size (0 when the front is a hole).
  std::size_t remove_front() noexcept;

  // Forgets the highest range and returns it (nullopt when empty). For a
  // receiver whose slots are all taken by islands when in-order data arrives
  // that touches none of them: without room for it the connection would stall,
  // so TCP may evict the farthest island (reneging on it, RFC 2018 §8) and
  // retry. Its bytes must then be treated as never received.
  std::optional<AssemblerRange> evict_last() noexcept;

  // The ranges held, sorted by offset (relative to the front).
  std::span<const AssemblerRange> ranges() const noexcept { return {ranges_.data(), ranges_.size()}; }
  auto begin() const noexcept { return ranges_.begin(); }
  auto end() const noexcept { return ranges_.end(); }

  // The range containing the bytes of the most recent successful add(), if it
  // is still held (it is gone once remove_front() has taken it).
  std::optional<AssemblerRange> last_added() const noexcept;
  // Writes up to out.size() ranges into `out`, most recently touched first
  // (ties cannot happen: every add() gets a fresh stamp); returns the count.
  std::size_t ranges_by_recency(std::span<AssemblerRange> out) const;

  // True when every byte of [offset, offset + size) has arrived.
  bool contains(std::size_t offset, std::size_t size) const noexcept;

 private:
  std::size_t max_ranges_;
  InlineVec<AssemblerRange> ranges_;  // sorted, disjoint, non-adjacent
  InlineVec<std::uint64_t> stamps_;   // parallel to ranges_: last add() touching it
  std::uint64_t next_stamp_ = 1;
  std::uint64_t last_stamp_ = 0;  // stamp of the most recent successful add()
};

}  // namespace synack::storage

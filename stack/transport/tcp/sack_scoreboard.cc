// RFC 6675 scoreboard. The ranges are a small sorted array (at most 32), so
// every query is a linear walk; that is cheaper than any tree at this size
// and keeps iteration order trivially deterministic.
//
// Order: every stored range lies in [snd_una, snd_una + 2^31) (blocks whose
// right edge is not after snd_una are dropped, left edges are clipped up to
// snd_una), and on that interval modular comparison is a total order, so
// sorting with SeqNumber::lt is sound even for hostile SACK blocks.
#include "stack/transport/tcp/sack_scoreboard.h"

#include <algorithm>

namespace synack::tcp {

using wire::SeqNumber;
using wire::seq_span;

void SackScoreboard::clear() noexcept { count_ = 0; }

void SackScoreboard::discard_below(SeqNumber snd_una) noexcept {
  std::size_t keep = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    SackBlock r = ranges_[i];
    if (r.right.le(snd_una)) continue;  // entirely acknowledged
    r.left = SeqNumber::max(r.left, snd_una);
    ranges_[keep++] = r;
  }
  count_ = keep;
}

std::size_t SackScoreboard::first_above(SeqNumber seq) const noexcept {
  std::size_t i = 0;
  while (i < count_ && ranges_[i].right.le(seq)) ++i;
  return i;
}

void SackScoreboard::insert(SackBlock b) noexcept {
  // Ranges [i, j) overlap or touch b and are merged with it.
  std::size_t i = 0;
  while (i < count_ && ranges_[i].right.lt(b.left)) ++i;
  std::size_t j = i;
  while (j < count_ && ranges_[j].left.le(b.right)) ++j;
  if (i == j) {
    if (count_ == kMaxRanges) {
      ++ignored_;
      return;
    }
    std::copy_backward(ranges_.begin() + static_cast<std::ptrdiff_t>(i),
                       ranges_.begin() + static_cast<std::ptrdiff_t>(count_),
                       ranges_.begin() + static_cast<std::ptrdiff_t>(count_ + 1));
    ranges_[i] = b;
    ++count_;
    return;
  }
  SackBlock merged{SeqNumber::min(b.left, ranges_[i].left),
                   SeqNumber::max(b.right, ranges_[j - 1].right)};
  ranges_[i] = merged;
  std::copy(ranges_.begin() + static_cast<std::ptrdiff_t>(j),
            ranges_.begin() + static_cast<std::ptrdiff_t>(count_),
            ranges_.begin() + static_cast<std::ptrdiff_t>(i + 1));
  count_ -= j - i - 1;
}

void SackScoreboard::on_ack(SeqNumber snd_una, std::span<const SackBlock> blocks) noexcept {
  discard_below(snd_una);
  for (SackBlock b : blocks) {
    if (!b.left.lt(b.right)) {  // empty or inverted: malformed
      ++ignored_;
      continue;
    }
    if (b.right.le(snd_una)) continue;  // D-SACK (RFC 2883) or stale: nothing new
    b.left = SeqNumber::max(b.left, snd_una);
    insert(b);
  }
}

void SackScoreboard::on_ack(SeqNumber snd_una, SeqNumber snd_nxt,
                            std::span<const SackBlock> blocks) noexcept {
  discard_below(snd_una);
  for (const SackBlock& b : blocks) {
    // Data never sent cannot have been received: the block is bogus.
    if (b.right.gt(snd_nxt)) {
      ++ignored_;
      continue;
    }
    on_ack(snd_una, std::span<const SackBlock>(&b, 1));
  }
}

bool SackScoreboard::is_sacked(SeqNumber seq) const noexcept {
  const std::size_t i = first_above(seq);
  return i < count_ && ranges_[i].left.le(seq);
}

bool SackScoreboard::is_lost(SeqNumber seq, std::uint32_t smss) const noexcept {
  // Count ranges and bytes strictly above seq.
  const SeqNumber above = seq + 1;
  std::uint32_t ranges = 0;
  std::uint64_t bytes = 0;
  for (std::size_t i = first_above(above); i < count_; ++i) {
    ++ranges;
    bytes += seq_span(SeqNumber::max(ranges_[i].left, above), ranges_[i].right);
  }
  return lost_with_above(ranges, bytes, smss);
}

// The walks below (NextSeg, lost bytes, SetPipe) visit the holes in order;
// a hole below range i has exactly ranges i..count_-1 above it, whole (the
// hole ends at or before range i's left edge, and every earlier range ends at
// or before the hole), so IsLost(hole) follows from a running suffix count
// instead of a scan per hole: O(ranges) per walk, not O(ranges^2).
std::uint64_t SackScoreboard::suffix_bytes_from(std::size_t i) const noexcept {
  std::uint64_t total = 0;
  for (; i < count_; ++i) total += seq_span(ranges_[i].left, ranges_[i].right);
  return total;
}

std::uint32_t SackScoreboard::sacked_bytes() const noexcept {
  std::uint32_t total = 0;
  for (std::size_t i = 0; i < count_; ++i) total += seq_span(ranges_[i].left, ranges_[i].right);
  return total;
}

std::uint32_t SackScoreboard::sacked_below(SeqNumber seq) const noexcept {
  std::uint32_t total = 0;
  for (std::size_t i = 0; i < count_ && ranges_[i].left.lt(seq); ++i) {
    total += seq_span(ranges_[i].left, SeqNumber::min(ranges_[i].right, seq));
  }
  return total;
}

std::optional<SeqNumber> SackScoreboard::sacked_range_end(SeqNumber seq) const noexcept {
  const std::size_t i = first_above(seq);
  if (i < count_ && ranges_[i].left.le(seq)) return ranges_[i].right;
  return std::nullopt;
}

std::optional<SeqNumber> SackScoreboard::highest_sacked() const noexcept {
  if (count_ == 0) return std::nullopt;
  return ranges_[count_ - 1].right - 1;
}

std::optional<std::pair<SeqNumber, std::uint32_t>> SackScoreboard::next_seg(
    SeqNumber snd_una, SeqNumber snd_nxt, SeqNumber high_rxt, std::uint32_t smss) const noexcept {
  const SeqNumber start = SeqNumber::max(snd_una, high_rxt);
  SeqNumber hole = snd_una;
  std::uint64_t above = suffix_bytes_from(0);
  // Only holes below a SACKed range qualify (rule 1.b); within a hole IsLost
  // is constant, since no SACKed byte lies between its octets.
  for (std::size_t i = 0; i < count_; ++i) {
    const SeqNumber end = SeqNumber::min(ranges_[i].left, snd_nxt);
    const SeqNumber from = SeqNumber::max(hole, start);
    if (from.lt(end) && lost_with_above(count_ - i, above, smss)) {
      return std::pair{from, std::min(seq_span(from, end), smss)};
    }
    hole = SeqNumber::max(hole, ranges_[i].right);
    above -= seq_span(ranges_[i].left, ranges_[i].right);
  }
  return std::nullopt;
}

std::uint32_t SackScoreboard::lost_bytes(SeqNumber snd_una, SeqNumber snd_nxt,
                                         std::uint32_t smss) const noexcept {
  std::uint32_t lost = 0;
  SeqNumber hole = snd_una;
  std::uint64_t above = suffix_bytes_from(0);
  for (std::size_t i = 0; i < count_ && hole.lt(snd_nxt); ++i) {
    const SeqNumber end = SeqNumber::min(ranges_[i].left, snd_nxt);
    if (hole.lt(end) && lost_with_above(count_ - i, above, smss)) lost += seq_span(hole, end);
    hole = SeqNumber::max(hole, ranges_[i].right);
    above -= seq_span(ranges_[i].left, ranges_[i].right);
  }
  return lost;
}

std::uint32_t SackScoreboard::pipe(SeqNumber snd_una, SeqNumber snd_nxt, SeqNumber high_rxt,
                                   std::uint32_t smss) const noexcept {
  const SeqNumber rxt_end = SeqNumber::max(high_rxt, snd_una);
  std::uint32_t pipe = 0;
  SeqNumber hole = snd_una;
  std::uint64_t above = suffix_bytes_from(0);
  for (std::size_t i = 0; i <= count_ && hole.lt(snd_nxt); ++i) {
    const SeqNumber end = i < count_ ? SeqNumber::min(ranges_[i].left, snd_nxt) : snd_nxt;
    if (hole.lt(end)) {
      // (a) octets not deemed lost are still in the network;
      if (!lost_with_above(count_ - i, above, smss)) pipe += seq_span(hole, end);
      // (b) octets retransmitted in this recovery are in the network (again).
      if (hole.lt(rxt_end)) pipe += seq_span(hole, SeqNumber::min(end, rxt_end));
    }
    if (i < count_) {
      hole = SeqNumber::max(hole, ranges_[i].right);
      above -= seq_span(ranges_[i].left, ranges_[i].right);
    }
  }
  return pipe;
}

}  // namespace synack::tcp

// RFC 6675 sender-side SACK scoreboard: which bytes above SND.UNA the peer
// has selectively acknowledged, and the RFC's IsLost(), NextSeg() rule 1 and
// SetPipe() over it. Bounded: at most kMaxRanges disjoint ranges are kept;
// a block that would need another range is ignored and counted (the sender
// then merely retransmits more than necessary, which is safe).
// Conventions: ranges are half-open [left, right) in sequence space, sorted,
// disjoint and non-adjacent (adjacent blocks merge). HighRxt is passed as
// "the first octet not yet retransmitted in this recovery", i.e. the caller
// starts recovery with high_rxt = snd_una and advances it past each
// retransmission; octet S counts as retransmitted when S < high_rxt.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>

#include "stack/wire/seq_number.h"

namespace synack::tcp {

struct SackBlock {
  wire::SeqNumber left;   // first SACKed octet
  wire::SeqNumber right;  // one past the last SACKed octet
  bool operator==(const SackBlock&) const = default;
};

class SackScoreboard {
 public:
  static constexpr std::size_t kMaxRanges = 32;
  static constexpr std::uint32_t kDupThresh = 3;  // RFC 6675 §2 DupThresh

  void clear() noexcept;

  // An ACK arrived: forget everything below snd_una, then merge `blocks`
  // (clipped to start above snd_una; empty, inverted and D-SACK blocks, i.e.
  // those at or below snd_una, are ignored).
  void on_ack(wire::SeqNumber snd_una, std::span<const SackBlock> blocks) noexcept;
  // Same, but blocks reaching beyond snd_nxt are bogus (RFC 6675 §5.1 / a
  // peer acknowledging data never sent) and are ignored and counted.
  void on_ack(wire::SeqNumber snd_una, wire::SeqNumber snd_nxt,
              std::span<const SackBlock> blocks) noexcept;

  bool is_sacked(wire::SeqNumber seq) const noexcept;
  // RFC 6675 §4 IsLost(SeqNum): DupThresh discontiguous SACKed ranges above
  // seq, or more than (DupThresh - 1) * SMSS SACKed bytes above seq.
  bool is_lost(wire::SeqNumber seq, std::uint32_t smss) const noexcept;

  std::uint32_t sacked_bytes() const noexcept;
  // SACKed octets below seq (all ranges lie above SND.UNA).
  std::uint32_t sacked_below(wire::SeqNumber seq) const noexcept;
  // When seq is SACKed, the right edge of its range (the next unSACKed octet).
  std::optional<wire::SeqNumber> sacked_range_end(wire::SeqNumber seq) const noexcept;
  // The highest SACKed octet (right edge of the top range minus one).
  std::optional<wire::SeqNumber> highest_sacked() const noexcept;
  bool empty() const noexcept { return count_ == 0; }

  // RFC 6675 §4 NextSeg() rule (1): the first unSACKed octet S2 with
  // S2 >= max(snd_una, high_rxt), S2 below the highest SACKed octet and
  // IsLost(S2). Returns (S2, length) with length <= smss, never crossing into
  // a SACKed range nor past snd_nxt. Rules (2)-(4) are the caller's.
  std::optional<std::pair<wire::SeqNumber, std::uint32_t>> next_seg(
      wire::SeqNumber snd_una, wire::SeqNumber snd_nxt, wire::SeqNumber high_rxt,
      std::uint32_t smss) const noexcept;

  // RFC 6675 §4 SetPipe(), in octets: every unSACKed octet in
  // [snd_una, snd_nxt) counts once if not IsLost, and once more if it was
  // retransmitted (below high_rxt).
  std::uint32_t pipe(wire::SeqNumber snd_una, wire::SeqNumber snd_nxt, wire::SeqNumber high_rxt,
                     std::uint32_t smss) const noexcept;

  // Octets in [snd_una, snd_nxt) neither SACKed nor cumulatively ACKed that
  // IsLost deems lost (the holes below the highest SACKed octet).
  std::uint32_t lost_bytes(wire::SeqNumber snd_una, wire::SeqNumber snd_nxt,
                           std::uint32_t smss) const noexcept;

  std::span<const SackBlock> ranges() const noexcept { return {ranges_.data(), count_}; }
  // Blocks dropped because the scoreboard was full or they lay beyond snd_nxt.
  std::uint64_t ignored_blocks() const noexcept { return ignored_; }

 private:
  void discard_below(wire::SeqNumber snd_una) noexcept;
  void insert(SackBlock b) noexcept;
  // Index of the first range whose right edge is above seq (count_ if none).
  std::size_t first_above(wire::SeqNumber seq) const noexcept;
  // IsLost's test, given the SACKed ranges and bytes above the octet.
  static bool lost_with_above(std::size_t ranges, std::uint64_t bytes, std::uint32_t smss) noexcept {
    return ranges >= kDupThresh || bytes > std::uint64_t{kDupThresh - 1} * smss;
  }
  // SACKed bytes in ranges i..count_-1.
  std::uint64_t suffix_bytes_from(std::size_t i) const noexcept;

  std::array<SackBlock, kMaxRanges> ranges_{};
  std::size_t count_ = 0;
  std::uint64_t ignored_ = 0;
};

// The scoreboard as a connection holds it: allocated only while the peer has
// SACKed something above SND.UNA, so an idle or loss-free connection carries
// one pointer instead of kMaxRanges blocks (memory per idle connection).
class LazySackScoreboard {
 public:
  LazySackScoreboard() = default;
  LazySackScoreboard(const LazySackScoreboard& o) : board_(o.board_ ? std::make_unique<Board>(*o.board_) : nullptr) {}
  LazySackScoreboard(LazySackScoreboard&&) noexcept = default;
  LazySackScoreboard& operator=(const LazySackScoreboard&) = delete;
  LazySackScoreboard& operator=(LazySackScoreboard&&) noexcept = default;
  ~LazySackScoreboard() = default;

  const SackScoreboard& get() const noexcept { return board_ ? board_->sb : kEmpty; }
  void on_ack(wire::SeqNumber snd_una, wire::SeqNumber snd_nxt, std::span<const SackBlock> blocks) {
    if (!board_) {
      if (blocks.empty()) return;
      board_ = std::make_unique<Board>();
    }
    board_->sb.on_ack(snd_una, snd_nxt, blocks);
    board_->memo.valid = false;
    if (board_->sb.empty()) board_.reset();
  }
  void clear() noexcept { board_.reset(); }
  // SackScoreboard::pipe, remembered until the board or an argument changes:
  // during recovery every deadline check and every output attempt asks for
  // it, mostly with nothing changed in between (the walk is O(ranges)).
  std::uint32_t pipe(wire::SeqNumber snd_una, wire::SeqNumber snd_nxt, wire::SeqNumber high_rxt,
                     std::uint32_t smss) const noexcept {
    if (!board_) return kEmpty.pipe(snd_una, snd_nxt, high_rxt, smss);
    PipeMemo& m = board_->memo;  // the allocation's, not this object's, state
    if (!m.valid || m.snd_una != snd_una || m.snd_nxt != snd_nxt || m.high_rxt != high_rxt || m.smss != smss) {
      m = PipeMemo{snd_una, snd_nxt, high_rxt, smss, board_->sb.pipe(snd_una, snd_nxt, high_rxt, smss), true};
    }
    return m.pipe;
  }

 private:
  struct PipeMemo {
    wire::SeqNumber snd_una, snd_nxt, high_rxt;
    std::uint32_t smss = 0;
    std::uint32_t pipe = 0;
    bool valid = false;
  };
  struct Board {
    SackScoreboard sb;
    PipeMemo memo;
  };
  static constexpr SackScoreboard kEmpty{};
  std::unique_ptr<Board> board_;
};

}  // namespace synack::tcp

// The scoreboard against a byte-per-bit model of the SACKed sequence space,
// with RFC 6675's IsLost / NextSeg rule 1 / SetPipe evaluated octet by octet.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <vector>

#include "stack/transport/tcp/sack_scoreboard.h"

namespace synack::tcp {
namespace {

using wire::SeqNumber;
constexpr std::uint32_t kSpace = 1024;  // bytes sent: [base, base + kSpace)
constexpr std::uint32_t kMss = 100;

struct Model {
  std::uint32_t una = 0;  // offsets from base
  std::vector<bool> sacked = std::vector<bool>(kSpace, false);

  // Runs and bytes strictly above offset s (only at or above una count).
  std::pair<std::uint32_t, std::uint32_t> above(std::uint32_t s) const {
    std::uint32_t runs = 0, bytes = 0;
    for (std::uint32_t i = s + 1; i < kSpace; ++i) {
      if (!sacked[i]) continue;
      ++bytes;
      if (i == s + 1 || !sacked[i - 1]) ++runs;
    }
    return {runs, bytes};
  }
  bool lost(std::uint32_t s) const {
    auto [runs, bytes] = above(s);
    return runs >= 3 || bytes > 2 * kMss;
  }
};

struct Ack {
  std::uint32_t advance;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks;  // offsets [l, r)
};

// Drawn inside a property (uses operator*).
Ack draw_ack() {
  Ack a{*rc::gen::inRange<std::uint32_t>(0, 120), {}};
  const auto n = *rc::gen::inRange<std::size_t>(0, 5);
  for (std::size_t i = 0; i < n; ++i) {
    const auto l = *rc::gen::inRange<std::uint32_t>(0, kSpace);
    const auto len = *rc::gen::inRange<std::uint32_t>(0, 300);
    a.blocks.emplace_back(l, std::min(l + len, kSpace));
  }
  return a;
}

RC_GTEST_PROP(SackScoreboardProp, MatchesBitsetModel, ()) {
  const auto base = *rc::gen::arbitrary<std::uint32_t>();  // exercises wraparound
  std::vector<Ack> acks(*rc::gen::inRange<std::size_t>(1, 8));
  for (Ack& a : acks) a = draw_ack();
  SackScoreboard sb;
  Model m;
  const SeqNumber s0(base);
  const SeqNumber nxt = s0 + kSpace;
  std::uint64_t empty_blocks = 0;  // malformed (empty) blocks are counted
  for (const Ack& a : acks) {
    m.una = std::min(m.una + a.advance, kSpace);
    std::vector<SackBlock> blocks;
    for (auto [l, r] : a.blocks) {
      blocks.push_back({s0 + l, s0 + r});
      if (l >= r) ++empty_blocks;
      for (std::uint32_t i = std::max(l, m.una); i < r; ++i) m.sacked[i] = true;
    }
    sb.on_ack(s0 + m.una, nxt, blocks);
    for (std::uint32_t i = 0; i < m.una; ++i) m.sacked[i] = false;
  }
  // At most 32 blocks were generated, so none was dropped for capacity.
  RC_ASSERT(sb.ignored_blocks() == empty_blocks);

  // Ranges: sorted, disjoint, non-adjacent, inside [una, nxt).
  const auto r = sb.ranges();
  for (std::size_t i = 0; i < r.size(); ++i) {
    RC_ASSERT(r[i].left.lt(r[i].right));
    RC_ASSERT(r[i].left.ge(s0 + m.una));
    RC_ASSERT(r[i].right.le(nxt));
    if (i > 0) RC_ASSERT(r[i - 1].right.lt(r[i].left));
  }
  std::uint32_t total = 0;
  std::optional<std::uint32_t> highest;
  for (std::uint32_t i = m.una; i < kSpace; ++i) {
    RC_ASSERT(sb.is_sacked(s0 + i) == m.sacked[i]);
    RC_ASSERT(sb.is_lost(s0 + i, kMss) == m.lost(i));
    if (m.sacked[i]) {
      ++total;
      highest = i;
    }
  }
  RC_ASSERT(sb.sacked_bytes() == total);
  RC_ASSERT(sb.highest_sacked() == (highest ? std::optional(s0 + *highest) : std::nullopt));

  const std::uint32_t rxt = m.una + *rc::gen::inRange<std::uint32_t>(0, kSpace - m.una + 1);
  // SetPipe, octet by octet.
  std::uint32_t pipe = 0;
  for (std::uint32_t i = m.una; i < kSpace; ++i) {
    if (m.sacked[i]) continue;
    if (!m.lost(i)) ++pipe;
    if (i < rxt) ++pipe;
  }
  RC_ASSERT(sb.pipe(s0 + m.una, nxt, s0 + rxt, kMss) == pipe);
  // Lost octets, one by one.
  std::uint32_t lost = 0;
  for (std::uint32_t i = m.una; i < kSpace; ++i) lost += !m.sacked[i] && m.lost(i) ? 1 : 0;
  RC_ASSERT(sb.lost_bytes(s0 + m.una, nxt, kMss) == lost);
  // NextSeg rule 1, octet by octet.
  std::optional<std::pair<SeqNumber, std::uint32_t>> want;
  for (std::uint32_t i = rxt; highest && i < *highest; ++i) {
    if (m.sacked[i] || !m.lost(i)) continue;
    std::uint32_t len = 0;
    while (len < kMss && i + len < kSpace && !m.sacked[i + len]) ++len;
    want = std::pair{s0 + i, len};
    break;
  }
  RC_ASSERT(sb.next_seg(s0 + m.una, nxt, s0 + rxt, kMss) == want);
}

// Hostile blocks never break the structure invariants.
RC_GTEST_PROP(SackScoreboardProp, ArbitraryBlocksKeepInvariants, ()) {
  const auto una = SeqNumber(*rc::gen::arbitrary<std::uint32_t>());
  const auto raw = *rc::gen::arbitrary<std::vector<std::pair<std::uint32_t, std::uint32_t>>>();
  std::vector<SackBlock> blocks;
  for (auto [l, r] : raw) blocks.push_back({SeqNumber(l), SeqNumber(r)});
  SackScoreboard sb;
  sb.on_ack(una, blocks);
  const auto r = sb.ranges();
  RC_ASSERT(r.size() <= SackScoreboard::kMaxRanges);
  for (std::size_t i = 0; i < r.size(); ++i) {
    RC_ASSERT(r[i].left.lt(r[i].right));
    RC_ASSERT(r[i].left.ge(una));
    if (i > 0) RC_ASSERT(r[i - 1].right.lt(r[i].left));
  }
}

}  // namespace
}  // namespace synack::tcp

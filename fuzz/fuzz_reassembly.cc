// IPv4 reassembly (iface::Reassembler) against a model.
//
// Input (FuzzedDataProvider): a byte salt, a small memory threshold, then up
// to 1000 operations: add a fragment (one of four datagram keys, offset in
// 8-byte units, length, MF flag; payload bytes derived from salt, key and
// position) or advance time and poll.
//
// Two reassemblers see the same operations:
//  - `big` (default config: 4 MB high mark, never reached with 1000
//    fragments) is compared step by step with an exact model of the
//    documented rules (reassembly.h): totals over 65535 refused and the
//    datagram dropped; a second or inconsistent last fragment, or data past a
//    known end, drops the datagram; any overlap drops the datagram; the
//    datagram completes when the offset-0 fragment has arrived and the pieces
//    tile [0, total); 30 s after its first fragment a datagram times out.
//    Completed datagrams must match the model byte for byte (payload and
//    first header); pending counts must agree after every operation.
//  - `small` (tiny, input-chosen high/low marks) checks memory() <= high mark
//    + one fragment's charge after every operation, and that every datagram
//    it completes is made of bytes that were fed at those positions.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "fuzz/common/check.h"
#include "stack/iface/reassembly.h"

using namespace synack;
using namespace synack::iface;

namespace {

constexpr std::size_t kHeaderLen = 20;
constexpr std::size_t kFragmentCharge = 128 + 64;  // generous per-datagram + per-piece bookkeeping

struct ModelPending {
  Instant deadline;
  std::map<std::uint32_t, Bytes> pieces;
  std::optional<std::uint32_t> total;
  Bytes first_header;
};

class Model {
 public:
  std::optional<Reassembled> add(Instant now, const FragmentKey& key, std::uint32_t off, bool more, const Bytes& payload,
                                 const Bytes& header) {
    std::uint32_t end = off + static_cast<std::uint32_t>(payload.size());
    if (end + kHeaderLen > 65535) {
      pending_.erase(key);
      return std::nullopt;
    }
    auto it = pending_.find(key);
    if (it == pending_.end()) it = pending_.emplace(key, ModelPending{now + Duration::from_secs(30), {}, {}, {}}).first;
    ModelPending& p = it->second;
    bool bad = (p.total && end > *p.total) || (!more && p.total && *p.total != end);
    for (const auto& [a, d] : p.pieces) {
      std::uint32_t b = a + static_cast<std::uint32_t>(d.size());
      if (!more && b > end) bad = true;
      if ((off < a && a < end) || (a <= off && off < b)) bad = true;  // overlap (empty fragments included)
    }
    if (bad) {
      pending_.erase(it);
      return std::nullopt;
    }
    if (!more) p.total = end;
    if (off == 0) p.first_header = header;
    if (!payload.empty() || !more) p.pieces.emplace(off, payload);
    if (!p.total || p.first_header.empty()) return std::nullopt;
    std::uint32_t next = 0;
    for (const auto& [a, d] : p.pieces) {
      if (a != next) return std::nullopt;
      next = a + static_cast<std::uint32_t>(d.size());
    }
    if (next != *p.total) return std::nullopt;
    Reassembled r{key, p.first_header, {}};
    for (const auto& [a, d] : p.pieces) r.payload.insert(r.payload.end(), d.begin(), d.end());
    pending_.erase(it);
    return r;
  }
  // Number of datagrams timed out that had their first fragment.
  std::size_t poll(Instant now) {
    std::size_t with_first = 0;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline > now) {
        ++it;
        continue;
      }
      if (!it->second.first_header.empty()) ++with_first;
      it = pending_.erase(it);
    }
    return with_first;
  }
  std::size_t size() const { return pending_.size(); }

 private:
  std::map<FragmentKey, ModelPending> pending_;
};

FragmentKey key_for(std::uint8_t k) {
  return FragmentKey{wire::Ipv4Address::from_octets(10, 0, 0, static_cast<std::uint8_t>(2 + (k & 1))),
                     wire::Ipv4Address::from_octets(10, 0, 0, 1), static_cast<std::uint8_t>(k & 2 ? 17 : 6),
                     static_cast<std::uint16_t>(0x1000 + k)};
}

std::uint8_t pattern(std::uint8_t salt, std::uint8_t key, std::uint32_t pos) {
  std::uint32_t x = (pos + 1) * 2654435761u ^ (std::uint32_t{salt} << 8) ^ key;
  return static_cast<std::uint8_t>(x ^ (x >> 13) ^ (x >> 24));
}

// Fragments fed to `small` per key since its last completion there.
struct Fed {
  std::uint32_t off;
  Bytes data;
};

void check_small_completion(const Reassembled& r, const std::vector<Fed>& fed) {
  for (std::size_t i = 0; i < r.payload.size(); ++i) {
    bool found = false;
    for (const Fed& f : fed) {
      if (i >= f.off && i < f.off + f.data.size() && f.data[i - f.off] == r.payload[i]) {
        found = true;
        break;
      }
    }
    FUZZ_CHECK(found, "byte %zu of a reassembled datagram was never fed at that offset", i);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  std::uint8_t base_salt = in.ConsumeIntegral<std::uint8_t>();
  ReassemblyConfig small_cfg;
  small_cfg.high_thresh = in.ConsumeIntegralInRange<std::size_t>(256, 16384);
  small_cfg.low_thresh = small_cfg.high_thresh / 2;
  Reassembler big;
  Reassembler small(small_cfg);
  Model model;
  std::map<std::uint8_t, std::vector<Fed>> small_fed;
  Instant now = Instant::from_secs(100);

  for (int op = 0; op < 1000 && in.remaining_bytes() > 0; ++op) {
    std::uint8_t kind = in.ConsumeIntegral<std::uint8_t>();
    if ((kind & 0xe0) == 0xe0) {  // advance time and poll
      now += Duration::from_millis(in.ConsumeIntegralInRange<std::int64_t>(0, 40000));
      std::size_t want = model.poll(now);
      auto got = big.poll(now);
      FUZZ_CHECK(got.size() == want, "timeouts with first fragment: %zu, model %zu", got.size(), want);
      for (const auto& t : got) FUZZ_CHECK(t.quote.size() >= kHeaderLen, "quote of %zu bytes", t.quote.size());
      (void)small.poll(now);
      if (auto at = big.poll_at()) FUZZ_CHECK(*at > now, "reassembly deadline in the past after poll");
      continue;
    }
    std::uint8_t k = kind & 3;
    FragmentKey key = key_for(k);
    std::uint32_t off;
    if (kind & 0x10) off = std::uint32_t{in.ConsumeIntegral<std::uint16_t>() & 0x1fffu} * 8;
    else off = std::uint32_t{in.ConsumeIntegralInRange<std::uint8_t>(0, 24)} * 8;
    std::size_t len = (kind & 0x08) ? in.ConsumeIntegralInRange<std::size_t>(0, 1480)
                                    : std::size_t{in.ConsumeIntegralInRange<std::uint8_t>(0, 12)} * 8;
    bool more = (kind & 0x04) != 0;
    std::uint8_t salt = static_cast<std::uint8_t>(base_salt + ((kind >> 5) & 3));
    Bytes payload(len);
    for (std::size_t i = 0; i < len; ++i) payload[i] = pattern(salt, k, off + static_cast<std::uint32_t>(i));
    Bytes header(kHeaderLen, static_cast<std::uint8_t>(0x45 + k));

    auto want = model.add(now, key, off, more, payload, header);
    auto got = big.add(now, key, off, more, payload, header);
    FUZZ_CHECK(got.has_value() == want.has_value(), "completion %d, model %d (key %u off %u len %zu more %d)",
               got.has_value(), want.has_value(), k, off, len, more);
    if (got) {
      FUZZ_CHECK(got->key == key, "completed the wrong key");
      FUZZ_CHECK(got->payload == want->payload, "payload differs from the model (%zu vs %zu bytes)",
                 got->payload.size(), want->payload.size());
      FUZZ_CHECK(got->first_header == want->first_header, "first header differs from the model");
    }
    FUZZ_CHECK(big.datagrams() == model.size(), "pending datagrams %zu, model %zu", big.datagrams(), model.size());

    small_fed[k].push_back(Fed{off, payload});
    auto s = small.add(now, key, off, more, payload, header);
    if (s) {
      check_small_completion(*s, small_fed[k]);
      small_fed[k].clear();
    }
    std::size_t bound = small_cfg.high_thresh + len + kHeaderLen + kFragmentCharge;
    FUZZ_CHECK(small.memory() <= bound, "reassembly memory %zu > high mark %zu + one fragment (bound %zu)",
               small.memory(), small_cfg.high_thresh, bound);
  }
  return 0;
}

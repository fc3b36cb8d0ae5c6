// SipHash-2-4 as described in §2 of the SipHash paper: the 64-bit words
// v0..v3 are initialised from the key and four constants ("somepseudorandomlygeneratedbytes"),
// each 8-byte little-endian message word m is absorbed as
// v3 ^= m; c rounds of SipRound; v0 ^= m; the last word carries the message
// length mod 256 in its top byte; finalisation is v2 ^= 0xff then d rounds,
// and the output is v0 ^ v1 ^ v2 ^ v3. Here c = 2, d = 4.
#include "stack/base/siphash.h"

namespace synack {
namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int b) noexcept {
  return (x << b) | (x >> (64 - b));
}

struct SipState {
  std::uint64_t v0, v1, v2, v3;

  static SipState keyed(const SipKey& key) noexcept {
    return {key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL, key.k0 ^ 0x6c7967656e657261ULL,
            key.k1 ^ 0x7465646279746573ULL};
  }

  // One SipRound: the add-rotate-xor network of the paper's Figure 2.1.
  void round() noexcept {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  void absorb(std::uint64_t m) noexcept {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  std::uint64_t finish() noexcept {
    v2 ^= 0xff;
    for (int i = 0; i < 4; ++i) round();
    return v0 ^ v1 ^ v2 ^ v3;
  }
};

std::uint64_t load_le64(ConstBytes b, std::size_t off, std::size_t n) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{b[off + i]} << (8 * i);
  return v;
}

}  // namespace

SipKey SipKey::from_bytes(const std::array<std::uint8_t, 16>& bytes) noexcept {
  ConstBytes b(bytes);
  return {load_le64(b, 0, 8), load_le64(b, 8, 8)};
}

std::uint64_t siphash24(const SipKey& key, ConstBytes message) noexcept {
  SipState s = SipState::keyed(key);
  const std::size_t full = message.size() / 8 * 8;
  for (std::size_t off = 0; off < full; off += 8) s.absorb(load_le64(message, off, 8));
  // Final word: the remaining 0..7 bytes, with the length (mod 256) on top.
  std::uint64_t last = load_le64(message, full, message.size() - full);
  last |= std::uint64_t{static_cast<std::uint8_t>(message.size())} << 56;
  s.absorb(last);
  return s.finish();
}

std::uint64_t siphash24_words(const SipKey& key, std::uint64_t m0, std::uint64_t m1) noexcept {
  SipState s = SipState::keyed(key);
  s.absorb(m0);
  s.absorb(m1);
  return s.finish();
}

}  // namespace synack

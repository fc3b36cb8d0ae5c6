// Ethernet II framing (IEEE 802.3 with DIX EtherType) and 802.1Q / 802.1ad
// VLAN tags.
//
// Contract (see error.h): EthernetFrame::checked() is the only length check;
// afterwards no accessor reads out of bounds. A frame has a 14-byte header,
// plus 4 bytes per VLAN tag. A tag is recognised when the type field holds
// TPID 0x8100 (802.1Q C-tag) or 0x88a8 (802.1ad S-tag, the outer tag of
// QinQ); at most two tags are parsed. A third tag is left in the payload and
// ethertype() is then its TPID, so nothing is lost or misread.
// The payload is everything after the header: Ethernet pads short frames to
// 60 bytes, and it is the caller's job to trim that padding using the IPv4
// total length (or ignore it, for ARP). No FCS is expected (capture and TAP
// conventions strip it).
// checked(), the getters and EthernetRepr::parse are inline: they run once per
// received frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

#include "stack/base/bytes.h"
#include "stack/wire/address.h"
#include "stack/wire/error.h"

namespace synack::wire {

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;  // 802.1Q customer tag
constexpr std::uint16_t kEtherTypeQinQ = 0x88a8;  // 802.1ad service tag

namespace ethernet_field {
constexpr std::size_t kDst = 0;
constexpr std::size_t kSrc = 6;
constexpr std::size_t kEtherType = 12;  // or the first tag's TPID
constexpr std::size_t kHeaderLen = 14;  // untagged header
constexpr std::size_t kTagLen = 4;      // TPID (2) + TCI (2)
constexpr std::size_t kMaxTags = 2;
}  // namespace ethernet_field

constexpr bool is_vlan_tpid(std::uint16_t t) noexcept {
  return t == kEtherTypeVlan || t == kEtherTypeQinQ;
}

// MAC address load/store at a byte offset (bounds checked by the caller).
inline MacAddress load_mac(ConstBytes b, std::size_t off) noexcept {
  MacAddress m;
  std::memcpy(m.octets.data(), b.data() + off, m.octets.size());
  return m;
}
inline void store_mac(MutBytes b, std::size_t off, const MacAddress& m) noexcept {
  for (std::size_t i = 0; i < 6; ++i) b[off + i] = m.octets[i];
}

// One VLAN tag. The TCI is PCP (3 bits), DEI (1 bit), VID (12 bits).
struct VlanTag {
  std::uint8_t pcp = 0;                 // priority code point, 0..7
  bool dei = false;                     // drop eligible indicator
  std::uint16_t vid = 0;                // VLAN identifier, 0..4095
  std::uint16_t tpid = kEtherTypeVlan;  // 0x8100 or 0x88a8

  static constexpr VlanTag from_tci(std::uint16_t tci, std::uint16_t tpid = kEtherTypeVlan) noexcept {
    return {static_cast<std::uint8_t>(tci >> 13), (tci & 0x1000) != 0,
            static_cast<std::uint16_t>(tci & 0x0fff), tpid};
  }
  // Out-of-range pcp/vid bits are masked off.
  constexpr std::uint16_t tci() const noexcept {
    return static_cast<std::uint16_t>(((pcp & 0x7) << 13) | (dei ? 0x1000 : 0) | (vid & 0x0fff));
  }
  bool operator==(const VlanTag&) const = default;
};

// Read-only view of an Ethernet II frame.
class EthernetFrame {
 public:
  // Truncated if shorter than 14 bytes, or than 14 + 4 per recognised tag.
  static ParseResult<EthernetFrame> checked(ConstBytes b) noexcept;

  MacAddress dst() const noexcept { return load_mac(b_, ethernet_field::kDst); }
  MacAddress src() const noexcept { return load_mac(b_, ethernet_field::kSrc); }
  // Number of parsed VLAN tags, 0..2; tag(0) is the outermost.
  std::size_t tag_count() const noexcept { return tags_; }
  VlanTag tag(std::size_t i) const noexcept;  // requires i < tag_count()
  // The EtherType after the parsed tags (the payload's protocol).
  std::uint16_t ethertype() const noexcept {
    return load_be16(b_, ethernet_field::kEtherType + tags_ * ethernet_field::kTagLen);
  }
  std::size_t header_len() const noexcept { return ethernet_field::kHeaderLen + tags_ * ethernet_field::kTagLen; }
  ConstBytes payload() const noexcept { return b_.subspan(header_len()); }
  ConstBytes bytes() const noexcept { return b_; }

 private:
  EthernetFrame(ConstBytes b, std::size_t tags) noexcept : b_(b), tags_(tags) {}
  ConstBytes b_;
  std::size_t tags_ = 0;
};

// The meaning of an Ethernet header. Up to two tags are kept: `vlan` is the
// innermost tag (the only one for single tagging) and `outer_vlan` the outer
// one of a QinQ pair; outer_vlan is set only when vlan is. Each keeps its TPID,
// so emit(parse(f)) reproduces f's header exactly.
struct EthernetRepr {
  MacAddress dst;
  MacAddress src;
  std::uint16_t ethertype = kEtherTypeIpv4;
  std::optional<VlanTag> vlan;
  std::optional<VlanTag> outer_vlan;

  // Never fails on a checked frame; returns a Result for uniformity.
  static ParseResult<EthernetRepr> parse(const EthernetFrame& f) noexcept;
  std::size_t header_len() const noexcept {
    return ethernet_field::kHeaderLen + (vlan ? ethernet_field::kTagLen : 0) +
           (outer_vlan ? ethernet_field::kTagLen : 0);
  }
  // out.size() == header_len() + payload.size(). Tags must carry a VLAN TPID
  // and outer_vlan requires vlan (internal invariants, asserted). An
  // ethertype that is itself a VLAN TPID only round-trips with two tags
  // (otherwise the receiver reads it as one more tag).
  void emit(MutBytes out, ConstBytes payload) const noexcept;
  bool operator==(const EthernetRepr&) const = default;
};

inline ParseResult<EthernetFrame> EthernetFrame::checked(ConstBytes b) noexcept {
  using namespace ethernet_field;
  if (b.size() < kHeaderLen) return Err{ParseError::Truncated};
  std::size_t tags = 0;
  // Each recognised TPID announces 4 more header bytes (802.1Q §9.5).
  while (tags < kMaxTags && is_vlan_tpid(load_be16(b, kEtherType + tags * kTagLen))) {
    ++tags;
    if (b.size() < kHeaderLen + tags * kTagLen) return Err{ParseError::Truncated};
  }
  return EthernetFrame(b, tags);
}

inline ParseResult<EthernetRepr> EthernetRepr::parse(const EthernetFrame& f) noexcept {
  // Filled in place and returned by name, so no EthernetRepr is copied.
  ParseResult<EthernetRepr> out{EthernetRepr{}};
  EthernetRepr& r = *out;
  r.dst = f.dst();
  r.src = f.src();
  r.ethertype = f.ethertype();
  if (f.tag_count() == 1) {
    r.vlan = f.tag(0);
  } else if (f.tag_count() == 2) {
    r.outer_vlan = f.tag(0);
    r.vlan = f.tag(1);
  }
  return out;
}

}  // namespace synack::wire

// TAP segmentation and checksum offload (see tap_offload.h).
#include "stack/driver/tap_offload.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::driver {

static_assert(std::endian::native == std::endian::little,
              "the legacy virtio_net_hdr is in native order; this code writes little-endian");

namespace {

constexpr std::size_t kEthLen = 14;
constexpr std::size_t kIpLen = wire::ipv4_field::kMinHeaderLen;

std::uint16_t load_le16(ConstBytes b, std::size_t off) noexcept {
  return static_cast<std::uint16_t>(b[off] | (b[off + 1] << 8));
}
void store_le16(MutBytes b, std::size_t off, std::uint16_t v) noexcept {
  b[off] = static_cast<std::uint8_t>(v);
  b[off + 1] = static_cast<std::uint8_t>(v >> 8);
}

// Where a frame the coalescer may take keeps its parts; nullopt for any
// other frame. Only untagged IPv4 without options or fragmentation, TCP
// with payload and no flag but ACK and PSH.
struct TcpFrame {
  std::size_t tcp_len = 0;  // header
  std::size_t payload = 0;
  std::uint32_t seq = 0;
  bool psh = false;
};

std::optional<TcpFrame> tcp_frame(ConstBytes f) noexcept {
  namespace ip = wire::ipv4_field;
  namespace tcp = wire::tcp_field;
  if (f.size() < kEthLen + kIpLen + tcp::kMinHeaderLen) return std::nullopt;
  if (load_be16(f, 12) != wire::kEtherTypeIpv4) return std::nullopt;
  ConstBytes p = f.subspan(kEthLen);
  if (p[ip::kVersionIhl] != 0x45 || p[ip::kProtocol] != wire::kIpProtoTcp) return std::nullopt;
  if ((load_be16(p, ip::kFlagsFrag) & (ip::kFlagMf | ip::kFragOffsetMask)) != 0) return std::nullopt;
  if (load_be16(p, ip::kTotalLen) != p.size()) return std::nullopt;  // no Ethernet padding
  ConstBytes t = p.subspan(kIpLen);
  std::size_t tcp_len = std::size_t{static_cast<std::uint8_t>(t[tcp::kDataOffset] >> 4)} * 4;
  if (tcp_len < tcp::kMinHeaderLen || tcp_len >= t.size()) return std::nullopt;
  if ((t[tcp::kDataOffset] & 0x01) != 0) return std::nullopt;  // AE (accurate ECN)
  std::uint8_t flags = t[tcp::kFlags];
  if ((flags & wire::kTcpAck) == 0 || (flags & ~(wire::kTcpAck | wire::kTcpPsh)) != 0) return std::nullopt;
  return TcpFrame{tcp_len, t.size() - tcp_len, load_be32(t, tcp::kSeq), (flags & wire::kTcpPsh) != 0};
}

// Whether two frame headers of `len` bytes agree except in the fields a
// segmentation rewrites: IPv4 total length, identification and checksum;
// TCP sequence number, PSH and checksum.
bool same_headers(ConstBytes a, ConstBytes b, std::size_t len) noexcept {
  namespace ip = wire::ipv4_field;
  namespace tcp = wire::tcp_field;
  auto eq = [&](std::size_t from, std::size_t to) { return std::memcmp(a.data() + from, b.data() + from, to - from) == 0; };
  constexpr std::size_t t = kEthLen + kIpLen;
  return eq(0, kEthLen + ip::kTotalLen) && eq(kEthLen + ip::kFlagsFrag, kEthLen + ip::kChecksum) &&
         eq(kEthLen + ip::kSrc, t + tcp::kSeq) && eq(t + tcp::kAck, t + tcp::kFlags) &&
         (a[t + tcp::kFlags] & ~wire::kTcpPsh) == (b[t + tcp::kFlags] & ~wire::kTcpPsh) &&
         eq(t + tcp::kWindow, t + tcp::kChecksum) && eq(t + tcp::kUrgent, len);
}

}  // namespace

VnetHeader VnetHeader::parse(ConstBytes b) noexcept {
  return VnetHeader{b[0], b[1], load_le16(b, 2), load_le16(b, 4), load_le16(b, 6), load_le16(b, 8)};
}

void VnetHeader::emit(MutBytes b) const noexcept {
  b[0] = flags;
  b[1] = gso_type;
  store_le16(b, 2, hdr_len);
  store_le16(b, 4, gso_size);
  store_le16(b, 6, csum_start);
  store_le16(b, 8, csum_offset);
}

bool complete_checksum(MutBytes frame, std::size_t start, std::size_t offset) noexcept {
  if (start >= frame.size() || offset + 2 > frame.size() - start) return false;
  std::uint16_t c = static_cast<std::uint16_t>(~wire::checksum_fold(wire::checksum_partial(frame.subspan(start))));
  // RFC 768: a computed zero is sent as all ones (0 means "none" for UDP);
  // both verify the same for TCP.
  store_be16(frame, start + offset, c == 0 ? 0xffff : c);
  return true;
}

namespace {
// Whether `frame` is IPv4 carrying TCP or UDP (the transports RxMeta covers).
bool ipv4_tcp_or_udp(ConstBytes frame) noexcept {
  if (frame.size() < kEthLen + kIpLen || load_be16(frame, 12) != wire::kEtherTypeIpv4) return false;
  std::uint8_t proto = frame[kEthLen + wire::ipv4_field::kProtocol];
  return proto == wire::kIpProtoTcp || proto == wire::kIpProtoUdp;
}
}  // namespace

std::optional<MutBytes> accept_vnet_frame(MutBytes raw, bool* trusted) noexcept {
  if (raw.size() < VnetHeader::kLen) return std::nullopt;
  VnetHeader h = VnetHeader::parse(raw);
  MutBytes frame = raw.subspan(VnetHeader::kLen);
  if (trusted) *trusted = false;
  if ((h.flags & VnetHeader::kNeedsCsum) != 0) {
    // The positions are checked either way: a header that points outside
    // the frame is malformed.
    if (h.csum_start >= frame.size() || h.csum_offset + 2u > frame.size() - h.csum_start) return std::nullopt;
    if (trusted && ipv4_tcp_or_udp(frame)) {
      *trusted = true;
      return frame;
    }
    if (!complete_checksum(frame, h.csum_start, h.csum_offset)) return std::nullopt;
    return frame;
  }
  if (trusted && (h.flags & VnetHeader::kDataValid) != 0) *trusted = true;
  return frame;
}

bool TsoCoalescer::append(ConstBytes frame) {
  namespace tcp = wire::tcp_field;
  auto f = tcp_frame(frame);
  if (!f) return false;
  const std::size_t headers = kEthLen + kIpLen + f->tcp_len;
  if (segments_ == 0) {
    buf_.assign(VnetHeader::kLen, 0);
    buf_.insert(buf_.end(), frame.begin(), frame.end());
    segments_ = 1;
    l3_ = kEthLen;
    l4_ = kEthLen + kIpLen;
    payload_at_ = headers;
    mss_ = static_cast<std::uint16_t>(f->payload);
    next_seq_ = f->seq + static_cast<std::uint32_t>(f->payload);
    closed_ = f->psh || buf_.size() - VnetHeader::kLen + mss_ > kMaxFrame;
    return true;
  }
  ConstBytes have = ConstBytes(buf_).subspan(VnetHeader::kLen);
  if (closed_ || headers != payload_at_ || f->seq != next_seq_ || f->payload > mss_ ||
      have.size() + f->payload > kMaxFrame || !same_headers(have, frame, headers))
    return false;
  buf_.insert(buf_.end(), frame.begin() + static_cast<std::ptrdiff_t>(headers), frame.end());
  ++segments_;
  next_seq_ += static_cast<std::uint32_t>(f->payload);
  if (f->psh) buf_[VnetHeader::kLen + l4_ + tcp::kFlags] |= wire::kTcpPsh;
  closed_ = f->psh || f->payload < mss_ || buf_.size() - VnetHeader::kLen + mss_ > kMaxFrame;
  return true;
}

ConstBytes TsoCoalescer::finish() {
  if (segments_ <= 1) return buf_;
  namespace ip = wire::ipv4_field;
  MutBytes frame = MutBytes(buf_).subspan(VnetHeader::kLen);
  MutBytes p = frame.subspan(l3_);
  const auto total = static_cast<std::uint16_t>(p.size());
  store_be16(p, ip::kTotalLen, total);
  store_be16(p, ip::kChecksum, 0);
  store_be16(p, ip::kChecksum, wire::checksum(p.first(kIpLen)));
  // NEEDS_CSUM: the field holds the pseudo-header sum, the kernel completes
  // it (or, delivering locally, trusts it as it trusts a NIC's offload).
  wire::Ipv4Address src{load_be32(p, ip::kSrc)}, dst{load_be32(p, ip::kDst)};
  std::uint16_t pseudo = wire::checksum_fold(wire::pseudo_header_sum(src, dst, wire::kIpProtoTcp, total - kIpLen));
  store_be16(frame, l4_ + wire::tcp_field::kChecksum, pseudo);
  VnetHeader h{VnetHeader::kNeedsCsum, VnetHeader::kGsoTcpv4, static_cast<std::uint16_t>(payload_at_), mss_,
               static_cast<std::uint16_t>(l4_), static_cast<std::uint16_t>(wire::tcp_field::kChecksum)};
  h.emit(buf_);
  return buf_;
}

void TsoCoalescer::clear() noexcept {
  segments_ = 0;
  closed_ = false;
  buf_.clear();
}

}  // namespace synack::driver

// Segmentation and checksum offload between a TAP device opened with
// IFF_VNET_HDR and the stack: the byte work only, no OS calls, so it is
// tested without root (tap_offload_test.cc).
//
// Every frame on such a TAP carries a virtio_net_hdr in front (10 bytes,
// legacy layout, native byte order, which is little-endian on every host
// synack builds for). The contract with the kernel (TUNSETOFFLOAD
// TUN_F_CSUM | TUN_F_TSO4):
//  - Inbound, a frame may carry NEEDS_CSUM: its transport checksum field
//    holds only the pseudo-header sum and the device (we) must complete it
//    over [csum_start, end), exactly as a NIC would. complete_checksum()
//    does that, so the stack still verifies a real checksum. A frame may
//    also be a TCPV4 GSO frame: one IPv4 packet of up to 64 KiB whose TCP
//    payload is several MSS-sized segments back to back; the stack takes it
//    as one large in-order segment (what Linux's own GRO hands its TCP).
//    Such a frame is only fit for local delivery: a host that forwards
//    between interfaces must not use offload (it would have to resegment).
//  - Outbound, TsoCoalescer joins consecutive full-sized TCP segments of one
//    connection, identical but for sequence number and checksum, into one
//    TCPV4 GSO frame with NEEDS_CSUM. The kernel then takes them as the
//    segments they were (gso_size = their payload size) in one write().
//    Anything else (SYN, FIN, RST, URG, a different header, other protocols)
//    is written as the stack built it.
#pragma once

#include <cstdint>
#include <optional>

#include "stack/base/bytes.h"

namespace synack::driver {

// struct virtio_net_hdr (linux/virtio_net.h), legacy 10-byte layout.
struct VnetHeader {
  static constexpr std::size_t kLen = 10;
  static constexpr std::uint8_t kNeedsCsum = 1;   // VIRTIO_NET_HDR_F_NEEDS_CSUM
  static constexpr std::uint8_t kDataValid = 2;   // VIRTIO_NET_HDR_F_DATA_VALID
  static constexpr std::uint8_t kGsoNone = 0;     // VIRTIO_NET_HDR_GSO_NONE
  static constexpr std::uint8_t kGsoTcpv4 = 1;    // VIRTIO_NET_HDR_GSO_TCPV4
  static constexpr std::uint8_t kGsoEcn = 0x80;   // VIRTIO_NET_HDR_GSO_ECN
  std::uint8_t flags = 0;
  std::uint8_t gso_type = kGsoNone;
  std::uint16_t hdr_len = 0;     // Ethernet + IP + TCP headers of a GSO frame
  std::uint16_t gso_size = 0;    // payload bytes per segment
  std::uint16_t csum_start = 0;  // from the start of the Ethernet frame
  std::uint16_t csum_offset = 0; // of the checksum field, from csum_start

  static VnetHeader parse(ConstBytes b) noexcept;  // b.size() >= kLen
  void emit(MutBytes b) const noexcept;            // b.size() >= kLen
};

// Completes a NEEDS_CSUM frame in place: the one's-complement sum of
// frame[start, end) (the field holding the pseudo-header sum included) is
// written, complemented, at start + offset. False when the positions do not
// fit the frame (a malformed header: the frame is to be dropped).
bool complete_checksum(MutBytes frame, std::size_t start, std::size_t offset) noexcept;

// Turns what was read from the TAP (header + frame) into the frame the stack
// gets, in place: checksum completed when asked. nullopt when malformed.
// With `trusted` (the caller passes the answer on as RxMeta), checksums are
// trusted instead of completed or verified, as Linux trusts a local sender's
// offload: *trusted tells whether the frame's TCP/UDP checksum is vouched
// for: DATA_VALID (the kernel checked it), or NEEDS_CSUM on an IPv4 TCP or
// UDP frame (a sender on this machine left it to offload), which is then
// not completed (its field keeps the pseudo-header sum, as a capture on a
// NIC with checksum offload shows). NEEDS_CSUM on anything else is completed.
std::optional<MutBytes> accept_vnet_frame(MutBytes raw, bool* trusted = nullptr) noexcept;

// Joins the stack's outbound TCP segments into GSO frames (see above).
class TsoCoalescer {
 public:
  // Largest GSO frame: one IPv4 packet (total length 65,535) in Ethernet.
  static constexpr std::size_t kMaxFrame = 14 + 65535;

  // Appends `frame` to the pending GSO frame when it continues it, or starts
  // a new one when it may begin one. Returns false, leaving everything as it
  // was, when the caller must first flush what is pending (if anything) and
  // then offer the frame again or write it on its own.
  bool append(ConstBytes frame);
  // Whether another append can never succeed (a short or PSH segment closed
  // the pending frame, or it is full): flushing early saves nothing.
  bool closed() const noexcept { return closed_; }
  bool empty() const noexcept { return segments_ == 0; }
  std::size_t segments() const noexcept { return segments_; }
  // The frame to write, header first (vnet header + Ethernet frame): a
  // plain header and the original frame for one segment, a GSO frame for
  // more. Valid until the next append() or clear().
  ConstBytes finish();
  void clear() noexcept;

 private:
  Bytes buf_;  // vnet header + frame under construction
  std::size_t segments_ = 0;
  std::size_t l3_ = 0, l4_ = 0, payload_at_ = 0;  // offsets in the frame
  std::uint16_t mss_ = 0;
  std::uint32_t next_seq_ = 0;
  bool closed_ = false;
};

}  // namespace synack::driver

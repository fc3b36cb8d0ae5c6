// A two-port node that forwards frames between its ports and can be told to
// tamper with the *next* frame in one direction (drop, duplicate, reorder,
// flip one bit) or to cut both directions (a partition). Model-based tests
// use it to inject exactly one fault at a chosen point of a conversation,
// where a link's FaultProfile only gives rates.
//
// RST segments are never dropped or corrupted (the armed fault waits for the
// next frame that is not a RST): RFC 9293 does not retransmit a RST, so
// losing one is a different property than "TCP recovers from one fault".
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "harness/world/world.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::harness {

enum class Tamper : std::uint8_t { Drop, Duplicate, Reorder, Corrupt };

inline const char* to_string(Tamper t) {
  switch (t) {
    case Tamper::Drop: return "drop";
    case Tamper::Duplicate: return "duplicate";
    case Tamper::Reorder: return "reorder";
    case Tamper::Corrupt: return "corrupt";
  }
  return "?";
}

class TamperNode final : public Node {
 public:
  // A held (reordered) frame goes out after the next frame in its direction,
  // or after this long when no other frame comes.
  static constexpr Duration kMaxHold = Duration::from_millis(50);

  TamperNode(World& world, NodeId id) : world_(world), id_(id) {}

  // Arms `t` for the next frame leaving port `from` towards the other port;
  // `bit` picks the bit Corrupt flips (modulo the frame length).
  void arm(int from, Tamper t, std::uint32_t bit = 0) { dir_[from].armed.push_back({t, bit}); }
  // Forgets the faults armed but not used yet.
  void disarm() {
    dir_[0].armed.clear();
    dir_[1].armed.clear();
  }
  void set_partitioned(bool on) { partitioned_ = on; }
  bool partitioned() const noexcept { return partitioned_; }
  // Frames held back for reordering (they count as in flight).
  bool holding() const noexcept { return dir_[0].held.has_value() || dir_[1].held.has_value(); }
  std::uint64_t tampered() const noexcept { return tampered_; }

  void receive(Instant now, std::size_t port, ConstBytes frame) override {
    int from = static_cast<int>(port);
    if (partitioned_) return;
    Dir& d = dir_[from];
    if (!d.armed.empty() && (!is_rst(frame) || d.armed.front().kind == Tamper::Duplicate ||
                             d.armed.front().kind == Tamper::Reorder)) {
      Armed a = d.armed.front();
      d.armed.pop_front();
      ++tampered_;
      switch (a.kind) {
        case Tamper::Drop: return;
        case Tamper::Duplicate:
          forward(now, from, frame);
          forward(now, from, frame);
          return;
        case Tamper::Reorder:
          release(now, from);
          d.held = Held{Bytes(frame.begin(), frame.end()), now + kMaxHold};
          return;
        case Tamper::Corrupt: {
          Bytes copy(frame.begin(), frame.end());
          std::uint32_t bit = a.bit % static_cast<std::uint32_t>(copy.size() * 8);
          copy[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
          forward(now, from, copy);
          release(now, from);
          return;
        }
      }
    }
    forward(now, from, frame);
    release(now, from);
  }

  std::optional<Instant> poll_at() const override {
    std::optional<Instant> t;
    for (const auto& d : dir_)
      if (d.held) t = t ? std::min(*t, d.held->until) : d.held->until;
    return t;
  }
  void poll(Instant now) override {
    for (int from = 0; from < 2; ++from)
      if (dir_[from].held && dir_[from].held->until <= now) release(now, from);
  }
  bool poll_reaches_others() const override { return false; }  // releases go out through links
  std::string name() const override { return "tamper"; }

 private:
  struct Armed {
    Tamper kind;
    std::uint32_t bit;
  };
  struct Held {
    Bytes frame;
    Instant until;
  };
  struct Dir {
    std::deque<Armed> armed;
    std::optional<Held> held;
  };

  static bool is_rst(ConstBytes frame) {
    auto eth = wire::EthernetFrame::checked(frame);
    if (!eth || eth->ethertype() != wire::kEtherTypeIpv4) return false;
    auto ip = wire::Ipv4Packet::checked(eth->payload());
    if (!ip || ip->protocol() != wire::kIpProtoTcp) return false;
    auto tcp = wire::TcpPacket::checked(ip->payload());
    return tcp && (tcp->flags() & wire::kTcpRst) != 0;
  }
  void forward(Instant now, int from, ConstBytes frame) {
    world_.port_device(id_, static_cast<std::size_t>(1 - from)).transmit(now, frame);
  }
  void release(Instant now, int from) {
    auto& held = dir_[from].held;
    if (!held) return;
    Bytes f = std::move(held->frame);
    held.reset();
    if (!partitioned_) forward(now, from, f);
  }

  World& world_;
  NodeId id_;
  Dir dir_[2];
  bool partitioned_ = false;
  std::uint64_t tampered_ = 0;
};

}  // namespace synack::harness

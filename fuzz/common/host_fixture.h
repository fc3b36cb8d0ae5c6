// The host that fuzz_host_frames drives, shared with fuzz/gen_seeds.cc so
// seeds can be built against exactly the same state (same seed, same ISNs).
//
// One Host (seed 1) with interface 10.0.0.1/24 (MAC 02:00:00:00:00:01) on a
// CaptureDevice, a static ARP entry for the peer 10.0.0.2
// (02:00:00:00:00:02), and, after setup():
//   - a TCP listener on port 80 (backlog 8);
//   - a UDP socket bound to port 53;
//   - an ESTABLISHED connection 10.0.0.1:80 <- 10.0.0.2:40000, opened by
//     scripted SYN and ACK frames from the peer (built with the wire Reprs;
//     MSS 1460, SACK-permitted, timestamps, window scale 7), accepted, with
//     "hello\n" sent and not yet acknowledged;
//   - an active open to 10.0.0.2:8080 in SYN-SENT;
//   - a UDP datagram to 10.0.0.3:9 waiting in an INCOMPLETE ARP entry.
// Small ARP and reassembly bounds make their limits reachable by a fuzzer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fuzz/common/capture_device.h"
#include "fuzz/common/frames.h"
#include "stack/socket/host.h"

namespace synack::fuzz {

namespace host_fixture {
inline constexpr wire::MacAddress kOurMac{{0x02, 0, 0, 0, 0, 1}};
inline constexpr wire::MacAddress kPeerMac{{0x02, 0, 0, 0, 0, 2}};
inline constexpr wire::Ipv4Address kOurIp = wire::Ipv4Address::from_octets(10, 0, 0, 1);
inline constexpr wire::Ipv4Address kPeerIp = wire::Ipv4Address::from_octets(10, 0, 0, 2);
inline constexpr wire::Ipv4Address kUnresolvedIp = wire::Ipv4Address::from_octets(10, 0, 0, 3);
inline constexpr std::uint16_t kListenPort = 80;
inline constexpr std::uint16_t kUdpPort = 53;
inline constexpr std::uint16_t kPeerPort = 40000;
inline constexpr std::uint16_t kActivePeerPort = 8080;
inline constexpr std::uint32_t kPeerIss = 1000000;
inline constexpr std::uint32_t kPeerTsval = 5000;
inline constexpr int kBacklog = 8;
inline constexpr L2 kFromPeer{kPeerMac, kOurMac};
}  // namespace host_fixture

inline iface::StackConfig host_fixture_config() {
  iface::StackConfig cfg;
  cfg.name = "fuzz";
  cfg.seed = 1;
  cfg.arp.max_entries = 16;
  cfg.arp.max_pending = 8;
  cfg.arp.max_pending_per_entry = 4;
  cfg.reassembly.high_thresh = 16 * 1024;
  cfg.reassembly.low_thresh = 8 * 1024;
  return cfg;
}

// A TCP segment from the peer's established connection to our listener port.
inline wire::TcpRepr peer_segment(std::uint32_t seq, std::uint32_t ack, std::uint16_t flags, std::uint32_t tsval,
                                  std::uint32_t tsecr) {
  wire::TcpRepr t;
  t.src_port = host_fixture::kPeerPort;
  t.dst_port = host_fixture::kListenPort;
  t.seq = wire::SeqNumber(seq);
  t.ack = wire::SeqNumber(ack);
  t.flags = flags;
  t.window = 512;  // scaled by 2^7: 64 KB
  (void)t.options.push_nop();
  (void)t.options.push_nop();
  (void)t.options.push_timestamps(tsval, tsecr);
  return t;
}

struct ParsedTcp {
  wire::Ipv4Address src, dst;
  wire::TcpRepr tcp;
  std::size_t payload_len = 0;
};

// The TCP segment inside an Ethernet/IPv4 frame, if it is one.
inline std::optional<ParsedTcp> parse_tcp_frame(ConstBytes frame) {
  auto eth = wire::EthernetFrame::checked(frame);
  if (!eth || eth->ethertype() != wire::kEtherTypeIpv4) return std::nullopt;
  auto ip = wire::Ipv4Packet::checked(eth->payload());
  if (!ip || ip->protocol() != wire::kIpProtoTcp) return std::nullopt;
  auto tp = wire::TcpPacket::checked(ip->payload());
  if (!tp) return std::nullopt;
  auto t = wire::TcpRepr::parse(*tp, ip->src(), ip->dst(), false);
  if (!t) return std::nullopt;
  return ParsedTcp{ip->src(), ip->dst(), *t, tp->payload().size()};
}

// The peer's frames of the passive open, built once per process, and what
// the host's SYN-ACK told the first fixture (the same for every fixture: the
// host's seed and clock are fixed), so later set-ups compare bytes instead of
// parsing. Only a cache: a SYN-ACK that differs is parsed as usual.
struct PeerFrames {
  Bytes syn;
  Bytes synack;  // the last SYN-ACK parsed, and what it said
  std::uint32_t iss = 0, our_tsval = 0;
  Bytes ack_frame;
  std::uint32_t ack_iss = 0, ack_tsval = 0;
  Bytes active_syn;  // the last SYN of the active open parsed, and what it said
  std::uint32_t active_iss = 0;
  std::uint16_t active_port = 0;

  void learn_synack(ConstBytes f, std::uint32_t i, std::uint32_t ts) {
    synack.assign(f.begin(), f.end());
    iss = i;
    our_tsval = ts;
  }
  // The peer's ACK of our SYN-ACK.
  ConstBytes ack(std::uint32_t i, std::uint32_t ts) {
    using namespace host_fixture;
    if (ack_frame.empty() || ack_iss != i || ack_tsval != ts) {
      ack_frame = build_tcp_frame(kFromPeer, kPeerIp, kOurIp,
                                  peer_segment(kPeerIss + 1, i + 1, wire::kTcpAck, kPeerTsval + 1, ts), {});
      ack_iss = i;
      ack_tsval = ts;
    }
    return ack_frame;
  }
};

inline PeerFrames make_peer_frames() {
  using namespace host_fixture;
  wire::TcpRepr syn = peer_segment(kPeerIss, 0, wire::kTcpSyn, kPeerTsval, 0);
  syn.options = {};
  syn.window = 65535;
  (void)syn.options.push_mss(1460);
  (void)syn.options.push_sack_permitted();
  (void)syn.options.push_timestamps(kPeerTsval, 0);
  (void)syn.options.push_nop();
  (void)syn.options.push_wscale(7);
  PeerFrames pf;
  pf.syn = build_tcp_frame(kFromPeer, kPeerIp, kOurIp, syn, {});
  return pf;
}

inline PeerFrames& peer_frames() {
  static PeerFrames pf = make_peer_frames();
  return pf;
}

class HostFixture {
 public:
  HostFixture() : host_(host_fixture_config()) {}
  // The same host in the same state (a copy of its Host) on a device of its
  // own that has captured nothing yet: fuzz_host_frames sets one fixture up
  // per process and starts every input from a copy of it.
  HostFixture(const HostFixture& o)
      : host_(o.host_), now_(o.now_), listener_(o.listener_), udp_(o.udp_), conn_(o.conn_), active_(o.active_),
        iss_(o.iss_), our_tsval_(o.our_tsval_), active_iss_(o.active_iss_), active_port_(o.active_port_) {
    host_.stack().set_device(0, dev_);
  }
  HostFixture& operator=(const HostFixture&) = delete;

  // Builds the state described at the top. Returns false if the stack did not
  // behave as scripted (then the fixture is still usable, just less deep).
  //
  // fuzz_host_frames runs this once per process and copies the result for
  // every input; gen_seeds once per seed. It is kept short: the host is
  // polled only where it must send (the SYN-ACK, then "hello", our SYN and
  // the ARP request together; the gratuitous ARP goes out with the first),
  // and the peer's frames and what we learn from our SYN-ACK are built and
  // parsed once per process (PeerFrames), then only compared byte for byte.
  bool setup() {
    using namespace host_fixture;
    auto& st = host_.stack();
    st.add_interface(dev_, kOurMac, wire::Ipv4Cidr{kOurIp, 24}, "eth0");
    st.arp().add_static(kPeerIp, kPeerMac);
    listener_ = open_bound(socket::SockType::Stream, kListenPort);
    bool ok = listener_ >= 0 && host_.listen(listener_, kBacklog).ok();
    udp_ = open_bound(socket::SockType::Dgram, kUdpPort);
    ok = ok && udp_ >= 0;

    // Passive open by the peer: SYN, our SYN-ACK, ACK.
    PeerFrames& pf = peer_frames();
    feed(pf.syn);
    for (const auto& f : dev_.frames()) {
      if (f == pf.synack) {
        iss_ = pf.iss;
        our_tsval_ = pf.our_tsval;
        continue;
      }
      auto p = parse_tcp_frame(f);
      if (p && p->tcp.flags == (wire::kTcpSyn | wire::kTcpAck)) {
        iss_ = p->tcp.seq.raw();
        if (auto ts = p->tcp.options.timestamps()) our_tsval_ = ts->tsval;
        pf.learn_synack(f, *iss_, our_tsval_);
      }
    }
    dev_.clear();
    ok = ok && iss_.has_value();
    if (iss_) {
      advance(Duration::from_millis(1));
      host_.receive(now_, 0, pf.ack(*iss_, our_tsval_));
      auto c = host_.accept(listener_);
      if (c) conn_ = *c;
      ok = ok && c.ok();
    }
    if (conn_ >= 0) {
      static constexpr std::uint8_t kHello[] = {'h', 'e', 'l', 'l', 'o', '\n'};
      (void)host_.send(conn_, kHello);
    }
    // Active open towards the peer (SYN-SENT), and a datagram to an
    // unresolved neighbour (INCOMPLETE ARP entry with a packet waiting).
    auto a = host_.socket(2, socket::SockType::Stream);
    if (a) {
      active_ = *a;
      (void)host_.connect(active_, {kPeerIp, kActivePeerPort});
    }
    const std::uint8_t x[] = {'x'};
    ok = ok && host_.sendto(udp_, x, {kUnresolvedIp, 9}).ok();
    host_.poll(now_);
    for (const auto& f : dev_.frames()) {
      if (f == pf.active_syn) {
        active_iss_ = pf.active_iss;
        active_port_ = pf.active_port;
        continue;
      }
      auto p = parse_tcp_frame(f);
      if (p && p->tcp.flags == wire::kTcpSyn) {
        active_iss_ = p->tcp.seq.raw();
        active_port_ = p->tcp.src_port;
        pf.active_syn = f;
        pf.active_iss = *active_iss_;
        pf.active_port = active_port_;
      }
    }
    dev_.clear();
    return ok;
  }

  void advance(Duration d) { now_ += d; }
  // Delivers one frame and polls.
  void feed(ConstBytes frame) {
    host_.receive(now_, 0, frame);
    host_.poll(now_);
  }

  socket::Host& host() noexcept { return host_; }
  CaptureDevice& device() noexcept { return dev_; }
  Instant now() const noexcept { return now_; }
  int listener_fd() const noexcept { return listener_; }
  int udp_fd() const noexcept { return udp_; }
  int conn_fd() const noexcept { return conn_; }
  int active_fd() const noexcept { return active_; }
  // Our ISN on the established connection (from the SYN-ACK) and our TSval then.
  std::optional<std::uint32_t> iss() const noexcept { return iss_; }
  std::uint32_t our_tsval() const noexcept { return our_tsval_; }
  // Our ISN and ephemeral port on the active open (from its SYN).
  std::optional<std::uint32_t> active_iss() const noexcept { return active_iss_; }
  std::uint16_t active_port() const noexcept { return active_port_; }

 private:
  int open_bound(socket::SockType type, std::uint16_t port) {
    auto fd = host_.socket(1, type);
    if (!fd) return -1;
    if (!host_.bind(*fd, {wire::Ipv4Address::any(), port})) return -1;
    return *fd;
  }

  CaptureDevice dev_;
  socket::Host host_;
  Instant now_ = Instant::from_secs(1);
  int listener_ = -1, udp_ = -1, conn_ = -1, active_ = -1;
  std::optional<std::uint32_t> iss_;
  std::uint32_t our_tsval_ = 0;
  std::optional<std::uint32_t> active_iss_;
  std::uint16_t active_port_ = 0;
};

}  // namespace synack::fuzz

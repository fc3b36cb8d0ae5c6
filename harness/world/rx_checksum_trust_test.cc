// driver::RxMeta::l4_checksum_valid through Host::receive: a TCP or UDP
// checksum the device vouches for is not verified again (Linux's
// CHECKSUM_UNNECESSARY); without the flag it is, and a bad one is dropped
// and counted. The trust covers that one frame only, never the IPv4 header
// and never a datagram reassembled from fragments.
#include <gtest/gtest.h>

#include <functional>

#include "harness/world/frames.h"
#include "harness/world/host_node.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "stack/wire/udp.h"

namespace synack::harness {
namespace {

using wire::Ipv4Address;

const Ipv4Address kPeer = Ipv4Address::from_octets(10, 0, 0, 2);
const Ipv4Address kHost = Ipv4Address::from_octets(10, 0, 0, 1);
constexpr driver::RxMeta kTrusted{.l4_checksum_valid = true};

struct Fixture {
  Fixture() : w(5), host(add_host(w, "h")), peer(add_host(w, "p")) {
    connect_hosts(w, host, "10.0.0.1/24", peer, "10.0.0.2/24");
  }
  L2 l2() const { return L2{peer.stack().interfaces()[0].mac, host.stack().interfaces()[0].mac}; }
  // A SYN to a closed port (answered by a RST once accepted).
  Bytes tcp_syn() const {
    wire::TcpRepr t;
    t.src_port = 5000;
    t.dst_port = 81;
    t.flags = wire::kTcpSyn;
    t.window = 1000;
    return build_tcp_frame(l2(), kPeer, kHost, t, {});
  }
  // A datagram to a port nobody listens on (counted rx_no_port once accepted).
  Bytes udp_datagram() const {
    Bytes payload(16, 7);
    return build_udp_frame(l2(), kPeer, kHost, wire::UdpRepr{5000, 9}, payload);
  }
  // Feeds `f` and returns how much `counter` moved.
  std::uint64_t feed(const Bytes& f, driver::RxMeta meta, const std::function<std::uint64_t()>& counter) {
    auto before = counter();
    host.host().receive(w.now(), 0, f, meta);
    host.host().poll(w.now());
    return counter() - before;
  }
  const iface::StackStats& stats() const { return host.stack().stats(); }
  World w;
  HostNode& host;
  HostNode& peer;
};

constexpr std::size_t kL4 = 14 + 20;  // the transport header in these frames

Bytes with_bad_l4_checksum(Bytes f, std::size_t checksum_at) {
  f[kL4 + checksum_at] ^= 0x5a;
  return f;
}

TEST(RxChecksumTrust, TcpBadChecksumAcceptedOnlyWhenTrusted) {
  Fixture f;
  const auto& st = f.stats();
  Bytes bad = with_bad_l4_checksum(f.tcp_syn(), wire::tcp_field::kChecksum);
  EXPECT_EQ(f.feed(bad, {}, [&] { return st.tcp.rx_bad_checksum; }), 1u);
  EXPECT_EQ(f.feed(bad, {}, [&] { return st.tcp.tx_resets; }), 0u);
  EXPECT_EQ(f.feed(bad, kTrusted, [&] { return st.tcp.tx_resets; }), 1u);
  EXPECT_EQ(f.feed(bad, kTrusted, [&] { return st.tcp.rx_bad_checksum; }), 0u);
  // A good checksum is accepted either way.
  EXPECT_EQ(f.feed(f.tcp_syn(), {}, [&] { return st.tcp.tx_resets; }), 1u);
  EXPECT_EQ(f.feed(f.tcp_syn(), kTrusted, [&] { return st.tcp.tx_resets; }), 1u);
}

TEST(RxChecksumTrust, UdpBadChecksumAcceptedOnlyWhenTrusted) {
  Fixture f;
  const auto& st = f.stats();
  Bytes bad = with_bad_l4_checksum(f.udp_datagram(), wire::udp_field::kChecksum);
  EXPECT_EQ(f.feed(bad, {}, [&] { return st.udp.rx_bad_checksum; }), 1u);
  EXPECT_EQ(f.feed(bad, kTrusted, [&] { return st.udp.rx_no_port; }), 1u);
  EXPECT_EQ(f.feed(bad, kTrusted, [&] { return st.udp.rx_bad_checksum; }), 0u);
}

TEST(RxChecksumTrust, LastsForOneFrameOnly) {
  Fixture f;
  const auto& st = f.stats();
  Bytes bad = with_bad_l4_checksum(f.tcp_syn(), wire::tcp_field::kChecksum);
  EXPECT_EQ(f.feed(bad, kTrusted, [&] { return st.tcp.tx_resets; }), 1u);
  EXPECT_EQ(f.feed(bad, {}, [&] { return st.tcp.rx_bad_checksum; }), 1u);
}

TEST(RxChecksumTrust, IpHeaderChecksumStillVerified) {
  Fixture f;
  Bytes bad = f.tcp_syn();
  bad[14 + wire::ipv4_field::kChecksum] ^= 0x01;
  EXPECT_EQ(f.feed(bad, kTrusted, [&] { return f.stats().ip.rx_bad_checksum; }), 1u);
}

TEST(RxChecksumTrust, NotForADatagramReassembledFromFragments) {
  Fixture f;
  const auto& st = f.stats();
  // A UDP datagram (8 + 16 bytes) with a bad checksum, in two fragments.
  Bytes whole = with_bad_l4_checksum(f.udp_datagram(), wire::udp_field::kChecksum);
  ConstBytes l4 = ConstBytes(whole).subspan(kL4);
  auto fragment = [&](std::size_t from, std::size_t len, bool more) {
    wire::Ipv4Repr ip = make_ipv4(kPeer, kHost, wire::kIpProtoUdp);
    ip.dont_frag = false;
    ip.ident = 77;
    ip.frag_offset = static_cast<std::uint16_t>(from);
    ip.more_frags = more;
    return build_ipv4_frame(f.l2(), ip, l4.subspan(from, len));
  };
  EXPECT_EQ(f.feed(fragment(0, 16, true), kTrusted, [&] { return st.ip.reassembled; }), 0u);
  EXPECT_EQ(f.feed(fragment(16, 8, false), kTrusted, [&] { return st.udp.rx_bad_checksum; }), 1u);
  EXPECT_EQ(st.ip.reassembled, 1u);
}

}  // namespace
}  // namespace synack::harness

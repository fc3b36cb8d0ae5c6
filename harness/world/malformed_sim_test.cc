// Every kind of malformed frame is dropped and counted at its layer, never
// a crash: frames are built valid, then broken one field at a time.
#include <gtest/gtest.h>

#include <functional>

#include "harness/world/frames.h"
#include "harness/world/host_node.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "stack/wire/udp.h"

namespace synack::harness {
namespace {

using wire::Ipv4Address;

struct Fixture {
  Fixture() : w(21), host(add_host(w, "h")), peer(add_host(w, "p")) {
    connect_hosts(w, host, "10.0.0.1/24", peer, "10.0.0.2/24");
  }
  Bytes frame(std::uint8_t protocol, ConstBytes l4) {
    wire::Ipv4Repr ip;
    ip.src = Ipv4Address::from_octets(10, 0, 0, 2);
    ip.dst = Ipv4Address::from_octets(10, 0, 0, 1);
    ip.protocol = protocol;
    return build_ipv4_frame(L2{peer.stack().interfaces()[0].mac, host.stack().interfaces()[0].mac}, ip, l4);
  }
  Bytes udp_frame() {
    wire::UdpRepr u{5000, 53};
    Bytes payload(12, 1), l4(u.buffer_len(payload.size()));
    u.emit(l4, payload, Ipv4Address::from_octets(10, 0, 0, 2), Ipv4Address::from_octets(10, 0, 0, 1));
    return frame(wire::kIpProtoUdp, l4);
  }
  Bytes tcp_frame() {
    wire::TcpRepr t;
    t.src_port = 5000;
    t.dst_port = 80;
    t.flags = wire::kTcpSyn;
    t.window = 1000;
    Bytes l4(t.buffer_len(0));
    t.emit(l4, {}, Ipv4Address::from_octets(10, 0, 0, 2), Ipv4Address::from_octets(10, 0, 0, 1));
    return frame(wire::kIpProtoTcp, l4);
  }
  Bytes icmp_frame() {
    Bytes data(8, 2);
    wire::Icmpv4Repr r{wire::Icmpv4EchoRequest{1, 1}, data};
    Bytes l4(r.buffer_len());
    r.emit(l4);
    return frame(wire::kIpProtoIcmp, l4);
  }
  // Feeds `f` and returns how much the counter moved.
  std::uint64_t feed(const Bytes& f, const std::function<std::uint64_t()>& counter) {
    auto before = counter();
    host.host().receive(w.now(), 0, f);
    host.host().poll(w.now());
    return counter() - before;
  }
  World w;
  HostNode& host;
  HostNode& peer;
};

TEST(Malformed, EveryKindIsDroppedAndCounted) {
  Fixture f;
  const auto& st = f.host.stack().stats();
  EXPECT_EQ(f.feed(Bytes(10, 0xff), [&] { return st.eth.rx_malformed; }), 1u);
  Bytes wrong_type = f.udp_frame();
  wrong_type[12] = 0x86, wrong_type[13] = 0xdd;  // IPv6
  EXPECT_EQ(f.feed(wrong_type, [&] { return st.eth.rx_unknown_type; }), 1u);
  Bytes not_us = f.udp_frame();
  not_us[5] ^= 0x10;
  EXPECT_EQ(f.feed(not_us, [&] { return st.eth.rx_not_for_us; }), 1u);
  Bytes v6 = f.udp_frame();
  v6[14] = 0x65;
  EXPECT_EQ(f.feed(v6, [&] { return st.ip.rx_bad_version; }), 1u);
  Bytes cut = f.udp_frame();
  cut.resize(14 + 12);
  EXPECT_EQ(f.feed(cut, [&] { return st.ip.rx_truncated; }), 1u);
  Bytes long_len = f.udp_frame();
  long_len[16] = 0x05;  // total length far past the frame
  EXPECT_EQ(f.feed(long_len, [&] { return st.ip.rx_truncated; }), 1u);
  Bytes bad_ip_sum = f.udp_frame();
  bad_ip_sum[24] ^= 0x01;
  EXPECT_EQ(f.feed(bad_ip_sum, [&] { return st.ip.rx_bad_checksum; }), 1u);
  Bytes bcast_src = f.udp_frame();
  for (int i = 26; i < 30; ++i) bcast_src[i] = 0xff;
  bcast_src[24] = bcast_src[25] = 0;
  auto sum = wire::checksum(ConstBytes(bcast_src).subspan(14, 20));
  store_be16(bcast_src, 24, sum);
  EXPECT_EQ(f.feed(bcast_src, [&] { return st.ip.rx_bad_source; }), 1u);
  Bytes bad_udp = f.udp_frame();
  bad_udp.back() ^= 0x01;
  EXPECT_EQ(f.feed(bad_udp, [&] { return st.udp.rx_bad_checksum; }), 1u);
  Bytes short_udp = f.udp_frame();
  store_be16(short_udp, 14 + 20 + 4, 4);  // UDP length below its header
  EXPECT_EQ(f.feed(short_udp, [&] { return st.udp.rx_malformed; }), 1u);
  Bytes bad_tcp = f.tcp_frame();
  bad_tcp[14 + 20 + 14] ^= 0x01;  // window
  EXPECT_EQ(f.feed(bad_tcp, [&] { return st.tcp.rx_bad_checksum; }), 1u);
  Bytes bad_off = f.tcp_frame();
  bad_off[14 + 20 + 12] = 0x20;  // data offset 2
  EXPECT_EQ(f.feed(bad_off, [&] { return st.tcp.rx_malformed; }), 1u);
  Bytes bad_icmp = f.icmp_frame();
  bad_icmp.back() ^= 0x01;
  EXPECT_EQ(f.feed(bad_icmp, [&] { return st.icmp.rx_bad_checksum; }), 1u);
  Bytes runt_arp(14 + 10, 0);
  runt_arp[12] = 0x08, runt_arp[13] = 0x06;
  for (int i = 0; i < 6; ++i) runt_arp[i] = 0xff;
  EXPECT_EQ(f.feed(runt_arp, [&] { return st.arp.rx_malformed; }), 1u);
  // Still alive and answering after all that.
  EXPECT_EQ(f.feed(f.icmp_frame(), [&] { return st.icmp.tx_echo_replies; }), 1u);
}

}  // namespace
}  // namespace synack::harness

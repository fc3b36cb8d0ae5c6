// Whole-frame wire benchmarks (issue 2): parse and emit of an Ethernet +
// IPv4 + TCP frame carrying timestamps (a Linux-like data segment), in ns
// per frame, with and without checksum verification.
#include <benchmark/benchmark.h>

#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::wire {
namespace {

constexpr Ipv4Address kSrc = Ipv4Address::from_octets(10, 0, 0, 1);
constexpr Ipv4Address kDst = Ipv4Address::from_octets(10, 0, 0, 2);

struct FrameParts {
  EthernetRepr eth;
  Ipv4Repr ip;
  TcpRepr tcp;
};

FrameParts parts(std::size_t payload) {
  FrameParts p;
  p.eth = EthernetRepr{MacAddress{{2, 0, 0, 0, 0, 2}}, MacAddress{{2, 0, 0, 0, 0, 1}}, kEtherTypeIpv4, {}, {}};
  p.tcp.src_port = 40000;
  p.tcp.dst_port = 80;
  p.tcp.seq = SeqNumber(123456789);
  p.tcp.ack = SeqNumber(987654321);
  p.tcp.flags = kTcpAck | kTcpPsh;
  p.tcp.window = 501;
  (void)p.tcp.options.push_nop();
  (void)p.tcp.options.push_nop();
  (void)p.tcp.options.push_timestamps(1000, 2000);
  p.ip.src = kSrc;
  p.ip.dst = kDst;
  p.ip.protocol = kIpProtoTcp;
  p.ip.ident = 7;
  p.ip.dont_frag = true;
  p.ip.payload_len = static_cast<std::uint16_t>(p.tcp.buffer_len(payload));
  return p;
}

Bytes build(const FrameParts& p, std::size_t payload) {
  Bytes data(payload, 0x5a);
  Bytes l4(p.tcp.buffer_len(payload));
  p.tcp.emit(l4, data, kSrc, kDst);
  Bytes l3(p.ip.header_len() + l4.size());
  p.ip.emit(l3, l4);
  Bytes frame(p.eth.header_len() + l3.size());
  p.eth.emit(frame, l3);
  return frame;
}

void BM_FrameParse(benchmark::State& state) {
  auto payload = static_cast<std::size_t>(state.range(0));
  bool verify = state.range(1) != 0;
  Bytes frame = build(parts(payload), payload);
  for (auto _ : state) {
    auto eth = EthernetFrame::checked(frame);
    auto e = EthernetRepr::parse(*eth);
    auto ipp = Ipv4Packet::checked(eth->payload());
    auto ip = Ipv4Repr::parse(*ipp, verify);
    auto tp = TcpPacket::checked(ipp->payload());
    auto t = TcpRepr::parse(*tp, ip->src, ip->dst, verify);
    // Every Repr is materialised, so none of the three parses is elided.
    benchmark::DoNotOptimize(e);
    benchmark::DoNotOptimize(ip);
    benchmark::DoNotOptimize(t);
    auto ts = t->options.timestamps();
    benchmark::DoNotOptimize(ts);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FrameParse)->ArgNames({"payload", "verify"})->Args({0, 0})->Args({0, 1})->Args({1448, 1});

void BM_FrameEmit(benchmark::State& state) {
  auto payload = static_cast<std::size_t>(state.range(0));
  FrameParts p = parts(payload);
  Bytes data(payload, 0x5a);
  Bytes frame(p.eth.header_len() + p.ip.header_len() + p.tcp.buffer_len(payload));
  MutBytes out(frame);
  for (auto _ : state) {
    // Inner headers first, in place, as the stack's output path does.
    auto l3 = out.subspan(p.eth.header_len());
    auto l4 = l3.subspan(p.ip.header_len());
    p.tcp.emit(l4, data, kSrc, kDst);
    p.ip.emit(l3.first(p.ip.header_len()), {});
    p.eth.emit(out.first(p.eth.header_len()), {});
    benchmark::DoNotOptimize(frame.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FrameEmit)->ArgNames({"payload"})->Arg(0)->Arg(1448);

}  // namespace
}  // namespace synack::wire

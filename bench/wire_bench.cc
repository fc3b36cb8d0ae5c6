// Wire-layer micro-benchmarks: the Internet checksum over an MSS-sized
// payload, parsing and emitting a TCP segment with timestamps and SACK, and
// SeqNumber comparisons.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "stack/wire/checksum.h"
#include "stack/wire/seq_number.h"
#include "stack/wire/tcp.h"

namespace synack::wire {
namespace {

constexpr std::size_t kMss = 1460;

std::vector<std::uint8_t> filled(std::size_t n) {
  std::vector<std::uint8_t> b(n);
  std::uint32_t x = 2463534242u;
  for (auto& v : b) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    v = static_cast<std::uint8_t>(x);
  }
  return b;
}

void BM_Checksum(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto off = static_cast<std::size_t>(state.range(1));
  const auto buf = filled(n + 8);
  const ConstBytes data = ConstBytes(buf).subspan(off, n);
  for (auto _ : state) {
    benchmark::DoNotOptimize(checksum(data));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["Gbit/s"] = benchmark::Counter(static_cast<double>(state.iterations() * n) * 8 / 1e9,
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Checksum)->Args({kMss, 0})->Args({kMss, 1})->Args({64, 0})->Args({20, 0})->Args({9000, 0});

const Ipv4Address kSrc = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address kDst = Ipv4Address::from_octets(10, 0, 0, 2);

// An ACK carrying data, <nop,nop,TS,nop,nop,sack 3 blocks> (12 + 28 = 40 bytes).
TcpRepr sample_repr() {
  TcpRepr r{.src_port = 40000,
            .dst_port = 80,
            .seq = SeqNumber(0x12345679),
            .ack = SeqNumber(0x9abcdef1),
            .flags = kTcpAck | kTcpPsh,
            .window = 502};
  r.options.push_nop();
  r.options.push_nop();
  r.options.push_timestamps(123556, 12345678);
  r.options.push_nop();
  r.options.push_nop();
  const std::array<SackBlock, 3> blocks{{{SeqNumber(0x9abd0000), SeqNumber(0x9abd05b4)},
                                         {SeqNumber(0x9abd1000), SeqNumber(0x9abd15b4)},
                                         {SeqNumber(0x9abd2000), SeqNumber(0x9abd25b4)}}};
  r.options.push_sack(blocks);
  return r;
}

std::vector<std::uint8_t> sample_segment(std::size_t payload_len) {
  const TcpRepr r = sample_repr();
  const auto payload = filled(payload_len);
  std::vector<std::uint8_t> out(r.buffer_len(payload.size()));
  r.emit(out, payload, kSrc, kDst);
  return out;
}

// View + Repr without the checksum (the IP layer or NIC may have verified it).
void BM_TcpParse(benchmark::State& state) {
  const auto seg = sample_segment(static_cast<std::size_t>(state.range(0)));
  const bool verify = state.range(1) != 0;
  for (auto _ : state) {
    auto p = TcpPacket::checked(seg);
    auto r = TcpRepr::parse(*p, kSrc, kDst, verify);
    benchmark::DoNotOptimize(r);
    auto ts = r->options.timestamps();
    benchmark::DoNotOptimize(ts);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_TcpParse)->Args({0, 0})->Args({0, 1})->Args({kMss, 1});

void BM_TcpEmit(benchmark::State& state) {
  const TcpRepr r = sample_repr();
  const auto payload = filled(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> out(r.buffer_len(payload.size()));
  for (auto _ : state) {
    r.emit(out, payload, kSrc, kDst);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_TcpEmit)->Arg(0)->Arg(kMss);

void BM_TcpOptionsParse(benchmark::State& state) {
  const TcpRepr r = sample_repr();
  std::array<std::uint8_t, 40> opt{};
  r.options.emit(opt);
  for (auto _ : state) {
    auto o = TcpOptions::parse(opt);
    benchmark::DoNotOptimize(o);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_TcpOptionsParse);

void BM_SeqNumberCompare(benchmark::State& state) {
  std::vector<SeqNumber> v;
  std::uint32_t x = 0xfffff000;
  for (int i = 0; i < 1024; ++i) {
    x = x * 1664525u + 1013904223u;
    v.push_back(SeqNumber(x));
  }
  const SeqNumber base(0xffffff00);
  for (auto _ : state) {
    int n = 0;
    for (const SeqNumber s : v) n += int{s.lt(base)} + int{s.in_window(base, 65535)};
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * v.size()));
}
BENCHMARK(BM_SeqNumberCompare);

}  // namespace
}  // namespace synack::wire

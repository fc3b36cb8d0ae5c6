// RFC 6675 SACK-based loss recovery end to end: the same bulk transfer over
// the same lossy link (same seeds, so the same loss decisions while the
// traffic is identical) with and without SACK. With SACK the sender resends
// only the holes and keeps the ACK clock going, so it must retransmit fewer
// bytes and finish sooner than NewReno (RFC 6582), which repairs one hole per
// round trip and falls back on the RTO more often.
#include <gtest/gtest.h>

#include <cstdio>

#include "harness/world/host_node.h"

namespace synack::harness {
namespace {

using socket::SockAddr;
using socket::SockType;
using wire::Ipv4Address;

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

struct Outcome {
  bool ok = false;
  Duration elapsed;                 // from the first write to the last byte read
  std::uint64_t retrans_bytes = 0;  // sender side
  std::uint64_t retrans_segs = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t sack_recoveries = 0;
};

Outcome bulk(std::uint64_t seed, bool sack, std::uint32_t loss_ppm, std::size_t total) {
  iface::StackConfig cfg;
  cfg.tcp.sack = sack;
  World w(seed);
  HostNode& a = add_host(w, "a", cfg);
  HostNode& b = add_host(w, "b", cfg);
  driver::FaultProfile p;
  p.delay = Duration::from_millis(10);
  p.loss_ppm = loss_ppm;
  p.bandwidth_bps = 100'000'000;
  connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24", p, p);
  auto& ha = a.host();
  auto& hb = b.host();
  int l = *hb.socket(50, SockType::Stream);
  EXPECT_TRUE(hb.bind(l, {Ipv4Address::any(), 5001}).ok());
  EXPECT_TRUE(hb.listen(l, 4).ok());
  int c = *ha.socket(60, SockType::Stream);
  (void)ha.connect(c, {ip("10.0.0.2"), 5001});
  Outcome o;
  if (!w.run_until([&] { return hb.poll(l)->readable && ha.poll(c)->writable; }, w.now() + Duration::from_secs(60)))
    return o;
  SockAddr peer;
  int srv = *hb.accept(l, &peer);
  std::uint64_t rb0 = a.stack().tcp_stats().retrans_bytes, rs0 = a.stack().tcp_stats().retrans_segs;
  std::uint64_t to0 = a.stack().tcp_stats().timeouts;
  Bytes data(total);
  for (std::size_t i = 0; i < total; ++i) data[i] = static_cast<std::uint8_t>(i * 7 + (i >> 11));
  std::size_t sent = 0, got = 0;
  bool same = true;
  std::uint8_t buf[65536];
  Instant start = w.now();
  o.ok = w.run_until(
      [&] {
        while (sent < total) {
          auto r = ha.send(c, ConstBytes(data).subspan(sent));
          if (!r) break;
          sent += *r;
        }
        while (true) {
          auto r = hb.recv(srv, buf);
          if (!r || *r == 0) break;
          for (std::size_t i = 0; i < *r; ++i) same = same && buf[i] == data[got + i];
          got += *r;
        }
        return got == total;
      },
      w.now() + Duration::from_secs(3600));
  o.ok = o.ok && same;
  o.elapsed = w.now() - start;
  const auto& st = a.stack().tcp_stats();
  o.retrans_bytes = st.retrans_bytes - rb0;
  o.retrans_segs = st.retrans_segs - rs0;
  o.timeouts = st.timeouts - to0;
  o.sack_recoveries = st.sack_recoveries;
  return o;
}

TEST(SackRecoverySim, FewerRetransmittedBytesAndFasterThanNewReno) {
  constexpr std::size_t kTotal = 2 << 20;
  constexpr std::uint32_t kLoss = 50'000;  // 5 % each way
  Duration with_time, without_time;
  std::uint64_t with_bytes = 0, without_bytes = 0, with_rto = 0, without_rto = 0;
  for (std::uint64_t seed : {11, 12, 13, 14}) {
    Outcome s = bulk(seed, true, kLoss, kTotal);
    Outcome n = bulk(seed, false, kLoss, kTotal);
    ASSERT_TRUE(s.ok) << "seed " << seed << " (SACK)";
    ASSERT_TRUE(n.ok) << "seed " << seed << " (NewReno)";
    EXPECT_GT(s.sack_recoveries, 0u) << "seed " << seed;
    std::printf("seed %llu: SACK %lld ms, %llu bytes resent, %llu RTOs | NewReno %lld ms, %llu bytes resent, %llu RTOs\n",
                static_cast<unsigned long long>(seed), static_cast<long long>(s.elapsed.millis()),
                static_cast<unsigned long long>(s.retrans_bytes), static_cast<unsigned long long>(s.timeouts),
                static_cast<long long>(n.elapsed.millis()), static_cast<unsigned long long>(n.retrans_bytes),
                static_cast<unsigned long long>(n.timeouts));
    with_time += s.elapsed;
    without_time += n.elapsed;
    with_bytes += s.retrans_bytes;
    without_bytes += n.retrans_bytes;
    with_rto += s.timeouts;
    without_rto += n.timeouts;
  }
  std::printf("total: SACK %lld ms, %llu bytes resent, %llu RTOs | NewReno %lld ms, %llu bytes resent, %llu RTOs\n",
              static_cast<long long>(with_time.millis()), static_cast<unsigned long long>(with_bytes),
              static_cast<unsigned long long>(with_rto), static_cast<long long>(without_time.millis()),
              static_cast<unsigned long long>(without_bytes), static_cast<unsigned long long>(without_rto));
  EXPECT_LT(with_bytes, without_bytes);
  EXPECT_LT(with_time, without_time);
}

}  // namespace
}  // namespace synack::harness

// `simulate http` in the deterministic world: a multi-request keep-alive
// exchange is byte-exact on a clean network and under loss (with
// duplication, reordering and corruption), and the same seed gives the same
// report and the same capture, byte for byte.
#include <gtest/gtest.h>

#include "harness/scenario/scenario.h"

namespace synack::harness {
namespace {

SimOptions options(std::uint64_t seed, std::uint32_t loss_ppm) {
  SimOptions o;
  o.seed = seed;
  o.faults.delay = Duration::from_micros(200);
  o.faults.loss_ppm = loss_ppm;
  o.count = 12;
  o.bytes = 300 * 1024;
  return o;
}

TEST(HttpScenario, KeepAliveExchangeIsByteExact) {
  auto r = run_http_scenario(options(1, 0));
  EXPECT_TRUE(r.passed) << r.text;
  EXPECT_EQ(r.summary["complete"], 12);
  EXPECT_EQ(r.summary["exact"], 12);
  EXPECT_EQ(r.summary["server_requests"], 12);
  EXPECT_EQ(r.summary["client_retransmitted_segments"], 0);
  EXPECT_EQ(r.summary["connections_left"], 0);
  EXPECT_NE(r.text.find("GET  /big.bin    200    307200 bytes content-length"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("GET  /missing    404"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("LISTEN"), std::string::npos) << r.text;  // the netstat table
}

TEST(HttpScenario, ByteExactUnderLossForManySeeds) {
  std::uint64_t retransmitted = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto o = options(seed, 50000);  // 5 % loss on a's link
    o.faults.dup_ppm = 10000;
    o.faults.reorder_ppm = 20000;
    o.faults.corrupt_ppm = 10000;
    auto r = run_http_scenario(o);
    ASSERT_TRUE(r.passed) << "seed " << seed << "\n" << r.text;
    // At this loss rate the connection survives: every response arrives.
    EXPECT_EQ(r.summary["exact"], 12) << "seed " << seed << "\n" << r.text;
    EXPECT_EQ(r.summary["socket_error"], "") << "seed " << seed;
    retransmitted += r.summary["server_retransmitted_segments"].get<std::uint64_t>() +
                     r.summary["client_retransmitted_segments"].get<std::uint64_t>();
  }
  EXPECT_GT(retransmitted, 0u) << "the loss never bit: the test proves nothing";
}

TEST(HttpScenario, SameSeedSameOutput) {
  auto o = options(42, 30000);
  o.faults.jitter = Duration::from_micros(300);
  o.faults.reorder_ppm = 20000;
  o.pcap = "";  // captured in memory
  auto a = run_http_scenario(o);
  auto b = run_http_scenario(o);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.summary.dump(), b.summary.dump());
  EXPECT_FALSE(a.pcap_bytes.empty());
  EXPECT_EQ(a.pcap_bytes, b.pcap_bytes);
  o.seed = 43;
  auto c = run_http_scenario(o);
  EXPECT_NE(a.pcap_bytes, c.pcap_bytes) << "a different seed should draw different losses and ISNs";
}

TEST(HttpScenario, IsRegistered) {
  const auto* s = find_scenario("http");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->run, &run_http_scenario);
}

}  // namespace
}  // namespace synack::harness

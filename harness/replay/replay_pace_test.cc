// The replay keeps the captured pace when its engine runs late (replay.cc
// keep_pace): a real-time engine that wakes 3 ms late, in the middle of
// bulk_loss.pcap where a peer's ACK is due every 1.1 ms, must not inject the
// ACKs it missed back to back; it shifts the rest of the replay instead, so
// the DUT sees every captured gap. The stall is played on the simulated DUT,
// wrapped so that its clock jumps once, as a late wake-up does.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/pcap/pcap_reader.h"
#include "harness/replay/replay.h"

namespace synack::harness::replay {
namespace {

// Forwards everything to `inner`, except that the first advance_to past
// `stall_at_us` goes `stall_us` further; records when each frame is injected.
class StallingDut final : public conformance::Dut {
 public:
  StallingDut(conformance::Dut& inner, std::int64_t stall_at_us, std::int64_t stall_us)
      : inner_(inner), stall_at_us_(stall_at_us), stall_us_(stall_us) {}

  std::string_view name() const override { return inner_.name(); }
  std::int64_t default_tolerance_us() const override { return inner_.default_tolerance_us(); }
  wire::MacAddress dut_mac() const override { return inner_.dut_mac(); }
  std::int64_t now_us() override { return inner_.now_us(); }
  void inject(ConstBytes frame) override {
    injected_us.push_back(inner_.now_us());
    inner_.inject(frame);
  }
  void advance_to(std::int64_t t_us) override {
    if (!stalled && t_us >= stall_at_us_) {
      stalled = true;
      t_us += stall_us_;
    }
    inner_.advance_to(t_us);
  }
  std::optional<conformance::Frame> next_frame(std::int64_t deadline_us) override {
    return inner_.next_frame(deadline_us);
  }
  void start_call(std::function<conformance::CallResult(conformance::SocketApi&)> op) override {
    inner_.start_call(std::move(op));
  }
  bool call_outstanding() const override { return inner_.call_outstanding(); }
  std::optional<conformance::CallDone> wait_call(std::int64_t deadline_us) override {
    return inner_.wait_call(deadline_us);
  }
  void with_api(const std::function<void(conformance::SocketApi&)>& f) override { inner_.with_api(f); }
  conformance::ShellOutcome shell(const std::string& command) override { return inner_.shell(command); }

  std::vector<std::int64_t> injected_us;
  bool stalled = false;

 private:
  conformance::Dut& inner_;
  std::int64_t stall_at_us_;
  std::int64_t stall_us_;
};

Plan bulk_server() {
  auto reader = PcapReader::open(std::string(SYNACK_SOURCE_DIR) + "/corpus/captures/bulk_loss.pcap");
  EXPECT_TRUE(reader) << (reader ? "" : reader.error().message);
  auto plan = build_plan(*reader, *wire::Ipv4Address::parse("10.200.0.1"));
  EXPECT_TRUE(plan) << (plan ? "" : plan.error());
  return std::move(*plan);
}

TEST(ReplayPace, ALateEngineKeepsTheCapturedGaps) {
  Plan plan = bulk_server();
  std::string why;
  bool skip = false;
  auto steady = make_dut("sim", plan, 1, why, skip);
  ASSERT_TRUE(steady) << why;
  auto expected = run_replay(plan, *steady, ReplayOptions{});
  ASSERT_TRUE(expected) << expected.error();

  auto sim = make_dut("sim", plan, 1, why, skip);
  ASSERT_TRUE(sim) << why;
  StallingDut dut(*sim, sim->now_us() + 300'000, 3'000);
  auto r = run_replay(plan, dut, ReplayOptions{});
  ASSERT_TRUE(r) << r.error();
  ASSERT_TRUE(dut.stalled);

  std::vector<std::int64_t> captured_ns;
  for (const auto& inj : plan.injections)
    if (!inj.lost) captured_ns.push_back(inj.t_ns);
  ASSERT_EQ(dut.injected_us.size(), captured_ns.size());
  std::size_t stretched = 0;
  for (std::size_t i = 1; i < captured_ns.size(); ++i) {
    std::int64_t captured_gap_us = (captured_ns[i] - captured_ns[i - 1]) / 1000;
    std::int64_t gap_us = dut.injected_us[i] - dut.injected_us[i - 1];
    EXPECT_GE(gap_us, captured_gap_us - 1) << "injection " << i;
    if (gap_us > captured_gap_us + 1000) ++stretched;
  }
  EXPECT_EQ(stretched, 1u);  // the gap the stall fell in, and no other
  // The DUT saw the same conversation: the same answers.
  EXPECT_EQ(r->differed, expected->differed);
  EXPECT_EQ(r->matched, expected->matched);
}

}  // namespace
}  // namespace synack::harness::replay

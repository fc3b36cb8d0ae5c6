// End-to-end transfers between two sockets joined back to back, with chosen
// segments dropped: handshake, bulk data, retransmission by RTO and by fast
// retransmit, FIN exchange, with and without options.
#include "stack/transport/tcp/tcp_test_fixture.h"

namespace synack::tcp::testing {
namespace {

// b is opened "passively" the simple way: both sides connect (simultaneous open).
void open_pair(Loopback& lb) {
  Context ca = lb.a_env.ctx(), cb = lb.b_env.ctx();
  ASSERT_TRUE(lb.a->connect(ca, kLocal, kRemote, kMss).ok());
  ASSERT_TRUE(lb.b->connect(cb, kRemote, kLocal, kMss).ok());
  ASSERT_TRUE(lb.run_until([&] {
    return lb.a->state() == State::Established && lb.b->state() == State::Established;
  }));
}

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
  return v;
}

// Sends `data` from a to b and reads it all at b; returns what b read.
std::vector<std::uint8_t> transfer(Loopback& lb, const std::vector<std::uint8_t>& data) {
  std::size_t sent = 0;
  std::vector<std::uint8_t> got;
  std::vector<std::uint8_t> buf(8192);
  lb.run_until([&] {
    while (sent < data.size()) {
      auto r = lb.a->send(ConstBytes(data).subspan(sent));
      if (!r) break;
      sent += *r;
    }
    for (;;) {
      auto r = lb.b->recv(buf);
      if (!r || *r == 0) break;
      got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*r));
    }
    return got.size() == data.size();
  });
  return got;
}

TEST(Loopback, SimultaneousOpenAndBulkTransfer) {
  Loopback lb;
  open_pair(lb);
  auto data = pattern(100000);
  EXPECT_EQ(transfer(lb, data), data);
  EXPECT_EQ(lb.a_env.stats.retrans_segs, 0u);
}

TEST(Loopback, BulkTransferWithAllOptions) {
  Loopback lb(TcpConfig{});
  open_pair(lb);
  TcpInfo info = lb.a->info(lb.a_env.ctx());
  EXPECT_TRUE(info.sack && info.timestamps && info.wscale);
  auto data = pattern(300000);
  EXPECT_EQ(transfer(lb, data), data);
  EXPECT_TRUE(lb.a->info(lb.a_env.ctx()).srtt >= Duration::zero());
}

TEST(Loopback, RecoversFromLossByFastRetransmit) {
  Loopback lb;
  open_pair(lb);
  int data_segs = 0;
  lb.drop = [&](const SegmentOut& s, bool from_a) {
    if (!from_a || s.payload.empty()) return false;
    return ++data_segs == 3;  // lose the third data segment once
  };
  auto data = pattern(50000);
  EXPECT_EQ(transfer(lb, data), data);
  EXPECT_GE(lb.a_env.stats.fast_retransmits + lb.a_env.stats.timeouts, 1u);
  EXPECT_GE(lb.b_env.stats.ofo_queued, 1u);
}

TEST(Loopback, RecoversFromLossOfEverySeventhSegment) {
  Loopback lb(TcpConfig{});
  open_pair(lb);
  int n = 0;
  lb.drop = [&](const SegmentOut&, bool) { return ++n % 7 == 0; };
  auto data = pattern(60000);
  EXPECT_EQ(transfer(lb, data), data);
  EXPECT_GT(lb.a_env.stats.retrans_segs, 0u);
}

TEST(Loopback, RecoversFromLostAcksByRto) {
  Loopback lb;
  open_pair(lb);
  int acks = 0;
  lb.drop = [&](const SegmentOut& s, bool from_a) { return !from_a && s.payload.empty() && ++acks <= 3; };
  auto data = pattern(2000);
  EXPECT_EQ(transfer(lb, data), data);
}

TEST(Loopback, GracefulCloseBothSides) {
  Loopback lb;
  open_pair(lb);
  Context ca = lb.a_env.ctx();
  lb.a->close(ca);
  lb.shuttle();
  EXPECT_EQ(lb.a->state(), State::FinWait2);
  EXPECT_EQ(lb.b->state(), State::CloseWait);
  Context cb = lb.b_env.ctx();
  lb.b->close(cb);
  lb.shuttle();
  EXPECT_EQ(lb.a->state(), State::TimeWait);
  EXPECT_EQ(lb.b->state(), State::Closed);
  EXPECT_TRUE(lb.run_until([&] { return lb.a->state() == State::Closed; }, Duration::from_secs(61)));
}

TEST(Loopback, SimultaneousClose) {
  Loopback lb;
  open_pair(lb);
  Context ca = lb.a_env.ctx(), cb = lb.b_env.ctx();
  lb.a->close(ca);
  lb.b->close(cb);
  lb.shuttle();
  EXPECT_EQ(lb.a->state(), State::TimeWait);
  EXPECT_EQ(lb.b->state(), State::TimeWait);
}

TEST(Loopback, LostFinIsRetransmitted) {
  Loopback lb;
  open_pair(lb);
  int fins = 0;
  lb.drop = [&](const SegmentOut& s, bool from_a) { return from_a && s.tcp.has(kTcpFin) && ++fins == 1; };
  Context ca = lb.a_env.ctx();
  lb.a->close(ca);
  EXPECT_TRUE(lb.run_until([&] { return lb.b->state() == State::CloseWait; }));
  EXPECT_EQ(fins, 2);
}

}  // namespace
}  // namespace synack::tcp::testing

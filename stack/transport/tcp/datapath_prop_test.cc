// The data path's shortcuts against plain models:
//  - receive: in-order data while nothing is held out of order bypasses the
//    assembler (input.cc process_data); any arrival order, with duplicates
//    and overlaps, must still deliver exactly the contiguous prefix that
//    arrived, byte for byte, and ACK it.
//  - send: segments lend their payload straight from the send ring; one that
//    wraps around the ring's end is gathered into scratch storage (output.cc
//    send_plan). Either way the bytes on the wire are the bytes written.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "stack/transport/tcp/tcp_test_fixture.h"

namespace synack::tcp::testing {
namespace {

std::vector<std::uint8_t> stream_bytes(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7 + (i >> 8));
  return v;
}

struct Piece {
  std::size_t off;
  std::size_t len;
};

class DatapathSocket : public SocketTest {
 public:
  void TestBody() override {}
  using SocketTest::deliver;
  using SocketTest::poll;
  using SocketTest::s;
  using SocketTest::socket_established;
  SeqNumber our_iss() const { return iss; }
};

// Every arrival order of pieces of a stream (within one receive buffer, read
// after every segment): after each segment the application has read exactly
// the contiguous prefix the pieces so far cover, and the latest ACK sent
// never claims more than that prefix.
RC_GTEST_PROP(DatapathProp, ReassemblyDeliversTheContiguousPrefix, ()) {
  const auto total = *rc::gen::inRange<std::size_t>(1, 4000);
  const auto data = stream_bytes(total);
  const auto count = *rc::gen::inRange<std::size_t>(1, 40);
  std::vector<Piece> pieces;
  for (std::size_t i = 0; i < count; ++i) {
    const auto off = *rc::gen::inRange<std::size_t>(0, total);
    const auto len = *rc::gen::inRange<std::size_t>(1, std::min<std::size_t>(total - off, 1200) + 1);
    pieces.push_back({off, len});
  }
  // In order at the end, so the whole stream always arrives.
  for (std::size_t off = 0; off < total; off += 536) pieces.push_back({off, std::min<std::size_t>(536, total - off)});

  DatapathSocket t;
  t.socket_established();
  RC_ASSERT(t.s->state() == State::Established);
  std::vector<bool> have(total, false);
  std::vector<std::uint8_t> got;
  std::size_t prefix = 0;
  for (const Piece& p : pieces) {
    t.deliver({.seq = kRemoteIss + 1 + static_cast<std::uint32_t>(p.off), .ack = t.our_iss() + 1, .flags = kTcpAck,
               .window = 8192},
              ConstBytes(data).subspan(p.off, p.len));
    std::fill(have.begin() + static_cast<std::ptrdiff_t>(p.off),
              have.begin() + static_cast<std::ptrdiff_t>(p.off + p.len), true);
    while (prefix < total && have[prefix]) ++prefix;
    while (auto out = t.poll()) {
      RC_ASSERT(out->tcp.has(kTcpAck));
      RC_ASSERT(out->tcp.ack.le(kRemoteIss + 1 + static_cast<std::uint32_t>(prefix)));
    }
    std::vector<std::uint8_t> buf(8192);
    if (auto r = t.s->recv(buf)) got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*r));
    RC_ASSERT(got.size() == prefix);
  }
  RC_ASSERT(got == data);
}

// Sends that wrap around the send ring's end: each segment's payload equals
// the stream at its sequence number, whether lent from the ring or gathered.
RC_GTEST_PROP(DatapathProp, SegmentsCarryTheWrittenBytesAcrossTheRingEnd, ()) {
  // The second write reaches past the ring's end (stream offset kBuf); the
  // first one's segments never do.
  const auto first = *rc::gen::inRange<std::size_t>(1, kBuf);
  const auto second = *rc::gen::inRange<std::size_t>(kBuf - first, kBuf);
  const auto data = stream_bytes(first + second);
  DatapathSocket t;
  t.socket_established();
  RC_ASSERT(t.s->state() == State::Established);
  std::size_t acked = 0;
  std::size_t wrapped = 0;
  auto send_and_check = [&](std::size_t from, std::size_t n) {
    auto r = t.s->send(ConstBytes(data).subspan(from, n));
    RC_ASSERT(r && *r == n);
    for (int guard = 0; guard < 1000 && acked < from + n; ++guard) {
      while (auto out = t.poll()) {
        const std::size_t off = seq_span(t.our_iss() + 1, out->tcp.seq);
        RC_ASSERT(off + out->payload.size() <= from + n);
        RC_ASSERT(std::equal(out->payload.begin(), out->payload.end(),
                             data.begin() + static_cast<std::ptrdiff_t>(off)));
        if (off % kBuf + out->payload.size() > kBuf) ++wrapped;
        acked = std::max(acked, off + out->payload.size());
      }
      t.deliver({.seq = kRemoteIss + 1, .ack = t.our_iss() + 1 + static_cast<std::uint32_t>(acked),
                 .flags = kTcpAck, .window = 8192});
    }
    RC_ASSERT(acked == from + n);
  };
  send_and_check(0, first);
  send_and_check(first, second);
  RC_TAG(wrapped > 0 ? "a segment wrapped" : "no segment wrapped");
}

// The same two paths as fixed cases: in order (the shortcut), a hole, the
// hole filled (through the assembler), in order again (the shortcut).
TEST_F(SocketTest, InOrderShortcutBeforeAndAfterAHole) {
  socket_established();
  const SeqNumber base = kRemoteIss + 1;
  deliver({.seq = base, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, std::string("ab"));
  deliver({.seq = base + 4, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, std::string("ef"));
  expect_emitted({.seq = iss + 1, .ack = base + 2, .flags = kTcpAck, .window = kBuf - 2});
  deliver({.seq = base + 2, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, std::string("cd"));
  expect_emitted({.seq = iss + 1, .ack = base + 6, .flags = kTcpAck, .window = kBuf - 6});
  deliver({.seq = base + 6, .ack = iss + 1, .flags = kTcpAck, .window = 8192}, std::string("gh"));
  EXPECT_EQ(recv_text(), "abcdefgh");
}

}  // namespace
}  // namespace synack::tcp::testing

// The TAP's checksum and segmentation offload (stack/driver/tap_offload.h)
// against the real kernel: a Boost.Asio client sends 24 MiB of pseudo-random
// bytes through synack's echo server and must read back exactly the same
// bytes, with and without offload. With offload the kernel must really have
// sent GSO packets and taken joined ones (else the test proves nothing), and
// the pcap written meanwhile must hold every frame the device saw.
// Needs root; skips with the reason otherwise.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "harness/pcap/pcap_reader.h"
#include "harness/runtime/kernel_fixture.h"

namespace synack::harness {
namespace {

using boost::asio::ip::tcp;
using ErrorCode = boost::system::error_code;

constexpr std::size_t kTotal = 24u << 20;

// Byte i of the stream (xorshift of the position, so any prefix checks).
std::uint8_t stream_byte(std::size_t i) {
  std::uint64_t x = i / 8 + 0x9e3779b97f4a7c15ULL;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return static_cast<std::uint8_t>(x >> (8 * (i % 8)));
}

// Writes the stream and reads the echo at the same time; half-closes after
// the last byte and expects the server's FIN after the last echoed byte.
class EchoStream {
 public:
  EchoStream(boost::asio::io_context& io, tcp::endpoint server) : socket_(io), deadline_(io), server_(server) {}
  void start() {
    deadline_.expires_after(std::chrono::seconds(60));
    deadline_.async_wait([this](ErrorCode ec) {
      if (!ec) fail("deadline reached");
    });
    socket_.async_connect(server_, [this](ErrorCode ec) {
      if (ec) return fail("connect: " + ec.message());
      write_more();
      read_more();
    });
  }
  std::size_t echoed() const { return got_; }
  const std::string& failure() const { return failure_; }
  bool saw_fin() const { return saw_fin_; }

 private:
  void fail(const std::string& why) {
    if (failure_.empty()) failure_ = why;
    ErrorCode ignored;
    socket_.close(ignored);
    deadline_.cancel();
  }
  void write_more() {
    if (sent_ == kTotal) {
      ErrorCode ec;
      socket_.shutdown(tcp::socket::shutdown_send, ec);
      if (ec) fail("shutdown: " + ec.message());
      return;
    }
    out_.resize(std::min<std::size_t>(256 * 1024, kTotal - sent_));
    for (std::size_t i = 0; i < out_.size(); ++i) out_[i] = stream_byte(sent_ + i);
    boost::asio::async_write(socket_, boost::asio::buffer(out_), [this](ErrorCode ec, std::size_t n) {
      if (ec) return fail("write: " + ec.message());
      sent_ += n;
      write_more();
    });
  }
  void read_more() {
    socket_.async_read_some(boost::asio::buffer(in_), [this](ErrorCode ec, std::size_t n) {
      if (ec == boost::asio::error::eof) {
        saw_fin_ = true;
        if (got_ != kTotal) return fail("FIN after " + std::to_string(got_) + " bytes");
        ErrorCode ignored;
        socket_.close(ignored);
        deadline_.cancel();
        return;
      }
      if (ec) return fail("read: " + ec.message());
      for (std::size_t i = 0; i < n; ++i)
        if (in_[i] != stream_byte(got_ + i)) return fail("byte " + std::to_string(got_ + i) + " differs");
      got_ += n;
      read_more();
    });
  }

  tcp::socket socket_;
  boost::asio::steady_timer deadline_;
  tcp::endpoint server_;
  Bytes out_;
  std::array<std::uint8_t, 65536> in_{};
  std::size_t sent_ = 0, got_ = 0;
  bool saw_fin_ = false;
  std::string failure_;
};

class TapOffloadTest : public KernelPeerTest {
 protected:
  // Replaces the fixture's session by one with `offload`, a pcap unless
  // `pcap` is false (then the runtime trusts the kernel's checksum offload),
  // the runtime's busy poll at `busy_poll_us` and its yield before blocking
  // as `yield`.
  void reopen(bool offload, bool pcap = true, std::uint32_t busy_poll_us = 0, bool yield = true) {
    session_.reset();
    if (pcap) pcap_ = (std::filesystem::temp_directory_path() / (unique_name("skpc") + ".pcap")).string();
    NetArgs args = net_args();
    args.offload = offload;
    args.pcap = pcap_;
    args.busy_poll_us = busy_poll_us;
    args.yield_before_block = yield;
    auto s = NetSession::open(args);
    ASSERT_TRUE(s) << s.error();
    session_ = std::move(*s);
  }
  void TearDown() override {
    KernelPeerTest::TearDown();
    if (!pcap_.empty()) std::filesystem::remove(pcap_);
  }
  void echo_stream_round_trips() {
    start();
    std::string failure;
    std::size_t echoed = 0;
    auto r = run_thread_in_netns(ns_, [&] {
      boost::asio::io_context io;
      EchoStream s(io, tcp::endpoint(boost::asio::ip::make_address_v4(kSynackIp), 7));
      s.start();
      io.run();
      failure = s.failure();
      echoed = s.echoed();
    });
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(failure, "");
    EXPECT_EQ(echoed, kTotal);
    stop();
    ASSERT_FALSE(session_->close_pcap());  // nullopt without a pcap as well
  }
  // Frames in the capture: every frame read and every frame transmitted.
  void expect_capture_complete() {
    const auto& st = session_->tap().stats();
    auto reader = PcapReader::open(pcap_);
    ASSERT_TRUE(reader) << reader.error().message;
    std::uint64_t frames = 0;
    for (;;) {
      auto f = reader->next();
      ASSERT_TRUE(f) << f.error().message;
      if (!*f) break;
      ++frames;
    }
    EXPECT_EQ(frames, st.rx_frames - st.rx_malformed + st.tx_frames + st.tx_refused + st.tx_errors);
  }
  std::string pcap_;
};

TEST_F(TapOffloadTest, EchoStreamIsExactWithOffload) {
  reopen(/*offload=*/true);
  echo_stream_round_trips();
  const auto& st = session_->tap().stats();
  EXPECT_GT(st.rx_gso_frames, 0u) << "the kernel never sent a GSO packet";
  EXPECT_GT(st.tx_gso_frames, 0u) << "no segments were joined";
  EXPECT_EQ(st.rx_malformed, 0u);
  EXPECT_EQ(session_->host().stack().stats().tcp.rx_bad_checksum, 0u);
  EXPECT_GT(session_->runtime().stats().probes, 0u) << "the runtime never yielded before blocking";
  expect_capture_complete();
}

// Without a capture the runtime trusts the kernel's checksum offload: the
// frames' TCP checksums are neither completed nor verified, and the stream
// must still be exact; with busy polling on as well.
TEST_F(TapOffloadTest, EchoStreamIsExactTrustingTheKernelsChecksums) {
  reopen(/*offload=*/true, /*pcap=*/false, /*busy_poll_us=*/50);
  echo_stream_round_trips();
  const auto& st = session_->tap().stats();
  EXPECT_GT(st.rx_csum_trusted, 0u) << "the kernel vouched for no frame";
  EXPECT_GT(st.rx_gso_frames, 0u);
  EXPECT_EQ(st.rx_malformed, 0u);
  EXPECT_EQ(session_->host().stack().stats().tcp.rx_bad_checksum, 0u);
  EXPECT_GT(session_->runtime().stats().spins, 0u);
  EXPECT_EQ(session_->runtime().stats().probes, 0u) << "busy polling replaces the probe";
}

// Also with the runtime blocking at once (--no-yield).
TEST_F(TapOffloadTest, EchoStreamIsExactWithoutOffload) {
  reopen(/*offload=*/false, /*pcap=*/true, /*busy_poll_us=*/0, /*yield=*/false);
  echo_stream_round_trips();
  const auto& st = session_->tap().stats();
  EXPECT_EQ(st.rx_gso_frames, 0u);
  EXPECT_EQ(st.tx_gso_frames, 0u);
  EXPECT_EQ(session_->runtime().stats().probes, 0u);
  expect_capture_complete();
}

}  // namespace
}  // namespace synack::harness

// Boost.Asio peers in the kernel's namespace against synack on a TAP:
// - a client runs 1000 connect / echo / half-close / close cycles against
//   synack's echo server, every one of which must succeed;
// - a server receives a 100 MB stream from `synack connect` (stdin from a
//   file), checks its length and hash, and answers only after it saw the end
//   of the stream: the answer reaching synack's stdout proves the half-close
//   (shutdown of synack's sending side while it still receives).
// - `synack get` decodes a chunked response (extensions, trailer) and a
//   read-until-close one from a Boost.Asio server byte for byte, and fails
//   with a clear line on a malformed one.
// Needs root; skips with the reason otherwise.
#include <fmt/core.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <fstream>
#include <sstream>

#include "harness/runtime/kernel_fixture.h"
#include "harness/scenario/tcp_apps.h"

namespace synack::harness {
namespace {

using boost::asio::ip::tcp;
using ErrorCode = boost::system::error_code;

// Connect, send a line, read it back, shut down the sending side, expect the
// server's FIN, close; `total` times in a row on one io_context.
class EchoCycles {
 public:
  EchoCycles(boost::asio::io_context& io, tcp::endpoint server, int total)
      : io_(io), server_(server), total_(total), socket_(io), deadline_(io) {}

  void start(std::chrono::seconds limit) {
    deadline_.expires_after(limit);
    deadline_.async_wait([this](ErrorCode ec) {
      if (ec) return;
      fail("deadline reached");
    });
    next();
  }
  int completed() const { return completed_; }
  const std::string& failure() const { return failure_; }

 private:
  void fail(const std::string& why) {
    if (failure_.empty()) failure_ = fmt::format("cycle {}: {}", completed_, why);
    ErrorCode ignored;
    socket_.close(ignored);
    deadline_.cancel();
  }
  void next() {
    if (completed_ == total_) {
      deadline_.cancel();
      return;
    }
    socket_ = tcp::socket(io_);
    msg_ = fmt::format("cycle {} of {} from a Boost.Asio client\n", completed_, total_);
    socket_.async_connect(server_, [this](ErrorCode ec) {
      if (ec) return fail("connect: " + ec.message());
      boost::asio::async_write(socket_, boost::asio::buffer(msg_), [this](ErrorCode wec, std::size_t) {
        if (wec) return fail("write: " + wec.message());
        got_.assign(msg_.size(), '\0');
        boost::asio::async_read(socket_, boost::asio::buffer(got_), [this](ErrorCode rec, std::size_t) {
          if (rec) return fail("read: " + rec.message());
          if (got_ != msg_) return fail("echo differs");
          ErrorCode sec;
          socket_.shutdown(tcp::socket::shutdown_send, sec);
          if (sec) return fail("shutdown: " + sec.message());
          socket_.async_read_some(boost::asio::buffer(tail_), [this](ErrorCode eof, std::size_t n) {
            if (eof != boost::asio::error::eof || n != 0) return fail("expected the server's FIN, got " + eof.message());
            ErrorCode cec;
            socket_.close(cec);
            ++completed_;
            next();
          });
        });
      });
    });
  }

  boost::asio::io_context& io_;
  tcp::endpoint server_;
  int total_;
  tcp::socket socket_;
  boost::asio::steady_timer deadline_;
  std::string msg_, got_;
  std::array<char, 16> tail_{};
  int completed_ = 0;
  std::string failure_;
};

TEST_F(KernelPeerTest, AsioClientThousandEchoCycles) {
  auto& echo = session_->runtime().run_app<EchoServer>(session_->host(), 7);
  start(/*servers=*/false);
  int completed = 0;
  std::string failure;
  auto began = std::chrono::steady_clock::now();
  auto r = run_thread_in_netns(ns_, [&] {
    boost::asio::io_context io;
    EchoCycles cycles(io, tcp::endpoint(boost::asio::ip::make_address_v4(kSynackIp), 7), 1000);
    cycles.start(std::chrono::seconds(50));
    io.run();
    completed = cycles.completed();
    failure = cycles.failure();
  });
  ASSERT_TRUE(r) << r.error();
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  EXPECT_EQ(failure, "");
  EXPECT_EQ(completed, 1000);
  stop();  // the runtime thread is joined: the server's counters are ours to read
  EXPECT_EQ(echo.stats().accepted, 1000u);
  EXPECT_EQ(echo.stats().errors, 0u);
  EXPECT_EQ(echo.open_connections(), 0u);
  std::cout << fmt::format("[ info ] 1000 Boost.Asio echo cycles in {:.2f} s\n", secs);
}

// Accepts one connection, reads it to its end (hashing), then answers with
// "bytes=N fnv=H" and closes.
class HashingServer {
 public:
  explicit HashingServer(const std::string& ns) {
    std::atomic<bool> ready{false};
    thread_ = std::thread([this, ns, &ready] {
      if (!enter_netns(ns)) {
        ready = true;
        return;
      }
      ErrorCode ec;
      acceptor_.open(tcp::v4(), ec);
      acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
      acceptor_.bind(tcp::endpoint(boost::asio::ip::address_v4::any(), 9000), ec);
      if (!ec) acceptor_.listen(16, ec);
      listening_ = !ec;
      ready = true;
      if (!listening_) return;
      acceptor_.async_accept(socket_, [this](ErrorCode aec) {
        if (!aec) read();
      });
      io_.run();
    });
    while (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~HashingServer() { join(); }
  // Stops the server's loop; its results may be read afterwards.
  void join() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  bool listening() const { return listening_; }
  // Read after join().
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t hash() const { return hash_.h; }
  bool saw_eof() const { return saw_eof_; }

 private:
  void read() {
    socket_.async_read_some(boost::asio::buffer(buf_), [this](ErrorCode ec, std::size_t n) {
      hash_.add(ConstBytes(buf_.data(), n));
      bytes_ += n;
      if (ec == boost::asio::error::eof) {
        saw_eof_ = true;
        reply_ = fmt::format("bytes={} fnv={:016x}\n", bytes_.load(), hash_.h);
        boost::asio::async_write(socket_, boost::asio::buffer(reply_), [this](ErrorCode, std::size_t) {
          ErrorCode ignored;
          socket_.shutdown(tcp::socket::shutdown_both, ignored);
          socket_.close(ignored);
        });
        return;
      }
      if (!ec) read();
    });
  }
  boost::asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  tcp::socket socket_{io_};
  std::vector<std::uint8_t> buf_ = std::vector<std::uint8_t>(256 * 1024);
  Fnv1a hash_;
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<bool> saw_eof_{false};
  std::atomic<bool> listening_{false};
  std::string reply_;
  std::thread thread_;
};

TEST_F(KernelPeerTest, AsioServerReceives100MBFromSynackConnectWithHalfClose) {
  std::string synack = std::string(SYNACK_BINARY_DIR) + "/bin/synack";
  if (::access(synack.c_str(), X_OK) != 0) GTEST_SKIP() << synack << " is not built";
  stop();  // the CLI brings its own TAP into the namespace
  constexpr std::size_t kTotal = 100u << 20;
  std::string in = (www_ / "stream.in").string(), out = (www_ / "stream.out").string(),
              err = (www_ / "stream.err").string();
  Fnv1a expected;
  {
    std::ofstream f(in, std::ios::binary);
    std::vector<std::uint8_t> block(1 << 20);
    for (std::size_t off = 0; off < kTotal; off += block.size()) {
      for (std::size_t i = 0; i < block.size(); ++i) block[i] = pattern_byte(7, off + i);
      expected.add(block);
      f.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size()));
    }
    ASSERT_TRUE(f.good()) << "cannot write " << in;
  }
  std::string reply;
  double secs = 0;
  std::optional<int> code;
  {
    HashingServer server(ns_);
    ASSERT_TRUE(server.listening()) << "the Boost.Asio server could not listen on port 9000 in " << ns_;
    std::string cmd = fmt::format("exec {} connect 10.204.0.1:9000 --tap {} --ip 10.204.0.2/24 --kernel-ip 10.204.0.1/24 "
                                  "--netns {} <{} >{}",
                                  synack, unique_name("skx"), ns_, in, out);
    auto began = std::chrono::steady_clock::now();
    auto child = ChildProcess::spawn("", {"sh", "-c", cmd}, err);
    ASSERT_TRUE(child) << child.error();
    code = child->wait(55000);
    secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    if (!code) child->stop();
    server.join();
    std::ifstream o(out);
    std::getline(o, reply);
    EXPECT_TRUE(server.saw_eof()) << "the server never saw the end of the stream";
    EXPECT_EQ(server.bytes(), kTotal);
    EXPECT_EQ(server.hash(), expected.h);
  }
  std::ifstream e(err);
  std::string errors((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
  ASSERT_TRUE(code.has_value()) << "synack connect did not finish within 55 s; stderr: " << errors;
  EXPECT_EQ(*code, 0) << errors;
  EXPECT_EQ(reply, fmt::format("bytes={} fnv={:016x}", kTotal, expected.h)) << errors;
  std::cout << fmt::format("[ info ] 100 MB through synack connect in {:.2f} s ({:.1f} MB/s)\n", secs,
                           static_cast<double>(kTotal) / (1 << 20) / secs);
}


// Answers each connection's request with `response` (read until the end of
// the request head), then closes: one connection after another.
class CannedHttpServer {
 public:
  CannedHttpServer(const std::string& ns, std::uint16_t port, std::vector<std::string> responses)
      : responses_(std::move(responses)) {
    std::atomic<bool> ready{false};
    thread_ = std::thread([this, ns, port, &ready] {
      if (!enter_netns(ns)) {
        ready = true;
        return;
      }
      ErrorCode ec;
      acceptor_.open(tcp::v4(), ec);
      acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
      acceptor_.bind(tcp::endpoint(boost::asio::ip::address_v4::any(), port), ec);
      if (!ec) acceptor_.listen(16, ec);
      listening_ = !ec;
      ready = true;
      if (!listening_) return;
      accept();
      io_.run();
    });
    while (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~CannedHttpServer() {
    io_.stop();
    thread_.join();
  }
  bool listening() const { return listening_; }

 private:
  void accept() {
    acceptor_.async_accept(socket_, [this](ErrorCode ec) {
      if (ec) return;
      request_.clear();
      boost::asio::async_read_until(socket_, boost::asio::dynamic_buffer(request_), "\r\n\r\n",
                                    [this](ErrorCode rec, std::size_t) {
                                      if (rec) return finish();
                                      const std::string& r = responses_[std::min(served_, responses_.size() - 1)];
                                      ++served_;
                                      boost::asio::async_write(socket_, boost::asio::buffer(r),
                                                               [this](ErrorCode, std::size_t) { finish(); });
                                    });
    });
  }
  void finish() {
    ErrorCode ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    accept();
  }
  std::vector<std::string> responses_;
  std::size_t served_ = 0;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  tcp::socket socket_{io_};
  std::string request_;
  std::atomic<bool> listening_{false};
  std::thread thread_;
};

TEST_F(KernelPeerTest, SynackGetDecodesChunkedAndRejectsMalformedResponses) {
  std::string synack = std::string(SYNACK_BINARY_DIR) + "/bin/synack";
  if (::access(synack.c_str(), X_OK) != 0) GTEST_SKIP() << synack << " is not built";
  stop();
  // 2 MB in chunks of varying sizes, with chunk extensions and a trailer.
  std::string body;
  for (std::size_t i = 0; body.size() < (2u << 20); ++i) body += static_cast<char>(pattern_byte(3, i));
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  for (std::size_t at = 0, n = 1; at < body.size(); at += n, n = n * 7 % 40000 + 1) {
    n = std::min(n, body.size() - at);
    chunked += fmt::format("{:x}{}\r\n", n, at % 3 ? ";ext=\"a;b\"" : "") + body.substr(at, n) + "\r\n";
  }
  chunked += "0\r\nX-Checksum: none\r\n\r\n";
  std::string until_close = "HTTP/1.0 200 OK\r\nServer: canned\r\n\r\n" + body.substr(0, 100000);
  std::string malformed = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdefgh\r\n0\r\n\r\n";
  CannedHttpServer server(ns_, 8080, {chunked, until_close, malformed});
  ASSERT_TRUE(server.listening());
  std::string tap = unique_name("skc");
  auto get = [&](const std::string& out) {
    return run_command({"timeout", "30", synack, "get", "http://10.205.0.1:8080/x", "-o", out, "--tap", tap, "--ip",
                        "10.205.0.2/24", "--kernel-ip", "10.205.0.1/24", "--netns", ns_});
  };
  auto read_all = [](const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  };
  std::string out = (www_ / "chunked.out").string();
  auto a = get(out);
  EXPECT_EQ(a.exit_code, 0) << a.output;
  EXPECT_TRUE(read_all(out) == body) << "the decoded chunked body differs (" << read_all(out).size() << " bytes)";
  auto b = get(out);
  EXPECT_EQ(b.exit_code, 0) << b.output;
  EXPECT_TRUE(read_all(out) == body.substr(0, 100000)) << "the read-until-close body differs";
  auto c = get(out);
  EXPECT_EQ(c.exit_code, 1) << c.output;
  EXPECT_NE(c.output.find("malformed response from 10.205.0.1:8080: chunk 1 is longer than its size"),
            std::string::npos)
      << c.output;
}

}  // namespace
}  // namespace synack::harness

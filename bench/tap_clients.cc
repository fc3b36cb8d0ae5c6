// The Boost.Asio clients of the TAP/veth benchmarks (tap_clients.h).
#include "bench/tap_clients.h"

#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "bench/bench_util.h"

namespace synack::bench::tap {

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The CPU time of another thread of this process so far (0 if unknown).
double thread_cpu_seconds(std::thread& t) {
  clockid_t clock{};
  timespec ts{};
  if (::pthread_getcpuclockid(t.native_handle(), &clock) != 0 || ::clock_gettime(clock, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

namespace {

using boost::asio::ip::tcp;
using ErrorCode = boost::system::error_code;

constexpr auto kClientLimit = std::chrono::seconds(60);

// Base of the clients: one socket, a deadline, fail() closes everything.
class Client {
 public:
  Client(boost::asio::io_context& io, tcp::endpoint server) : io_(io), server_(server), socket_(io), deadline_(io) {}
  virtual ~Client() = default;
  void start() {
    deadline_.expires_after(kClientLimit);
    deadline_.async_wait([this](ErrorCode ec) {
      if (!ec) fail("deadline reached");
    });
    begin();
  }
  ClientRun& result() { return run_; }

 protected:
  virtual void begin() = 0;
  void fail(const std::string& why) {
    if (run_.failure.empty()) run_.failure = why;
    finish();
  }
  void finish() {
    ErrorCode ignored;
    socket_.close(ignored);
    deadline_.cancel();
  }
  // Shuts down the sending side and waits for the peer's FIN, then `then`.
  template <class F>
  void await_fin(F then) {
    ErrorCode sec;
    socket_.shutdown(tcp::socket::shutdown_send, sec);
    if (sec) return fail("shutdown: " + sec.message());
    socket_.async_read_some(boost::asio::buffer(tail_), [this, then](ErrorCode ec, std::size_t n) {
      if (ec != boost::asio::error::eof || n != 0) return fail("expected the server's FIN, got " + ec.message());
      then();
    });
  }

  boost::asio::io_context& io_;
  tcp::endpoint server_;
  tcp::socket socket_;
  boost::asio::steady_timer deadline_;
  std::array<char, 16> tail_{};
  ClientRun run_;
};

// Writes `total` bytes, then waits for the server's FIN.
class BulkSender final : public Client {
 public:
  BulkSender(boost::asio::io_context& io, tcp::endpoint server, std::size_t total)
      : Client(io, server), total_(total), buf_(65536, 'x') {}

 private:
  void begin() override {
    socket_.async_connect(server_, [this](ErrorCode ec) {
      if (ec) return fail("connect: " + ec.message());
      write_more();
    });
  }
  void write_more() {
    if (run_.bytes == total_) return await_fin([this] { finish(); });
    std::size_t n = std::min(buf_.size(), total_ - run_.bytes);
    socket_.async_write_some(boost::asio::buffer(buf_.data(), n), [this](ErrorCode ec, std::size_t w) {
      if (ec) return fail("write: " + ec.message());
      run_.bytes += w;
      write_more();
    });
  }
  std::size_t total_;
  std::vector<char> buf_;
};

// Reads `total` bytes, then closes.
class BulkReceiver final : public Client {
 public:
  BulkReceiver(boost::asio::io_context& io, tcp::endpoint server, std::size_t total)
      : Client(io, server), total_(total), buf_(65536) {}

 private:
  void begin() override {
    socket_.async_connect(server_, [this](ErrorCode ec) {
      if (ec) return fail("connect: " + ec.message());
      read_more();
    });
  }
  void read_more() {
    if (run_.bytes >= total_) return finish();
    socket_.async_read_some(boost::asio::buffer(buf_), [this](ErrorCode ec, std::size_t n) {
      if (ec) return fail("read: " + ec.message());
      run_.bytes += n;
      read_more();
    });
  }
  std::size_t total_;
  std::vector<char> buf_;
};

// `total` lifecycles: connect, 1 byte out, 1 byte back, FIN both ways,
// asynchronously (the `client:async` rows).
class AsyncLifecycles final : public Client {
 public:
  AsyncLifecycles(boost::asio::io_context& io, tcp::endpoint server, int total) : Client(io, server), total_(total) {}

 private:
  void begin() override {
    if (run_.cycles == total_) return finish();
    socket_ = tcp::socket(io_);
    socket_.async_connect(server_, [this](ErrorCode ec) {
      if (ec) return fail("connect: " + ec.message());
      boost::asio::async_write(socket_, boost::asio::buffer(&out_, 1), [this](ErrorCode wec, std::size_t) {
        if (wec) return fail("write: " + wec.message());
        boost::asio::async_read(socket_, boost::asio::buffer(&in_, 1), [this](ErrorCode rec, std::size_t) {
          if (rec) return fail("read: " + rec.message());
          if (in_ != out_) return fail("echo differs");
          await_fin([this] {
            ErrorCode cec;
            socket_.close(cec);
            ++run_.cycles;
            ++out_;
            begin();
          });
        });
      });
    });
  }
  int total_;
  char out_ = 'a', in_ = 0;
};

// An asynchronous client on its own io_context, run to completion.
template <class C>
class Async {
 public:
  template <class... Args>
  explicit Async(tcp::endpoint server, Args... args) : client_(io_, server, args...) {}
  ClientRun run() {
    client_.start();
    io_.run();
    return client_.result();
  }

 private:
  boost::asio::io_context io_;  // before client_: constructed first
  C client_;
};

// The blocking client's deadline. Asio's blocking operations cannot be
// cancelled, and on a blocking socket a would-block result is retried with
// an unbounded poll(), so SO_RCVTIMEO bounds nothing: at the deadline this
// thread records the failure and shuts down (SHUT_RDWR) the watched socket,
// which ends a blocked connect (the kernel disconnects a SYN-SENT socket),
// read (end of stream) or write (EPIPE); it repeats that every 10 ms until
// the client is done, so a socket watched just after the deadline, or a
// connect not yet started when the first shutdown came, ends too. The
// watched descriptor only changes under the mutex, and the client stops
// watching before it closes, so a shutdown never reaches a descriptor
// number the process reuses for something else.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::steady_clock::duration limit)
      : thread_([this, at = std::chrono::steady_clock::now() + limit] { watch_until(at); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  // Watches `fd` from now on; false once the deadline has passed.
  bool watch(int fd) {
    std::lock_guard lock(mutex_);
    fd_ = fd;
    return !expired_;
  }
  void unwatch() {
    std::lock_guard lock(mutex_);
    fd_ = -1;
  }
  bool expired() {
    std::lock_guard lock(mutex_);
    return expired_;
  }

 private:
  void watch_until(std::chrono::steady_clock::time_point at) {
    (void)::pthread_setname_np(::pthread_self(), "tb-watchdog");
    std::unique_lock lock(mutex_);
    if (wake_.wait_until(lock, at, [this] { return done_; })) return;
    expired_ = true;
    while (!done_) {
      if (fd_ >= 0) (void)::shutdown(fd_, SHUT_RDWR);
      wake_.wait_for(lock, std::chrono::milliseconds(10), [this] { return done_; });
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  int fd_ = -1;
  bool done_ = false, expired_ = false;
  std::thread thread_;  // last: starts once the rest exists
};

// `total` lifecycles with blocking calls: connect, 1 byte out, 1 byte back,
// shut down the sending side, read the server's FIN, close. A blocking
// tcp::socket never enters epoll_wait; opening it costs one epoll_ctl (Asio
// registers every socket with its reactor; close removes it for free).
class SyncLifecycles {
 public:
  SyncLifecycles(tcp::endpoint server, int total) : server_(server), total_(total), dog_(kClientLimit) {}
  ClientRun run() {
    while (run_.cycles < total_ && run_.failure.empty()) once();
    if (dog_.expired()) run_.failure = "deadline reached";
    return run_;
  }

 private:
  void once() {
    ErrorCode ec;
    socket_.open(tcp::v4(), ec);
    if (ec) return fail("open: " + ec.message());
    if (!dog_.watch(socket_.native_handle())) return fail("deadline reached");
    char in = 0, tail = 0;
    socket_.connect(server_, ec);
    if (ec) return fail("connect: " + ec.message());
    boost::asio::write(socket_, boost::asio::buffer(&out_, 1), ec);
    if (ec) return fail("write: " + ec.message());
    boost::asio::read(socket_, boost::asio::buffer(&in, 1), ec);
    if (ec) return fail("read: " + ec.message());
    if (in != out_) return fail("echo differs");
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return fail("shutdown: " + ec.message());
    const std::size_t n = socket_.read_some(boost::asio::buffer(&tail, 1), ec);
    if (ec != boost::asio::error::eof || n != 0) return fail("expected the server's FIN, got " + ec.message());
    close();
    ++run_.cycles;
    ++out_;
  }
  void fail(const std::string& why) {
    run_.failure = why;
    close();
  }
  void close() {
    dog_.unwatch();
    ErrorCode ignored;
    socket_.close(ignored);
  }
  boost::asio::io_context io_;  // the socket needs one; never run
  tcp::socket socket_{io_};
  tcp::endpoint server_;
  int total_;
  char out_ = 'a';
  ClientRun run_;
  Watchdog dog_;
};

// Constructs C (before the clocks start), runs it, times it.
template <class C, class... Args>
ClientRun timed_run(tcp::endpoint server, double* seconds, Args... args) {
  C client(server, args...);
  const double t0 = wall_seconds();
  const double c0 = thread_cpu_seconds();
  ClientRun run = client.run();
  *seconds = wall_seconds() - t0;
  run.cpu_seconds = thread_cpu_seconds() - c0;
  return run;
}

}  // namespace

ClientRun run_client_here(ClientKind kind, const std::string& ip, std::uint16_t port, std::size_t amount,
                          double* seconds) {
  const tcp::endpoint server(boost::asio::ip::make_address_v4(ip), port);
  const int cycles = static_cast<int>(amount);
  switch (kind) {
    case ClientKind::BulkSend: return timed_run<Async<BulkSender>>(server, seconds, amount);
    case ClientKind::BulkReceive: return timed_run<Async<BulkReceiver>>(server, seconds, amount);
    case ClientKind::SyncLifecycles: return timed_run<SyncLifecycles>(server, seconds, cycles);
    case ClientKind::AsyncLifecycles: return timed_run<Async<AsyncLifecycles>>(server, seconds, cycles);
  }
  return ClientRun{.failure = "unknown client kind"};
}

}  // namespace synack::bench::tap

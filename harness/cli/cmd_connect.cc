// `synack connect ADDR:PORT` plus the network flags: a TCP connection from
// synack over a TAP in real time; stdin goes to the socket (read through a
// Boost.Asio stream descriptor), the socket to stdout; EOF on stdin
// half-closes (shutdown SHUT_WR) and the command ends when the peer closes.
#include <fmt/core.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>

#include "harness/cli/command.h"
#include "harness/runtime/clients.h"
#include "harness/runtime/session.h"

namespace synack::cli {

namespace {
struct ConnectArgs {
  harness::NetArgs net;
  std::string target;
};

// Reads stdin into the client while it has room (backpressure at 1 MiB).
class StdinPump {
 public:
  StdinPump(harness::Realtime& rt, harness::StreamClient& client)
      : rt_(rt), client_(client), in_(rt.io(), ::dup(0)), buf_(65536) {}
  void start() {
    if (client_.queued() > (1u << 20)) {
      // Check again shortly: the socket drains the queue meanwhile.
      timer_ = std::make_unique<boost::asio::steady_timer>(rt_.io(), std::chrono::milliseconds(5));
      timer_->async_wait([this](const boost::system::error_code& ec) {
        if (!ec) start();
      });
      return;
    }
    in_.async_read_some(boost::asio::buffer(buf_), [this](const boost::system::error_code& ec, std::size_t n) {
      if (ec) {
        client_.finish_input();
        rt_.wake();
        return;
      }
      client_.write(ConstBytes(buf_.data(), n));
      rt_.wake();
      start();
    });
  }

 private:
  harness::Realtime& rt_;
  harness::StreamClient& client_;
  boost::asio::posix::stream_descriptor in_;
  Bytes buf_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
};

void write_all(int fd, ConstBytes b) {
  while (!b.empty()) {
    ssize_t n = ::write(fd, b.data(), b.size());
    if (n <= 0) return;
    b = b.subspan(static_cast<std::size_t>(n));
  }
}
}  // namespace

Action add_connect_command(CLI::App& app) {
  auto args = std::make_shared<ConnectArgs>();
  auto* sub = app.add_subcommand("connect", "TCP connection from synack over a TAP device: stdin/stdout (needs root)");
  sub->add_option("TARGET", args->target, "ADDR:PORT")->required();
  harness::add_net_options(sub, args->net);
  return [args]() {
    auto colon = args->target.rfind(':');
    auto addr = wire::Ipv4Address::parse(args->target.substr(0, colon));
    unsigned long port = colon == std::string::npos ? 0 : std::strtoul(args->target.c_str() + colon + 1, nullptr, 10);
    if (!addr || port == 0 || port > 65535) {
      fmt::print(stderr, "synack connect: '{}' is not ADDR:PORT with a dotted IPv4 address\n", args->target);
      return kExitUsage;
    }
    harness::StopSignalsBlocked blocked;  // until the runtime handles them
    auto session = harness::NetSession::open(args->net);
    if (!session) {
      fmt::print(stderr, "synack connect: {}\n", session.error());
      return kExitUsage;
    }
    auto& s = **session;
    auto& client = s.runtime().run_app<harness::StreamClient>(
        s.host(), socket::SockAddr{*addr, static_cast<std::uint16_t>(port)}, [](ConstBytes b) { write_all(1, b); });
    StdinPump pump(s.runtime(), client);
    pump.start();
    s.runtime().handle_signals(stderr);
    blocked.release();
    s.runtime().set_done([&client] { return client.done(); });
    bool ok = s.runtime().run();
    if (!ok) fmt::print(stderr, "synack connect: {}\n", s.runtime().error());
    if (!client.error().empty()) {
      fmt::print(stderr, "synack connect: {}\n", client.error());
      return kExitCheckFailed;
    }
    return ok && client.done() ? kExitOk : kExitCheckFailed;
  };
}

}  // namespace synack::cli

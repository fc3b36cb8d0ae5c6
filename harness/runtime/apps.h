// Server applications over the socket API of one socket::Host: TCP echo
// (RFC 862, also on UDP), discard (RFC 863), chargen (RFC 864) and a static
// HTTP/1.1 server (logic in harness/http/server.h). Event-driven, non-blocking: each poll()
// accepts what is pending, reads what arrived, and writes what the socket
// takes, so they run unchanged in the real-time runtime and in the World.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/http/server.h"
#include "harness/world/host_node.h"
#include "stack/socket/host.h"

namespace synack::harness {

// One accepted connection's protocol logic.
class Session {
 public:
  virtual ~Session() = default;
  // Bytes received from the peer; append any reply to `out`.
  virtual void on_data(ConstBytes in, Bytes& out) = 0;
  // The output buffer ran empty: append more if there is more to send.
  virtual void on_drained(Bytes& out) { (void)out; }
  // Close once the output is flushed (after a `Connection: close` reply).
  virtual bool wants_close() const { return false; }
  // Whether reading should pause (the session has enough queued work).
  virtual bool read_paused() const { return false; }
};

struct ServerStats {
  std::uint64_t accepted = 0;
  std::uint64_t closed = 0;
  std::uint64_t errors = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
};

// A TCP listener on `port` running one Session per connection.
class TcpServer : public App {
 public:
  TcpServer(socket::Host& host, std::uint16_t port, socket::Pid pid = 1);
  ~TcpServer() override;
  // Empty when listening; otherwise why it could not (EADDRINUSE, ...).
  const std::string& error() const noexcept { return error_; }
  std::uint16_t port() const noexcept { return port_; }
  const ServerStats& stats() const noexcept { return stats_; }
  std::size_t open_connections() const noexcept { return conns_.size(); }
  void poll(Instant now) override;

 protected:
  virtual std::unique_ptr<Session> make_session() = 0;

 private:
  struct Conn {
    int fd;
    std::unique_ptr<Session> session;
    Bytes out;
    std::size_t out_off = 0;
    bool peer_eof = false;
  };
  // Returns false when the connection is finished (closed).
  bool service(Conn& c);
  bool read_some(Conn& c);
  bool write_some(Conn& c);

  socket::Host& host_;
  std::uint16_t port_;
  int listen_fd_ = -1;
  std::string error_;
  std::vector<Conn> conns_;
  ServerStats stats_;
};

class EchoServer final : public TcpServer {
 public:
  using TcpServer::TcpServer;
  std::unique_ptr<Session> make_session() override;
};

class DiscardServer final : public TcpServer {
 public:
  using TcpServer::TcpServer;
  std::unique_ptr<Session> make_session() override;
};

class ChargenServer final : public TcpServer {
 public:
  using TcpServer::TcpServer;
  std::unique_ptr<Session> make_session() override;
};

class HttpServer final : public TcpServer {
 public:
  HttpServer(socket::Host& host, std::uint16_t port, std::unique_ptr<http::DocumentRoot> root, socket::Pid pid = 1)
      : TcpServer(host, port, pid), root_(std::move(root)), responder_(*root_) {}
  std::unique_ptr<Session> make_session() override;
  std::uint64_t requests() const noexcept { return requests_; }

 private:
  friend class HttpSession;
  std::unique_ptr<http::DocumentRoot> root_;
  http::Responder responder_;
  std::uint64_t requests_ = 0;
};

// RFC 862 over UDP: every datagram goes back to its sender.
class UdpEchoServer final : public App {
 public:
  UdpEchoServer(socket::Host& host, std::uint16_t port, socket::Pid pid = 1);
  const std::string& error() const noexcept { return error_; }
  std::uint64_t echoed() const noexcept { return echoed_; }
  void poll(Instant now) override;

 private:
  socket::Host& host_;
  int fd_ = -1;
  std::string error_;
  std::uint64_t echoed_ = 0;
};

// The RFC 864 pattern: 72-character lines of printable ASCII, each starting
// one character further on; `line` selects the line.
std::string chargen_line(std::uint64_t line);

// A `--serve` specification: echo:PORT, discard:PORT, chargen:PORT or
// http:PORT:DIR.
struct ServeSpec {
  std::string kind;
  std::uint16_t port = 0;
  std::string dir;
};
std::optional<ServeSpec> parse_serve_spec(const std::string& text, std::string* error);

}  // namespace synack::harness

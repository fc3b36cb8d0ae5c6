// A keep-alive HTTP/1.1 client for the simulation: one connection, a list of
// requests sent one after another (the next once the previous response is
// complete), every response decoded by the pure parser in
// harness/http/response.h and compared byte for byte with what the request
// should return. The last request carries `Connection: close`; the client
// then expects the server's FIN and closes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/http/response.h"
#include "harness/world/host_node.h"
#include "stack/socket/host.h"

namespace synack::harness {

struct HttpExpectation {
  std::string method = "GET";
  std::string target;
  int status = 200;
  Bytes body;                                   // expected body bytes
  std::optional<std::uint64_t> content_length;  // for HEAD: the announced length
};

struct HttpOutcome {
  bool complete = false;
  bool exact = false;       // status, body (and announced length) as expected
  int status = 0;
  std::uint64_t body_bytes = 0;
  http::BodyFraming framing = http::BodyFraming::None;
  Instant sent_at, done_at;
};

class HttpKeepAliveClient final : public App {
 public:
  HttpKeepAliveClient(socket::Host& host, socket::SockAddr server, std::string host_header,
                      std::vector<HttpExpectation> requests, socket::Pid pid = 90);
  void poll(Instant now) override;

  bool done() const noexcept { return done_; }
  // The socket error that ended the exchange early, if any.
  std::optional<SockError> sock_error() const noexcept { return sock_error_; }
  // A malformed response or a protocol surprise (not a transport error).
  const std::string& protocol_error() const noexcept { return protocol_error_; }
  const std::vector<HttpExpectation>& requests() const noexcept { return requests_; }
  const std::vector<HttpOutcome>& outcomes() const noexcept { return outcomes_; }
  bool closed_by_server() const noexcept { return server_fin_; }
  int fd() const noexcept { return fd_; }

 private:
  void start_next(Instant now);
  void flush();
  void on_bytes(ConstBytes b, Instant now);
  void finish_response(Instant now);
  void end(std::optional<SockError> e, std::string protocol = {});

  socket::Host& host_;
  std::string host_header_;
  std::vector<HttpExpectation> requests_;
  std::vector<HttpOutcome> outcomes_;
  int fd_ = -1;
  bool connected_ = false;
  std::size_t next_ = 0;  // index of the request in flight (or next to send)
  bool in_flight_ = false;
  std::string out_;
  std::size_t out_off_ = 0;
  http::ResponseParser parser_;
  Bytes body_;
  bool server_fin_ = false;
  bool done_ = false;
  std::optional<SockError> sock_error_;
  std::string protocol_error_;
};

}  // namespace synack::harness

// The HTTP/1.1 GET client behind `synack get`, an App over one
// socket::Host: when the URL's host is a name it is first resolved with
// synack's own stub resolver (stack/app/dns_resolver.h) over synack's UDP,
// then one request is sent with `Connection: close` and the response is
// decoded by the pure parser in harness/http/response.h (Content-Length,
// chunked, or read until close). The body goes to a sink as it arrives.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "harness/http/response.h"
#include "harness/world/host_node.h"
#include "stack/app/dns_resolver.h"
#include "stack/socket/host.h"

namespace synack::harness {

struct HttpGetOptions {
  std::string host;                      // dotted IPv4 address or DNS name
  std::uint16_t port = 80;
  std::string host_header;               // the URL's authority
  std::string target = "/";
  std::optional<socket::SockAddr> dns;   // required when `host` is a name
  app::ResolverConfig resolver;
};

// One line saying why resolving `name` through `server` failed.
std::string describe_resolve_failure(const app::ResolveResult& r, const std::string& name,
                                     const socket::SockAddr& server);

class HttpGetClient final : public App {
 public:
  HttpGetClient(socket::Host& host, HttpGetOptions opt, std::function<void(ConstBytes)> sink, socket::Pid pid = 3);
  ~HttpGetClient() override;
  HttpGetClient(const HttpGetClient&) = delete;
  HttpGetClient& operator=(const HttpGetClient&) = delete;

  void poll(Instant now) override;
  std::optional<Instant> poll_at() const override;
  bool done() const noexcept { return done_; }
  // Empty on success (a complete response); otherwise one line saying why.
  const std::string& error() const noexcept { return error_; }
  // Set once the host is known (resolved, or given as an address).
  std::optional<wire::Ipv4Address> address() const noexcept { return address_; }
  const http::ResponseParser& response() const noexcept { return parser_; }

 private:
  void resolve(Instant now);
  void connect(wire::Ipv4Address addr);
  void exchange();
  void fail(std::string why);

  socket::Host& host_;
  HttpGetOptions opt_;
  socket::Pid pid_;
  std::function<void(ConstBytes)> sink_;
  std::unique_ptr<app::StubResolver> resolver_;
  std::optional<app::QueryId> query_;
  std::optional<wire::Ipv4Address> address_;
  int fd_ = -1;
  std::string request_;
  std::size_t sent_ = 0;
  http::ResponseParser parser_;
  bool done_ = false;
  std::string error_;
};

}  // namespace synack::harness

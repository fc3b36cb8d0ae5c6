// `synack get URL [-o FILE] [--dns ADDR[:PORT]]` plus the network flags: an
// HTTP/1.1 GET from synack over a TAP in real time. A URL host that is a
// name is resolved by synack's own stub resolver over its UDP, asking --dns
// (default: the --gw router). The body (Content-Length, chunked, or until
// the server closes) goes to stdout or FILE; exit 0 on a complete 2xx
// response, 1 when the name, the connection or the response fails, 2 on
// usage errors.
#include <fmt/core.h>

#include <cstdio>
#include <memory>

#include "harness/cli/command.h"
#include "harness/http/response.h"
#include "harness/runtime/http_get.h"
#include "harness/runtime/session.h"

namespace synack::cli {

namespace {
struct GetArgs {
  harness::NetArgs net;
  std::string url;
  std::string output;
  std::string dns;
};

// ADDR or ADDR:PORT (port 53 by default).
std::optional<socket::SockAddr> parse_dns_server(const std::string& text) {
  auto colon = text.find(':');
  auto addr = wire::Ipv4Address::parse(text.substr(0, colon));
  if (!addr) return std::nullopt;
  unsigned long port = 53;
  if (colon != std::string::npos) {
    char* end = nullptr;
    port = std::strtoul(text.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || port == 0 || port > 65535) return std::nullopt;
  }
  return socket::SockAddr{*addr, static_cast<std::uint16_t>(port)};
}

// Fills the client's options from the URL and the flags; the error is the
// usage line.
std::optional<std::string> build_options(const GetArgs& a, harness::HttpGetOptions& o) {
  auto url = harness::http::parse_http_url(a.url);
  if (!url) return fmt::format("{}: {}", a.url, url.error());
  o.host = url->host;
  o.port = url->port;
  o.host_header = url->authority;
  o.target = url->target;
  if (wire::Ipv4Address::parse(o.host)) return std::nullopt;
  std::string server = !a.dns.empty() ? a.dns : a.net.gw;
  if (server.empty())
    return fmt::format("'{}' is a name: give a DNS server with --dns ADDR (or --gw, used by default)", o.host);
  o.dns = parse_dns_server(server);
  if (!o.dns) return fmt::format("--dns {}: expected ADDR or ADDR:PORT with a dotted IPv4 address", server);
  return std::nullopt;
}
}  // namespace

Action add_get_command(CLI::App& app) {
  auto args = std::make_shared<GetArgs>();
  auto* sub = app.add_subcommand("get", "HTTP/1.1 GET from synack over a TAP device (needs root)");
  sub->add_option("URL", args->url, "http://HOST[:PORT]/PATH (HOST a dotted IPv4 address or a DNS name)")->required();
  sub->add_option("-o,--output", args->output, "write the body to FILE instead of stdout");
  sub->add_option("--dns", args->dns, "DNS server (ADDR[:PORT]) for a name in the URL; default: the --gw router");
  harness::add_net_options(sub, args->net);
  return [args]() {
    harness::HttpGetOptions opt;
    if (auto err = build_options(*args, opt)) {
      fmt::print(stderr, "synack get: {}\n", *err);
      return kExitUsage;
    }
    std::FILE* out = stdout;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
    if (!args->output.empty()) {
      file.reset(std::fopen(args->output.c_str(), "wb"));
      if (!file) {
        fmt::print(stderr, "synack get: cannot write {}\n", args->output);
        return kExitUsage;
      }
      out = file.get();
    }
    harness::StopSignalsBlocked blocked;  // until the runtime handles them
    auto session = harness::NetSession::open(args->net);
    if (!session) {
      fmt::print(stderr, "synack get: {}\n", session.error());
      return kExitUsage;
    }
    auto& s = **session;
    auto& get = s.runtime().run_app<harness::HttpGetClient>(
        s.host(), opt, [out](ConstBytes b) { std::fwrite(b.data(), 1, b.size(), out); });
    s.runtime().handle_signals(stderr);
    blocked.release();
    s.runtime().set_done([&get] { return get.done(); });
    bool ok = s.runtime().run();
    if (!ok) fmt::print(stderr, "synack get: {}\n", s.runtime().error());
    if (!get.done()) {
      fmt::print(stderr, "synack get: interrupted after {} body bytes\n", get.response().body_bytes());
      return kExitCheckFailed;
    }
    if (!get.error().empty()) {
      fmt::print(stderr, "synack get: {}\n", get.error());
      return kExitCheckFailed;
    }
    int status = get.response().head().status;
    if (status < 200 || status > 299) {
      fmt::print(stderr, "synack get: HTTP status {} {}\n", status, get.response().head().reason);
      return kExitCheckFailed;
    }
    if (file && std::fclose(file.release()) != 0) {
      fmt::print(stderr, "synack get: cannot finish writing {}\n", args->output);
      return kExitUsage;
    }
    return kExitOk;
  };
}

}  // namespace synack::cli

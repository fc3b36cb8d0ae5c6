// `synack get URL [-o FILE]` plus the network flags: an HTTP/1.1 GET from
// synack over a TAP in real time. The URL's host must be a dotted IPv4
// address (name resolution is not built yet; --dns says so). The body goes
// to stdout or FILE; exit 0 on a complete 2xx body, 1 otherwise.
#include <fmt/core.h>

#include <cstdio>
#include <memory>

#include "harness/cli/command.h"
#include "harness/runtime/clients.h"
#include "harness/runtime/session.h"

namespace synack::cli {

namespace {
struct GetArgs {
  harness::NetArgs net;
  std::string url;
  std::string output;
  std::string dns;
};

struct Url {
  wire::Ipv4Address addr;
  std::uint16_t port = 80;
  std::string host_header;
  std::string path = "/";
};

std::optional<Url> parse_url(const std::string& url, std::string* why) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) {
    *why = "only http:// URLs are supported";
    return std::nullopt;
  }
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Url u;
  if (slash != std::string::npos) u.path = rest.substr(slash);
  u.host_header = authority;
  std::string host = authority;
  if (auto colon = authority.find(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    std::string port = authority.substr(colon + 1);
    char* end = nullptr;
    unsigned long p = std::strtoul(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p == 0 || p > 65535) {
      *why = fmt::format("'{}' is not a port", port);
      return std::nullopt;
    }
    u.port = static_cast<std::uint16_t>(p);
  }
  auto addr = wire::Ipv4Address::parse(host);
  if (!addr) {
    *why = fmt::format("host '{}' is not a dotted IPv4 address (DNS resolution is not supported yet)", host);
    return std::nullopt;
  }
  u.addr = *addr;
  return u;
}
}  // namespace

Action add_get_command(CLI::App& app) {
  auto args = std::make_shared<GetArgs>();
  auto* sub = app.add_subcommand("get", "HTTP/1.1 GET from synack over a TAP device (needs root)");
  sub->add_option("URL", args->url, "http://ADDR[:PORT]/PATH (ADDR a dotted IPv4 address)")->required();
  sub->add_option("-o,--output", args->output, "write the body to FILE instead of stdout");
  sub->add_option("--dns", args->dns, "DNS server for names in the URL (not supported yet)");
  harness::add_net_options(sub, args->net);
  return [args]() {
    if (!args->dns.empty()) {
      fmt::print(stderr, "synack get: --dns is not supported yet (name resolution is a separate piece); use an IP address\n");
      return kExitUsage;
    }
    std::string why;
    auto url = parse_url(args->url, &why);
    if (!url) {
      fmt::print(stderr, "synack get: {}: {}\n", args->url, why);
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
        s.host(), socket::SockAddr{url->addr, url->port}, url->host_header, url->path,
        [out](ConstBytes b) { std::fwrite(b.data(), 1, b.size(), out); });
    s.runtime().handle_signals(stderr);
    blocked.release();
    s.runtime().set_done([&get] { return get.done(); });
    bool ok = s.runtime().run();
    if (!ok) fmt::print(stderr, "synack get: {}\n", s.runtime().error());
    if (!get.done()) {
      fmt::print(stderr, "synack get: interrupted after {} body bytes\n", get.result().body_bytes);
      return kExitCheckFailed;
    }
    if (!get.error().empty()) {
      fmt::print(stderr, "synack get: {}\n", get.error());
      return kExitCheckFailed;
    }
    int status = get.result().status;
    if (status < 200 || status > 299) {
      fmt::print(stderr, "synack get: HTTP status {}\n", status);
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

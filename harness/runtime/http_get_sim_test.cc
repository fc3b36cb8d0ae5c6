// `synack get`'s client (HttpGetClient) in the deterministic world, where
// every outcome can be reached exactly: a name resolved by synack's stub
// resolver against synack's DNS server and the file fetched byte for byte
// (also under loss), NXDOMAIN, no A record, a DNS port with nothing behind
// it, a name without a DNS server, a 404, and a server that refuses the
// connection. Plus the one-line failure descriptions.
#include <gtest/gtest.h>

#include "harness/runtime/apps.h"
#include "harness/runtime/http_get.h"
#include "harness/scenario/common.h"
#include "stack/app/dns_server.h"

namespace synack::harness {
namespace {

class DnsApp final : public App {
 public:
  explicit DnsApp(socket::Host& h) : server(h, 53, 53) {}
  void poll(Instant now) override { server.poll(now); }
  app::DnsServer server;
};

struct Fetch {
  std::string error;
  std::string body;
  int status = 0;
  std::optional<wire::Ipv4Address> address;
};

Fetch fetch(HttpGetOptions get, std::uint32_t loss_ppm = 0, std::uint64_t seed = 1) {
  SimOptions opt;
  opt.seed = seed;
  opt.faults.loss_ppm = loss_ppm;
  RoutedLans net(opt);
  auto& dns = net.b->run_app<DnsApp>(net.b->host());
  dns.server.add_cname("www.synack.test", "web.synack.test");
  dns.server.add_a("web.synack.test", addr("10.0.2.2"));
  dns.server.add_cname("nowhere.synack.test", "void.synack.test");
  auto root = std::make_unique<http::MemoryDocumentRoot>();
  Bytes data(200000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 + (i >> 9));
  root->add("/data.bin", data);
  net.b->run_app<HttpServer>(net.b->host(), 80, std::move(root));
  Fetch f;
  auto& client = net.a->run_app<HttpGetClient>(net.a->host(), get, [&](ConstBytes b) { f.body.append(b.begin(), b.end()); });
  EXPECT_TRUE(net.world.run_until([&] { return client.done(); }, Instant::from_secs(600)));
  f.error = client.error();
  f.status = client.response().head().status;
  f.address = client.address();
  if (f.error.empty() && f.status == 200) {
    EXPECT_EQ(f.body, std::string(data.begin(), data.end()));
  }
  return f;
}

HttpGetOptions by_name(const char* name, std::uint16_t dns_port = 53, const char* target = "/data.bin") {
  HttpGetOptions o;
  o.host = name;
  o.host_header = name;
  o.target = target;
  o.dns = socket::SockAddr{addr("10.0.2.2"), dns_port};
  return o;
}

TEST(HttpGetSim, ResolvesTheNameThenFetchesByteExact) {
  auto f = fetch(by_name("www.synack.test"));
  EXPECT_EQ(f.error, "");
  EXPECT_EQ(f.status, 200);
  EXPECT_EQ(f.address, addr("10.0.2.2"));
}

TEST(HttpGetSim, ByteExactUnderLoss) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    auto f = fetch(by_name("www.synack.test"), 50000, seed);
    EXPECT_EQ(f.error, "") << "seed " << seed;
  }
}

TEST(HttpGetSim, ResolutionFailuresSayWhy) {
  EXPECT_EQ(fetch(by_name("missing.synack.test")).error,
            "'missing.synack.test' does not exist (NXDOMAIN from 10.0.2.2:53)");
  EXPECT_EQ(fetch(by_name("nowhere.synack.test")).error,
            "'nowhere.synack.test' does not exist (NXDOMAIN from 10.0.2.2:53)");  // a dangling CNAME
  EXPECT_NE(fetch(by_name("www.synack.test", 5353)).error.find("refused the query"), std::string::npos);
  auto none = by_name("www.synack.test");
  none.dns.reset();
  EXPECT_EQ(fetch(none).error, "'www.synack.test' is a name and no DNS server was given");
  EXPECT_EQ(fetch(by_name("bad..name")).error, "'bad..name' is not a valid DNS name");
}

TEST(HttpGetSim, HttpOutcomes) {
  auto nf = fetch(by_name("www.synack.test", 53, "/nope"));
  EXPECT_EQ(nf.error, "");  // a complete response; the command turns the status into exit 1
  EXPECT_EQ(nf.status, 404);
  HttpGetOptions closed;
  closed.host = "10.0.2.2";
  closed.port = 81;
  closed.host_header = "10.0.2.2:81";
  EXPECT_EQ(fetch(closed).error, "connect to 10.0.2.2:81: ECONNREFUSED");
}

TEST(HttpGetDescribe, EveryStatusHasALine) {
  socket::SockAddr server{addr("10.0.0.53"), 53};
  app::ResolveResult r;
  r.status = app::ResolveStatus::Timeout;
  r.attempts = 3;
  EXPECT_EQ(describe_resolve_failure(r, "x.test", server),
            "no answer from DNS server 10.0.0.53:53 for 'x.test' after 3 attempts (timed out)");
  r.status = app::ResolveStatus::NoData;
  EXPECT_EQ(describe_resolve_failure(r, "x.test", server), "'x.test' has no IPv4 address (no A record at 10.0.0.53:53)");
  r.status = app::ResolveStatus::ServFail;
  r.rcode = 2;
  EXPECT_NE(describe_resolve_failure(r, "x.test", server).find("(RCODE 2)"), std::string::npos);
  r.status = app::ResolveStatus::NetError;
  r.sock_error = SockError::HostUnreach;
  EXPECT_EQ(describe_resolve_failure(r, "x.test", server), "cannot reach DNS server 10.0.0.53:53 for 'x.test': EHOSTUNREACH");
  for (auto s : {app::ResolveStatus::Truncated, app::ResolveStatus::CnameLoop, app::ResolveStatus::Refused,
                 app::ResolveStatus::FormErr, app::ResolveStatus::OtherRcode}) {
    app::ResolveResult other;
    other.status = s;
    EXPECT_NE(describe_resolve_failure(other, "x.test", server), "");
  }
}

}  // namespace
}  // namespace synack::harness

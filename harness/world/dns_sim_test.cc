// DNS over the simulated network: the stub resolver on host a asks the
// authoritative responder on host b (10.0.0.2:53). HostNode has no
// application hook yet, so the tests drive the apps themselves: world steps of
// 1 ms with every app polled in between (drive() below).
#include <gtest/gtest.h>

#include <functional>

#include "harness/world/host_node.h"
#include "stack/app/dns_resolver.h"
#include "stack/app/dns_server.h"

namespace synack::harness {
namespace {

using app::DnsMessage;
using app::DnsName;
using app::DnsServer;
using app::ResolveStatus;
using app::StubResolver;
using socket::SockAddr;
using socket::SockType;
using wire::Ipv4Address;

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }
DnsName name(const char* s) { return *DnsName::from_text(s); }

constexpr socket::Pid kResolverPid = 100;
constexpr socket::Pid kServerPid = 53;
constexpr std::uint16_t kDnsPort = 53;

// Steps the world 1 ms at a time, calling `poll_apps(now)` before each step,
// until `done()` holds or `max` has passed. Returns whether `done()` held.
bool drive(World& w, const std::function<void(Instant)>& poll_apps, const std::function<bool()>& done,
           Duration max = Duration::from_secs(10)) {
  Instant deadline = w.now() + max;
  for (;;) {
    poll_apps(w.now());
    if (done()) return true;
    if (w.now() >= deadline) return false;
    w.run_until([] { return false; }, std::min(w.now() + Duration::from_millis(1), deadline));
  }
}

struct Net {
  explicit Net(std::uint64_t seed = 7) : w(seed), a(add_host(w, "client")), b(add_host(w, "server")) {
    connect_hosts(w, a, "10.0.0.1/24", b, "10.0.0.2/24");
  }
  SockAddr server_addr() const { return {ip("10.0.0.2"), kDnsPort}; }
  World w;
  HostNode& a;
  HostNode& b;
};

void fill_zone(DnsServer& s) {
  ASSERT_TRUE(s.add_cname("www.example.org", "cdn.example.org"));
  ASSERT_TRUE(s.add_a("cdn.example.org", ip("192.0.2.10")));
  ASSERT_TRUE(s.add_a("cdn.example.org", ip("192.0.2.11"), 60));
  ASSERT_TRUE(s.add_a("ns.example.org", ip("192.0.2.53")));
}

TEST(DnsSim, ResolvesThroughCname) {
  Net n;
  DnsServer server(n.b.host(), kServerPid);
  ASSERT_FALSE(server.bind_error());
  fill_zone(server);
  StubResolver resolver(n.a.host(), kResolverPid, n.server_addr());
  auto q = resolver.resolve("WWW.Example.org", n.w.now());
  EXPECT_TRUE(resolver.pending(q));
  auto local = resolver.local_address(q);
  ASSERT_TRUE(local.has_value());
  EXPECT_GE(local->port, 32768);  // an ephemeral port from the stack
  ASSERT_TRUE(drive(
      n.w, [&](Instant now) { server.poll(now); resolver.poll(now); }, [&] { return !resolver.pending(q); }));
  auto r = resolver.result(q);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, ResolveStatus::Ok) << app::to_string(r->status);
  EXPECT_EQ(r->addresses, (std::vector<Ipv4Address>{ip("192.0.2.10"), ip("192.0.2.11")}));
  ASSERT_EQ(r->cname_chain.size(), 1u);
  EXPECT_TRUE(app::same_name(r->cname_chain[0], name("www.example.org")));
  EXPECT_EQ(r->canonical_name, name("cdn.example.org"));
  EXPECT_EQ(r->ttl, 60u);
  EXPECT_EQ(r->attempts, 1);
  EXPECT_LT(r->finished, Instant::from_millis(100));
  EXPECT_EQ(server.stats().answered, 1u);
  EXPECT_EQ(resolver.stats().replies, 1u);
  EXPECT_EQ(resolver.poll_at(), std::nullopt);
  EXPECT_EQ(n.a.host().open_descriptors(), 0u);  // the query's socket is closed
  EXPECT_FALSE(resolver.local_address(q).has_value());
}

TEST(DnsSim, NxDomain) {
  Net n;
  DnsServer server(n.b.host(), kServerPid);
  fill_zone(server);
  StubResolver resolver(n.a.host(), kResolverPid, n.server_addr());
  auto q = resolver.resolve("nope.example.org", n.w.now());
  ASSERT_TRUE(drive(
      n.w, [&](Instant now) { server.poll(now); resolver.poll(now); }, [&] { return !resolver.pending(q); }));
  EXPECT_EQ(resolver.result(q)->status, ResolveStatus::NxDomain);
  EXPECT_EQ(resolver.result(q)->rcode, app::dns_rcode::kNxDomain);
  EXPECT_EQ(server.stats().nxdomain, 1u);
}

TEST(DnsSim, SeveralQueriesAtOnce) {
  Net n;
  DnsServer server(n.b.host(), kServerPid);
  fill_zone(server);
  StubResolver resolver(n.a.host(), kResolverPid, n.server_addr());
  auto q1 = resolver.resolve("ns.example.org", n.w.now());
  auto q2 = resolver.resolve("www.example.org", n.w.now());
  auto q3 = resolver.resolve("bad..name", n.w.now());
  EXPECT_EQ(resolver.result(q3)->status, ResolveStatus::BadName);  // known at once
  ASSERT_TRUE(drive(
      n.w, [&](Instant now) { server.poll(now); resolver.poll(now); },
      [&] { return !resolver.pending(q1) && !resolver.pending(q2); }));
  EXPECT_EQ(resolver.result(q1)->addresses, std::vector<Ipv4Address>{ip("192.0.2.53")});
  EXPECT_EQ(resolver.result(q2)->addresses.size(), 2u);
  resolver.forget(q1);
  EXPECT_FALSE(resolver.result(q1).has_value());
}

TEST(DnsSim, TimeoutAfterRetries) {
  Net n;
  // Something is bound to port 53 but never answers (a hung server): no ICMP
  // error comes back, so only the timer can end the query.
  auto& b = n.b.host();
  int silent = *b.socket(kServerPid, SockType::Dgram);
  ASSERT_TRUE(b.bind(silent, {Ipv4Address::any(), kDnsPort}).ok());
  StubResolver resolver(n.a.host(), kResolverPid, n.server_addr());
  Instant start = n.w.now();
  auto q = resolver.resolve("www.example.org", start);
  EXPECT_EQ(resolver.poll_at(), start + Duration::from_secs(1));
  ASSERT_TRUE(drive(
      n.w, [&](Instant now) { resolver.poll(now); }, [&] { return !resolver.pending(q); }));
  auto r = resolver.result(q);
  EXPECT_EQ(r->status, ResolveStatus::Timeout);
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(r->finished - start, Duration::from_secs(3));
  EXPECT_EQ(resolver.stats().sent, 3u);
  EXPECT_EQ(resolver.stats().retransmits, 2u);
  EXPECT_EQ(resolver.stats().timeouts, 1u);
  // The server side saw the same query three times: same ID, same port.
  std::uint8_t buf[512];
  std::vector<std::pair<std::uint16_t, std::uint16_t>> seen;  // (DNS ID, source port)
  while (auto got = b.recvfrom(silent, buf)) {
    auto m = DnsMessage::parse(ConstBytes(buf, got->first));
    ASSERT_TRUE(m.ok());
    EXPECT_TRUE(app::same_name(m->questions.at(0).name, name("www.example.org")));
    seen.emplace_back(m->header.id, got->second.port);
  }
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], seen[1]);
  EXPECT_EQ(seen[1], seen[2]);
}

std::optional<Bytes> forged_answer(std::uint16_t id, const char* qname, const char* addr) {
  DnsMessage m = app::make_query(id, name(qname));
  m.header.qr = true;
  m.answers.push_back(app::DnsRecord::a(name(qname), ip(addr), 3600));
  auto b = m.emit();
  if (!b) return std::nullopt;
  return *b;
}

TEST(DnsSim, ForgedRepliesAreIgnored) {
  Net n;
  auto& b = n.b.host();
  DnsServer server(n.b.host(), kServerPid);
  fill_zone(server);
  // The forger shares port 53 on the server host (the server set SO_REUSEADDR).
  int forger = *b.socket(666, SockType::Dgram);
  ASSERT_TRUE(b.setsockopt(forger, socket::SockOpt::ReuseAddr, 1).ok());
  ASSERT_TRUE(b.bind(forger, {Ipv4Address::any(), kDnsPort}).ok());
  int other_port = *b.socket(666, SockType::Dgram);
  ASSERT_TRUE(b.bind(other_port, {Ipv4Address::any(), 5353}).ok());

  StubResolver resolver(n.a.host(), kResolverPid, n.server_addr());
  auto q = resolver.resolve("www.example.org", n.w.now());
  // The forger sniffs the first query off the server's socket (the server
  // never sees it), then sends its forgeries to the querier's port.
  ASSERT_TRUE(drive(
      n.w, [&](Instant now) { resolver.poll(now); }, [&] { return b.poll(server.fd())->readable; }));
  std::uint8_t buf[512];
  auto got = b.recvfrom(server.fd(), buf);
  ASSERT_TRUE(got.ok());
  auto query = DnsMessage::parse(ConstBytes(buf, got->first));
  ASSERT_TRUE(query.ok());
  std::uint16_t id = query->header.id;
  SockAddr client = got->second;
  ASSERT_TRUE(b.sendto(forger, *forged_answer(id ^ 0x5555, "www.example.org", "6.6.6.6"), client).ok());
  ASSERT_TRUE(b.sendto(forger, *forged_answer(id, "evil.example.org", "6.6.6.7"), client).ok());
  ASSERT_TRUE(b.sendto(forger, Bytes{0xde, 0xad}, client).ok());
  ASSERT_TRUE(b.sendto(forger, *app::make_query(id, name("www.example.org")).emit(), client).ok());  // QR=0
  // From the wrong port: the connected socket never even receives it.
  ASSERT_TRUE(b.sendto(other_port, *forged_answer(id, "www.example.org", "6.6.6.8"), client).ok());

  ASSERT_TRUE(drive(
      n.w, [&](Instant now) { server.poll(now); resolver.poll(now); }, [&] { return !resolver.pending(q); }));
  auto r = resolver.result(q);
  EXPECT_EQ(r->status, ResolveStatus::Ok);
  EXPECT_EQ(r->addresses, (std::vector<Ipv4Address>{ip("192.0.2.10"), ip("192.0.2.11")}));
  EXPECT_EQ(r->attempts, 2);  // the retransmission reached the real server
  const auto& st = resolver.stats();
  EXPECT_EQ(st.wrong_id, 1u);
  EXPECT_EQ(st.wrong_question, 1u);
  EXPECT_EQ(st.malformed, 2u);
  EXPECT_EQ(st.wrong_source, 0u);
  EXPECT_EQ(st.replies, 1u);
  EXPECT_GE(n.a.stack().stats().udp.rx_no_port, 1u);  // the 5353 forgery
}

TEST(DnsSim, ConnectionRefusedWhenNothingListens) {
  Net n;
  StubResolver resolver(n.a.host(), kResolverPid, n.server_addr());
  auto q = resolver.resolve("www.example.org", n.w.now());
  ASSERT_TRUE(drive(
      n.w, [&](Instant now) { resolver.poll(now); }, [&] { return !resolver.pending(q); }));
  auto r = resolver.result(q);
  EXPECT_EQ(r->status, ResolveStatus::ConnRefused);
  EXPECT_EQ(r->sock_error, SockError::ConnRefused);
  EXPECT_EQ(r->attempts, 1);
  EXPECT_LT(r->finished, Instant::from_millis(100));
  EXPECT_EQ(resolver.stats().conn_refused, 1u);
  EXPECT_EQ(n.a.host().open_descriptors(), 0u);
}

TEST(DnsSim, SameSeedSameExchange) {
  auto run = [](std::uint64_t seed) {
    Net n(seed);
    DnsServer server(n.b.host(), kServerPid);
    fill_zone(server);
    StubResolver resolver(n.a.host(), kResolverPid, n.server_addr());
    auto q = resolver.resolve("www.example.org", n.w.now());
    auto port = resolver.local_address(q)->port;
    (void)drive(
        n.w, [&](Instant now) { server.poll(now); resolver.poll(now); }, [&] { return !resolver.pending(q); });
    return std::pair{port, resolver.result(q)->finished};
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3).first, run(4).first);
}

// The responder's decisions, through respond() (no network needed).
struct ServerOnly {
  ServerOnly() : w(1), h(add_host(w, "s")), server(h.host(), kServerPid) { fill_zone(server); }
  DnsMessage ask(const Bytes& query) {
    auto r = server.respond(query);
    EXPECT_TRUE(r.has_value());
    auto m = DnsMessage::parse(r ? *r : Bytes{});
    EXPECT_TRUE(m.ok());
    return m ? *m : DnsMessage{};
  }
  DnsMessage ask(const char* qname, std::uint16_t qtype = app::dns_type::kA) {
    return ask(*app::make_query(0x4242, name(qname), qtype).emit());
  }
  World w;
  HostNode& h;
  DnsServer server;
};

TEST(DnsServer, AnswersAuthoritativelyCaseInsensitively) {
  ServerOnly s;
  auto m = s.ask("WWW.EXAMPLE.ORG");
  EXPECT_TRUE(m.header.qr);
  EXPECT_TRUE(m.header.aa);
  EXPECT_TRUE(m.header.rd);
  EXPECT_EQ(m.header.id, 0x4242);
  EXPECT_EQ(m.questions.at(0).name, name("WWW.EXAMPLE.ORG"));  // echoed as asked
  ASSERT_EQ(m.answers.size(), 3u);
  EXPECT_EQ(m.answers[0].type, app::dns_type::kCname);
  EXPECT_EQ(*m.answers[0].target(), name("cdn.example.org"));
  EXPECT_EQ(*m.answers[2].address(), ip("192.0.2.11"));
}

TEST(DnsServer, NoDataCnameQueryAndDanglingChains) {
  ServerOnly s;
  auto nodata = s.ask("ns.example.org", app::dns_type::kAaaa);
  EXPECT_EQ(nodata.header.rcode, app::dns_rcode::kNoError);
  EXPECT_TRUE(nodata.answers.empty());
  auto cname = s.ask("www.example.org", app::dns_type::kCname);
  ASSERT_EQ(cname.answers.size(), 1u);
  EXPECT_EQ(cname.answers[0].type, app::dns_type::kCname);
  ASSERT_TRUE(s.server.add_cname("dangling.example.org", "gone.example.org"));
  auto dangling = s.ask("dangling.example.org");
  EXPECT_EQ(dangling.header.rcode, app::dns_rcode::kNxDomain);
  EXPECT_EQ(dangling.answers.size(), 1u);
  // A loop stops after kMaxChain links instead of spinning.
  ASSERT_TRUE(s.server.add_cname("loop1.example.org", "loop2.example.org"));
  ASSERT_TRUE(s.server.add_cname("loop2.example.org", "loop1.example.org"));
  auto loop = s.ask("loop1.example.org");
  EXPECT_EQ(loop.answers.size(), static_cast<std::size_t>(DnsServer::kMaxChain + 1));
}

TEST(DnsServer, ErrorsAndIgnoredDatagrams) {
  ServerOnly s;
  // Malformed but with a header: FORMERR with our ID.
  Bytes bad = *app::make_query(0x0101, name("www.example.org")).emit();
  bad.pop_back();
  auto formerr = s.ask(bad);
  EXPECT_EQ(formerr.header.rcode, app::dns_rcode::kFormErr);
  EXPECT_EQ(formerr.header.id, 0x0101);
  // Two questions: FORMERR too.
  DnsMessage two = app::make_query(2, name("a.example.org"));
  two.questions.push_back(two.questions[0]);
  EXPECT_EQ(s.ask(*two.emit()).header.rcode, app::dns_rcode::kFormErr);
  // Opcode STATUS: NOTIMP. Class CHAOS: REFUSED.
  DnsMessage status = app::make_query(3, name("a.example.org"));
  status.header.opcode = 2;
  EXPECT_EQ(s.ask(*status.emit()).header.rcode, app::dns_rcode::kNotImp);
  DnsMessage chaos = app::make_query(4, name("version.bind"));
  chaos.questions[0].qclass = 3;
  EXPECT_EQ(s.ask(*chaos.emit()).header.rcode, app::dns_rcode::kRefused);
  // Responses and runts are dropped silently.
  DnsMessage resp = app::make_query(5, name("www.example.org"));
  resp.header.qr = true;
  EXPECT_FALSE(s.server.respond(*resp.emit()).has_value());
  EXPECT_FALSE(s.server.respond(Bytes{1, 2, 3}).has_value());
  const auto& st = s.server.stats();
  EXPECT_EQ(st.formerr, 2u);
  EXPECT_EQ(st.notimp, 1u);
  EXPECT_EQ(st.refused, 1u);
  EXPECT_EQ(st.ignored_responses, 1u);
  EXPECT_EQ(st.dropped_short, 1u);
}

TEST(DnsServer, LargeAnswersAreTruncated) {
  ServerOnly s;
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(s.server.add_a("big.example.org", Ipv4Address::from_octets(198, 51, 100, static_cast<std::uint8_t>(i))));
  auto m = s.ask("big.example.org");
  EXPECT_TRUE(m.header.tc);
  EXPECT_TRUE(m.answers.empty());
  EXPECT_EQ(s.server.stats().truncated, 1u);
  EXPECT_FALSE(s.server.add_a("bad..name", ip("192.0.2.1")));
  EXPECT_EQ(s.server.poll_at(), std::nullopt);
}

TEST(DnsServer, BindConflictIsReported) {
  ServerOnly s;
  auto& h = s.h.host();
  int taken = *h.socket(1, SockType::Dgram);
  ASSERT_TRUE(h.bind(taken, {Ipv4Address::any(), 5300}).ok());
  DnsServer second(h, kServerPid, 5300);
  EXPECT_EQ(second.bind_error(), SockError::AddrInUse);
}

}  // namespace
}  // namespace synack::harness

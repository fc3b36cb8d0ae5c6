// `simulate dns`: host a resolves names through synack's stub resolver
// against the authoritative responder on host b (a CNAME chain, a plain A
// record, and a name that does not exist).
#include <fmt/core.h>

#include "harness/scenario/common.h"
#include "stack/app/dns_resolver.h"
#include "stack/app/dns_server.h"

namespace synack::harness {

namespace {
class ServerApp final : public App {
 public:
  explicit ServerApp(socket::Host& h) : server(h, 53, 53) {}
  void poll(Instant now) override { server.poll(now); }
  app::DnsServer server;
};

class ResolverApp final : public App {
 public:
  ResolverApp(socket::Host& h, socket::SockAddr dns) : resolver(h, 1053, dns) {}
  void poll(Instant now) override { resolver.poll(now); }
  std::optional<Instant> poll_at() const override { return resolver.poll_at(); }
  app::StubResolver resolver;
};

struct Expectation {
  const char* name;
  app::ResolveStatus status;
  const char* address;  // nullptr when none
};
constexpr Expectation kQueries[] = {
    {"www.example.com", app::ResolveStatus::Ok, "10.0.2.80"},
    {"mail.example.com", app::ResolveStatus::Ok, "10.0.2.25"},
    {"missing.example.com", app::ResolveStatus::NxDomain, nullptr},
};
}  // namespace

ScenarioReport run_dns_scenario(const SimOptions& opt) {
  RoutedLans net(opt);
  auto& srv = net.b->run_app<ServerApp>(net.b->host());
  srv.server.add_cname("www.example.com", "web.example.com");
  srv.server.add_a("web.example.com", addr("10.0.2.80"));
  srv.server.add_a("mail.example.com", addr("10.0.2.25"));
  auto& res = net.a->run_app<ResolverApp>(net.a->host(), socket::SockAddr{addr("10.0.2.2"), 53});
  std::uint32_t rounds = opt.count ? opt.count : 1;
  std::vector<std::pair<const Expectation*, app::QueryId>> queries;
  for (std::uint32_t r = 0; r < rounds; ++r)
    for (const auto& q : kQueries)
      net.world.schedule(Instant::from_millis(100 * r), [&, q = &q](World& w) {
        queries.emplace_back(q, res.resolver.resolve(q->name, w.now()));
        net.a->wake_apps();
      });
  std::size_t total = rounds * std::size(kQueries);
  net.world.run_until(
      [&] {
        if (queries.size() < total) return false;
        for (auto& [q, id] : queries)
          if (res.resolver.pending(id)) return false;
        return true;
      },
      Instant::from_secs(30));
  ScenarioReport rep;
  std::uint32_t right = 0, wrong = 0, timeouts = 0;
  nlohmann::json answers = nlohmann::json::array();
  for (auto& [q, id] : queries) {
    auto r = res.resolver.result(id);
    if (!r) continue;
    bool ok = r->status == q->status &&
              (q->address == nullptr || (r->addresses.size() == 1 && r->addresses[0] == addr(q->address)));
    // Unanswered under loss: a timeout, or ARP giving up (EHOSTUNREACH).
    if (r->status == app::ResolveStatus::Timeout || r->status == app::ResolveStatus::NetError) ++timeouts;
    else if (ok) ++right;
    else ++wrong;
    std::string shown = r->addresses.empty() ? "-" : r->addresses[0].to_string();
    rep.text += fmt::format("{:<22} {:<9} {:<12} attempts {}\n", q->name, app::to_string(r->status), shown, r->attempts);
    answers.push_back({{"name", q->name}, {"status", app::to_string(r->status)}, {"address", shown},
                       {"attempts", r->attempts}});
  }
  rep.passed = wrong == 0 && (right == total || lossy(opt));
  rep.verdict = wrong ? fmt::format("FAIL: {} answers differ from the zone", wrong)
                : !rep.passed ? fmt::format("FAIL: {} of {} answers on a loss-free network", right, total)
                             : fmt::format("ok: {} of {} answers as the zone says ({} timed out)", right, total, timeouts);
  const auto& st = res.resolver.stats();
  rep.text += fmt::format("resolver: {} sent, {} retransmits, {} replies, {} ignored (wrong id/question/source)\n",
                          st.sent, st.retransmits, st.replies, st.wrong_id + st.wrong_question + st.wrong_source);
  rep.summary = {{"scenario", "dns"}, {"answers", answers}, {"right", right}, {"wrong", wrong}, {"timeouts", timeouts},
                 {"retransmits", st.retransmits}};
  finish_report(net, opt, rep);
  return rep;
}

}  // namespace synack::harness

// `simulate http`: host b runs synack's static HTTP/1.1 server (the same
// HttpServer and pure Responder as `synack host --serve http:...`) over an
// in-memory document root; host a sends --count requests (default 6) on one
// keep-alive connection with the keep-alive client, which decodes every
// response with the pure parser and compares it byte for byte with the
// file. The mix: GET of a small HTML page, of a --bytes file (default
// 1 MiB), HEAD of it, GET of a 64 KiB + 1 file, GET of a missing path (404),
// GET of a small text file; the last request closes the connection.
#include <fmt/core.h>

#include "harness/cli/units.h"
#include "harness/runtime/apps.h"
#include "harness/scenario/common.h"
#include "harness/scenario/http_client_app.h"
#include "harness/scenario/tcp_apps.h"

namespace synack::harness {

namespace {

Bytes file_bytes(std::uint32_t stream, std::uint64_t n) {
  Bytes b(n);
  for (std::uint64_t i = 0; i < n; ++i) b[i] = pattern_byte(stream, i);
  return b;
}

Bytes text_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

struct Site {
  http::MemoryDocumentRoot root;
  std::vector<HttpExpectation> mix;
};

Site make_site(std::uint64_t big) {
  Site s;
  std::string html = "<!doctype html>\n<title>synack</title>\n<p>A page served by synack in the simulation.</p>\n";
  s.root.add("/index.html", text_bytes(html));
  s.root.add("/big.bin", file_bytes(1, big));
  s.root.add("/mid.bin", file_bytes(2, 65537));
  s.root.add("/small.txt", text_bytes("small\n"));
  s.mix = {
      {.method = "GET", .target = "/", .status = 200, .body = text_bytes(html), .content_length = {}},
      {.method = "GET", .target = "/big.bin", .status = 200, .body = file_bytes(1, big), .content_length = {}},
      {.method = "HEAD", .target = "/big.bin", .status = 200, .body = {}, .content_length = big},
      {.method = "GET", .target = "/mid.bin", .status = 200, .body = file_bytes(2, 65537), .content_length = {}},
      {.method = "GET", .target = "/missing", .status = 404, .body = text_bytes("404 Not Found\n"), .content_length = {}},
      {.method = "GET", .target = "/small.txt", .status = 200, .body = text_bytes("small\n"), .content_length = {}},
  };
  return s;
}

std::string outcome_line(const HttpExpectation& want, const HttpOutcome& got) {
  if (!got.complete) return fmt::format("  {:<4} {:<11} -\n", want.method, want.target);
  return fmt::format("  {:<4} {:<11} {} {:>9} bytes {:<14} {:>10}  {}\n", want.method, want.target, got.status,
                     got.body_bytes, http::to_string(got.framing), cli::format_duration(got.done_at - got.sent_at),
                     got.exact ? "exact" : "DIFFERS");
}

// The integrity verdict: every response that arrived is byte-exact, and
// all arrived unless a lossy network broke the connection with a
// documented error (ETIMEDOUT, ECONNRESET, EHOSTUNREACH).
void judge(ScenarioReport& rep, const SimOptions& opt, const HttpKeepAliveClient& client, bool finished,
           std::uint32_t complete, std::uint32_t exact, std::uint32_t count) {
  auto err = client.sock_error();
  bool documented = err && (*err == SockError::TimedOut || *err == SockError::ConnReset || *err == SockError::HostUnreach);
  bool differs = exact < complete;
  rep.passed = finished && !differs && client.protocol_error().empty() &&
               ((complete == count && !err && client.closed_by_server()) || (documented && lossy(opt)));
  rep.verdict = !finished ? "FAIL: the exchange did not finish within a day of virtual time"
                : differs ? fmt::format("FAIL: {} of {} responses differ from the files served", complete - exact, complete)
                : !client.protocol_error().empty() ? "FAIL: " + client.protocol_error()
                : err && !rep.passed ? fmt::format("FAIL: the connection failed with {} after {} of {} responses",
                                                   errno_name(*err), complete, count)
                : err ? fmt::format("ok: {} of {} responses byte-exact before the connection failed with {} under loss",
                                    exact, count, errno_name(*err))
                      : fmt::format("ok: {} requests on one keep-alive connection, every response byte-exact", count);
}

}  // namespace

ScenarioReport run_http_scenario(const SimOptions& opt) {
  RoutedLans net(opt);
  Site site = make_site(opt.bytes);
  auto root = std::make_unique<http::MemoryDocumentRoot>(site.root);
  auto& server = net.b->run_app<HttpServer>(net.b->host(), 80, std::move(root));
  std::uint32_t count = opt.count ? opt.count : static_cast<std::uint32_t>(site.mix.size());
  std::vector<HttpExpectation> requests;
  for (std::uint32_t i = 0; i < count; ++i) requests.push_back(site.mix[i % site.mix.size()]);
  auto& client = net.a->run_app<HttpKeepAliveClient>(net.a->host(), socket::SockAddr{addr("10.0.2.2"), 80},
                                                      "10.0.2.2", requests);
  bool finished = net.world.run_until([&] { return client.done(); }, Instant::from_secs(24 * 3600));
  Instant end = net.world.now();
  std::string states = tcp_final_states(net);
  // Let every connection finish closing (TIME-WAIT is 60 s).
  net.world.run_until([&] { return net.a->stack().tcp_connection_count() + net.b->stack().tcp_connection_count() == 0; },
                      net.world.now() + Duration::from_secs(300));

  std::uint32_t complete = 0, exact = 0;
  std::uint64_t body = 0;
  std::string table;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& got = client.outcomes()[i];
    complete += got.complete;
    exact += got.complete && got.exact;
    body += got.body_bytes;
    table += outcome_line(requests[i], got);
  }
  auto err = client.sock_error();
  ScenarioReport rep;
  judge(rep, opt, client, finished, complete, exact, count);
  double secs = static_cast<double>((end - Instant::zero()).nanos()) / 1e9;
  double mbps = secs > 0 ? static_cast<double>(body) * 8 / secs / 1e6 : 0;
  const auto& ta = net.a->stack().tcp_stats();
  const auto& tb = net.b->stack().tcp_stats();
  rep.text = fmt::format("http: {} requests on one keep-alive connection 10.0.1.2 -> 10.0.2.2:80\n", count);
  rep.text += table;
  rep.text += fmt::format("responses: {} of {} complete, {} byte-exact; {} body bytes in {} of virtual time: {:.2f} Mbit/s\n",
                          complete, count, exact, body, cli::format_duration(end - Instant::zero()), mbps);
  rep.text += fmt::format("client: {} segments, {} retransmitted, {} RTOs, {} fast retransmits\n", ta.out_segs,
                          ta.retrans_segs, ta.timeouts, ta.fast_retransmits);
  rep.text += fmt::format("server: {} segments, {} retransmitted, {} RTOs, {} fast retransmits; {} requests answered\n",
                          tb.out_segs, tb.retrans_segs, tb.timeouts, tb.fast_retransmits, server.requests());
  rep.text += "at the end of the exchange:\n" + states;
  rep.summary = {{"scenario", "http"}, {"requests", count}, {"complete", complete}, {"exact", exact},
                 {"body_bytes", body}, {"virtual_seconds", secs}, {"goodput_mbps", mbps},
                 {"client_retransmitted_segments", ta.retrans_segs}, {"server_retransmitted_segments", tb.retrans_segs},
                 {"rto_timeouts", ta.timeouts + tb.timeouts}, {"fast_retransmits", ta.fast_retransmits + tb.fast_retransmits},
                 {"server_requests", server.requests()},
                 {"socket_error", err ? std::string(errno_name(*err)) : std::string()},
                 {"connections_left", net.a->stack().tcp_connection_count() + net.b->stack().tcp_connection_count()}};
  finish_report(net, opt, rep);
  return rep;
}

}  // namespace synack::harness

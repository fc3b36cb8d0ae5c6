// TCP scenarios: `handshake` (connections opened and closed gracefully) and
// `bulk` (N bytes one way per connection, K connections in parallel, with an
// end-to-end integrity hash per stream).
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <set>

#include "harness/cli/units.h"
#include "harness/scenario/common.h"
#include "harness/scenario/tcp_apps.h"

namespace synack::harness {

namespace {
ScenarioReport run_transfer(const SimOptions& opt, std::uint64_t bytes, std::uint32_t conns, const char* name) {
  RoutedLans net(opt);
  auto& sink = net.b->run_app<SinkApp>(net.b->host(), 5001);
  std::vector<SourceApp*> sources;
  for (std::uint32_t i = 0; i < conns; ++i)
    sources.push_back(&net.a->run_app<SourceApp>(net.a->host(), socket::SockAddr{addr("10.0.2.2"), 5001}, bytes, i));
  auto all_done = [&] {
    if (!std::all_of(sources.begin(), sources.end(), [](auto* s) { return s->done(); })) return false;
    if (std::any_of(sources.begin(), sources.end(), [](auto* s) { return s->error().has_value(); })) return true;
    // Every accepted stream ended; and either all arrived or the sender has
    // no connection left (a stream the server never accepted: see below).
    // Once the sender has no connection left nothing more can arrive: a
    // receiver without keepalive never learns that an orphaned sender gave up.
    bool sender_gone = net.a->stack().tcp_connection_count() == 0;
    bool ended = std::all_of(sink.streams.begin(), sink.streams.end(), [](auto& s) { return s.eof || s.error; });
    return (ended || sender_gone) && (sink.streams.size() == conns || sender_gone);
  };
  bool finished = net.world.run_until(all_done, Instant::from_secs(24 * 3600));
  Instant end = net.world.now();
  // Let every connection finish closing (TIME-WAIT is 60 s).
  net.world.run_until([&] { return net.a->stack().tcp_connection_count() + net.b->stack().tcp_connection_count() == 0; },
                      net.world.now() + Duration::from_secs(300));
  ScenarioReport rep;
  // Every stream the sink read to its end must be exactly one stream a
  // source sent in full. Streams that failed must fail with a documented
  // error (ETIMEDOUT, ECONNRESET), and only on a network that loses frames.
  std::multiset<std::pair<std::uint64_t, std::uint64_t>> sent_whole;
  std::uint32_t errors = 0, undocumented = 0, mismatched = 0, completed = 0, cut = 0;
  std::string unexpected;
  auto documented = [](SockError e) {
    return e == SockError::TimedOut || e == SockError::ConnReset || e == SockError::HostUnreach;
  };
  for (auto* s : sources) {
    if (s->error()) {
      ++errors;
      if (!documented(*s->error())) {
        ++undocumented;
        unexpected += fmt::format(" sender {}", errno_name(*s->error()));
      }
    } else {
      sent_whole.emplace(s->sent(), s->expected_hash());
    }
  }
  for (auto& s : sink.streams) {
    if (s.error) {
      ++errors;
      if (!documented(*s.error)) {
        ++undocumented;
        unexpected += fmt::format(" receiver {}", errno_name(*s.error));
      }
      continue;
    }
    if (!s.eof) {
      // Cut short (the sender gave up): what arrived must be a prefix of
      // one of the streams sent.
      ++cut;
      bool prefix = false;
      for (std::uint32_t st = 0; st < conns && !prefix; ++st) {
        Fnv1a h;
        for (std::uint64_t i = 0; i < s.bytes; ++i) {
          std::uint8_t b = pattern_byte(st, i);
          h.add(ConstBytes(&b, 1));
        }
        prefix = h.h == s.hash.h;
      }
      mismatched += !prefix;
      continue;
    }
    auto it = sent_whole.find({s.bytes, s.hash.h});
    if (it == sent_whole.end()) {
      ++mismatched;
    } else {
      sent_whole.erase(it);
      ++completed;
    }
  }
  bool intact = finished && mismatched == 0 && undocumented == 0 && ((errors == 0 && cut == 0) || lossy(opt)) &&
                (completed == conns || errors > 0 || lossy(opt));
  // Under loss a stream can vanish without an error anywhere: the client's
  // last handshake ACK and every SYN-ACK retransmission were lost, so the
  // server dropped the half-open connection while the client, ESTABLISHED,
  // wrote and closed gracefully (close() does not confirm delivery; the
  // server's RST reaches an orphan). Counted, never silent.
  std::uint32_t vanished = conns - std::min<std::uint32_t>(conns, completed + errors + cut);
  std::uint64_t moved = 0;
  for (auto& s : sink.streams) moved += s.bytes;
  double secs = static_cast<double>((end - Instant::zero()).nanos()) / 1e9;
  double mbps = secs > 0 ? static_cast<double>(moved) * 8 / secs / 1e6 : 0;
  const auto& ta = net.a->stack().tcp_stats();
  rep.passed = intact;
  rep.verdict = !intact      ? (!finished       ? "FAIL: the transfer did not finish within a day of virtual time"
                               : mismatched      ? fmt::format("FAIL: {} received stream(s) differ from what was sent", mismatched)
                               : undocumented    ? fmt::format("FAIL: {} connection(s) failed with an unexpected error:{}", undocumented, unexpected)
                               : errors          ? fmt::format("FAIL: {} connection(s) failed on a loss-free network", errors)
                                                 : "FAIL: fewer streams arrived than were sent")
                : vanished || cut ? fmt::format("ok: {} stream(s) intact, {} failed with a documented error, {} cut short "
                                                "(an intact prefix; the orphaned sender gave up), {} never accepted "
                                                "(handshake lost under loss; close() does not confirm delivery)",
                                                completed, errors, cut, vanished)
                : errors == 0 ? fmt::format("ok: {} stream(s), {} bytes each, every byte once, in order, intact", conns, bytes)
                              : fmt::format("ok: {} stream(s) intact; {} failed with a documented error (ETIMEDOUT, ECONNRESET, EHOSTUNREACH) under loss",
                                            completed, errors);
  rep.text = fmt::format("{}: {} x {} bytes 10.0.1.2 -> 10.0.2.2:5001\n", name, conns, bytes);
  rep.text += fmt::format("transferred {} bytes in {} of virtual time: {:.2f} Mbit/s\n", moved,
                          cli::format_duration(end - Instant::zero()), mbps);
  rep.text += fmt::format("sender: {} segments, {} retransmitted, {} RTOs, {} fast retransmits\n", ta.out_segs,
                          ta.retrans_segs, ta.timeouts, ta.fast_retransmits);
  rep.text += tcp_final_states(net);
  rep.summary = {{"scenario", name}, {"connections", conns}, {"bytes_per_connection", bytes}, {"bytes_received", moved},
                 {"virtual_seconds", secs}, {"goodput_mbps", mbps}, {"retransmitted_segments", ta.retrans_segs},
                 {"rto_timeouts", ta.timeouts}, {"fast_retransmits", ta.fast_retransmits},
                 {"connections_left", net.a->stack().tcp_connection_count() + net.b->stack().tcp_connection_count()}};
  finish_report(net, opt, rep);
  return rep;
}
}  // namespace

ScenarioReport run_handshake_scenario(const SimOptions& opt) {
  return run_transfer(opt, 1, opt.count ? opt.count : 1, "handshake");
}

ScenarioReport run_bulk_scenario(const SimOptions& opt) { return run_transfer(opt, opt.bytes, opt.connections, "bulk"); }

}  // namespace synack::harness

// `simulate ping`: host a pings host b across the router, first with 56-byte
// payloads, then with 4000-byte ones that fragment on the 1500-byte links.
#include <fmt/core.h>

#include <algorithm>

#include "harness/cli/units.h"
#include "harness/scenario/common.h"

namespace synack::harness {

ScenarioReport run_ping_scenario(const SimOptions& opt) {
  RoutedLans net(opt);
  std::uint32_t count = opt.count ? opt.count : 4;
  auto& host = net.a->host();
  int fd = *host.socket(1000, socket::SockType::Dgram, socket::SockProto::Icmp);
  auto pattern = [](std::uint16_t seq, std::size_t len) {
    Bytes p(len);
    for (std::size_t i = 0; i < len; ++i) p[i] = static_cast<std::uint8_t>(seq * 31 + i);
    return p;
  };
  // One request per virtual second, as ping(8) does.
  for (std::uint32_t i = 0; i < 2 * count; ++i) {
    auto seq = static_cast<std::uint16_t>(i + 1);
    std::size_t len = i < count ? 56 : 4000;
    net.world.schedule(Instant::from_secs(i), [&, seq, len](World&) {
      (void)host.send_ping(fd, addr("10.0.2.2"), seq, pattern(seq, len));
      net.a->wake_apps();
    });
  }
  std::vector<iface::PingReply> replies;
  bool corrupt = false;
  net.world.run_until(
      [&] {
        while (auto r = host.recv_ping(fd)) {
          std::size_t want = r->seq <= count ? 56 : 4000;
          corrupt |= r->payload != pattern(r->seq, want);
          replies.push_back(std::move(*r));
        }
        return replies.size() >= 2 * count;
      },
      Instant::from_secs(2 * count + 3));
  ScenarioReport rep;
  std::sort(replies.begin(), replies.end(), [](auto& x, auto& y) { return x.seq < y.seq; });
  replies.erase(std::unique(replies.begin(), replies.end(), [](auto& x, auto& y) { return x.seq == y.seq; }),
                replies.end());
  Duration min = Duration::max(), max = Duration::zero(), sum = Duration::zero();
  for (auto& r : replies) {
    min = std::min(min, r.rtt);
    max = std::max(max, r.rtt);
    sum += r.rtt;
  }
  std::uint32_t sent = 2 * count;
  auto received = static_cast<std::uint32_t>(replies.size());
  rep.passed = !corrupt && (received == sent || lossy(opt));
  rep.verdict = corrupt ? "FAIL: a reply's payload differs from its request"
                : !rep.passed ? fmt::format("FAIL: {} of {} replies on a loss-free network", received, sent)
                                : fmt::format("ok: {} of {} replies intact", received, sent);
  rep.text = fmt::format("ping 10.0.2.2 from 10.0.1.2 through a router: {} x 56 bytes, {} x 4000 bytes\n", count, count);
  rep.text += fmt::format("{} packets transmitted, {} received, {:.1f}% packet loss\n", sent, received,
                          100.0 * (sent - received) / sent);
  if (received > 0)
    rep.text += fmt::format("rtt min/avg/max = {}/{}/{}\n", cli::format_duration(min),
                            cli::format_duration(sum / received), cli::format_duration(max));
  const auto& st = net.a->stack().stats().ip;
  rep.text += fmt::format("fragments created {}, datagrams reassembled {}\n", st.fragments_created, st.reassembled);
  rep.summary = {{"scenario", "ping"}, {"transmitted", sent}, {"received", received},
                 {"rtt_min_ns", received ? min.nanos() : 0}, {"rtt_max_ns", max.nanos()},
                 {"rtt_avg_ns", received ? (sum / received).nanos() : 0},
                 {"fragments_created", st.fragments_created}, {"reassembled", st.reassembled}};
  finish_report(net, opt, rep);
  return rep;
}

}  // namespace synack::harness

// `simulate udp`: an echo exchange. Host a sends numbered datagrams to a UDP
// echo server on host b; every echo must come back byte-identical.
#include <fmt/core.h>

#include <set>

#include "harness/scenario/common.h"

namespace synack::harness {

namespace {
Bytes datagram(std::uint32_t seq) {
  Bytes d(4 + 200 + seq % 300);
  store_be32(d, 0, seq);
  for (std::size_t i = 4; i < d.size(); ++i) d[i] = static_cast<std::uint8_t>(seq + i * 7);
  return d;
}

// Echoes every datagram back to its sender.
class UdpEchoServer final : public App {
 public:
  UdpEchoServer(socket::Host& h, std::uint16_t port) : host_(h), fd_(*h.socket(7, socket::SockType::Dgram)) {
    (void)h.bind(fd_, {wire::Ipv4Address::any(), port});
  }
  void poll(Instant) override {
    std::uint8_t buf[65536];
    while (auto r = host_.recvfrom(fd_, buf)) {
      if (host_.sendto(fd_, ConstBytes(buf, r->first), r->second)) ++echoed;
    }
  }
  std::uint64_t echoed = 0;

 private:
  socket::Host& host_;
  int fd_;
};
}  // namespace

ScenarioReport run_udp_scenario(const SimOptions& opt) {
  RoutedLans net(opt);
  auto& echo = net.b->run_app<UdpEchoServer>(net.b->host(), 7);
  std::uint32_t count = opt.count ? opt.count : 100;
  auto& host = net.a->host();
  int fd = *host.socket(1001, socket::SockType::Dgram);
  (void)host.connect(fd, {addr("10.0.2.2"), 7});
  for (std::uint32_t i = 0; i < count; ++i) {
    net.world.schedule(Instant::from_millis(10 * i), [&, i](World&) {
      (void)host.send(fd, datagram(i));
      net.a->wake_apps();
    });
  }
  std::set<std::uint32_t> got;
  std::uint32_t bad = 0, dups = 0;
  net.world.run_until(
      [&] {
        std::uint8_t buf[65536];
        while (auto r = host.recv(fd, buf)) {
          if (*r < 4) {
            ++bad;
            continue;
          }
          std::uint32_t seq = load_be32(ConstBytes(buf, *r), 0);
          if (Bytes(buf, buf + *r) != datagram(seq)) ++bad;
          else if (!got.insert(seq).second) ++dups;
        }
        return got.size() == count;
      },
      Instant::from_millis(10 * count) + Duration::from_secs(2));
  ScenarioReport rep;
  auto received = static_cast<std::uint32_t>(got.size());
  rep.passed = bad == 0 && (received == count || lossy(opt));
  rep.verdict = bad ? fmt::format("FAIL: {} echoes differ from what was sent", bad)
                : !rep.passed ? fmt::format("FAIL: {} of {} echoes on a loss-free network", received, count)
                                : fmt::format("ok: {} of {} echoes intact ({} duplicates)", received, count, dups);
  rep.text = fmt::format("udp echo 10.0.1.2 -> 10.0.2.2:7: {} datagrams sent, {} echoed back intact, {} lost\n",
                         count, received, count - received);
  rep.text += fmt::format("server echoed {} datagrams; duplicates seen by the client {}\n", echo.echoed, dups);
  rep.summary = {{"scenario", "udp"}, {"sent", count}, {"received", received}, {"duplicates", dups},
                 {"corrupted_accepted", bad}, {"server_echoed", echo.echoed}};
  finish_report(net, opt, rep);
  return rep;
}

}  // namespace synack::harness

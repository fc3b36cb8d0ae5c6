// NetSession (see session.h).
#include "harness/runtime/session.h"

#include <fmt/core.h>

#include <pthread.h>
#include <signal.h>

#include <csignal>
#include <random>

namespace synack::harness {

namespace {
constexpr std::uint32_t kRealtimeBufferBytes = 1024 * 1024;

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  return set;
}
}  // namespace

StopSignalsBlocked::StopSignalsBlocked() {
  sigset_t set = stop_signals();
  blocked_ = ::pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0;
}

void StopSignalsBlocked::release() {
  if (!blocked_) return;
  sigset_t set = stop_signals();
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  blocked_ = false;
}

void add_net_options(CLI::App* sub, NetArgs& a) {
  sub->add_option("--tap", a.tap, "TAP interface to create or attach (at most 15 characters)")->required();
  sub->add_option("--ip", a.ip, "synack's address on the TAP, ADDR/LEN (10.0.0.2/24)")->required();
  sub->add_option("--kernel-ip", a.kernel_ip, "give the kernel's end of the TAP this ADDR/LEN");
  sub->add_option("--gw", a.gw, "default gateway for synack");
  sub->add_option("--mac", a.mac, "synack's MAC address (default: random, locally administered)");
  sub->add_option("--netns", a.netns, "network namespace for the TAP (created if missing, removed on exit)");
  sub->add_option("--pcap", a.pcap, "write every frame on the TAP to this pcap file");
  sub->add_option("--seed", a.seed, "seed for ISNs and ports (default: random)");
  sub->add_option("--mtu", a.mtu, "MTU of the TAP (default 1500)")->check(CLI::Range(576, 9000));
  sub->add_flag("!--no-offload", a.offload,
                "no checksum/TSO offload with the kernel: every frame on the TAP is MTU-sized and checksummed");
  sub->add_option("--busy-poll", a.busy_poll_us,
                  "before blocking, keep reading the TAP for up to US microseconds (adaptive; default 0: off)")
      ->check(CLI::Range(0, 1000000));
  sub->add_flag("!--no-yield", a.yield_before_block,
                "block at once when the TAP is empty, without first yielding the CPU once and reading again");
}

Result<std::unique_ptr<NetSession>, std::string> NetSession::open(const NetArgs& a) {
  auto s = std::unique_ptr<NetSession>(new NetSession());
  auto addr = wire::Ipv4Cidr::parse(a.ip);
  if (!addr || addr->prefix_len == 0) return Err{fmt::format("--ip {}: expected ADDR/LEN like 10.0.0.2/24", a.ip)};
  s->addr_ = *addr;
  if (!a.kernel_ip.empty()) {
    auto k = wire::Ipv4Cidr::parse(a.kernel_ip);
    if (!k) return Err{fmt::format("--kernel-ip {}: expected ADDR/LEN like 10.0.0.1/24", a.kernel_ip)};
    if (k->address == addr->address) return Err{std::string("--kernel-ip and --ip must differ")};
  }
  std::optional<wire::Ipv4Address> gw;
  if (!a.gw.empty()) {
    gw = wire::Ipv4Address::parse(a.gw);
    if (!gw) return Err{fmt::format("--gw {}: not a dotted IPv4 address", a.gw)};
  }
  std::uint64_t seed = a.seed;
  if (seed == 0) seed = (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  wire::MacAddress mac{{0x02, static_cast<std::uint8_t>(seed >> 8), static_cast<std::uint8_t>(seed >> 16),
                        static_cast<std::uint8_t>(seed >> 24), static_cast<std::uint8_t>(seed >> 32),
                        static_cast<std::uint8_t>(seed >> 40)}};
  if (!a.mac.empty()) {
    auto m = wire::MacAddress::parse(a.mac);
    if (!m || m->is_multicast() || m->is_zero()) return Err{fmt::format("--mac {}: not a unicast MAC address", a.mac)};
    mac = *m;
  }
  if (auto why = driver::tap_unavailable_reason()) return Err{"cannot create TAP: " + *why};
  if (!a.netns.empty()) {
    auto ns = NetnsGuard::create(a.netns, /*adopt_existing=*/true);
    if (!ns) return Err{ns.error()};
    s->netns_ = std::move(*ns);
  }
  auto tap = driver::TapDevice::open({.name = a.tap, .netns = a.netns, .mtu = a.mtu, .offload = a.offload});
  if (!tap) return Err{tap.error().message};
  s->tap_ = std::move(*tap);
  // Quieter captures: no IPv6 autoconfiguration chatter on the TAP.
  (void)run_in_netns(a.netns, {"sysctl", "-q", "-w", fmt::format("net.ipv6.conf.{}.disable_ipv6=1", a.tap)});
  if (!a.kernel_ip.empty())
    if (auto r = configure_kernel_side(a.netns, a.tap, a.kernel_ip); !r) return Err{r.error()};
  if (!a.pcap.empty()) {
    auto w = PcapWriter::create(a.pcap);
    if (!w) return Err{fmt::format("--pcap: {}", w.error().message)};
    s->pcap_ = std::make_unique<PcapWriter>(std::move(*w));
  }
  iface::StackConfig cfg;
  cfg.name = "synack";
  cfg.seed = seed;
  // A real peer over a TAP has a bandwidth-delay product far beyond the
  // simulation defaults (64 KiB send, 128 KiB receive buffers), and synack
  // has no buffer autotuning: with 64 KiB in flight, synack → kernel stalled
  // on every scheduling delay of either side. 1 MiB each way, as Linux
  // reaches by autotuning on such a link (storage is taken on first use).
  cfg.tcp.sndbuf = kRealtimeBufferBytes;
  cfg.tcp.rcvbuf = kRealtimeBufferBytes;
  s->host_ = std::make_unique<socket::Host>(cfg);
  driver::Device* dev = s->tap_.get();
  if (s->pcap_) {
    NetSession* self = s.get();
    s->capture_ = std::make_unique<CaptureDevice>(*s->tap_, s->pcap_.get(),
                                                  [self](Instant t) { return self->runtime_->wall(t); });
    dev = s->capture_.get();
  }
  s->host_->stack().add_interface(*dev, mac, *addr, a.tap);
  if (gw && !s->host_->stack().add_default_gateway(*gw))
    return Err{fmt::format("--gw {}: not reachable on {}", a.gw, addr->to_string())};
  s->runtime_ = std::make_unique<Realtime>(*s->host_, *s->tap_);
  s->runtime_->set_pcap(s->pcap_.get());
  s->runtime_->set_busy_poll(std::chrono::microseconds(a.busy_poll_us));
  s->runtime_->set_yield_before_block(a.yield_before_block);
  return s;
}

std::optional<std::string> NetSession::close_pcap() {
  if (!pcap_) return std::nullopt;
  runtime_->set_pcap(nullptr);
  auto r = pcap_->close();
  if (!r) return r.error().message;
  return std::nullopt;
}

NetSession::~NetSession() {
  // A command that handled SIGINT/SIGTERM finishes its cleanup (deleting the
  // namespace it created) even when the user presses Ctrl-C again.
  if (runtime_ && runtime_->handles_signals()) {
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
  }
  (void)close_pcap();
  runtime_.reset();
  host_.reset();
  capture_.reset();
  tap_.reset();
  netns_.reset();
}

}  // namespace synack::harness

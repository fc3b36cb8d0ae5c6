// What every real-time command shares: the network flags (--tap, --ip,
// --kernel-ip, --gw, --mac, --netns, --pcap, --seed, --mtu, --no-offload,
// --busy-poll, --no-yield) and a NetSession that turns them into a running setup: the
// namespace (created when missing and then deleted on exit), the TAP inside
// it, the kernel's address on the TAP, a socket::Host with the TAP as
// interface 0, and the Realtime runtime.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "harness/pcap/pcap_writer.h"
#include "harness/runtime/netns.h"
#include "harness/runtime/realtime.h"
#include "stack/driver/tap_linux.h"
#include "stack/socket/host.h"

namespace synack::harness {

struct NetArgs {
  std::string tap;
  std::string ip;         // synack's address, ADDR/LEN
  std::string kernel_ip;  // the kernel's end of the TAP, ADDR/LEN
  std::string gw;
  std::string mac;
  std::string netns;
  std::string pcap;
  std::uint64_t seed = 0;  // 0: drawn from the OS
  std::uint16_t mtu = 1500;
  // Checksum and TCP segmentation offload with the kernel (TapOptions::offload).
  bool offload = true;
  // Busy-poll budget of the runtime in microseconds (Realtime::set_busy_poll); 0: off.
  std::uint32_t busy_poll_us = 0;
  // Yield once and read again before blocking (Realtime::set_yield_before_block).
  bool yield_before_block = true;
};

// Adds the shared flags to a subcommand (--tap and --ip required).
void add_net_options(CLI::App* sub, NetArgs& args);

// Holds SIGINT, SIGTERM and SIGUSR1 pending while a command sets up (so a
// stop request cannot kill it half-way and leak a namespace) until release(),
// after the runtime's handlers are installed. Children start unblocked.
class StopSignalsBlocked {
 public:
  StopSignalsBlocked();
  ~StopSignalsBlocked() { release(); }
  StopSignalsBlocked(const StopSignalsBlocked&) = delete;
  StopSignalsBlocked& operator=(const StopSignalsBlocked&) = delete;
  void release();

 private:
  bool blocked_ = false;
};

class NetSession {
 public:
  // Builds the setup; the error is one line for the command's stderr.
  static Result<std::unique_ptr<NetSession>, std::string> open(const NetArgs& args);
  ~NetSession();
  NetSession(const NetSession&) = delete;
  NetSession& operator=(const NetSession&) = delete;

  socket::Host& host() noexcept { return *host_; }
  Realtime& runtime() noexcept { return *runtime_; }
  driver::TapDevice& tap() noexcept { return *tap_; }
  wire::Ipv4Cidr address() const noexcept { return addr_; }
  // Flushes and closes the capture (also done by the destructor).
  std::optional<std::string> close_pcap();

 private:
  NetSession() = default;
  NetnsGuard netns_;
  std::unique_ptr<driver::TapDevice> tap_;
  std::unique_ptr<PcapWriter> pcap_;
  std::unique_ptr<CaptureDevice> capture_;
  std::unique_ptr<socket::Host> host_;
  std::unique_ptr<Realtime> runtime_;
  wire::Ipv4Cidr addr_;
};

}  // namespace synack::harness

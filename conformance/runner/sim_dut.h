// The simulated DUT: one synack host in a harness::World, linked to a
// "script peer" node that captures what the host sends and injects what the
// script sends. Virtual time moves only when the runner lets it, so a case
// is deterministic and runs in milliseconds whatever its script times.
//
// By default the host owns 192.168.0.1/24; the script's peer 192.0.2.1 is
// made on-link with a /24 route out of the same interface and a static ARP
// entry, so no ARP exchange precedes the scripted packets (packetdrill's
// kernel setup does the same with a static neighbour entry). A DutNetwork
// places the host elsewhere (the replay puts it at a captured host).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include "conformance/runner/dut.h"
#include "harness/world/host_node.h"
#include "harness/world/world.h"
#include "stack/iface/stack.h"

namespace synack::conformance {

class SimSocketApi;
class ScriptPeer;

class SimDut final : public Dut {
 public:
  // `cfg` lets sysctl-like script settings reach the stack before it starts.
  explicit SimDut(iface::StackConfig cfg = {}, std::uint64_t seed = 1);
  // The DUT placed as `net` says (address, MAC, neighbours, routes).
  SimDut(const DutNetwork& net, iface::StackConfig cfg, std::uint64_t seed);
  ~SimDut() override;

  std::string_view name() const override { return "sim"; }
  std::int64_t default_tolerance_us() const override { return 0; }
  wire::MacAddress dut_mac() const override;
  std::int64_t now_us() override { return world_.now().micros(); }

  void inject(ConstBytes frame) override;
  void advance_to(std::int64_t t_us) override;
  std::optional<Frame> next_frame(std::int64_t deadline_us) override;

  void start_call(std::function<CallResult(SocketApi&)> op) override;
  bool call_outstanding() const override { return static_cast<bool>(pending_); }
  std::optional<CallDone> wait_call(std::int64_t deadline_us) override;
  void with_api(const std::function<void(SocketApi&)>& f) override;

  ShellOutcome shell(const std::string& command) override;

  socket::Host& host() { return host_->host(); }

 private:
  // Retries the outstanding blocked call; true when it finished.
  bool retry_pending();
  void flush();  // lets the host send what a call queued, at the current instant

  harness::World world_;
  harness::HostNode* host_ = nullptr;
  ScriptPeer* peer_ = nullptr;
  harness::NodeId peer_id_ = 0;
  std::unique_ptr<SimSocketApi> api_;
  std::function<CallResult(SocketApi&)> pending_;
  std::optional<CallDone> done_;
};

// Applies a `sysctl` backtick command to a stack configuration when synack
// has the matching knob ("sysctl -q net.ipv4.tcp_timestamps=0"); returns
// whether it was understood.
bool apply_sysctl(std::string_view command, iface::StackConfig& cfg);

}  // namespace synack::conformance

// The DUT's application during a replay, written against the DUT socket API
// (conformance/runner/dut.h, Linux numbering) so it runs unchanged on the
// simulated and the kernel DUT. Every call is non-blocking; the replay
// engine calls service() often (and right after each injection), so the
// application reacts within one service tick.
//
//   sink     listens, accepts, reads and discards; closes after EOF;
//            reads and discards datagrams to its UDP ports.
//   echo     listens, accepts, writes back what it reads; closes after EOF;
//            sends every datagram to its UDP ports back to its sender.
//   capture  does what the captured host's application did (plan.h
//            AppConn): writes the captured stream at the captured times,
//            sends its FIN (shutdown SHUT_WR) when the captured host did,
//            and reads whatever arrives; and sends the captured UDP
//            datagrams and echo requests (plan.h AppDatagram) at their
//            times, each flow from a socket bound to the captured local port
//            (echo: a ping socket, SOCK_DGRAM + IPPROTO_ICMP, bound to the
//            captured identifier) and connected to the captured peer, kept
//            open and read, so errors the stack matches to it (ICMP port
//            unreachable: ECONNREFUSED) become notes.
// Whatever the kind, it listens on the listening ports, binds the UDP ports
// the captured host served (plan.h udp_ports; `capture` sends the captured
// answers from them, to the captured peer, at the captured times) and opens
// the connections the captured host opened (bound to the captured local
// port, at the captured time).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/dut.h"
#include "harness/replay/plan.h"

namespace synack::harness::replay {

enum class AppKind { Sink, Echo, Capture };

// "ECONNREFUSED" for ECONNREFUSED (Linux numbering), "errno N" when unknown.
std::string errno_name(int err);

class ReplayApp {
 public:
  ReplayApp(const Plan& plan, AppKind kind, std::vector<std::uint16_t> listen_ports);

  // Opens the listening sockets; returns "" or why one failed.
  std::string setup(conformance::SocketApi& api);
  // Does everything due at capture time `t_ns` (already mapped by the caller).
  void service(conformance::SocketApi& api, std::int64_t t_ns);
  // The next capture time at which something is scheduled, if any.
  std::optional<std::int64_t> next_due() const;
  // One-line notes on what did not go as captured (refused connects, ...).
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  // A non-blocking socket of `type` with SO_REUSEADDR bound to the captured
  // address and `port` in *fd; an error message, or empty.
  std::string open_bound(conformance::SocketApi& api, int type, std::uint16_t port, int* fd);
  struct Conn {
    int fd = -1;
    const AppConn* script = nullptr;  // capture kind: what to write
    std::size_t next_write = 0;
    bool fin_done = false;
    bool eof = false;
    // Writes not yet taken by the socket, one send() each, so the DUT sees
    // the captured application's write boundaries (Nagle, PSH).
    std::deque<Bytes> pending;
  };

  void accept_all(conformance::SocketApi& api);
  void send_datagrams(conformance::SocketApi& api, std::int64_t t_ns);
  int datagram_socket(conformance::SocketApi& api, const FlowKey& flow);
  void read_datagrams(conformance::SocketApi& api);
  void serve_udp(conformance::SocketApi& api);
  void open_due(conformance::SocketApi& api, std::int64_t t_ns);
  void drive(conformance::SocketApi& api, Conn& c, std::int64_t t_ns);
  const AppConn* script_for(wire::Ipv4Address addr, std::uint16_t port, std::uint16_t local_port);

  const Plan& plan_;
  AppKind kind_;
  std::vector<std::uint16_t> ports_;
  std::vector<int> listeners_;
  std::vector<std::pair<std::uint16_t, int>> udp_servers_;  // port, fd
  std::vector<bool> opened_;  // per plan conn (active ones)
  std::vector<bool> claimed_;  // per plan conn: bound to a DUT socket
  std::vector<Conn> conns_;
  std::size_t next_datagram_ = 0;
  std::vector<std::pair<FlowKey, int>> dgram_;  // a connected socket per flow
  std::vector<std::string> notes_;
};

}  // namespace synack::harness::replay

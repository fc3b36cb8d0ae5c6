// The device under test (DUT) as the packetdrill runner sees it: a place to
// inject Ethernet frames, a queue of the frames it sends (with the time it
// sent them), a clock, and application calls made on its socket API.
//
// Contract:
// - Times are microseconds since the start of the case. On the simulated DUT
//   time is virtual and only moves inside advance_to / next_frame /
//   wait_call; on the kernel DUT it is CLOCK_MONOTONIC and moves by itself.
// - Application calls use Linux's numbering everywhere (socket constants,
//   errno values), whatever the DUT: the simulated DUT translates, the
//   kernel DUT passes them through. That keeps the script interpreter single.
// - At most one call is outstanding (packetdrill's one syscall thread): a
//   call that blocks keeps running while the script injects packets, and is
//   collected with wait_call().
// - Addresses: the DUT is 192.168.0.1, the script's peer 192.0.2.1 (the
//   packetdrill defaults); both live only inside the simulation or a private
//   network namespace.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stack/base/bytes.h"
#include "stack/wire/address.h"

namespace synack::conformance {

inline constexpr wire::Ipv4Address kDutIp = wire::Ipv4Address::from_octets(192, 168, 0, 1);
inline constexpr wire::Ipv4Address kPeerIp = wire::Ipv4Address::from_octets(192, 0, 2, 1);
inline constexpr wire::MacAddress kPeerMac{{0x02, 0x50, 0x4b, 0x54, 0x00, 0x02}};

// Where the DUT sits on its link. The default is the packetdrill layout
// above; a replay puts the DUT at a captured host's address and MAC instead.
// Peers are on-link with static neighbour entries, so no ARP exchange
// precedes traffic to them.
struct DutNetwork {
  wire::Ipv4Cidr dut{kDutIp, 24};
  std::optional<wire::MacAddress> dut_mac;  // nullopt: the DUT's own MAC
  std::vector<std::pair<wire::Ipv4Address, wire::MacAddress>> neighbours{{kPeerIp, kPeerMac}};
  // Networks reached straight out of the DUT's interface (no gateway).
  std::vector<wire::Ipv4Cidr> onlink_routes{{wire::Ipv4Address::from_octets(192, 0, 2, 0), 24}};
  // Kernel DUT: packetdrill's reference sysctls (receive buffers giving
  // window scale 7). false keeps the values the namespace inherits from the
  // machine, as the namespaces of corpus/record.sh did.
  bool packetdrill_sysctls = true;
};

// The outcome of one call: ret as the syscall returns it, err the Linux errno
// value when ret is -1. would_block: the call cannot complete yet on a
// blocking descriptor (simulated DUT only; it is retried as time passes).
struct CallResult {
  long long ret = 0;
  int err = 0;
  bool would_block = false;
};

// Socket option values passed or returned through memory.
struct OptValue {
  enum class Kind { Int, Linger, Text };
  Kind kind = Kind::Int;
  int integer = 0;
  int l_onoff = 0;
  int l_linger = 0;
  std::string text;  // TCP_CONGESTION
};

struct PollFd {
  int fd = -1;
  short events = 0;
  short revents = 0;
};

// The socket calls the interpreter can make (Linux constants and errnos).
class SocketApi {
 public:
  virtual ~SocketApi() = default;
  virtual CallResult socket(int domain, int type, int protocol) = 0;
  virtual CallResult bind(int fd, wire::Ipv4Address addr, std::uint16_t port) = 0;
  virtual CallResult connect(int fd, wire::Ipv4Address addr, std::uint16_t port) = 0;
  virtual CallResult listen(int fd, int backlog) = 0;
  virtual CallResult accept(int fd) = 0;
  virtual CallResult read(int fd, std::size_t len) = 0;   // read, recv, readv
  virtual CallResult write(int fd, std::size_t len) = 0;  // write, send, writev
  // send() of the given bytes (the replay's applications, which must write
  // what the captured host's application wrote rather than filler).
  virtual CallResult send_bytes(int fd, ConstBytes data) = 0;
  // recv() of up to `max` bytes into `out` (resized to what was read).
  virtual CallResult recv_bytes(int fd, std::size_t max, Bytes& out) = 0;
  // sendto() of the given bytes and recvfrom() of up to `max` bytes into
  // `out` (resized to what was read) with the sender's address in `from`:
  // the replay's UDP servers, which answer whoever asked.
  virtual CallResult sendto_bytes(int fd, ConstBytes data, wire::Ipv4Address addr, std::uint16_t port) = 0;
  virtual CallResult recvfrom_bytes(int fd, std::size_t max, Bytes& out,
                                    std::pair<wire::Ipv4Address, std::uint16_t>& from) = 0;
  // getpeername(): the remote address of a connected socket.
  virtual std::optional<std::pair<wire::Ipv4Address, std::uint16_t>> peer_name(int fd) = 0;
  virtual CallResult sendto(int fd, std::size_t len, wire::Ipv4Address addr, std::uint16_t port) = 0;
  virtual CallResult recvfrom(int fd, std::size_t len) = 0;
  virtual CallResult shutdown(int fd, int how) = 0;
  virtual CallResult close(int fd) = 0;
  virtual CallResult setsockopt(int fd, int level, int name, const OptValue& v) = 0;
  virtual CallResult getsockopt(int fd, int level, int name, OptValue& out) = 0;
  virtual CallResult fcntl(int fd, int cmd, long arg) = 0;
  virtual CallResult poll(std::vector<PollFd>& fds, int timeout_ms) = 0;
  virtual CallResult ioctl_fionread(int fd, int& out) = 0;
  // TCP_INFO as tcpi_* name -> value; nullopt when fd is no TCP socket.
  virtual std::optional<std::map<std::string, long long>> tcp_info(int fd) = 0;
};

struct Frame {
  std::int64_t t_us = 0;
  Bytes bytes;
};

struct CallDone {
  CallResult result;
  std::int64_t t_us = 0;  // when the call returned
};

struct ShellOutcome {
  bool ran = false;   // false: ignored on this DUT (note says why)
  int status = 0;     // exit status when ran
  std::string note;
};

class Dut {
 public:
  virtual ~Dut() = default;
  virtual std::string_view name() const = 0;
  // Default --tolerance_usecs for this DUT.
  virtual std::int64_t default_tolerance_us() const = 0;
  virtual wire::MacAddress dut_mac() const = 0;
  virtual std::int64_t now_us() = 0;

  // Sends `frame` to the DUT now.
  virtual void inject(ConstBytes frame) = 0;
  // Lets time pass until t_us (no-op if already later).
  virtual void advance_to(std::int64_t t_us) = 0;
  // The oldest frame the DUT sent that was not yet taken, waiting for one
  // until deadline_us at the latest; nullopt when none by then.
  virtual std::optional<Frame> next_frame(std::int64_t deadline_us) = 0;

  // Starts an application call (none must be outstanding).
  virtual void start_call(std::function<CallResult(SocketApi&)> op) = 0;
  virtual bool call_outstanding() const = 0;
  // Waits for the outstanding call until deadline_us; nullopt if it is still
  // blocked then.
  virtual std::optional<CallDone> wait_call(std::int64_t deadline_us) = 0;
  // Runs `f` against the socket API synchronously (no call may be
  // outstanding); for TCP_INFO reads and similar non-blocking queries.
  virtual void with_api(const std::function<void(SocketApi&)>& f) = 0;

  // A backtick command from the script.
  virtual ShellOutcome shell(const std::string& command) = 0;
};

}  // namespace synack::conformance

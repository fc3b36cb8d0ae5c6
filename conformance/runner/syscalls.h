// packetdrill system calls: from a SyscallEvent's argument expressions to a
// call on the DUT's SocketApi (dut.h), and the checks of what it returned
// (return value, errno name, values written through pointers such as
// getsockopt's [0] or poll's revents).
//
// Constants and errno values are Linux's (the kernel DUT passes them through,
// the simulated DUT translates). Unsupported calls, options or argument
// shapes are reported as errors naming the construct, never guessed at.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "conformance/runner/dut.h"
#include "conformance/runner/pkt_ast.h"
#include "stack/base/result.h"
#include "stack/base/sock_error.h"

namespace synack::conformance {

// errno names <-> Linux values ("EINPROGRESS" <-> 115); 0 / "" when unknown.
int errno_value(std::string_view name);
std::string errno_string(int value);
int errno_of(SockError e);

// A symbolic constant the scripts use (SOL_SOCKET, O_NONBLOCK, POLLIN, ...).
std::optional<long long> symbol_value(std::string_view name);

// The descriptors the script names (3, 4, ...) mapped to the DUT's.
class FdMap {
 public:
  int to_dut(long long script_fd) const;
  void learn(long long script_fd, long long dut_fd) { map_[script_fd] = static_cast<int>(dut_fd); }
  std::optional<long long> to_script(int dut_fd) const;

 private:
  std::map<long long, int> map_;
};

// A call ready to run: the operation plus the check of its results. check()
// returns an empty string when the call did what the script says, else the
// mismatch ("returned 0, expected -1 EAGAIN").
struct PreparedCall {
  int fd = -1;  // the DUT descriptor the call works on (-1: none, e.g. socket, poll)
  bool new_fd = false;  // returns a new descriptor (socket, accept): later %{ }% blocks read it
  std::function<CallResult(SocketApi&)> op;
  std::function<std::string(const CallResult&)> check;
  std::function<std::string(const CallResult&)> describe;  // "connect(3, ..., ...) = -1 EINPROGRESS"
};

// Builds the call for `ev`, or an error naming what is not supported.
// `fds` is read when the call is prepared and updated by check() for
// socket()/accept() results.
Result<PreparedCall, std::string> prepare_call(const SyscallEvent& ev, FdMap& fds);

}  // namespace synack::conformance

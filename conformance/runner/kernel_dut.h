// The kernel DUT: the Linux TCP/IP stack of this machine, isolated in a
// fresh network namespace owned by a worker thread (unshare(CLONE_NEWNET)),
// reached through a TAP device in that namespace. By default (DutNetwork{})
// the kernel holds 192.168.0.1/24 on the TAP, 192.0.2.0/24 is routed out of
// it with a permanent neighbour entry for the script peer's MAC, IPv6 is
// disabled on it. The script's socket calls run as real syscalls on the worker thread (so
// they act in the namespace); a reader thread timestamps the frames the
// kernel sends. Everything is torn down when the object goes (sockets
// closed, threads joined; the namespace dies with its last reference).
// Needs root (CAP_NET_ADMIN); otherwise make_kernel_dut() says why.
#pragma once

#include <memory>
#include <string>

#include "conformance/runner/dut.h"

namespace synack::conformance {

// nullptr with `why` set when the DUT cannot be built; `skip` tells whether
// that is a missing privilege (skip the case) rather than an error.
std::unique_ptr<Dut> make_kernel_dut(std::string& why, bool& skip);
// The same DUT placed as `net` says (address, MAC, neighbours, routes,
// sysctls); make_kernel_dut(why, skip) uses DutNetwork{}.
std::unique_ptr<Dut> make_kernel_dut(const DutNetwork& net, std::string& why, bool& skip);

}  // namespace synack::conformance

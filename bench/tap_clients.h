// The Boost.Asio clients of the TAP/veth benchmarks (tap_bench.cc): bulk
// sender and receiver, and connection lifecycles, blocking (SyncLifecycles,
// 8 system calls per lifecycle) or asynchronous (`client:async` rows). Kept
// apart from tap_bench.cc so each file stays small and compiles alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

namespace synack::bench::tap {

// The outcome of one client run.
struct ClientRun {
  std::size_t bytes = 0;
  int cycles = 0;
  double cpu_seconds = 0;  // the client thread's (its kernel work included)
  std::string failure;
};

enum class ClientKind {
  BulkSend,         // writes `amount` bytes, then waits for the server's FIN
  BulkReceive,      // reads `amount` bytes, then closes
  SyncLifecycles,   // `amount` lifecycles with blocking calls
  AsyncLifecycles,  // `amount` lifecycles, asynchronously
};

// This thread's CPU time so far, and another thread's of this process (0 if unknown).
double thread_cpu_seconds();
double thread_cpu_seconds(std::thread& t);

// Constructs client `kind` against ip:port on the calling thread, then runs
// it to completion (each client gives up after 60 s); *seconds is the wall
// time of the run, the result's cpu_seconds this thread's CPU time.
ClientRun run_client_here(ClientKind kind, const std::string& ip, std::uint16_t port, std::size_t amount,
                          double* seconds);

}  // namespace synack::bench::tap

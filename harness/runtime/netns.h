// Network namespace and process helpers for the real-time runtime and the
// kernel tests: run a command (fork/exec, no shell), create and delete named
// namespaces (`ip netns add/del`), run commands or a thread inside one, and
// configure the kernel's end of a TAP. Everything a helper creates is
// removed by the guard that owns it, also when a test fails.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "stack/base/result.h"

namespace synack::harness {

struct CommandResult {
  int exit_code = -1;  // -1 when the command could not run or died by a signal
  std::string output;  // stdout and stderr interleaved
};

// Runs argv[0] (looked up in PATH) and waits for it; captures its output.
CommandResult run_command(const std::vector<std::string>& argv);
// Same, inside the named namespace (`ip netns exec NS ...`); empty ns: here.
CommandResult run_in_netns(const std::string& ns, const std::vector<std::string>& argv);
// Whether `program` is found in PATH.
bool have_program(const std::string& program);

bool netns_exists(const std::string& name);

// Owns a named network namespace: create() adds it (or adopts an existing one
// without taking ownership) and the destructor deletes it when it created it.
class NetnsGuard {
 public:
  NetnsGuard() = default;
  static Result<NetnsGuard, std::string> create(const std::string& name, bool adopt_existing = false);
  NetnsGuard(NetnsGuard&& o) noexcept : name_(std::move(o.name_)), owned_(o.owned_) { o.owned_ = false; }
  NetnsGuard& operator=(NetnsGuard&& o) noexcept;
  ~NetnsGuard() { reset(); }
  void reset();  // deletes the namespace now (when owned)
  const std::string& name() const noexcept { return name_; }
  bool owned() const noexcept { return owned_; }

 private:
  std::string name_;
  bool owned_ = false;
};

// Gives the kernel's end of interface `dev` (in namespace `ns`, or here) the
// address `cidr` and brings it and the namespace's loopback up.
Result<void, std::string> configure_kernel_side(const std::string& ns, const std::string& dev,
                                                const std::string& cidr);

// Moves the calling thread into namespace `ns` (for good; empty: no-op).
Result<void, std::string> enter_netns(const std::string& ns);

// Runs `fn` on a new thread that has entered namespace `ns` first, and waits
// for it. Returns an error when the namespace cannot be entered.
Result<void, std::string> run_thread_in_netns(const std::string& ns, const std::function<void()>& fn);

// A child process (optionally inside a namespace) that is killed (SIGTERM,
// then SIGKILL) and reaped when the guard goes away.
class ChildProcess {
 public:
  ChildProcess() = default;
  static Result<ChildProcess, std::string> spawn(const std::string& ns, const std::vector<std::string>& argv,
                                                 const std::string& output_file = "/dev/null");
  ChildProcess(ChildProcess&& o) noexcept : pid_(o.pid_) { o.pid_ = -1; }
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ~ChildProcess() { stop(); }
  pid_t pid() const noexcept { return pid_; }
  // Sends `sig` and waits up to `grace_ms` before SIGKILL; returns the exit
  // code (or -signal) and forgets the child.
  int stop(int sig = 15, int grace_ms = 3000);
  // Waits for the child to exit by itself for at most `timeout_ms`.
  std::optional<int> wait(int timeout_ms);
  bool running() const noexcept { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// A name unique to this process and call site, at most 15 characters, for
// interfaces and namespaces created by tests and commands: PREFIX + pid + n.
std::string unique_name(const std::string& prefix);

}  // namespace synack::harness

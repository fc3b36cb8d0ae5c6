// Namespace and process helpers (see netns.h). Commands run through
// fork/execvp without a shell, so arguments need no quoting.
#include "harness/runtime/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace synack::harness {

namespace {

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> v;
  for (const auto& a : argv) v.push_back(const_cast<char*>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

std::vector<std::string> in_ns(const std::string& ns, const std::vector<std::string>& argv) {
  if (ns.empty()) return argv;
  std::vector<std::string> full{"ip", "netns", "exec", ns};
  full.insert(full.end(), argv.begin(), argv.end());
  return full;
}

// Child side after fork: redirect output and exec; never returns.
[[noreturn]] void exec_child(const std::vector<std::string>& argv, int out_fd) {
  // The parent may hold stop signals blocked during setup; the mask
  // survives exec, so clear it for the child.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (out_fd >= 0) {
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
  }
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, 0);
  ::setpgid(0, 0);
  auto v = c_argv(argv);
  ::execvp(v[0], v.data());
  ::_exit(127);
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv) {
  CommandResult res;
  if (argv.empty()) return res;
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) {
    res.output = std::string("pipe: ") + std::strerror(errno);
    return res;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    res.output = std::string("fork: ") + std::strerror(errno);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    return res;
  }
  if (pid == 0) exec_child(argv, pipefd[1]);
  ::close(pipefd[1]);
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n > 0) res.output.append(buf, static_cast<std::size_t>(n));
    else if (n < 0 && errno == EINTR) continue;
    else break;
  }
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return res;
}

CommandResult run_in_netns(const std::string& ns, const std::vector<std::string>& argv) {
  return run_command(in_ns(ns, argv));
}

bool have_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
  std::size_t start = 0;
  while (start <= p.size()) {
    std::size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string cand = p.substr(start, end - start) + "/" + program;
    if (::access(cand.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

bool netns_exists(const std::string& name) {
  struct stat st{};
  return ::stat(("/var/run/netns/" + name).c_str(), &st) == 0;
}

Result<NetnsGuard, std::string> NetnsGuard::create(const std::string& name, bool adopt_existing) {
  NetnsGuard g;
  g.name_ = name;
  if (netns_exists(name)) {
    if (adopt_existing) return g;
    return Err{"network namespace '" + name + "' exists already"};
  }
  auto r = run_command({"ip", "netns", "add", name});
  if (r.exit_code != 0) {
    std::string out = r.output.substr(0, r.output.find('\n'));
    return Err{"cannot create network namespace '" + name + "': " + (out.empty() ? "ip failed" : out)};
  }
  g.owned_ = true;
  (void)run_in_netns(name, {"ip", "link", "set", "lo", "up"});
  return g;
}

NetnsGuard& NetnsGuard::operator=(NetnsGuard&& o) noexcept {
  if (this != &o) {
    reset();
    name_ = std::move(o.name_);
    owned_ = o.owned_;
    o.owned_ = false;
  }
  return *this;
}

void NetnsGuard::reset() {
  if (owned_) (void)run_command({"ip", "netns", "del", name_});
  owned_ = false;
}

Result<void, std::string> configure_kernel_side(const std::string& ns, const std::string& dev,
                                                const std::string& cidr) {
  auto r = run_in_netns(ns, {"ip", "addr", "replace", cidr, "dev", dev});
  if (r.exit_code != 0)
    return Err{"cannot give " + dev + " the address " + cidr + ": " + r.output.substr(0, r.output.find('\n'))};
  r = run_in_netns(ns, {"ip", "link", "set", dev, "up"});
  if (r.exit_code != 0) return Err{"cannot bring " + dev + " up: " + r.output.substr(0, r.output.find('\n'))};
  if (!ns.empty()) (void)run_in_netns(ns, {"ip", "link", "set", "lo", "up"});
  return {};
}

Result<void, std::string> enter_netns(const std::string& ns) {
  if (ns.empty()) return {};
  int fd = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
    std::string error = "cannot enter network namespace '" + ns + "': " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return Err{error};
  }
  ::close(fd);
  return {};
}

Result<void, std::string> run_thread_in_netns(const std::string& ns, const std::function<void()>& fn) {
  std::string error;
  std::thread t([&] {
    if (auto r = enter_netns(ns); !r) {
      error = r.error();
      return;
    }
    fn();
  });
  t.join();
  if (!error.empty()) return Err{error};
  return {};
}

Result<ChildProcess, std::string> ChildProcess::spawn(const std::string& ns, const std::vector<std::string>& argv,
                                                      const std::string& output_file) {
  auto full = in_ns(ns, argv);
  int out = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return Err{"cannot open " + output_file + ": " + std::strerror(errno)};
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out);
    return Err{std::string("fork: ") + std::strerror(errno)};
  }
  if (pid == 0) exec_child(full, out);
  ::close(out);
  ChildProcess c;
  c.pid_ = pid;
  return c;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    stop();
    pid_ = o.pid_;
    o.pid_ = -1;
  }
  return *this;
}

std::optional<int> ChildProcess::wait(int timeout_ms) {
  if (pid_ <= 0) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return decode_status(status);
    }
    if (r < 0 && errno != EINTR) {
      pid_ = -1;
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int ChildProcess::stop(int sig, int grace_ms) {
  if (pid_ <= 0) return -1;
  // The child leads its own process group (setpgid in exec_child), so the
  // signal also reaches what `ip netns exec` started.
  // One signal only: a second one could arrive after the child restored
  // the default disposition during its own cleanup.
  if (::kill(-pid_, sig) != 0) ::kill(pid_, sig);
  if (auto code = wait(grace_ms)) return *code;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  return wait(5000).value_or(-1);
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<unsigned> counter{0};
  std::string name = prefix + std::to_string(::getpid()) + "x" + std::to_string(counter++);
  if (name.size() > 15) name = name.substr(name.size() - 15);
  return name;
}

}  // namespace synack::harness

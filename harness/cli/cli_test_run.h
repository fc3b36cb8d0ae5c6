// Test support for the `synack` command line: runs a command line either in
// process (the subcommands registered on a CLI::App as harness/cli/main.cc
// does, stdout and stderr captured; fast, and covered by the sanitizers) or
// through the built binary (SYNACK_BINARY_DIR/bin/synack, so main.cc's
// mapping of parse errors to exit 2 is exercised too). Both report the exit
// status, stdout and stderr, so one test body checks both paths.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "harness/cli/command.h"

namespace synack::cli::testing {

enum class Runner { InProcess, Binary };

inline std::string runner_name(const ::testing::TestParamInfo<Runner>& info) {
  return info.param == Runner::InProcess ? "InProcess" : "Binary";
}

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// A fresh directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    path_ = std::filesystem::temp_directory_path() /
            ("synack-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path path_;
};

// What harness/cli/main.cc does, for the subcommands under test.
inline CliRun run_in_process(const std::vector<std::string>& args) {
  CLI::App app{"synack"};
  app.require_subcommand(1);
  std::vector<std::pair<std::string, Action>> actions;
  actions.emplace_back("golden", add_golden_command(app));
  actions.emplace_back("replay", add_replay_command(app));
  std::vector<std::string> storage{"synack"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());

  CliRun r;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    r.status = kExitUsage;
    for (auto& [name, action] : actions)
      if (app.got_subcommand(name)) r.status = action();
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "synack: %s (see synack --help)\n", e.what());
    r.status = kExitUsage;
  }
  std::fflush(stdout);
  r.out = ::testing::internal::GetCapturedStdout();
  r.err = ::testing::internal::GetCapturedStderr();
  return r;
}

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string binary_path() { return std::string(SYNACK_BINARY_DIR) + "/bin/synack"; }

inline CliRun run_binary(const std::vector<std::string>& args) {
  CliRun r;
  if (!std::filesystem::exists(binary_path())) {
    ADD_FAILURE() << binary_path() << " is missing: build the `synack` target";
    return r;
  }
  TempDir tmp("cli-stderr");
  std::string cmd = shell_quote(binary_path());
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " 2>" + shell_quote(tmp / "stderr");
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) {
    ADD_FAILURE() << "popen failed: " << cmd;
    return r;
  }
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = read_text(tmp / "stderr");
  return r;
}

inline CliRun run_cli(Runner how, const std::vector<std::string>& args) {
  return how == Runner::InProcess ? run_in_process(args) : run_binary(args);
}

// For failure messages: the whole run.
inline std::string describe(const CliRun& r) {
  return "exit " + std::to_string(r.status) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

}  // namespace synack::cli::testing

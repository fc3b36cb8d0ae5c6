// `synack conformance [PATH...] [--dut sim,kernel] [--filter GLOB]
// [--jobs N] [--report-dir DIR]`: runs packetdrill scripts against each
// device under test and writes JUnit, JSON and HTML reports. Exit 0 when
// every result is what the suite expects (pass, declared xfail, skip).
#include <fmt/core.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "conformance/report/progress.h"
#include "conformance/report/report.h"
#include "conformance/runner/runner.h"
#include "harness/cli/command.h"

namespace synack::cli {

namespace {
namespace fs = std::filesystem;

struct ConformanceArgs {
  std::vector<std::string> paths;
  std::string duts = "sim,kernel";
  std::string filter;
  unsigned jobs = 2;
  std::string report_dir = "reports";
  bool json = false;
};

struct Job {
  fs::path script;
  fs::path root;
  std::string name;
  std::string dut;
};

// Scripts under each path (files as given, directories recursively), with
// the suite root each one's name is relative to.
std::optional<std::string> collect(const ConformanceArgs& a, std::vector<Job>& out, const std::vector<std::string>& duts) {
  std::vector<std::string> paths = a.paths.empty() ? std::vector<std::string>{"conformance"} : a.paths;
  for (const auto& p : paths) {
    std::error_code ec;
    fs::path path(p);
    if (fs::is_regular_file(path, ec)) {
      for (const auto& d : duts) out.push_back({path, path.parent_path(), path.filename().string(), d});
      continue;
    }
    if (!fs::is_directory(path, ec)) return fmt::format("{}: no such file or directory", p);
    std::vector<fs::path> found;
    for (const auto& e : fs::recursive_directory_iterator(path, ec))
      if (e.is_regular_file() && e.path().extension() == ".pkt") found.push_back(e.path());
    std::sort(found.begin(), found.end());
    for (const auto& f : found) {
      std::string name = fs::relative(f, path).generic_string();
      if (!a.filter.empty() && fnmatch(a.filter.c_str(), name.c_str(), 0) != 0) continue;
      for (const auto& d : duts) out.push_back({f, path, name, d});
    }
  }
  return std::nullopt;
}

int run(const ConformanceArgs& a) {
  std::vector<std::string> duts;
  for (std::size_t start = 0; start <= a.duts.size();) {
    auto end = a.duts.find(',', start);
    std::string d = a.duts.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (d != "sim" && d != "kernel") {
      fmt::print(stderr, "synack conformance: unknown DUT '{}' (sim, kernel)\n", d);
      return kExitUsage;
    }
    duts.push_back(d);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::vector<Job> jobs;
  if (auto err = collect(a, jobs, duts)) {
    fmt::print(stderr, "synack conformance: {}\n", *err);
    return kExitUsage;
  }
  if (jobs.empty()) {
    fmt::print(stderr, "synack conformance: no .pkt scripts matched\n");
    return kExitUsage;
  }
  conformance::Progress progress(std::cout, isatty(STDOUT_FILENO) != 0, jobs.size());
  std::vector<conformance::CaseResult> results(jobs.size());
  std::atomic<std::size_t> next{0};
  std::mutex kernel_lock;  // kernel cases are timing-sensitive: one at a time
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      const Job& j = jobs[i];
      progress.started(j.name, j.dut);
      std::unique_lock<std::mutex> lock(kernel_lock, std::defer_lock);
      if (j.dut == "kernel") lock.lock();
      results[i] = conformance::run_case(conformance::RunOptions{}, j.script, j.root, j.dut);
      progress.finished(results[i]);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::max(1u, a.jobs); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  progress.done();
  if (auto w = conformance::write_reports(results, a.report_dir); !w) {
    fmt::print(stderr, "synack conformance: {}\n", w.error());
    return kExitUsage;
  }
  std::cout << fmt::format("report: {}/index.html (JUnit: {}/junit-<dut>.xml, JSON: {}/summary.json)\n",
                           a.report_dir, a.report_dir, a.report_dir);
  if (a.json) std::cout << conformance::summary_json(results).dump() << "\n";
  bool ok = std::all_of(results.begin(), results.end(), [](const auto& r) { return conformance::as_expected(r.verdict); });
  return ok ? kExitOk : kExitCheckFailed;
}
}  // namespace

Action add_conformance_command(CLI::App& app) {
  auto args = std::make_shared<ConformanceArgs>();
  auto* sub = app.add_subcommand("conformance", "Run packetdrill scripts against synack (sim) and Linux (kernel)");
  sub->add_option("PATH", args->paths, "scripts or directories (default: conformance/)");
  sub->add_option("--dut", args->duts, "comma-separated devices under test: sim, kernel (default both)");
  sub->add_option("--filter", args->filter, "only scripts whose relative name matches this glob");
  sub->add_option("--jobs", args->jobs, "parallel cases (default 2; kernel cases run one at a time)")
      ->check(CLI::Range(1u, 64u));
  sub->add_option("--report-dir", args->report_dir, "where reports go (default reports/)");
  sub->add_flag("--json", args->json, "also print the JSON summary on stdout");
  return [args]() { return run(*args); };
}

}  // namespace synack::cli

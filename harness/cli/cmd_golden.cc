// `synack golden update [NAME...]` re-blesses golden traces after an
// intended change; `synack golden check [NAME...]` re-runs them and reports
// the first difference (exit 1).
#include <fmt/core.h>

#include <fstream>
#include <iterator>
#include <memory>

#include "harness/cli/command.h"
#include "harness/golden/golden.h"

namespace synack::cli {

namespace {
struct GoldenArgs {
  std::vector<std::string> names;
  std::string dir = "corpus/golden";
};

std::vector<const harness::GoldenCase*> select(const std::vector<std::string>& names, bool& ok) {
  std::vector<const harness::GoldenCase*> out;
  ok = true;
  if (names.empty())
    for (const auto& c : harness::golden_cases()) out.push_back(&c);
  for (const auto& n : names) {
    const auto* c = harness::find_golden(n);
    if (!c) {
      fmt::print(stderr, "synack golden: unknown case '{}'\n", n);
      ok = false;
    }
    out.push_back(c);
  }
  return out;
}

bool write_file(const std::string& path, ConstBytes data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(f);
}

int update(const GoldenArgs& a) {
  bool ok = true;
  auto cases = select(a.names, ok);
  if (!ok) return kExitUsage;
  for (const auto* c : cases) {
    Bytes pcap = harness::run_golden(*c);
    std::string base = a.dir + "/" + std::string(c->name);
    std::string txt = harness::golden_summary(pcap);
    if (!write_file(base + ".pcap", pcap) ||
        !write_file(base + ".txt", ConstBytes(reinterpret_cast<const std::uint8_t*>(txt.data()), txt.size()))) {
      fmt::print(stderr, "synack golden: cannot write {}.pcap\n", base);
      return kExitUsage;
    }
    fmt::print("blessed {} ({} bytes)\n", base, pcap.size());
  }
  return kExitOk;
}

int check(const GoldenArgs& a) {
  bool ok = true;
  auto cases = select(a.names, ok);
  if (!ok) return kExitUsage;
  int failed = 0;
  for (const auto* c : cases) {
    std::string path = a.dir + "/" + std::string(c->name) + ".pcap";
    std::ifstream f(path, std::ios::binary);
    if (!f) {
      fmt::print(stderr, "synack golden: cannot read {}\n", path);
      return kExitUsage;
    }
    Bytes golden((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (auto d = harness::golden_diff(golden, harness::run_golden(*c))) {
      ++failed;
      fmt::print("DIFF {}: {}\n  re-run: {}\n", c->name, *d, harness::golden_command(*c));
    } else {
      fmt::print("same {}\n", c->name);
    }
  }
  fmt::print("golden: {} passed, {} failed\n", cases.size() - failed, failed);
  return failed ? kExitCheckFailed : kExitOk;
}
}  // namespace

Action add_golden_command(CLI::App& app) {
  auto args = std::make_shared<GoldenArgs>();
  auto* sub = app.add_subcommand("golden", "Re-bless or check the golden simulation traces in corpus/golden");
  sub->require_subcommand(1);
  auto* up = sub->add_subcommand("update", "re-run the cases and overwrite their pcap and summary");
  auto* ck = sub->add_subcommand("check", "re-run the cases and compare byte for byte");
  for (auto* s : {up, ck}) {
    s->add_option("NAME", args->names, "cases (default: all)");
    s->add_option("--dir", args->dir, "golden directory (default corpus/golden)");
  }
  return [args, up]() { return up->parsed() ? update(*args) : check(*args); };
}

}  // namespace synack::cli

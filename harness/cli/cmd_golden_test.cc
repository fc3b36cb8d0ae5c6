// `synack golden update|check` (harness/cli/cmd_golden.cc), run both in
// process and through the built binary: update writes a pcap and summary
// byte-identical to the committed ones, check passes on the committed set
// and fails (exit 1) naming the case and the first differing frame when a
// golden pcap is altered, and unknown cases or directories are usage errors
// (exit 2).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "harness/cli/cli_test_run.h"
#include "harness/golden/golden.h"
#include "stack/base/bytes.h"

namespace synack::cli {
namespace {

using testing::CliRun;
using testing::describe;
using testing::read_text;
using testing::Runner;
using testing::TempDir;

std::filesystem::path committed() { return harness::golden_dir(SYNACK_SOURCE_DIR); }

class GoldenCli : public ::testing::TestWithParam<Runner> {
 protected:
  CliRun run(const std::vector<std::string>& args) { return testing::run_cli(GetParam(), args); }
};

TEST_P(GoldenCli, UpdateNamedCaseWritesTheCommittedBytes) {
  TempDir dir("golden-update");
  CliRun r = run({"golden", "update", "--dir", dir.path().string(), "handshake-clean"});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_NE(r.out.find("blessed " + (dir / "handshake-clean")), std::string::npos) << describe(r);
  for (const char* ext : {".pcap", ".txt"}) {
    std::string got = read_text(dir / (std::string("handshake-clean") + ext));
    ASSERT_FALSE(got.empty()) << ext;
    EXPECT_TRUE(got == read_text(committed() / (std::string("handshake-clean") + ext))) << ext << " differs";
  }
  // Only the named case is written.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 2);
}

TEST_P(GoldenCli, UpdateWithoutNamesWritesEveryCase) {
  TempDir dir("golden-update-all");
  CliRun r = run({"golden", "update", "--dir", dir.path().string()});
  ASSERT_EQ(r.status, 0) << describe(r);
  for (const auto& c : harness::golden_cases())
    for (const char* ext : {".pcap", ".txt"}) {
      std::string file = std::string(c.name) + ext;
      EXPECT_TRUE(read_text(dir / file) == read_text(committed() / file)) << file << " differs";
    }
}

TEST_P(GoldenCli, CheckPassesOnTheCommittedSet) {
  CliRun r = run({"golden", "check", "--dir", committed().string()});
  ASSERT_EQ(r.status, 0) << describe(r);
  const auto n = harness::golden_cases().size();
  EXPECT_NE(r.out.find("golden: " + std::to_string(n) + " passed, 0 failed"), std::string::npos) << describe(r);
  for (const auto& c : harness::golden_cases())
    EXPECT_NE(r.out.find("same " + std::string(c.name)), std::string::npos) << c.name;
}

// Offset of the first byte of frame `number` (1-based) in a classic pcap.
std::size_t frame_offset(const std::string& pcap, std::size_t number) {
  std::size_t off = 24;  // file header
  // Little-endian magic: d4 c3 b2 a1 (microseconds) or 4d 3c b2 a1 (nanoseconds).
  const bool le = static_cast<std::uint8_t>(pcap[3]) == 0xa1;
  for (std::size_t i = 1; i < number; ++i) {
    ConstBytes rec(reinterpret_cast<const std::uint8_t*>(pcap.data()) + off + 8, 4);
    std::uint32_t incl = le ? (std::uint32_t{rec[0]} | std::uint32_t{rec[1]} << 8 | std::uint32_t{rec[2]} << 16 |
                               std::uint32_t{rec[3]} << 24)
                            : load_be32(rec, 0);
    off += 16 + incl;
  }
  EXPECT_LT(off + 16, pcap.size());
  return off + 16;
}

TEST_P(GoldenCli, CheckFailsOnAnAlteredPcapNamingCaseAndFrame) {
  TempDir dir("golden-check");
  std::filesystem::copy(committed(), dir.path(), std::filesystem::copy_options::recursive);
  std::string pcap = read_text(dir / "handshake-clean.pcap");
  ASSERT_GT(pcap.size(), 200u);
  // Frame 4 (the SYN; 1-3 are ARP): change the IPv4 TTL (after the 14-byte
  // Ethernet header, at IP offset 8). The summary does not show the TTL, so
  // only the byte comparison catches it.
  std::size_t at = frame_offset(pcap, 4) + 14 + 8;
  ASSERT_LT(at, pcap.size());
  pcap[at] = static_cast<char>(pcap[at] ^ 0x01);
  {
    std::ofstream f(dir / "handshake-clean.pcap", std::ios::binary | std::ios::trunc);
    f << pcap;
  }
  CliRun r = run({"golden", "check", "--dir", dir.path().string()});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_NE(r.out.find("DIFF handshake-clean: first difference at frame 4"), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("ip.ttl"), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("re-run: synack simulate handshake"), std::string::npos) << describe(r);
  const auto n = harness::golden_cases().size();
  EXPECT_NE(r.out.find("golden: " + std::to_string(n - 1) + " passed, 1 failed"), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("same ping-clean"), std::string::npos) << describe(r);

  // Checking only an unaltered case passes.
  CliRun one = run({"golden", "check", "--dir", dir.path().string(), "ping-clean"});
  EXPECT_EQ(one.status, 0) << describe(one);
  EXPECT_NE(one.out.find("golden: 1 passed, 0 failed"), std::string::npos) << describe(one);
}

TEST_P(GoldenCli, UnknownCaseIsAUsageError) {
  TempDir dir("golden-unknown");
  for (const char* verb : {"update", "check"}) {
    CliRun r = run({"golden", verb, "--dir", dir.path().string(), "ping-clean", "no-such-case"});
    EXPECT_EQ(r.status, 2) << verb << "\n" << describe(r);
    EXPECT_NE(r.err.find("unknown case 'no-such-case'"), std::string::npos) << verb << "\n" << describe(r);
  }
  // Nothing was written, not even the known case.
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST_P(GoldenCli, MissingGoldenFileIsAUsageError) {
  TempDir dir("golden-missing");
  CliRun r = run({"golden", "check", "--dir", dir.path().string(), "ping-clean"});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_NE(r.err.find("cannot read " + (dir / "ping-clean.pcap")), std::string::npos) << describe(r);
}

TEST_P(GoldenCli, GoldenNeedsAVerb) {
  CliRun r = run({"golden"});
  EXPECT_EQ(r.status, 2) << describe(r);
}

INSTANTIATE_TEST_SUITE_P(Runners, GoldenCli, ::testing::Values(Runner::InProcess, Runner::Binary),
                         testing::runner_name);

}  // namespace
}  // namespace synack::cli

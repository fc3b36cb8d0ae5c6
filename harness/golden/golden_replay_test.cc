// Golden traces re-run byte for byte (label: replay). On a difference the
// failure shows the first differing frame field by field and the command
// that re-runs the case; `synack golden update NAME` re-blesses it.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "harness/golden/golden.h"

namespace synack::harness {
namespace {

Bytes read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, ByteIdentical) {
  const auto* c = find_golden(GetParam());
  ASSERT_NE(c, nullptr);
  auto path = golden_dir(SYNACK_SOURCE_DIR) / (std::string(c->name) + ".pcap");
  Bytes golden = read_file(path);
  ASSERT_FALSE(golden.empty()) << "missing " << path << "; bless it with: synack golden update " << c->name;
  Bytes now = run_golden(*c);
  auto diff = golden_diff(golden, now);
  EXPECT_FALSE(diff) << c->name << ": " << *diff << "\nre-run: " << golden_command(*c)
                     << "\nre-bless after an intended change: synack golden update " << c->name;
}

TEST_P(Golden, SummaryMatchesPcap) {
  const auto* c = find_golden(GetParam());
  auto dir = golden_dir(SYNACK_SOURCE_DIR);
  Bytes pcap = read_file(dir / (std::string(c->name) + ".pcap"));
  Bytes txt = read_file(dir / (std::string(c->name) + ".txt"));
  EXPECT_EQ(std::string(txt.begin(), txt.end()), golden_summary(pcap));
}

std::vector<std::string> names() {
  std::vector<std::string> v;
  for (const auto& c : golden_cases()) v.emplace_back(c.name);
  return v;
}
INSTANTIATE_TEST_SUITE_P(Corpus, Golden, ::testing::ValuesIn(names()),
                         [](const auto& p) {
                           std::string n = p.param;
                           for (auto& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

TEST(GoldenDiff, ExplainsTheFirstDifferingFrame) {
  const auto* c = find_golden("handshake-clean");
  Bytes a = run_golden(*c);
  Bytes b = a;
  // Flip the TCP window of some frame past the pcap header (24 bytes) and
  // the first record header (16 bytes): somewhere inside the frames.
  b[b.size() - 10] ^= 0xff;
  auto d = golden_diff(a, b);
  ASSERT_TRUE(d);
  EXPECT_NE(d->find("first difference at frame"), std::string::npos) << *d;
  EXPECT_FALSE(golden_diff(a, a));
}

TEST(GoldenDeterminism, SameSeedSameBytesOtherSeedOtherBytes) {
  GoldenCase c = *find_golden("udp-faults");
  Bytes x = run_golden(c), y = run_golden(c);
  EXPECT_EQ(x, y);
  c.options.seed += 1;
  EXPECT_NE(x, run_golden(c));
}

}  // namespace
}  // namespace synack::harness

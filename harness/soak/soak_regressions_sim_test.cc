// Replays the soak regression list (corpus/soak-regressions.txt): every
// "PROFILE SEED  # why" line runs through make_soak_case/run_soak_case, the
// code path of `synack soak`, so a seed that once failed stays fixed. A
// failure names the line and the command that replays it.
//
// To add a seed: `synack soak` prints, under each failing seed, the line to
// append ("add to corpus/soak-regressions.txt: hostile 1234  # FAIL: ...");
// append it, fix the bug, and edit the comment to say what the seed caught.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/soak/soak.h"

namespace synack::harness {
namespace {

std::string read_list() {
  std::ifstream in(std::string(SYNACK_SOURCE_DIR) + "/" + std::string(kSoakRegressionFile));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(SoakRegressions, ParserAcceptsTheDocumentedFormat) {
  auto l = parse_soak_regressions(
      "# comment\n\nhostile 42  # why it is here\nrandom 18446744073709551615\n  lossy\t7 #x\r\n");
  EXPECT_TRUE(l.errors.empty());
  ASSERT_EQ(l.entries.size(), 3u);
  EXPECT_EQ(l.entries[0].profile, "hostile");
  EXPECT_EQ(l.entries[0].seed, 42u);
  EXPECT_EQ(l.entries[0].why, "why it is here");
  EXPECT_EQ(l.entries[0].line, 3u);
  EXPECT_EQ(l.entries[1].seed, 18446744073709551615ULL);
  EXPECT_EQ(l.entries[2].profile, "lossy");
  EXPECT_EQ(l.entries[2].seed, 7u);
  auto bad = parse_soak_regressions("nasty 1\nclean\nclean 12x\nclean 18446744073709551616\n");
  EXPECT_TRUE(bad.entries.empty());
  EXPECT_EQ(bad.errors.size(), 4u);
}

TEST(SoakRegressions, LinePrintedBySoakParsesBack) {
  auto c = make_soak_case(1234, "hostile");
  auto line = soak_regression_line(c, "FAIL: something\nwent wrong");
  EXPECT_EQ(line, "hostile 1234  # FAIL: something went wrong");
  auto l = parse_soak_regressions(line);
  ASSERT_EQ(l.entries.size(), 1u);
  EXPECT_EQ(l.entries[0].seed, 1234u);
  EXPECT_EQ(l.entries[0].profile, "hostile");
  EXPECT_EQ(soak_replay_command(c), "synack soak --profile hostile --first 1234 --seeds 1");
}

// The comment of every entry starts with the scenario the seed draws
// ("bulk: ..."): a change to the soak mix that would silently give a listed
// seed another scenario (and so lose what it caught) fails here.
TEST(SoakRegressions, EverySeedKeepsItsScenario) {
  auto list = parse_soak_regressions(read_list());
  for (const auto& e : list.entries) {
    auto colon = e.why.find(':');
    std::string named = e.why.substr(0, colon);
    EXPECT_EQ(make_soak_case(e.seed, e.profile).scenario, named)
        << kSoakRegressionFile << ":" << e.line << ": " << e.profile << " " << e.seed << " (" << e.why << ")";
  }
}

// http is in the mix of every profile (about 1 seed in 6), with its own
// parameters in the replay command, and a case is a pure function of
// (seed, profile).
TEST(SoakRegressions, HttpIsInTheMixOfEveryProfile) {
  for (std::string_view profile : {"clean", "lossy", "hostile", "random"}) {
    int http = 0;
    for (std::uint64_t seed = 1; seed <= 600; ++seed) {
      auto c = make_soak_case(seed, profile);
      auto again = make_soak_case(seed, profile);
      EXPECT_EQ(c.command, again.command);
      EXPECT_EQ(c.scenario, again.scenario);
      if (c.scenario != "http") continue;
      ++http;
      EXPECT_NE(c.command.find("synack simulate http --seed " + std::to_string(seed)), std::string::npos) << c.command;
      EXPECT_NE(c.command.find(" --bytes "), std::string::npos) << c.command;
      EXPECT_NE(c.command.find(" --count "), std::string::npos) << c.command;
    }
    EXPECT_GT(http, 60) << profile;
    EXPECT_LT(http, 140) << profile;
  }
}

// Some handshake cases open many connections at once (16 to 128), in every
// profile, and the replay command says how many.
TEST(SoakRegressions, ManyConnectionsAreInTheHandshakeMix) {
  for (std::string_view profile : {"clean", "lossy", "hostile", "random"}) {
    int many = 0;
    for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
      auto c = make_soak_case(seed, profile);
      if (c.scenario != "handshake") continue;
      EXPECT_LE(c.options.count, 128u);
      if (c.options.count >= 16) {
        ++many;
        EXPECT_NE(c.command.find(" --count " + std::to_string(c.options.count)), std::string::npos) << c.command;
      }
    }
    EXPECT_GT(many, 5) << profile;
  }
}

TEST(SoakRegressions, EverySeedInTheListPasses) {
  std::string text = read_list();
  ASSERT_FALSE(text.empty()) << "cannot read " << SYNACK_SOURCE_DIR << "/" << kSoakRegressionFile;
  auto list = parse_soak_regressions(text);
  for (const auto& e : list.errors) ADD_FAILURE() << e;
  EXPECT_FALSE(list.entries.empty());
  for (const auto& e : list.entries) {
    auto c = make_soak_case(e.seed, e.profile);
    auto o = run_soak_case(c);
    EXPECT_TRUE(o.passed) << kSoakRegressionFile << ":" << e.line << ": " << e.profile << " " << e.seed << " ("
                          << e.why << "): " << o.verdict << "\n  replay: " << soak_replay_command(c)
                          << "\n  scenario: " << c.command;
  }
}

}  // namespace
}  // namespace synack::harness

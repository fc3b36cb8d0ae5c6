// The JSON summary and the report directory writer.
#include "conformance/report/report.h"

#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "conformance/report/test_cases.h"
#include "conformance/report/text.h"

namespace synack::conformance {
namespace {

using testing::handshake;
using ::testing::HasSubstr;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<CaseResult> mixed() {
  std::vector<CaseResult> rs{handshake("sim", Verdict::Pass), handshake("kernel", Verdict::XFail)};
  CaseResult rst = handshake("sim", Verdict::Fail);
  rst.name = "tcp/rst_closed_port.pkt";
  rst.rfc = "RFC 9293 §3.10.7.1";
  rs.push_back(rst);
  CaseResult skipped = rst;
  skipped.dut = "kernel";
  skipped.verdict = Verdict::Skip;
  skipped.message = "needs root";
  rs.push_back(skipped);
  return rs;
}

TEST(SummaryJson, TotalsPerDutAndRfc) {
  const auto j = summary_json(mixed());
  EXPECT_FALSE(j["ok"].get<bool>());
  EXPECT_EQ(j["totals"]["total"], 4);
  EXPECT_EQ(j["totals"]["pass"], 1);
  EXPECT_EQ(j["totals"]["fail"], 1);
  EXPECT_EQ(j["totals"]["xfail"], 1);
  EXPECT_EQ(j["totals"]["skip"], 1);
  EXPECT_EQ(j["totals"]["xpass"], 0);
  EXPECT_EQ(j["totals"]["error"], 0);
  EXPECT_EQ(j["duts"]["sim"]["total"], 2);
  EXPECT_EQ(j["duts"]["sim"]["fail"], 1);
  EXPECT_EQ(j["duts"]["kernel"]["xfail"], 1);
  EXPECT_EQ(j["duts"]["kernel"]["skip"], 1);
  EXPECT_EQ(j["rfcs"]["RFC 9293 §3.5"]["total"], 2);
  EXPECT_EQ(j["rfcs"]["RFC 9293 §3.5"]["duts"]["kernel"]["xfail"], 1);
  EXPECT_EQ(j["rfcs"]["RFC 9293 §3.10.7.1"]["fail"], 1);
}

TEST(SummaryJson, PerCaseFields) {
  const auto j = summary_json(mixed());
  ASSERT_EQ(j["cases"].size(), 4u);
  const auto& c = j["cases"][2];
  EXPECT_EQ(c["name"], "tcp/rst_closed_port.pkt");
  EXPECT_EQ(c["dut"], "sim");
  EXPECT_EQ(c["rfc"], "RFC 9293 §3.10.7.1");
  EXPECT_EQ(c["file"], "conformance/tcp/passive_open_handshake.pkt");
  EXPECT_EQ(c["verdict"], "fail");
  EXPECT_EQ(c["message"], "missing option mss");
  EXPECT_EQ(c["line"], 9);
  EXPECT_EQ(c["expected"], "S. 0:0(0) ack 1 <mss 1460>");
  EXPECT_EQ(c["actual"], "S. 0:0(0) ack 1 win 65535");
  EXPECT_DOUBLE_EQ(c["seconds"].get<double>(), 0.0125);
  EXPECT_EQ(c["packets"], 3);
  EXPECT_EQ(c["calls"], 2);
}

TEST(SummaryJson, OkWhenEverythingAsExpected) {
  auto rs = mixed();
  rs.erase(rs.begin() + 2);
  EXPECT_TRUE(summary_json(rs)["ok"].get<bool>());
  rs.push_back(handshake("sim", Verdict::XPass));
  EXPECT_FALSE(summary_json(rs)["ok"].get<bool>());
  const auto empty = summary_json({});
  EXPECT_TRUE(empty["ok"].get<bool>());
  EXPECT_EQ(empty["totals"]["total"], 0);
  EXPECT_TRUE(empty["cases"].is_array());
}

TEST(SummaryJson, InvalidUtf8IsReplacedNotThrown) {
  CaseResult r = handshake("sim", Verdict::Fail);
  r.message = "bad \xff byte";
  r.rfc = "\xc3";
  const auto j = summary_json({r});
  EXPECT_NO_THROW((void)j.dump());
  EXPECT_EQ(j["cases"][0]["message"], "bad \xEF\xBF\xBD byte");
}

class ReportDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("synack_report_test_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ReportDir, WritesEveryFile) {
  auto rs = mixed();
  for (auto& r : rs) r.file = std::string(SYNACK_SOURCE_DIR) + "/" + r.file;  // independent of the cwd
  const auto res = write_reports(rs, dir_ / "nested" / "out");
  ASSERT_TRUE(res.ok()) << res.error();
  const auto out = dir_ / "nested" / "out";
  for (const char* f : {"junit-sim.xml", "junit-kernel.xml", "summary.json", "index.html",
                        "pcaps/sim/tcp/passive_open_handshake.pcap", "pcaps/kernel/tcp/passive_open_handshake.pcap",
                        "pcaps/sim/tcp/rst_closed_port.pcap", "pcaps/kernel/tcp/rst_closed_port.pcap"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(out / f)) << f;
  }
  const std::string pcap = slurp(out / "pcaps/sim/tcp/passive_open_handshake.pcap");
  EXPECT_EQ(Bytes(pcap.begin(), pcap.end()), rs[0].pcap);
  const auto j = nlohmann::json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(j, summary_json(rs));
  EXPECT_TRUE(testing::balanced_tags(slurp(out / "junit-sim.xml")));
  const std::string html = slurp(out / "index.html");
  EXPECT_THAT(html, HasSubstr("<a href=\"pcaps/kernel/tcp/rst_closed_port.pcap\">"));
  // The script text came from disk: the suite's own file.
  EXPECT_THAT(html, HasSubstr("A listener answers a SYN with SYN,ACK"));
}

TEST_F(ReportDir, UnwritableDirectoryIsAOneLineError) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  const auto res = write_reports(mixed(), dir_ / "file" / "sub");
  ASSERT_FALSE(res.ok());
  EXPECT_THAT(res.error(), HasSubstr("cannot create report directory"));
  EXPECT_EQ(res.error().find('\n'), std::string::npos);
  const auto res2 = write_reports(mixed(), dir_ / "file");
  ASSERT_FALSE(res2.ok());
  EXPECT_THAT(res2.error(), HasSubstr("file"));
}

}  // namespace
}  // namespace synack::conformance

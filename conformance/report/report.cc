// JSON summary and the report directory writer (see report.h).
#include "conformance/report/report.h"

#include <fmt/core.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <system_error>
#include <utility>

#include "conformance/report/text.h"

namespace synack::conformance {
namespace {

nlohmann::json counts(const Tally& t) {
  return {{"total", t.total()}, {"pass", t.pass},   {"fail", t.fail}, {"xfail", t.xfail},
          {"xpass", t.xpass},   {"skip", t.skip},   {"error", t.error}};
}

nlohmann::json case_json(const CaseResult& r) {
  const double seconds = std::isfinite(r.seconds) && r.seconds > 0 ? r.seconds : 0.0;
  return {{"name", valid_utf8(r.name)},
          {"dut", valid_utf8(r.dut)},
          {"rfc", valid_utf8(r.rfc)},
          {"file", valid_utf8(r.file)},
          {"verdict", to_string(r.verdict)},
          {"message", valid_utf8(r.message)},
          {"line", r.line},
          {"expected", valid_utf8(r.expected)},
          {"actual", valid_utf8(r.actual)},
          {"seconds", seconds},
          {"packets", r.packets.size()},
          {"calls", r.calls.size()}};
}

// Writes a file whole; the error names the path and the reason.
Result<void, std::string> write_file(const std::filesystem::path& path,
                                     const std::function<void(std::ostream&)>& body) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return Err{fmt::format("cannot create directory {}: {}", path.parent_path().string(), ec.message())};
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Err{fmt::format("cannot write {}", path.string())};
  body(out);
  out.flush();
  if (!out) return Err{fmt::format("cannot write {}: write failed", path.string())};
  return {};
}

}  // namespace

nlohmann::json summary_json(const std::vector<CaseResult>& results) {
  Tally all;
  std::map<std::string, Tally> duts;
  std::map<std::string, Tally> rfcs;
  std::map<std::string, std::map<std::string, Tally>> rfc_duts;
  nlohmann::json cases = nlohmann::json::array();
  for (const auto& r : results) {
    const std::string dut = valid_utf8(r.dut);
    const std::string rfc = valid_utf8(rfc_label(r));
    all.add(r.verdict);
    duts[dut].add(r.verdict);
    rfcs[rfc].add(r.verdict);
    rfc_duts[rfc][dut].add(r.verdict);
    cases.push_back(case_json(r));
  }
  nlohmann::json j;
  j["ok"] = all.failed() == 0;
  j["totals"] = counts(all);
  j["duts"] = nlohmann::json::object();
  for (const auto& [dut, t] : duts) j["duts"][dut] = counts(t);
  j["rfcs"] = nlohmann::json::object();
  for (const auto& [rfc, t] : rfcs) {
    nlohmann::json entry = counts(t);
    for (const auto& [dut, dt] : rfc_duts[rfc]) entry["duts"][dut] = counts(dt);
    j["rfcs"][rfc] = std::move(entry);
  }
  j["cases"] = std::move(cases);
  return j;
}

Result<void, std::string> write_reports(const std::vector<CaseResult>& results, const std::filesystem::path& dir) {
  return write_reports(results, dir, HtmlOptions{});
}

Result<void, std::string> write_reports(const std::vector<CaseResult>& results, const std::filesystem::path& dir,
                                        HtmlOptions html) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Err{fmt::format("cannot create report directory {}: {}", dir.string(), ec.message())};
  if (!std::filesystem::is_directory(dir, ec)) {
    return Err{fmt::format("cannot create report directory {}: not a directory", dir.string())};
  }
  for (const auto& dut : distinct_duts(results)) {
    auto res = write_file(dir / ("junit-" + safe_component(dut) + ".xml"),
                          [&](std::ostream& out) { write_junit(results, dut, out); });
    if (!res) return res;
  }
  auto res = write_file(dir / "summary.json", [&](std::ostream& out) {
    out << summary_json(results).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  });
  if (!res) return res;
  for (const auto& r : results) {
    if (r.pcap.empty()) continue;
    res = write_file(dir / pcap_relative_path(r), [&](std::ostream& out) {
      out.write(reinterpret_cast<const char*>(r.pcap.data()), static_cast<std::streamsize>(r.pcap.size()));
    });
    if (!res) return res;
  }
  html.link_pcap_files = true;
  return write_file(dir / "index.html", [&](std::ostream& out) { write_html(results, html, out); });
}

}  // namespace synack::conformance

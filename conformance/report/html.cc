// HTML report writer (see html.h).
#include "conformance/report/html.h"

#include <fmt/core.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string_view>
#include <utility>

#include "conformance/report/ladder.h"
#include "conformance/report/text.h"

namespace synack::conformance {
namespace {

constexpr std::size_t kMaxScriptBytes = 256 * 1024;

constexpr std::string_view kStyle = R"css(
:root{color-scheme:light dark;--bg:#fafafa;--fg:#1d1f21;--muted:#666;--line:#d0d0d0;--panel:#fff;
--pass:#2e9e4f;--fail:#d93a3a;--xfail:#c98a12;--xpass:#c2185b;--skip:#8a8a8a;--error:#7b4fc9;--hl:#ffe3e3}
@media (prefers-color-scheme:dark){:root{--bg:#17191c;--fg:#d8dadd;--muted:#9aa0a6;--line:#3a3d42;
--panel:#1f2226;--hl:#4a2326}}
body{background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,sans-serif;margin:0 auto;
max-width:1100px;padding:1em 1.5em}
a{color:inherit}h1{font-size:1.5em}h2{border-bottom:1px solid var(--line);padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid var(--line);padding:.25em .6em;
text-align:left;vertical-align:top}th{background:var(--panel)}
code,pre,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
.v{font-weight:600;text-align:center;text-transform:uppercase;color:#fff}.v a{text-decoration:none;display:block}
.v-pass{background:var(--pass)}.v-fail{background:var(--fail)}.v-xfail{background:var(--xfail)}
.v-xpass{background:var(--xpass)}.v-skip{background:var(--skip)}.v-error{background:var(--error)}
.v-none{background:transparent;color:var(--muted)}
.badge{border-radius:3px;padding:.05em .45em;font-size:.8em;margin-left:.4em;vertical-align:middle}
.ok{color:var(--pass);font-weight:600}.bad{color:var(--fail);font-weight:600}
.case{background:var(--panel);border:1px solid var(--line);border-radius:6px;margin:1em 0;padding:.2em 1em 1em}
.meta{color:var(--muted)}.mismatch{border-left:4px solid var(--fail);padding:.2em .8em;margin:.6em 0}
.mismatch dt{font-weight:600;float:left;width:6em}.mismatch dd{margin-left:6.5em}
pre.script{background:var(--bg);border:1px solid var(--line);padding:.4em 0;overflow-x:auto}
pre.script span.l{display:block;padding:0 .6em;white-space:pre}
pre.script span.n{display:inline-block;width:3.5em;color:var(--muted);user-select:none}
pre.script span.hl{background:var(--hl);font-weight:600}
details{margin:.5em 0}summary{cursor:pointer;font-weight:600}
svg.ladder{max-width:100%;height:auto;color:var(--fg)}
)css";

std::string verdict_class(Verdict v) { return fmt::format("v v-{}", to_string(v)); }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::optional<std::string> read_script(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

// Script texts by file, fetched once each.
class ScriptCache {
 public:
  explicit ScriptCache(const HtmlOptions& o) : options_(o) {}
  const std::optional<std::string>& get(const std::string& file) {
    auto it = cache_.find(file);
    if (it != cache_.end()) return it->second;
    std::optional<std::string> text;
    if (!file.empty()) text = options_.script_text ? options_.script_text(file) : read_script(file);
    return cache_.emplace(file, std::move(text)).first->second;
  }

 private:
  const HtmlOptions& options_;
  std::map<std::string, std::optional<std::string>> cache_;
};

void write_head(const std::vector<CaseResult>& results, const HtmlOptions& o, std::ostream& out) {
  const Tally t = tally(results);
  const bool ok = t.failed() == 0;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>" << xml_escape(o.title)
      << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>" << xml_escape(o.title) << "</h1>\n";
  out << fmt::format(
      "<p class=\"summary\"><span class=\"{}\">{}</span> &mdash; {} results on {} DUT(s): {} passed, {} failed, "
      "{} xfail, {} xpass, {} skipped, {} errors.</p>\n",
      ok ? "ok" : "bad", ok ? "OK" : "FAILED", t.total(), distinct_duts(results).size(), t.pass, t.fail, t.xfail,
      t.xpass, t.skip, t.error);
}

void write_matrix(const std::vector<CaseResult>& results, std::ostream& out) {
  const auto duts = distinct_duts(results);
  std::map<std::pair<std::string, std::string>, std::size_t> index;  // (name, dut) -> first result
  for (std::size_t i = 0; i < results.size(); ++i) index.emplace(std::pair{results[i].name, results[i].dut}, i);
  out << "<h2 id=\"matrix\">Cases &times; DUTs</h2>\n<table class=\"matrix\">\n<thead><tr><th>case</th><th>RFC</th>";
  for (const auto& d : duts) out << "<th>" << xml_escape(d) << "</th>";
  out << "</tr></thead>\n<tbody>\n";
  for (const auto& name : distinct_names(results)) {
    std::string rfc;
    for (const auto& d : duts) {
      auto it = index.find({name, d});
      if (it != index.end() && rfc.empty()) rfc = results[it->second].rfc;
    }
    out << "<tr><td class=\"mono\">" << xml_escape(name) << "</td><td>" << xml_escape(rfc) << "</td>";
    for (const auto& d : duts) {
      auto it = index.find({name, d});
      if (it == index.end()) {
        out << "<td class=\"v v-none\">&ndash;</td>";
        continue;
      }
      const CaseResult& r = results[it->second];
      out << "<td class=\"" << verdict_class(r.verdict) << "\"";
      if (!r.message.empty()) out << " title=\"" << xml_escape(r.message, true) << "\"";
      out << "><a href=\"#" << case_anchor(it->second) << "\">" << to_string(r.verdict) << "</a></td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody>\n</table>\n";
}

std::string tally_cell(const Tally& t) {
  const std::size_t good = t.pass + t.xfail + t.skip;
  const std::string detail = fmt::format("{} pass, {} fail, {} xfail, {} xpass, {} skip, {} error", t.pass,
                                         t.fail, t.xfail, t.xpass, t.skip, t.error);
  return fmt::format("<td class=\"{}\" title=\"{}\">{}/{}</td>", t.failed() == 0 ? "ok" : "bad", detail, good,
                     t.total());
}

void write_rfc_table(const std::vector<CaseResult>& results, std::ostream& out) {
  const auto duts = distinct_duts(results);
  std::vector<std::string> rfcs;
  std::map<std::string, std::map<std::string, Tally>> by_rfc;  // rfc -> dut -> tally
  std::map<std::string, Tally> rfc_total;
  for (const auto& r : results) {
    const std::string label = rfc_label(r);
    if (by_rfc.find(label) == by_rfc.end()) rfcs.push_back(label);
    by_rfc[label][r.dut].add(r.verdict);
    rfc_total[label].add(r.verdict);
  }
  out << "<h2 id=\"rfcs\">By RFC</h2>\n<p class=\"meta\">As expected (pass, xfail or skip) / total.</p>\n"
      << "<table class=\"rfcs\">\n<thead><tr><th>RFC</th>";
  for (const auto& d : duts) out << "<th>" << xml_escape(d) << "</th>";
  out << "<th>all</th><th>pass</th><th>fail</th><th>xfail</th><th>xpass</th><th>skip</th><th>error</th>"
      << "</tr></thead>\n<tbody>\n";
  for (const auto& rfc : rfcs) {
    out << "<tr><td>" << xml_escape(rfc) << "</td>";
    for (const auto& d : duts) {
      auto it = by_rfc[rfc].find(d);
      out << (it == by_rfc[rfc].end() ? std::string("<td>&ndash;</td>") : tally_cell(it->second));
    }
    const Tally& t = rfc_total[rfc];
    out << tally_cell(t)
        << fmt::format("<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", t.pass,
                       t.fail, t.xfail, t.xpass, t.skip, t.error);
  }
  out << "</tbody>\n</table>\n";
}

void write_mismatch(const CaseResult& r, std::ostream& out) {
  if (r.verdict == Verdict::Pass && r.message.empty()) return;
  const bool failing = !as_expected(r.verdict);
  out << "<div class=\"mismatch\"" << (failing ? "" : " style=\"border-color:var(--skip)\"") << ">\n";
  if (r.verdict == Verdict::XPass) out << "<p>Passed although an xfail entry says it should fail.</p>\n";
  if (!r.message.empty()) out << "<p>" << xml_escape(r.message) << "</p>\n";
  if (r.line > 0 || !r.expected.empty() || !r.actual.empty()) {
    out << "<dl>";
    if (r.line > 0) out << "<dt>line</dt><dd>" << r.line << "</dd>";
    if (!r.expected.empty()) out << "<dt>expected</dt><dd><code>" << xml_escape(r.expected) << "</code></dd>";
    if (!r.actual.empty()) out << "<dt>actual</dt><dd><code>" << xml_escape(r.actual) << "</code></dd>";
    out << "</dl>\n";
  }
  out << "</div>\n";
}

void write_script(const CaseResult& r, ScriptCache& scripts, bool open, std::ostream& out) {
  const std::optional<std::string>& text = scripts.get(r.file);
  out << "<details" << (open ? " open" : "") << "><summary>Script <span class=\"meta mono\">"
      << xml_escape(r.file) << "</span></summary>\n";
  if (!text) {
    out << "<p class=\"meta\">The script text is not available.</p>\n</details>\n";
    return;
  }
  std::string_view s = *text;
  const bool cut = s.size() > kMaxScriptBytes;
  if (cut) s = s.substr(0, kMaxScriptBytes);
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  out << "<pre class=\"script\">";
  int n = 1;
  for (std::size_t start = 0; start <= s.size(); ++n) {
    const std::size_t nl = s.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? s.size() : nl;
    std::string_view line = s.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out << "<span class=\"l" << (n == r.line ? " hl" : "") << "\"><span class=\"n\">" << n << "</span>"
        << xml_escape(line) << "</span>";
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out << "</pre>\n";
  if (cut) out << fmt::format("<p class=\"meta\">(script cut at {} bytes)</p>\n", kMaxScriptBytes);
  out << "</details>\n";
}

void write_calls(const CaseResult& r, std::ostream& out) {
  out << "<details><summary>Syscalls (" << r.calls.size() << ")</summary>\n";
  if (r.calls.empty()) {
    out << "<p class=\"meta\">No syscalls.</p>\n</details>\n";
    return;
  }
  out << "<table class=\"calls\"><thead><tr><th>time (s)</th><th>line</th><th>call</th></tr></thead><tbody>\n";
  for (const auto& c : r.calls) {
    const bool hl = c.script_line > 0 && c.script_line == r.line && r.verdict != Verdict::Pass;
    out << "<tr" << (hl ? " class=\"bad\"" : "") << "><td class=\"mono\">" << format_offset_us(c.t_us)
        << "</td><td>" << (c.script_line > 0 ? std::to_string(c.script_line) : "") << "</td><td class=\"mono\">"
        << xml_escape(c.text) << "</td></tr>\n";
  }
  out << "</tbody></table>\n</details>\n";
}

std::string download_name(const CaseResult& r) {
  std::string name = r.name;
  if (name.size() > 4 && name.ends_with(".pkt")) name.resize(name.size() - 4);
  return safe_component(r.dut + "-" + name) + ".pcap";
}

void write_pcap(const CaseResult& r, const HtmlOptions& o, std::ostream& out) {
  out << "<p class=\"pcap\">";
  if (r.pcap.empty()) {
    out << "<span class=\"meta\">No capture.</span></p>\n";
    return;
  }
  const std::string what = fmt::format("{} packets, {} bytes", r.packets.size(), r.pcap.size());
  if (r.pcap.size() <= o.max_embedded_pcap) {
    out << "<a download=\"" << xml_escape(download_name(r), true)
        << "\" href=\"data:application/vnd.tcpdump.pcap;base64," << base64_encode(r.pcap)
        << "\">Download the capture</a> <span class=\"meta\">(" << what << ")</span>";
  } else {
    out << fmt::format("<span class=\"meta\">The capture ({}) is larger than {} KiB and is not embedded.</span>",
                       what, o.max_embedded_pcap / 1024);
  }
  if (o.link_pcap_files) {
    out << " <a href=\"" << xml_escape(pcap_relative_path(r), true) << "\">"
        << xml_escape(pcap_relative_path(r)) << "</a>";
  }
  out << "</p>\n";
}

void write_case(const CaseResult& r, std::size_t index, const HtmlOptions& o, ScriptCache& scripts,
                std::ostream& out) {
  const bool open = !as_expected(r.verdict);
  out << "<section class=\"case\" id=\"" << case_anchor(index) << "\">\n<h3><span class=\"mono\">"
      << xml_escape(r.name) << "</span> on " << xml_escape(r.dut) << "<span class=\"badge "
      << verdict_class(r.verdict) << "\">" << upper(to_string(r.verdict)) << "</span></h3>\n";
  out << "<p class=\"meta\">" << xml_escape(rfc_label(r)) << " &middot; " << format_seconds(r.seconds) << " &middot; "
      << r.packets.size() << " packets &middot; <a href=\"#matrix\">back to the matrix</a></p>\n";
  write_mismatch(r, out);
  write_script(r, scripts, open, out);
  out << "<details" << (open ? " open" : "") << "><summary>Ladder diagram</summary>\n" << ladder_svg(r)
      << "\n</details>\n";
  write_calls(r, out);
  write_pcap(r, o, out);
  out << "</section>\n";
}

}  // namespace

std::string case_anchor(std::size_t index) { return fmt::format("case-{}", index); }

void write_html(const std::vector<CaseResult>& results, const HtmlOptions& options, std::ostream& out) {
  write_head(results, options, out);
  if (results.empty()) {
    out << "<p>No cases were run.</p>\n</body>\n</html>\n";
    return;
  }
  write_matrix(results, out);
  write_rfc_table(results, out);
  out << "<h2 id=\"cases\">Cases</h2>\n";
  ScriptCache scripts(options);
  for (std::size_t i = 0; i < results.size(); ++i) write_case(results[i], i, options, scripts, out);
  out << "<p class=\"meta\">Generated by synack conformance.</p>\n</body>\n</html>\n";
}

}  // namespace synack::conformance

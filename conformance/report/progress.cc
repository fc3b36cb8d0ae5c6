// Progress display (see progress.h).
#include "conformance/report/progress.h"

#include <fmt/core.h>

#include <algorithm>

namespace synack::conformance {
namespace {

constexpr std::size_t kBarWidth = 16;
constexpr std::size_t kMaxMessage = 200;  // characters of a message on a result line

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// A message on one line: newlines and tabs become spaces.
std::string one_line(std::string_view s) {
  std::string out(s.substr(0, std::min(s.size(), kMaxMessage)));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (s.size() > kMaxMessage) out += "...";
  return out;
}

}  // namespace

std::string totals_line(const Tally& t) {
  std::string line = fmt::format("conformance: {} passed, {} failed", t.pass, t.failed());
  if (t.xfail + t.skip + t.error > 0) {
    line += fmt::format(", {} xfail, {} skipped, {} errors", t.xfail, t.skip, t.error);
  }
  return line;
}

std::string result_line(const CaseResult& r) {
  std::string line =
      fmt::format("{} {} {} ({})", upper(to_string(r.verdict)), r.dut, r.name, format_seconds(r.seconds));
  if (r.verdict != Verdict::Pass && !r.message.empty()) {
    line += ": ";
    if (r.line > 0 && (r.verdict == Verdict::Fail || r.verdict == Verdict::XPass)) {
      line += fmt::format("line {}: ", r.line);
    }
    line += one_line(r.message);
  }
  return line;
}

Progress::Progress(std::ostream& out, bool is_tty, std::size_t total) : out_(out), tty_(is_tty), total_(total) {}

void Progress::started(std::string_view name, std::string_view dut) {
  std::lock_guard lock(mutex_);
  ++running_;
  current_ = fmt::format("{} ({})", name, dut);
  if (tty_) redraw();
}

void Progress::finished(const CaseResult& r) {
  std::lock_guard lock(mutex_);
  if (running_ > 0) --running_;
  tally_.add(r.verdict);
  if (!tty_) {
    out_ << result_line(r) << '\n';
    out_.flush();
    return;
  }
  // On a terminal only the results that need attention get their own line.
  if (!as_expected(r.verdict)) {
    clear_line();
    out_ << result_line(r) << '\n';
  }
  redraw();
}

void Progress::done() {
  std::lock_guard lock(mutex_);
  if (done_) return;
  done_ = true;
  if (tty_) clear_line();
  out_ << totals_line(tally_) << '\n';
  out_.flush();
}

void Progress::clear_line() { out_ << "\r\x1b[K"; }

void Progress::redraw() {
  const std::size_t finished = tally_.total();
  const std::size_t total = std::max(total_, finished);
  const std::size_t filled = total == 0 ? kBarWidth : finished * kBarWidth / total;
  std::string bar(filled, '#');
  bar.resize(kBarWidth, '.');
  std::string line = fmt::format("[{}] {}/{} pass {} fail {} xfail {} skip {}", bar, finished, total,
                                 tally_.pass, tally_.failed(), tally_.xfail, tally_.skip);
  if (running_ > 0) {
    // Keep the line within 80 columns: a wrapped line defeats \r.
    constexpr std::size_t kMaxCurrent = 22;
    const std::size_t n = current_.size();
    line += " | " + (n > kMaxCurrent ? "..." + current_.substr(n - kMaxCurrent) : current_);
  }
  clear_line();
  out_ << line;
  out_.flush();
}

}  // namespace synack::conformance

// SVG ladder diagram (see ladder.h).
#include "conformance/report/ladder.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "conformance/report/text.h"

namespace synack::conformance {
namespace {

constexpr int kWidth = 760;
constexpr int kLeftX = 150;   // the script peer's timeline
constexpr int kRightX = 700;  // the DUT's timeline
constexpr int kTop = 44;      // first row
constexpr int kRow = 30;      // row pitch
constexpr std::size_t kMaxLabel = 80;  // characters shown on an arrow (full text in <title>)

constexpr std::string_view kInjectedColour = "#2f7fd8";
constexpr std::string_view kDutColour = "#d9822b";
constexpr std::string_view kMismatchColour = "#d93a3a";

// One row of the diagram: a packet or a call, in time order.
struct Event {
  std::int64_t t_us;
  const PacketRecord* packet;  // exactly one of packet / call is set
  const CallRecord* call;
};

// Merges packets and calls (each recorded in time order) by time; at equal
// times the one with the earlier script line goes first (a connect() before
// its SYN), else packets before calls, as recorded.
std::vector<Event> events_of(const CaseResult& r) {
  std::vector<Event> ev;
  ev.reserve(r.packets.size() + r.calls.size());
  std::size_t i = 0, k = 0;
  while (i < r.packets.size() || k < r.calls.size()) {
    bool take_call = i == r.packets.size();
    if (!take_call && k < r.calls.size()) {
      const PacketRecord& p = r.packets[i];
      const CallRecord& c = r.calls[k];
      take_call = c.t_us < p.t_us ||
                  (c.t_us == p.t_us && c.script_line > 0 && p.script_line > 0 && c.script_line < p.script_line);
    }
    if (take_call) {
      ev.push_back({r.calls[k].t_us, nullptr, &r.calls[k]});
      ++k;
    } else {
      ev.push_back({r.packets[i].t_us, &r.packets[i], nullptr});
      ++i;
    }
  }
  return ev;
}

std::string shorten(std::string_view s) {
  // Count code points roughly by skipping UTF-8 continuation bytes.
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars == kMaxLabel) return std::string(s.substr(0, i)) + "\xE2\x80\xA6";  // …
    ++chars;
  }
  return std::string(s);
}

bool is_mismatch(const CaseResult& r, int script_line) {
  return r.line > 0 && script_line == r.line && r.verdict != Verdict::Pass;
}

void draw_packet(std::string& svg, const CaseResult& r, const PacketRecord& p, int y) {
  const bool hl = is_mismatch(r, p.script_line);
  const std::string_view colour = hl ? kMismatchColour : (p.from_dut ? kDutColour : kInjectedColour);
  const int from = p.from_dut ? kRightX : kLeftX;
  const int to = p.from_dut ? kLeftX : kRightX;
  const int dir = to > from ? 1 : -1;
  const std::string title = fmt::format("{} {}{}", p.from_dut ? "DUT sent" : "injected", p.summary,
                                        p.script_line > 0 ? fmt::format(" (script line {})", p.script_line) : "");
  svg += fmt::format("<g><title>{}</title>", xml_escape(title));
  if (hl) {
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.15\"/>",
                       kLeftX - 4, y - kRow + 8, kRightX - kLeftX + 8, kRow - 2, kMismatchColour);
  }
  svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>", from, y,
                     to - dir * 8, y, colour, hl ? 2.5 : 1.5);
  svg += fmt::format("<polygon points=\"{},{} {},{} {},{}\" fill=\"{}\"/>", to, y, to - dir * 10, y - 4,
                     to - dir * 10, y + 4, colour);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
                     (kLeftX + kRightX) / 2, y - 5, hl ? kMismatchColour : "currentColor",
                     xml_escape(shorten(p.summary.empty() ? std::string("(no summary)") : p.summary)));
  if (p.script_line > 0) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" fill-opacity=\"0.6\">L{}</text>", kRightX + 8,
                       y + 4, p.script_line);
  }
  svg += "</g>";
}

void draw_call(std::string& svg, const CaseResult& r, const CallRecord& c, int y) {
  const bool hl = is_mismatch(r, c.script_line);
  svg += fmt::format("<g><title>{}</title>", xml_escape(c.text));
  svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>", kRightX, y - 4,
                     hl ? kMismatchColour : "#888888");
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-style=\"italic\" fill=\"{}\"{}>{}</text>",
                     kRightX - 8, y, hl ? kMismatchColour : "#888888", hl ? " font-weight=\"bold\"" : "",
                     xml_escape(shorten(c.text)));
  if (c.script_line > 0) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" fill-opacity=\"0.6\">L{}</text>", kRightX + 8, y, c.script_line);
  }
  svg += "</g>";
}

}  // namespace

std::string ladder_svg(const CaseResult& r) {
  const std::vector<Event> ev = events_of(r);
  const int rows = std::max<int>(1, static_cast<int>(ev.size()));
  const int height = kTop + rows * kRow + 16;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"ui-monospace,Menlo,Consolas,monospace\" font-size=\"11\" "
      "role=\"img\" aria-label=\"{2}\">",
      kWidth, height, xml_escape("ladder diagram of " + r.name + " on " + r.dut, true));
  svg += fmt::format("<text x=\"{}\" y=\"16\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"{}\">script</text>",
                     kLeftX, kInjectedColour);
  svg += fmt::format("<text x=\"{}\" y=\"16\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"{}\">{}</text>",
                     kRightX, kDutColour, xml_escape("DUT (" + r.dut + ")"));
  svg += "<text x=\"8\" y=\"16\" fill-opacity=\"0.6\">time (s)</text>";
  for (const int x : {kLeftX, kRightX}) {
    svg += fmt::format("<line x1=\"{0}\" y1=\"24\" x2=\"{0}\" y2=\"{1}\" stroke=\"currentColor\" "
                       "stroke-opacity=\"0.5\" stroke-width=\"2\"/>",
                       x, height - 8);
  }
  if (ev.empty()) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill-opacity=\"0.6\">no packets "
                       "exchanged</text>",
                       (kLeftX + kRightX) / 2, kTop + kRow / 2);
  }
  int y = kTop + kRow / 2;
  for (const Event& e : ev) {
    svg += fmt::format("<text x=\"8\" y=\"{}\" fill-opacity=\"0.7\">{}</text>", y + 4, format_offset_us(e.t_us));
    if (e.packet != nullptr) {
      draw_packet(svg, r, *e.packet, y);
    } else {
      draw_call(svg, r, *e.call, y);
    }
    y += kRow;
  }
  svg += "</svg>";
  return svg;
}

}  // namespace synack::conformance

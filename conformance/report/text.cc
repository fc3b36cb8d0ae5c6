// Escaping, base64 and tallies for the conformance reports (see text.h).
#include "conformance/report/text.h"

#include <fmt/core.h>

#include <array>
#include <cmath>
#include <set>

namespace synack::conformance {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not valid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_len(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b0 = static_cast<std::uint8_t>(s[i]);
  std::size_t n = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<std::uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence_len(s, i, cp);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string xml_escape(std::string_view s, bool attribute) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence_len(s, i, cp);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    const std::string_view seq = s.substr(i, n);
    i += n;
    switch (cp) {
      case '&': out += "&amp;"; continue;
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;
      case '"': out += "&quot;"; continue;
      case '\'': out += "&#39;"; continue;
      case '\t': out += attribute ? "&#9;" : "\t"; continue;
      case '\n': out += attribute ? "&#10;" : "\n"; continue;
      case '\r': out += "&#13;"; continue;
      default: break;
    }
    // XML 1.0 §2.2 Char excludes the other C0 controls and U+FFFE/U+FFFF.
    if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF) {
      out += kReplacement;
    } else {
      out.append(seq);
    }
  }
  return out;
}

std::string base64_encode(ConstBytes b) {
  std::string out;
  out.reserve((b.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= b.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{b[i]} << 16) | (std::uint32_t{b[i + 1]} << 8) | b[i + 2];
    out += kAlphabet[(v >> 18) & 0x3F];
    out += kAlphabet[(v >> 12) & 0x3F];
    out += kAlphabet[(v >> 6) & 0x3F];
    out += kAlphabet[v & 0x3F];
  }
  const std::size_t rest = b.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{b[i]} << 16;
    if (rest == 2) v |= std::uint32_t{b[i + 1]} << 8;
    out += kAlphabet[(v >> 18) & 0x3F];
    out += kAlphabet[(v >> 12) & 0x3F];
    out += rest == 2 ? kAlphabet[(v >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

std::optional<Bytes> base64_decode(std::string_view s) {
  if (s.size() % 4 != 0) return std::nullopt;
  Bytes out;
  out.reserve(s.size() / 4 * 3);
  for (std::size_t i = 0; i < s.size(); i += 4) {
    const bool last = i + 4 == s.size();
    std::array<int, 4> v{};
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = s[i + k];
      if (c == '=' && last && k >= 2) {
        ++pad;
        v[k] = 0;
        continue;
      }
      if (pad > 0) return std::nullopt;  // data after padding
      v[k] = base64_value(c);
      if (v[k] < 0) return std::nullopt;
    }
    const std::uint32_t w = (static_cast<std::uint32_t>(v[0]) << 18) |
                            (static_cast<std::uint32_t>(v[1]) << 12) |
                            (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    out.push_back(static_cast<std::uint8_t>(w >> 16));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>(w >> 8));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(w));
  }
  return out;
}

std::string safe_component(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return "_";
  std::string out(s);
  for (char& c : out) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    if (!keep) c = '_';
  }
  return out;
}

std::string pcap_relative_path(const CaseResult& r) {
  std::string_view name = r.name.empty() ? std::string_view(r.file) : std::string_view(r.name);
  if (name.size() > 4 && name.substr(name.size() - 4) == ".pkt") name.remove_suffix(4);
  std::string path = "pcaps/" + safe_component(r.dut);
  bool any = false;
  // Keep the suite's directory structure, one safe component at a time.
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t slash = name.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? name.size() : slash;
    const std::string_view part = name.substr(start, end - start);
    if (!part.empty()) {
      path += "/" + safe_component(part);
      any = true;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (!any) path += "/_";
  return path + ".pcap";
}

std::string case_classname(const CaseResult& r) {
  if (!r.rfc.empty()) return r.rfc;
  const std::size_t slash = r.name.rfind('/');
  if (slash != std::string::npos && slash > 0) return r.name.substr(0, slash);
  return "conformance";
}

std::string format_seconds(double s) {
  if (!std::isfinite(s) || s < 0) s = 0;
  return fmt::format("{:.3f}s", s);
}

std::string format_offset_us(std::int64_t t_us) {
  const char* sign = t_us < 0 ? "-" : "";
  const std::uint64_t mag = t_us < 0 ? 0 - static_cast<std::uint64_t>(t_us) : static_cast<std::uint64_t>(t_us);
  return fmt::format("{}{}.{:06}", sign, mag / 1000000, mag % 1000000);
}

void Tally::add(Verdict v) noexcept {
  switch (v) {
    case Verdict::Pass: ++pass; break;
    case Verdict::Fail: ++fail; break;
    case Verdict::XFail: ++xfail; break;
    case Verdict::XPass: ++xpass; break;
    case Verdict::Skip: ++skip; break;
    case Verdict::Error: ++error; break;
  }
}

Tally tally(const std::vector<CaseResult>& results) {
  Tally t;
  for (const auto& r : results) t.add(r.verdict);
  return t;
}

namespace {
template <class Get>
std::vector<std::string> distinct(const std::vector<CaseResult>& results, Get get) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& r : results) {
    if (seen.insert(get(r)).second) out.push_back(get(r));
  }
  return out;
}
}  // namespace

std::vector<std::string> distinct_duts(const std::vector<CaseResult>& results) {
  return distinct(results, [](const CaseResult& r) -> const std::string& { return r.dut; });
}
std::vector<std::string> distinct_names(const std::vector<CaseResult>& results) {
  return distinct(results, [](const CaseResult& r) -> const std::string& { return r.name; });
}

std::string rfc_label(const CaseResult& r) { return r.rfc.empty() ? "(no RFC)" : r.rfc; }

}  // namespace synack::conformance

// Hand-written scanner for packetdrill scripts. It mirrors flex's longest
// match between the number, hex and word rules of packetdrill's lexer.l
// (so `12ab` is a word, `0x1f` a hex integer, `1.5` a fraction), but is our
// own code: one pass, explicit positions, errors as values.
#include "conformance/runner/pkt_lexer.h"

#include <algorithm>
#include <map>
#include <optional>

namespace synack::conformance {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_word_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Parses a decimal integer with an optional leading '-', checking overflow.
std::optional<std::int64_t> parse_decimal(std::string_view s) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (neg) {
    if (v > static_cast<std::uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return v == static_cast<std::uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<std::int64_t>(v);
  }
  if (v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

std::optional<std::int64_t> parse_hex(std::string_view digits) {
  std::uint64_t v = 0;
  for (char c : digits) {
    if (v >> 59) return std::nullopt;  // would pass 2^63 - 1
    int d = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
    v = v * 16 + static_cast<std::uint64_t>(d);
  }
  if (v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

class Lexer {
 public:
  Lexer(std::string_view src, const std::string& file, const LexLimits& limits,
        const std::map<std::string, std::vector<Token>>* defs, bool allow_line_forms)
      : src_(src), file_(file), limits_(limits), outer_defs_(defs), line_forms_(allow_line_forms) {}

  Result<std::vector<Token>, PktError> run();

 private:
  char at(std::size_t i) const { return i < src_.size() ? src_[i] : '\0'; }
  bool more() const { return pos_ < src_.size(); }
  PktError error_here(int line, int col, std::string msg) const {
    return PktError{SourceLoc{file_, line, col}, std::move(msg)};
  }
  // Moves pos_ to `to`, keeping line/column right across newlines.
  void advance_to(std::size_t to) {
    while (pos_ < to && pos_ < src_.size()) {
      if (src_[pos_] == '\n') {
        ++line_;
        col_ = 1;
        at_line_start_ = true;
      } else {
        ++col_;
      }
      ++pos_;
    }
  }
  Token start_token(TokKind k) const {
    Token t;
    t.kind = k;
    t.line = line_;
    t.column = col_;
    t.begin = pos_;
    return t;
  }
  std::optional<PktError> push(Token t) {
    t.end = pos_;
    if (out_.size() >= limits_.max_tokens)
      return error_here(t.line, t.column, "script too large (more than " +
                                               std::to_string(limits_.max_tokens) + " tokens)");
    out_.push_back(std::move(t));
    return std::nullopt;
  }

  std::optional<PktError> skip_comment_or_space(bool& skipped);
  std::optional<PktError> lex_number_or_word();
  std::optional<PktError> lex_quoted(char quote, TokKind kind);
  std::optional<PktError> lex_code();
  std::optional<PktError> lex_line_form();
  std::optional<PktError> lex_substitution();
  std::size_t scan_raw_value(std::size_t p) const;

  std::string_view src_;
  const std::string& file_;
  const LexLimits& limits_;
  const std::map<std::string, std::vector<Token>>* outer_defs_;
  std::map<std::string, std::vector<Token>> defs_;
  bool line_forms_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
  bool at_line_start_ = true;
  std::vector<Token> out_;
};

std::optional<PktError> Lexer::skip_comment_or_space(bool& skipped) {
  skipped = true;
  char c = at(pos_);
  if (c == '\n' || is_space(c)) {
    advance_to(pos_ + 1);
    return std::nullopt;
  }
  if (c == '/' && at(pos_ + 1) == '/') {
    std::size_t e = src_.find('\n', pos_);
    advance_to(e == std::string_view::npos ? src_.size() : e);
    return std::nullopt;
  }
  if (c == '/' && at(pos_ + 1) == '*') {
    std::size_t e = src_.find("*/", pos_ + 2);
    if (e == std::string_view::npos) return error_here(line_, col_, "unterminated comment '/*'");
    advance_to(e + 2);
    return std::nullopt;
  }
  skipped = false;
  return std::nullopt;
}

// Longest match between fraction, decimal, hex and word, ties to the
// earlier rule (fraction, decimal, hex, word) as flex does.
std::optional<PktError> Lexer::lex_number_or_word() {
  std::size_t p = pos_;
  bool neg = at(p) == '-';
  std::size_t q = neg ? p + 1 : p;
  std::size_t d = q;
  while (is_digit(at(d))) ++d;
  std::size_t frac_end = p;
  if (at(d) == '.' && is_digit(at(d + 1))) {
    frac_end = d + 1;
    while (is_digit(at(frac_end))) ++frac_end;
  }
  std::size_t int_end = d > q ? d : p;
  std::size_t hex_end = p;
  if (!neg && at(p) == '0' && at(p + 1) == 'x' && is_hex_digit(at(p + 2))) {
    hex_end = p + 2;
    while (is_hex_digit(at(hex_end))) ++hex_end;
  }
  std::size_t word_end = p;
  if (!neg)
    while (is_word_char(at(word_end))) ++word_end;

  std::size_t best = std::max({frac_end, int_end, hex_end, word_end});
  Token t;
  if (best == frac_end && frac_end > p) {
    t = start_token(TokKind::Float);
  } else if (best == int_end && int_end > p) {
    t = start_token(TokKind::Int);
    auto v = parse_decimal(src_.substr(p, int_end - p));
    if (!v) return error_here(line_, col_, "integer out of range");
    t.int_value = *v;
  } else if (best == hex_end && hex_end > p) {
    t = start_token(TokKind::Int);
    auto v = parse_hex(src_.substr(p + 2, hex_end - p - 2));
    if (!v) return error_here(line_, col_, "integer out of range");
    t.int_value = *v;
    t.hex = true;
  } else {
    t = start_token(TokKind::Word);
  }
  t.text = std::string(src_.substr(p, best - p));
  advance_to(best);
  return push(std::move(t));
}

std::optional<PktError> Lexer::lex_quoted(char quote, TokKind kind) {
  Token t = start_token(kind);
  std::size_t p = pos_ + 1;
  while (p < src_.size() && src_[p] != quote) p += (src_[p] == '\\' && p + 1 < src_.size()) ? 2 : 1;
  if (p >= src_.size())
    return error_here(t.line, t.column,
                      quote == '"' ? "unterminated string" : "unterminated shell command '`'");
  t.text = std::string(src_.substr(pos_ + 1, p - pos_ - 1));
  advance_to(p + 1);
  return push(std::move(t));
}

std::optional<PktError> Lexer::lex_code() {
  Token t = start_token(TokKind::Code);
  std::size_t e = src_.find("}%", pos_ + 2);
  if (e == std::string_view::npos) return error_here(t.line, t.column, "unterminated code block '%{'");
  std::size_t b = pos_ + 2;
  std::size_t f = e;
  while (b < f && (src_[b] == ' ' || src_[b] == '\t')) ++b;
  while (f > b && (src_[f - 1] == ' ' || src_[f - 1] == '\t')) --f;
  t.text = std::string(src_.substr(b, f - b));
  advance_to(e + 2);
  return push(std::move(t));
}

// A raw option value: a run of non-blank bytes, where a quoted part may hold blanks.
std::size_t Lexer::scan_raw_value(std::size_t p) const {
  while (p < src_.size() && !is_space(src_[p]) && src_[p] != '\n') {
    char c = src_[p];
    if (c == '"' || c == '`') {
      std::size_t q = p + 1;
      // A backslash escapes the next byte, but never the newline that ends
      // the option line (else a value ending in '\' would swallow it).
      while (q < src_.size() && src_[q] != c && src_[q] != '\n')
        q += (src_[q] == '\\' && q + 1 < src_.size() && src_[q + 1] != '\n') ? 2 : 1;
      p = q < src_.size() && src_[q] == c ? q + 1 : q;
    } else {
      ++p;
    }
  }
  return p;
}

// `--name[=value]` or `-D NAME=value` / `-DNAME=value`.
std::optional<PktError> Lexer::lex_line_form() {
  if (at(pos_ + 1) == '-') {
    Token t = start_token(TokKind::Option);
    std::size_t p = pos_ + 2;
    while (is_word_char(at(p))) ++p;
    t.text = std::string(src_.substr(pos_ + 2, p - pos_ - 2));
    if (at(p) == '=') {
      std::size_t e = scan_raw_value(p + 1);
      t.value = std::string(src_.substr(p + 1, e - p - 1));
      t.has_value = true;
      p = e;
    }
    advance_to(p);
    return push(std::move(t));
  }
  Token t = start_token(TokKind::Define);
  std::size_t p = pos_ + 2;
  while (at(p) == ' ' || at(p) == '\t') ++p;
  std::size_t n = p;
  if (!is_name_start(at(n))) {
    advance_to(p);
    return error_here(line_, col_, "expected a name after -D");
  }
  while (is_word_char(at(n))) ++n;
  t.text = std::string(src_.substr(p, n - p));
  if (at(n) != '=') {
    advance_to(n);
    return error_here(line_, col_, "expected '=' after -D " + t.text);
  }
  std::size_t e = scan_raw_value(n + 1);
  t.value = std::string(src_.substr(n + 1, e - n - 1));
  t.has_value = true;
  // The value's own tokens, lexed once now and copied at each ${NAME}.
  LexLimits sub_limits = limits_;
  Lexer sub(t.value, file_, sub_limits, nullptr, false);
  auto toks = sub.run();
  if (!toks.ok()) {
    PktError err = toks.error();
    err.loc = SourceLoc{file_, t.line, t.column};
    err.message = "in the value of -D " + t.text + ": " + err.message;
    return err;
  }
  std::vector<Token> v = std::move(toks.value());
  v.pop_back();  // End
  defs_[t.text] = std::move(v);
  advance_to(e);
  return push(std::move(t));
}

std::optional<PktError> Lexer::lex_substitution() {
  int line = line_, col = col_;
  std::size_t begin = pos_;
  std::size_t e = pos_ + 2;
  while (is_word_char(at(e))) ++e;
  if (at(e) != '}' || e == pos_ + 2) return error_here(line, col, "expected ${NAME}");
  std::string name(src_.substr(pos_ + 2, e - pos_ - 2));
  const std::vector<Token>* value = nullptr;
  if (auto it = defs_.find(name); it != defs_.end()) value = &it->second;
  if (value == nullptr && outer_defs_ != nullptr)
    if (auto it = outer_defs_->find(name); it != outer_defs_->end()) value = &it->second;
  if (value == nullptr) return error_here(line, col, "undefined name '" + name + "' (no -D " + name + "=...)");
  advance_to(e + 1);
  for (Token t : *value) {
    t.line = line;
    t.column = col;
    t.begin = begin;
    t.substituted = true;
    std::size_t keep = pos_;
    if (out_.size() >= limits_.max_tokens)
      return error_here(line, col, "script too large (more than " + std::to_string(limits_.max_tokens) + " tokens)");
    out_.push_back(std::move(t));
    out_.back().end = keep;
  }
  return std::nullopt;
}

Result<std::vector<Token>, PktError> Lexer::run() {
  if (src_.size() > limits_.max_input_bytes) return Err{error_here(1, 1, "script too large")};
  while (more()) {
    bool skipped = false;
    if (auto e = skip_comment_or_space(skipped)) return Err{*e};
    if (skipped) continue;
    bool line_start = at_line_start_;
    at_line_start_ = false;
    char c = src_[pos_];
    char n = at(pos_ + 1);
    std::optional<PktError> err;
    if (line_forms_ && line_start && c == '-' && ((n == '-' && is_word_char(at(pos_ + 2))) || n == 'D')) {
      err = lex_line_form();
    } else if (c == '.' && n == '.' && at(pos_ + 2) == '.') {
      Token t = start_token(TokKind::Ellipsis);
      t.text = "...";
      advance_to(pos_ + 3);
      err = push(std::move(t));
    } else if (is_word_char(c) || (c == '.' && is_digit(n)) ||
               (c == '-' && (is_digit(n) || (n == '.' && is_digit(at(pos_ + 2)))))) {
      err = lex_number_or_word();
    } else if (c == '"') {
      err = lex_quoted('"', TokKind::String);
    } else if (c == '`') {
      err = lex_quoted('`', TokKind::BackQuoted);
    } else if (c == '%' && n == '{') {
      err = lex_code();
    } else if (c == '$' && n == '{') {
      err = lex_substitution();
    } else {
      Token t = start_token(TokKind::Punct);
      t.text = std::string(1, c);
      advance_to(pos_ + 1);
      err = push(std::move(t));
    }
    if (err) return Err{*err};
  }
  Token end = start_token(TokKind::End);
  out_.push_back(std::move(end));
  return std::move(out_);
}

}  // namespace

Result<std::vector<Token>, PktError> lex_pkt(std::string_view src, const std::string& file,
                                             const LexLimits& limits) {
  Lexer lx(src, file, limits, nullptr, true);
  return lx.run();
}

std::string describe_token(const Token& t) {
  switch (t.kind) {
    case TokKind::End: return "end of file";
    case TokKind::Int: return "integer " + t.text;
    case TokKind::Float: return "number " + t.text;
    case TokKind::Word: return "'" + t.text + "'";
    case TokKind::String: return "string";
    case TokKind::BackQuoted: return "shell command";
    case TokKind::Code: return "code block";
    case TokKind::Ellipsis: return "'...'";
    case TokKind::Option: return "option --" + t.text;
    case TokKind::Define: return "-D " + t.text;
    case TokKind::Punct: {
      unsigned char c = static_cast<unsigned char>(t.text.empty() ? '\0' : t.text[0]);
      if (c < 0x20 || c >= 0x7f) {
        static constexpr char kHex[] = "0123456789abcdef";
        return std::string("byte 0x") + kHex[c >> 4] + kHex[c & 15];
      }
      return "'" + t.text + "'";
    }
  }
  return "token";
}

}  // namespace synack::conformance

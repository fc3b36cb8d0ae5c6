// HTTP/1.1 response parser (see response.h).
#include "harness/http/response.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

namespace synack::harness::http {

namespace {

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// Splits a comma-separated list (RFC 9110 §5.6.1), dropping empty elements.
std::vector<std::string> split_list(std::string_view v) {
  std::vector<std::string> out;
  while (true) {
    auto comma = v.find(',');
    auto item = trim(v.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

// A decimal number without sign or spaces that fits 64 bits.
std::optional<std::uint64_t> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
// chunk-ext-val = token / quoted-string (RFC 9112 §7.1.1). True when `s`
// (what follows the chunk size) is a valid, possibly empty, extension list.
bool valid_chunk_ext(std::string_view s) {
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < s.size() && is_ows(s[i])) ++i;
  };
  auto take_token = [&] {
    std::size_t start = i;
    while (i < s.size() && is_tchar(s[i])) ++i;
    return i > start;
  };
  while (true) {
    skip_ws();
    if (i == s.size()) return true;
    if (s[i++] != ';') return false;
    skip_ws();
    if (!take_token()) return false;
    skip_ws();
    if (i == s.size() || s[i] != '=') continue;
    ++i;
    skip_ws();
    if (i < s.size() && s[i] == '"') {
      // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4)
      for (++i;; ++i) {
        if (i >= s.size()) return false;
        if (s[i] == '"') break;
        if (s[i] == '\\' && ++i >= s.size()) return false;
      }
      ++i;
    } else if (!take_token()) {
      return false;
    }
  }
}

}  // namespace

std::string_view to_string(BodyFraming f) noexcept {
  switch (f) {
    case BodyFraming::None: return "none";
    case BodyFraming::Length: return "content-length";
    case BodyFraming::Chunked: return "chunked";
    case BodyFraming::UntilClose: return "until-close";
  }
  return "?";
}

std::optional<std::string> ResponseHead::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return std::nullopt;
}

bool ResponseParser::keep_alive() const {
  if (framing_ == BodyFraming::UntilClose || te_and_cl_) return false;
  std::string conn;
  for (const auto& [k, v] : head_.headers)
    if (k == "connection") conn += lower(v) + ",";
  auto options = split_list(conn);
  auto has = [&](const char* o) { return std::find(options.begin(), options.end(), o) != options.end(); };
  if (has("close")) return false;
  return head_.version_minor >= 1 || has("keep-alive");
}

Result<void, std::string> ResponseParser::fail(std::string why) {
  state_ = State::Failed;
  error_ = std::move(why);
  return Err{error_};
}

std::optional<std::string> ResponseParser::take_line(ConstBytes in, std::size_t& pos, std::size_t limit,
                                                     const char* what) {
  while (pos < in.size()) {
    char c = static_cast<char>(in[pos++]);
    if (c == '\n') {
      std::string line = std::move(line_);
      line_.clear();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    line_ += c;
    if (line_.size() > limit) {
      (void)fail(fmt::format("{} longer than {} bytes", what, limit));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

Result<void, std::string> ResponseParser::on_status_line(std::string_view line) {
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] (§4); a
  // missing SP after the code is tolerated (many servers omit it).
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[6] != '.' || line[8] != ' ' ||
      !std::isdigit(static_cast<unsigned char>(line[5])) || !std::isdigit(static_cast<unsigned char>(line[7])))
    return fail(fmt::format("malformed status line '{}'", line.substr(0, 80)));
  if (line[5] != '1') return fail(fmt::format("unsupported HTTP version '{}'", line.substr(0, 8)));
  auto code = line.substr(9, 3);
  if (!std::all_of(code.begin(), code.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
      (line.size() > 12 && line[12] != ' '))
    return fail(fmt::format("malformed status code in '{}'", line.substr(0, 80)));
  head_ = ResponseHead{};
  head_.version_minor = line[7] - '0';
  head_.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (head_.status < 100) return fail(fmt::format("status code {} out of range", code));
  head_.reason = std::string(line.size() > 13 ? line.substr(13) : "");
  return {};
}

Result<void, std::string> ResponseParser::on_field_line(std::string_view line, Fields& into) {
  if (is_ows(line.front())) return fail("obsolete line folding in a header field (RFC 9112 §5.2)");
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return fail(fmt::format("header line without a colon: '{}'", line.substr(0, 80)));
  auto name = line.substr(0, colon);
  if (!is_token(name)) return fail(fmt::format("malformed header field name '{}'", name.substr(0, 80)));
  auto value = trim(line.substr(colon + 1));
  if (value.find('\0') != std::string_view::npos) return fail(fmt::format("NUL in header field '{}'", name));
  into.emplace_back(lower(name), std::string(value));
  return {};
}

// Decides how the body is framed, in the order of RFC 9112 §6.3.
Result<void, std::string> ResponseParser::on_head_end() {
  int s = head_.status;
  if (s >= 100 && s < 200) {
    if (s == 101) return fail("101 Switching Protocols: the server switched to a protocol this client does not speak");
    state_ = State::StatusLine;  // interim response (RFC 9110 §15.2): the final one follows
    head_bytes_ = 0;
    return {};
  }
  head_done_ = true;
  std::vector<std::string> codings;
  std::vector<std::string> lengths;
  bool has_te = false;
  for (const auto& [k, v] : head_.headers) {
    if (k == "transfer-encoding") {
      has_te = true;
      for (auto& c : split_list(lower(v))) codings.push_back(c);
    } else if (k == "content-length") {
      for (auto& l : split_list(v)) lengths.push_back(l);
    }
  }
  if (head_request_ || s == 204 || s == 304) {
    framing_ = BodyFraming::None;
    state_ = State::Done;
    return {};
  }
  if (has_te) {
    te_and_cl_ = !lengths.empty();
    for (std::size_t i = 0; i < codings.size(); ++i) {
      if (codings[i] == "chunked" && i + 1 == codings.size()) continue;
      if (codings[i] == "chunked") return fail("'chunked' is not the final transfer coding (RFC 9112 §6.1)");
      return fail(fmt::format("transfer coding '{}' is not supported", codings[i]));
    }
    if (codings.empty()) return fail("empty Transfer-Encoding");
    framing_ = BodyFraming::Chunked;
    state_ = State::ChunkSize;
    return {};
  }
  if (!lengths.empty()) {
    auto v = parse_decimal(lengths.front());
    if (!v) return fail(fmt::format("invalid Content-Length '{}'", lengths.front().substr(0, 40)));
    for (const auto& l : lengths)
      if (l != lengths.front()) return fail(fmt::format("conflicting Content-Length values '{}' and '{}'", lengths.front(), l));
    framing_ = BodyFraming::Length;
    content_length_ = *v;
    remaining_ = *v;
    state_ = *v == 0 ? State::Done : State::Length;
    return {};
  }
  framing_ = BodyFraming::UntilClose;
  state_ = State::UntilClose;
  return {};
}

Result<void, std::string> ResponseParser::on_chunk_size(std::string_view line) {
  std::size_t i = 0;
  std::uint64_t size = 0;
  for (; i < line.size() && hex_digit(line[i]) >= 0; ++i) {
    if (size >> 60) return fail(fmt::format("chunk size '{}' too large", line.substr(0, 40)));
    size = size * 16 + static_cast<std::uint64_t>(hex_digit(line[i]));
  }
  if (i == 0) return fail(fmt::format("malformed chunk size line '{}' after {} chunks", line.substr(0, 80), chunks_));
  if (!valid_chunk_ext(line.substr(i)))
    return fail(fmt::format("malformed chunk extension in '{}' (RFC 9112 §7.1.1)", line.substr(0, 80)));
  ++chunks_;
  remaining_ = size;
  state_ = size == 0 ? State::Trailers : State::ChunkData;
  head_bytes_ = 0;
  return {};
}

// Status line, header and trailer lines: one line per call.
Result<void, std::string> ResponseParser::on_head_bytes(ConstBytes in, std::size_t& pos) {
  bool trailer = state_ == State::Trailers;
  std::size_t limit = trailer ? kMaxTrailerBytes : kMaxResponseHead;
  const char* what = trailer ? "trailer section" : "response head";
  std::size_t before = pos;
  auto line = take_line(in, pos, limit, what);
  head_bytes_ += pos - before;
  if (state_ == State::Failed) return Err{error_};
  if (head_bytes_ > limit) return fail(fmt::format("{} longer than {} bytes", what, limit));
  if (!line) return {};
  if (line->find('\r') != std::string::npos) return fail("bare CR inside a line (RFC 9112 §2.2)");
  if (state_ == State::StatusLine) {
    if (line->empty() && head_bytes_ <= 2) return {};  // a stray empty line before the head
    auto r = on_status_line(*line);
    if (r) state_ = State::HeaderLines;
    return r;
  }
  if (!line->empty()) return on_field_line(*line, trailer ? trailers_ : head_.headers);
  if (!trailer) return on_head_end();
  state_ = State::Done;
  return {};
}

Result<std::size_t, std::string> ResponseParser::feed(ConstBytes in, const Sink& sink) {
  std::size_t pos = 0;
  auto deliver = [&](std::size_t n) {
    if (n == 0) return;
    sink(in.subspan(pos, n));
    pos += n;
    body_bytes_ += n;
  };
  while (pos < in.size() && state_ != State::Done && state_ != State::Failed) {
    switch (state_) {
      case State::StatusLine:
      case State::HeaderLines:
      case State::Trailers:
        if (auto r = on_head_bytes(in, pos); !r) return Err{r.error()};
        break;
      case State::Length:
      case State::ChunkData: {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - pos));
        deliver(n);
        remaining_ -= n;
        if (remaining_ == 0) state_ = state_ == State::Length ? State::Done : State::ChunkEnd;
        break;
      }
      case State::ChunkSize: {
        auto line = take_line(in, pos, kMaxChunkLine, "chunk size line");
        if (!line) break;
        if (auto r = on_chunk_size(*line); !r) return Err{r.error()};
        break;
      }
      case State::ChunkEnd: {
        // chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
        char c = static_cast<char>(in[pos++]);
        if (c == '\r' && line_.empty()) {
          line_ = "\r";
        } else if (c == '\n') {
          line_.clear();
          state_ = State::ChunkSize;
        } else {
          return Err{fail(fmt::format("chunk {} is longer than its size (no CRLF after its data)", chunks_)).error()};
        }
        break;
      }
      case State::UntilClose: deliver(in.size() - pos); break;
      case State::Done:
      case State::Failed: break;
    }
    if (state_ == State::Failed) return Err{error_};
  }
  if (state_ == State::Failed) return Err{error_};
  return pos;
}

Result<void, std::string> ResponseParser::finish() {
  switch (state_) {
    case State::Done: return {};
    case State::Failed: return Err{error_};
    case State::UntilClose: state_ = State::Done; return {};
    case State::StatusLine:
      if (head_.status == 0 && head_bytes_ == 0) return fail("connection closed without a response");
      [[fallthrough]];
    case State::HeaderLines: return fail(fmt::format("connection closed inside the response head ({} bytes)", head_bytes_));
    case State::Length:
      return fail(fmt::format("connection closed after {} of {} body bytes", body_bytes_, *content_length_));
    default:
      return fail(fmt::format("connection closed inside the chunked body (after {} bytes in {} chunks)", body_bytes_,
                              chunks_));
  }
}

Result<HttpUrl, std::string> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() < kScheme.size() || lower(url.substr(0, kScheme.size())) != kScheme)
    return Err{std::string("only http:// URLs are supported")};
  std::string_view rest = url.substr(kScheme.size());
  auto end = rest.find_first_of("/?#");
  HttpUrl u;
  u.authority = std::string(rest.substr(0, end));
  if (end != std::string_view::npos) {
    std::string_view target = rest.substr(end);
    target = target.substr(0, target.find('#'));  // the fragment stays with the client (RFC 9110 §4.2.4)
    u.target = target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
  }
  if (u.authority.find('@') != std::string::npos) return Err{std::string("user information in URLs is not supported")};
  std::string_view host = u.authority;
  if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    auto port = parse_decimal(host.substr(colon + 1));
    if (!port || *port == 0 || *port > 65535)
      return Err{fmt::format("'{}' is not a port (1..65535)", host.substr(colon + 1))};
    u.port = static_cast<std::uint16_t>(*port);
    host = host.substr(0, colon);
  }
  if (host.empty()) return Err{std::string("the URL has no host")};
  for (char c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
      return Err{fmt::format("'{}' is not a host name or dotted IPv4 address", host)};
  for (char c : u.target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return Err{std::string("the path has spaces or control characters (percent-encode them)")};
  u.host = lower(host);
  return u;
}

}  // namespace synack::harness::http

// Static HTTP/1.1 server logic (see server.h).
#include "harness/http/server.h"

#include <fmt/core.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace synack::harness::http {

namespace {

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

ParseOutcome bad(std::string why, int status = 400) {
  ParseOutcome o;
  o.status = ParseStatus::Bad;
  o.error = std::move(why);
  o.error_status = status;
  return o;
}

// "METHOD SP request-target SP HTTP-version" (RFC 9112 §3).
bool parse_request_line(std::string_view line, Request& req, ParseOutcome& fail) {
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    fail = bad("malformed request line");
    return false;
  }
  std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                   version = line.substr(sp2 + 1);
  if (!is_token(method) || target.empty()) {
    fail = bad("malformed request line");
    return false;
  }
  for (char c : target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      fail = bad("control character in the request target");
      return false;
    }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !std::isdigit(static_cast<unsigned char>(version[5])) ||
      version[6] != '.' || !std::isdigit(static_cast<unsigned char>(version[7]))) {
    fail = bad("malformed HTTP version");
    return false;
  }
  if (version[5] != '1') {
    fail = bad("unsupported HTTP version", 505);
    return false;
  }
  req.method = std::string(method);
  req.target = std::string(target);
  req.version_minor = version[7] - '0';
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> Request::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return std::nullopt;
}

bool Request::keep_alive() const {
  std::string conn = lower(header("connection").value_or(""));
  if (conn.find("close") != std::string::npos) return false;
  if (version_minor == 0) return conn.find("keep-alive") != std::string::npos;
  return true;
}

ParseOutcome parse_request(std::string_view buf) {
  // RFC 9112 §2.2: ignore at least one empty line before the request line.
  std::size_t start = 0;
  while (buf.substr(start, 2) == "\r\n") start += 2;
  std::size_t end = buf.find("\r\n\r\n", start);
  if (end == std::string_view::npos) {
    if (buf.size() > kMaxHeadBytes) return bad("request head larger than 8 KiB");
    return {};
  }
  if (end + 4 > kMaxHeadBytes) return bad("request head larger than 8 KiB");
  ParseOutcome out;
  std::string_view head = buf.substr(start, end - start);
  std::size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  if (!parse_request_line(line, out.request, out)) return out;
  while (eol != std::string_view::npos) {
    std::size_t next = head.find("\r\n", eol + 2);
    std::string_view field = head.substr(eol + 2, next == std::string_view::npos ? next : next - eol - 2);
    eol = next;
    auto colon = field.find(':');
    // RFC 9112 §5.1: no whitespace between the name and the colon; obsolete
    // line folding is rejected with 400 (§5.2).
    if (colon == std::string_view::npos || !is_token(field.substr(0, colon))) return bad("malformed header field");
    out.request.headers.emplace_back(lower(field.substr(0, colon)), std::string(trim(field.substr(colon + 1))));
  }
  if (out.request.version_minor == 1 && !out.request.header("host")) return bad("HTTP/1.1 request without Host");
  // Bodies are not supported: a request announcing one is refused rather
  // than leaving its bytes to be misread as the next request.
  auto cl = out.request.header("content-length");
  if (out.request.header("transfer-encoding") || (cl && *cl != "0")) return bad("request bodies are not supported");
  out.status = ParseStatus::Done;
  out.consumed = end + 4;
  return out;
}

std::optional<std::string> sanitize_path(std::string_view target) {
  // Origin form only (RFC 9112 §3.2.1); the query is ignored.
  if (target.empty() || target.front() != '/') return std::nullopt;
  target = target.substr(0, target.find_first_of("?#"));
  std::string path;
  for (std::size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size()) return std::nullopt;
      int hi = hex_value(target[i + 1]), lo = hex_value(target[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0' || c == '\\') return std::nullopt;
    path += c;
  }
  // Refuse any "." or ".." segment after decoding.
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t next = path.find('/', pos + 1);
    std::string_view seg = std::string_view(path).substr(pos + 1, next == std::string::npos ? next : next - pos - 1);
    if (seg == ".." || seg == ".") return std::nullopt;
    if (next == std::string::npos) break;
    pos = next;
  }
  return path;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string content_type_for(std::string_view path) {
  auto dot = path.rfind('.');
  std::string ext = dot == std::string_view::npos ? "" : lower(path.substr(dot + 1));
  if (ext == "html" || ext == "htm") return "text/html; charset=utf-8";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "css") return "text/css";
  if (ext == "js") return "text/javascript";
  if (ext == "json") return "application/json";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  return "application/octet-stream";
}

Response Responder::error(int status, bool keep_alive, bool head_only) const {
  Response r;
  r.status = status;
  r.keep_alive = keep_alive;
  std::string body = fmt::format("{} {}\n", status, reason_phrase(status));
  r.head = fmt::format("HTTP/1.1 {} {}\r\nServer: {}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                       "Content-Length: {}\r\n{}{}\r\n",
                       status, reason_phrase(status), server_, body.size(), status == 405 ? "Allow: GET, HEAD\r\n" : "",
                       keep_alive ? "" : "Connection: close\r\n");
  if (!head_only) {
    r.inline_body = std::move(body);
    r.body_len = r.inline_body.size();
  }
  return r;
}

Response Responder::reject(int status, const std::string&) const { return error(status, false, false); }

Response Responder::respond(const Request& req) const {
  bool keep = req.keep_alive();
  bool head_only = req.method == "HEAD";
  if (req.method != "GET" && req.method != "HEAD") return error(405, keep, false);
  auto path = sanitize_path(req.target);
  if (!path) return error(403, keep, head_only);
  auto size = root_.file_size(*path);
  if (!size) return error(404, keep, head_only);
  Response r;
  r.keep_alive = keep;
  std::string served = root_.resolve(*path);
  r.head = fmt::format("HTTP/1.1 200 OK\r\nServer: {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}\r\n", server_,
                       content_type_for(served), *size, keep ? "" : "Connection: close\r\n");
  if (!head_only) {
    r.file = served;
    r.body_len = *size;
  }
  return r;
}

// --- document roots ---

std::string FsDocumentRoot::resolve(const std::string& path) const {
  struct stat st{};
  std::string full = dir_ + path;
  if (::stat(full.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return path + (path.empty() || path.back() != '/' ? "/" : "") + "index.html";
  return path;
}

std::optional<std::uint64_t> FsDocumentRoot::file_size(const std::string& path) const {
  struct stat st{};
  std::string full = dir_ + resolve(path);
  if (::stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<std::uint64_t>(st.st_size);
}

std::size_t FsDocumentRoot::read(const std::string& path, std::uint64_t offset, MutBytes out) const {
  std::FILE* f = std::fopen((dir_ + path).c_str(), "rb");
  if (!f) return 0;
  std::size_t n = 0;
  if (std::fseek(f, static_cast<long>(offset), SEEK_SET) == 0) n = std::fread(out.data(), 1, out.size(), f);
  std::fclose(f);
  return n;
}

std::string MemoryDocumentRoot::resolve(const std::string& path) const {
  if (!path.empty() && path.back() == '/') return path + "index.html";
  return path;
}

std::optional<std::uint64_t> MemoryDocumentRoot::file_size(const std::string& path) const {
  auto it = files_.find(resolve(path));
  if (it == files_.end()) return std::nullopt;
  return it->second.size();
}

std::size_t MemoryDocumentRoot::read(const std::string& path, std::uint64_t offset, MutBytes out) const {
  auto it = files_.find(path);
  if (it == files_.end() || offset >= it->second.size()) return 0;
  std::size_t n = std::min<std::size_t>(out.size(), it->second.size() - offset);
  std::copy_n(it->second.begin() + static_cast<std::ptrdiff_t>(offset), n, out.begin());
  return n;
}

}  // namespace synack::harness::http

// A small static HTTP/1.1 server as pure logic, apart from any socket: an
// incremental request parser and a response builder over a document root.
// The socket plumbing (harness/runtime/apps.h) feeds received bytes in and
// streams the response out; the simulation can reuse the same classes.
//
// Supported (RFC 9112 / RFC 9110): GET and HEAD; Content-Length on every
// response; persistent connections by default in HTTP/1.1, `Connection:
// close` honoured, HTTP/1.0 closes unless `Connection: keep-alive`; 400 for
// malformed requests (bad request line, header without a colon, bytes that
// are not tokens, a request head over 8 KiB, a request body); 403 for paths
// that try to leave the document root ("..", encoded or not, NUL); 404 for
// missing files; 405 for other methods; 505 for versions other than 1.x.
// Not supported: request bodies, chunked encoding, ranges, conditional
// requests, directory listings (a directory serves its index.html).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stack/base/bytes.h"

namespace synack::harness::http {

inline constexpr std::size_t kMaxHeadBytes = 8192;

struct Request {
  std::string method;
  std::string target;  // as sent
  int version_minor = 1;  // HTTP/1.x
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::optional<std::string> header(std::string_view lower_name) const;
  bool keep_alive() const;  // RFC 9112 §9.3
};

enum class ParseStatus { NeedMore, Done, Bad };

struct ParseOutcome {
  ParseStatus status = ParseStatus::NeedMore;
  std::size_t consumed = 0;  // bytes of the buffer that formed the request
  Request request;
  std::string error;  // why it is Bad
  int error_status = 400;  // 400, or 505 for an unsupported version
};

// Parses one request head at the start of `buf` (which may hold more, for
// pipelining). Stateless: call again with more bytes when NeedMore.
ParseOutcome parse_request(std::string_view buf);

// Files the server can serve. Paths are already checked and decoded
// ("/a/b.txt", never containing "..").
class DocumentRoot {
 public:
  virtual ~DocumentRoot() = default;
  // Size of the regular file at `path`; nullopt when absent. A directory
  // resolves to its index.html.
  virtual std::optional<std::uint64_t> file_size(const std::string& path) const = 0;
  // Reads up to out.size() bytes at `offset`; returns the count (0 at end
  // or on error).
  virtual std::size_t read(const std::string& path, std::uint64_t offset, MutBytes out) const = 0;
  // The path actually served for `path` (index.html for directories).
  virtual std::string resolve(const std::string& path) const { return path; }
};

// Files under a directory of the file system.
class FsDocumentRoot final : public DocumentRoot {
 public:
  explicit FsDocumentRoot(std::string dir) : dir_(std::move(dir)) {}
  std::optional<std::uint64_t> file_size(const std::string& path) const override;
  std::size_t read(const std::string& path, std::uint64_t offset, MutBytes out) const override;
  std::string resolve(const std::string& path) const override;

 private:
  std::string dir_;
};

// Files held in memory (tests, simulation).
class MemoryDocumentRoot final : public DocumentRoot {
 public:
  void add(std::string path, Bytes content) { files_[std::move(path)] = std::move(content); }
  std::optional<std::uint64_t> file_size(const std::string& path) const override;
  std::size_t read(const std::string& path, std::uint64_t offset, MutBytes out) const override;
  std::string resolve(const std::string& path) const override;

 private:
  std::map<std::string, Bytes> files_;
};

struct Response {
  int status = 200;
  std::string head;         // status line and headers, ending in CRLF CRLF
  std::string inline_body;  // small bodies (error pages)
  std::string file;         // when non-empty: stream body_len bytes of it
  std::uint64_t body_len = 0;  // bytes of body that follow the head
  bool keep_alive = true;
};

// Decodes %XX escapes and checks the path stays inside the root: returns the
// clean path or nullopt when it must be refused.
std::optional<std::string> sanitize_path(std::string_view target);

class Responder {
 public:
  explicit Responder(const DocumentRoot& root, std::string server_name = "synack")
      : root_(root), server_(std::move(server_name)) {}
  Response respond(const Request& req) const;
  // The reply to a request that could not be parsed (400 or 505, closes).
  Response reject(int status, const std::string& why) const;

 private:
  Response error(int status, bool keep_alive, bool head_only) const;
  const DocumentRoot& root_;
  std::string server_;
};

std::string_view reason_phrase(int status);
std::string content_type_for(std::string_view path);

}  // namespace synack::harness::http

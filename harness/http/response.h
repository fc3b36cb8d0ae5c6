// An incremental HTTP/1.1 response parser for clients (RFC 9112), pure
// logic apart from any socket: `synack get` and the `simulate http` client
// feed it the bytes they receive and get the body back through a callback.
//
// - Status line (§4) and header section (§5): lines end in CRLF; a bare LF is
//   accepted as a line end (§2.2 allows it), a bare CR inside a line is an
//   error, as are whitespace before a field's colon and obsolete line
//   folding (§5.1, §5.2). The head may be at most kMaxResponseHead bytes.
// - Interim 1xx responses are skipped (RFC 9110 §15.2); 101 (a protocol
//   switch) is an error since the client does not ask for one.
// - The body's length, in the order of §6.3: none for a HEAD request, 1xx,
//   204 and 304; chunked when it is the final transfer coding (§7.1: chunk
//   extensions are checked and ignored, trailer fields are parsed and kept
//   apart from the head); otherwise Content-Length (a list of equal values
//   is one value, differing values are an error); otherwise the body ends
//   when the connection does (finish()). Other transfer codings (gzip, ...)
//   are an error: the client would hand out encoded bytes as the body.
// - With Transfer-Encoding and Content-Length both present the former wins
//   and the connection is not reused (§6.3 item 3: a smuggling hazard).
// - Every malformed response gives one error line saying what and where;
//   the parser then stays failed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stack/base/bytes.h"
#include "stack/base/result.h"

namespace synack::harness::http {

inline constexpr std::size_t kMaxResponseHead = 64 * 1024;
inline constexpr std::size_t kMaxChunkLine = 4096;     // chunk-size plus extensions
inline constexpr std::size_t kMaxTrailerBytes = 64 * 1024;

using Fields = std::vector<std::pair<std::string, std::string>>;  // names lower-cased, values trimmed

struct ResponseHead {
  int version_minor = 1;  // HTTP/1.x
  int status = 0;
  std::string reason;
  Fields headers;
  std::optional<std::string> header(std::string_view lower_name) const;
};

enum class BodyFraming { None, Length, Chunked, UntilClose };
std::string_view to_string(BodyFraming f) noexcept;

class ResponseParser {
 public:
  using Sink = std::function<void(ConstBytes)>;

  // `head_request`: the response answers a HEAD request, so it has no body
  // whatever its headers say (RFC 9110 §9.3.2).
  explicit ResponseParser(bool head_request = false) : head_request_(head_request) {}

  // Parses bytes from the connection; body bytes go to `sink` as they are
  // decoded. Returns how many bytes of `in` belong to this response: fewer
  // than in.size() only once it is complete (the rest starts the next
  // response on a persistent connection).
  Result<std::size_t, std::string> feed(ConstBytes in, const Sink& sink);
  // The peer closed the connection: ends a read-until-close body, or is an
  // error when the response was cut short.
  Result<void, std::string> finish();

  bool head_complete() const noexcept { return head_done_; }
  bool complete() const noexcept { return state_ == State::Done; }
  bool failed() const noexcept { return state_ == State::Failed; }
  const std::string& error() const noexcept { return error_; }
  const ResponseHead& head() const noexcept { return head_; }
  const Fields& trailers() const noexcept { return trailers_; }
  BodyFraming framing() const noexcept { return framing_; }
  std::uint64_t body_bytes() const noexcept { return body_bytes_; }
  // Content-Length when the body is framed by it.
  std::optional<std::uint64_t> content_length() const noexcept { return content_length_; }
  // Whether the connection may carry another request after this response
  // (RFC 9112 §9.3): HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with
  // `Connection: keep-alive`, and never after a read-until-close body.
  bool keep_alive() const;

 private:
  enum class State { StatusLine, HeaderLines, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, UntilClose, Done, Failed };

  // Appends to line_ up to a line end; returns the complete line (without
  // its CRLF) or nullopt when more bytes are needed. `limit` bounds the line.
  std::optional<std::string> take_line(ConstBytes in, std::size_t& pos, std::size_t limit, const char* what);
  Result<void, std::string> on_head_bytes(ConstBytes in, std::size_t& pos);
  Result<void, std::string> on_status_line(std::string_view line);
  Result<void, std::string> on_field_line(std::string_view line, Fields& into);
  Result<void, std::string> on_head_end();
  Result<void, std::string> on_chunk_size(std::string_view line);
  Result<void, std::string> fail(std::string why);

  bool head_request_;
  State state_ = State::StatusLine;
  ResponseHead head_;
  Fields trailers_;
  std::string line_;
  std::size_t head_bytes_ = 0;  // of the current head (or trailer section)
  bool head_done_ = false;
  bool te_and_cl_ = false;
  BodyFraming framing_ = BodyFraming::None;
  std::optional<std::uint64_t> content_length_;
  std::uint64_t remaining_ = 0;  // of the Content-Length body or current chunk
  std::uint64_t body_bytes_ = 0;
  std::uint64_t chunks_ = 0;
  std::string error_;
};

// A URL of the form http://HOST[:PORT][/PATH] (RFC 9110 §4.2.1), HOST a
// dotted IPv4 address or a DNS name. No userinfo, no IPv6 literals.
struct HttpUrl {
  std::string host;          // as written (names lower-cased)
  std::uint16_t port = 80;
  std::string authority;     // host[:port] as written, for the Host header
  std::string target = "/";  // path and query, "/" when absent
};
Result<HttpUrl, std::string> parse_http_url(std::string_view url);

}  // namespace synack::harness::http

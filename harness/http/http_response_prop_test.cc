// Properties of the response parser: any body, chunked into any chunk sizes
// with any extensions and trailers, and delivered in any pieces, decodes to
// the same bytes; so does a Content-Length body. Arbitrary bytes never
// crash it and always end in one of complete, need-more or an error.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <fmt/core.h>

#include "harness/http/response.h"

namespace synack::harness::http {
namespace {

std::string decode_in_pieces(const std::string& raw, const std::vector<std::size_t>& cuts, bool& complete,
                             std::string& error) {
  ResponseParser p;
  std::string body;
  auto sink = [&](ConstBytes b) { body.append(reinterpret_cast<const char*>(b.data()), b.size()); };
  std::size_t at = 0;
  for (std::size_t i = 0; at < raw.size(); ++i) {
    std::size_t n = i < cuts.size() ? std::max<std::size_t>(1, cuts[i]) : raw.size() - at;
    n = std::min(n, raw.size() - at);
    auto r = p.feed(ConstBytes(reinterpret_cast<const std::uint8_t*>(raw.data()) + at, n), sink);
    if (!r) {
      error = r.error();
      break;
    }
    at += n;
  }
  complete = p.complete();
  return body;
}

RC_GTEST_PROP(HttpResponseProp, ChunkedDecodesToTheBody, ()) {
  auto body = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  auto sizes = *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(1, 300));
  auto with_ext = *rc::gen::arbitrary<bool>();
  auto cuts = *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(1, 40));
  std::string raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::size_t at = 0, i = 0;
  while (at < body.size()) {
    std::size_t n = std::min(body.size() - at, i < sizes.size() ? sizes[i] : body.size());
    raw += fmt::format("{:x}{}\r\n", n, with_ext ? "; ext=\"v;\" ;flag" : "");
    raw += body.substr(at, n) + "\r\n";
    at += n;
    ++i;
  }
  raw += "0\r\nTrailer-A: 1\r\n\r\n";
  bool complete = false;
  std::string error;
  auto got = decode_in_pieces(raw, cuts, complete, error);
  RC_ASSERT(error.empty());
  RC_ASSERT(complete);
  RC_ASSERT(got == body);
}

RC_GTEST_PROP(HttpResponseProp, ContentLengthDecodesToTheBody, ()) {
  auto body = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  auto cuts = *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(1, 40));
  std::string raw = fmt::format("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.size()) + body;
  bool complete = false;
  std::string error;
  auto got = decode_in_pieces(raw, cuts, complete, error);
  RC_ASSERT(error.empty());
  RC_ASSERT(complete);
  RC_ASSERT(got == body);
}

RC_GTEST_PROP(HttpResponseProp, ArbitraryBytesNeverCrash, ()) {
  auto prefix = *rc::gen::element<std::string>("", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  auto junk = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  ResponseParser p;
  std::string raw = prefix + junk;
  auto r = p.feed(ConstBytes(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()), [](ConstBytes) {});
  RC_ASSERT(r.ok() != p.failed());
  if (r) RC_ASSERT(*r <= raw.size());
  (void)p.finish();
  RC_ASSERT(p.complete() || p.failed());
}

}  // namespace
}  // namespace synack::harness::http

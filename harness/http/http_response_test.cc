// Unit tests of the HTTP/1.1 response parser: Content-Length, chunked
// (extensions, trailers, every split point), read-until-close, bodiless
// responses, interim 1xx, keep-alive rules, and malformed responses with
// their error lines; plus URL parsing.
#include "harness/http/response.h"

#include <gtest/gtest.h>

namespace synack::harness::http {
namespace {

ConstBytes bytes_of(std::string_view s) { return ConstBytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

struct Parsed {
  std::string body;
  std::size_t consumed = 0;
  std::string error;  // from feed or finish
};

// Feeds `raw` in pieces of `step` bytes (0: at once); finishes when `eof`.
Parsed parse(ResponseParser& p, std::string_view raw, std::size_t step = 0, bool eof = false) {
  Parsed out;
  auto sink = [&](ConstBytes b) { out.body.append(reinterpret_cast<const char*>(b.data()), b.size()); };
  if (step == 0) step = raw.size() ? raw.size() : 1;
  for (std::size_t at = 0; at < raw.size() && !p.complete(); at += step) {
    auto piece = raw.substr(at, step);
    auto r = p.feed(bytes_of(piece), sink);
    if (!r) {
      out.error = r.error();
      return out;
    }
    out.consumed += *r;
  }
  if (eof) {
    auto r = p.finish();
    if (!r) out.error = r.error();
  }
  return out;
}

Parsed parse(std::string_view raw, std::size_t step = 0, bool eof = false, bool head = false) {
  ResponseParser p(head);
  return parse(p, raw, step, eof);
}

TEST(HttpResponse, ContentLengthBodyEndsTheResponse) {
  std::string raw = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b \r\n\r\nhelloHTTP/1.1 next";
  ResponseParser p;
  auto r = parse(p, raw);
  EXPECT_EQ(r.error, "");
  EXPECT_TRUE(p.complete());
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.consumed, raw.find("HTTP/1.1 next"));  // the rest is the next response
  EXPECT_EQ(p.head().status, 200);
  EXPECT_EQ(p.head().reason, "OK");
  EXPECT_EQ(p.head().header("x-a"), "b");
  EXPECT_EQ(p.framing(), BodyFraming::Length);
  EXPECT_TRUE(p.keep_alive());
}

TEST(HttpResponse, ChunkedWithExtensionsAndTrailers) {
  std::string raw =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "1 ; a ; b = \"q\\\"uoted;\" \r\n \r\n"
      "A\r\n0123456789\r\n"
      "000;last\r\nExpires: never\r\nX-Sum: 42\r\n\r\n";
  for (std::size_t step : {0u, 1u, 2u, 3u, 7u}) {
    ResponseParser p;
    auto r = parse(p, raw + "EXTRA", step);
    EXPECT_EQ(r.error, "") << step;
    EXPECT_TRUE(p.complete()) << step;
    EXPECT_EQ(r.body, "hello 0123456789") << step;
    EXPECT_EQ(p.body_bytes(), 16u);
    EXPECT_EQ(p.framing(), BodyFraming::Chunked);
    ASSERT_EQ(p.trailers().size(), 2u) << step;
    EXPECT_EQ(p.trailers()[1], (std::pair<std::string, std::string>{"x-sum", "42"}));
    EXPECT_FALSE(p.head().header("x-sum"));  // trailers are kept apart from the head
    if (step == 0) {
      EXPECT_EQ(r.consumed, raw.size());
    }
  }
}

TEST(HttpResponse, ChunkedEverySplitPoint) {
  std::string raw = "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n3\r\nabc\r\n2;x\r\nde\r\n0\r\n\r\n";
  for (std::size_t cut = 1; cut < raw.size(); ++cut) {
    ResponseParser p;
    std::string body;
    auto sink = [&](ConstBytes b) { body.append(reinterpret_cast<const char*>(b.data()), b.size()); };
    ASSERT_TRUE(p.feed(bytes_of(std::string_view(raw).substr(0, cut)), sink)) << cut;
    EXPECT_FALSE(p.complete()) << cut;
    ASSERT_TRUE(p.feed(bytes_of(std::string_view(raw).substr(cut)), sink)) << cut;
    EXPECT_TRUE(p.complete()) << cut;
    EXPECT_EQ(body, "abcde") << cut;
  }
}

TEST(HttpResponse, ReadUntilClose) {
  auto r = parse("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it\nuntil close", 4, true);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.body, "all of it\nuntil close");
  ResponseParser p;
  (void)parse(p, "HTTP/1.1 200 OK\r\n\r\nabc", 0, false);
  EXPECT_FALSE(p.complete());
  EXPECT_EQ(p.framing(), BodyFraming::UntilClose);
  EXPECT_FALSE(p.keep_alive());
  EXPECT_TRUE(p.finish());
  EXPECT_TRUE(p.complete());
}

TEST(HttpResponse, BodilessResponses) {
  for (const char* raw : {"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n",
                          "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}) {
    ResponseParser p;
    auto r = parse(p, raw);
    EXPECT_EQ(r.error, "") << raw;
    EXPECT_TRUE(p.complete()) << raw;
    EXPECT_EQ(r.body, "");
  }
  ResponseParser head(/*head_request=*/true);
  auto r = parse(head, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
  EXPECT_TRUE(head.complete());
  EXPECT_EQ(head.content_length(), std::nullopt);
  EXPECT_EQ(r.body, "");
}

TEST(HttpResponse, InterimResponsesAreSkipped) {
  ResponseParser p;
  auto r = parse(p, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                 5);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(p.head().status, 200);
  EXPECT_FALSE(p.head().header("link"));
  EXPECT_EQ(r.body, "ok");
}

TEST(HttpResponse, KeepAliveRules) {
  auto ka = [](const char* raw) {
    ResponseParser p;
    (void)parse(p, raw);
    return p.keep_alive();
  };
  EXPECT_TRUE(ka("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(ka("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(ka("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_TRUE(ka("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"));
  // Transfer-Encoding overrides Content-Length, but the connection is not reused.
  ResponseParser both;
  auto r = parse(both, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n");
  EXPECT_EQ(r.body, "x");
  EXPECT_TRUE(both.complete());
  EXPECT_FALSE(both.keep_alive());
}

TEST(HttpResponse, BareLfLineEndsAccepted) {
  auto r = parse("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nhi\n0\n\n");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.body, "hi");
  auto dup = parse("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(dup.error, "");
  EXPECT_EQ(dup.body, "abc");
}

struct BadCase {
  const char* raw;
  const char* error_part;
};

TEST(HttpResponse, MalformedResponsesSayWhy) {
  const BadCase cases[] = {
      {"SSH-2.0-OpenSSH\r\n\r\n", "malformed status line"},
      {"HTTP/2 200 OK\r\n\r\n", "malformed status line"},
      {"HTTP/2.0 200 OK\r\n\r\n", "unsupported HTTP version"},
      {"HTTP/1.1 2x0 OK\r\n\r\n", "malformed status code"},
      {"HTTP/1.1 200OK\r\n\r\n", "malformed status code"},
      {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "without a colon"},
      {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "malformed header field name"},
      {"HTTP/1.1 200 OK\r\nName : x\r\n\r\n", "malformed header field name"},
      {"HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", "obsolete line folding"},
      {"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", "bare CR"},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", "invalid Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "invalid Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "conflicting Content-Length"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "transfer coding 'gzip'"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "not the final transfer coding"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\n\r\n", "empty Transfer-Encoding"},
      {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", "101 Switching Protocols"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunk size line"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", "malformed chunk size line"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", "malformed chunk size line"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1 x\r\n", "malformed chunk extension"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;=v\r\n", "malformed chunk extension"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\"open\r\n", "malformed chunk extension"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n", "too large"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "longer than its size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n", "without a colon"},
  };
  for (const auto& c : cases) {
    for (std::size_t step : {0u, 1u}) {
      auto r = parse(c.raw, step);
      EXPECT_NE(r.error.find(c.error_part), std::string::npos) << c.raw << " -> '" << r.error << "'";
    }
  }
  EXPECT_NE(parse(std::string(kMaxResponseHead + 10, 'H')).error.find("longer than"), std::string::npos);
  std::string long_chunk = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + std::string(kMaxChunkLine, 'a');
  EXPECT_NE(parse(long_chunk).error.find("chunk size line longer than"), std::string::npos);
}

TEST(HttpResponse, CutShortByTheConnection) {
  EXPECT_EQ(parse("", 0, true).error, "connection closed without a response");
  EXPECT_NE(parse("HTTP/1.1 200 OK\r\nA:", 0, true).error.find("inside the response head"), std::string::npos);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, true).error,
            "connection closed after 3 of 10 body bytes");
  EXPECT_NE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 0, true).error.find("inside the chunked body"),
            std::string::npos);
  // A failed parser stays failed.
  ResponseParser p;
  (void)parse(p, "garbage\r\n");
  EXPECT_TRUE(p.failed());
  EXPECT_FALSE(p.feed(bytes_of("HTTP/1.1 200 OK\r\n\r\n"), [](ConstBytes) {}));
  EXPECT_FALSE(p.finish());
}

TEST(HttpUrl, Parses) {
  auto u = parse_http_url("http://Example.TEST:8080/a/b?q=1#frag");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->host, "example.test");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->authority, "Example.TEST:8080");
  EXPECT_EQ(u->target, "/a/b?q=1");
  auto plain = parse_http_url("http://10.0.0.1");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->target, "/");
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(parse_http_url("http://h?x")->target, "/?x");
  for (const char* bad : {"https://h/", "ftp://h", "http://", "http://:80/", "http://h:0/", "http://h:65536/",
                          "http://h:x/", "http://u@h/", "http://[::1]/", "http://h/a b"})
    EXPECT_FALSE(parse_http_url(bad)) << bad;
}

}  // namespace
}  // namespace synack::harness::http

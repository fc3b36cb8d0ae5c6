// Unit tests of the static HTTP server logic: request parsing (complete,
// partial, pipelined, malformed), path sanitising, and responses (200 with
// Content-Length, HEAD, 404, 403, 405, 400, keep-alive rules).
#include "harness/http/server.h"

#include <gtest/gtest.h>

namespace synack::harness::http {
namespace {

TEST(HttpParse, CompleteRequest) {
  auto o = parse_request("GET /a.txt HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\n");
  ASSERT_EQ(o.status, ParseStatus::Done);
  EXPECT_EQ(o.request.method, "GET");
  EXPECT_EQ(o.request.target, "/a.txt");
  EXPECT_EQ(o.request.version_minor, 1);
  EXPECT_EQ(o.request.header("user-agent"), "t");
  EXPECT_TRUE(o.request.keep_alive());
}

TEST(HttpParse, EveryPrefixNeedsMore) {
  std::string req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::size_t i = 0; i < req.size(); ++i)
    EXPECT_EQ(parse_request(req.substr(0, i)).status, ParseStatus::NeedMore) << i;
  EXPECT_EQ(parse_request(req).consumed, req.size());
}

TEST(HttpParse, PipelinedRequestsConsumeOneAtATime) {
  std::string two = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: x\r\n\r\n";
  auto a = parse_request(two);
  ASSERT_EQ(a.status, ParseStatus::Done);
  auto b = parse_request(std::string_view(two).substr(a.consumed));
  ASSERT_EQ(b.status, ParseStatus::Done);
  EXPECT_EQ(b.request.method, "HEAD");
  EXPECT_EQ(b.request.target, "/2");
}

TEST(HttpParse, MalformedRequestsAreBad) {
  for (const char* bad : {"GET\r\n\r\n", "GET /\r\nHost: x\r\n\r\n", "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
                          "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
                          "GET / HTTP/1.1\r\nBad Name: v\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
                          "GET / FTP/1.1\r\nHost: x\r\n\r\n", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"}) {
    EXPECT_EQ(parse_request(bad).status, ParseStatus::Bad) << bad;
  }
  auto v2 = parse_request("GET / HTTP/2.0\r\nHost: x\r\n\r\n");
  EXPECT_EQ(v2.status, ParseStatus::Bad);
  EXPECT_EQ(v2.error_status, 505);
  EXPECT_EQ(parse_request(std::string(kMaxHeadBytes + 1, 'a')).status, ParseStatus::Bad);
}

TEST(HttpParse, KeepAliveRules) {
  EXPECT_FALSE(parse_request("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").request.keep_alive());
  EXPECT_FALSE(parse_request("GET / HTTP/1.0\r\n\r\n").request.keep_alive());
  EXPECT_TRUE(parse_request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").request.keep_alive());
}

TEST(HttpPath, TraversalIsRefused) {
  EXPECT_EQ(sanitize_path("/a/b.txt?q=1"), "/a/b.txt");
  EXPECT_EQ(sanitize_path("/a%20b"), "/a b");
  for (const char* bad : {"/../etc/passwd", "/a/../../x", "/%2e%2e/x", "/a/%2E%2E", "/x%00", "/%2", "/%zz", "x",
                          "http://h/", "/a\\..\\b", "/./a"})
    EXPECT_FALSE(sanitize_path(bad).has_value()) << bad;
}

struct Fixture {
  Fixture() {
    root.add("/index.html", Bytes{'h', 'i'});
    root.add("/data.bin", Bytes(1000, 7));
  }
  Response get(const std::string& raw) {
    auto o = parse_request(raw);
    EXPECT_EQ(o.status, ParseStatus::Done) << raw;
    return Responder(root).respond(o.request);
  }
  MemoryDocumentRoot root;
};

TEST(HttpRespond, FileWithContentLength) {
  Fixture f;
  auto r = f.get("GET /data.bin HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.head.substr(0, 17), "HTTP/1.1 200 OK\r\n");
  EXPECT_NE(r.head.find("Content-Length: 1000\r\n"), std::string::npos);
  EXPECT_NE(r.head.find("application/octet-stream"), std::string::npos);
  EXPECT_EQ(r.file, "/data.bin");
  EXPECT_EQ(r.body_len, 1000u);
  EXPECT_TRUE(r.keep_alive);
  auto root = f.get("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(root.file, "/index.html");
  EXPECT_NE(root.head.find("text/html"), std::string::npos);
}

TEST(HttpRespond, HeadHasLengthButNoBody) {
  Fixture f;
  auto r = f.get("HEAD /data.bin HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.head.find("Content-Length: 1000\r\n"), std::string::npos);
  EXPECT_EQ(r.body_len, 0u);
  EXPECT_TRUE(r.file.empty());
}

TEST(HttpRespond, ErrorStatuses) {
  Fixture f;
  auto nf = f.get("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.body_len, nf.inline_body.size());
  EXPECT_NE(nf.head.find("Content-Length: " + std::to_string(nf.inline_body.size())), std::string::npos);
  EXPECT_EQ(f.get("GET /../x HTTP/1.1\r\nHost: x\r\n\r\n").status, 403);
  auto m = f.get("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(m.status, 405);
  EXPECT_NE(m.head.find("Allow: GET, HEAD"), std::string::npos);
  auto closing = f.get("GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_FALSE(closing.keep_alive);
  EXPECT_NE(closing.head.find("Connection: close"), std::string::npos);
  auto rej = Responder(f.root).reject(400, "x");
  EXPECT_EQ(rej.status, 400);
  EXPECT_FALSE(rej.keep_alive);
  EXPECT_EQ(rej.head.substr(0, 24), "HTTP/1.1 400 Bad Request");
}

}  // namespace
}  // namespace synack::harness::http

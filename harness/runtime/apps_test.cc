// Unit tests of the server applications' pure helpers: --serve
// specifications and the chargen pattern.
#include "harness/runtime/apps.h"

#include <gtest/gtest.h>

namespace synack::harness {
namespace {

TEST(ServeSpec, Parses) {
  std::string err;
  auto h = parse_serve_spec("http:8080:/srv/www", &err);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->port, 8080);
  EXPECT_EQ(h->dir, "/srv/www");
  EXPECT_EQ(parse_serve_spec("echo:7", &err)->kind, "echo");
  for (const char* bad : {"echo", "echo:0", "echo:70000", "echo:7:x", "http:80", "gopher:70", "echo:x"})
    EXPECT_FALSE(parse_serve_spec(bad, &err)) << bad;
}

TEST(Chargen, LinesRotate) {
  EXPECT_EQ(chargen_line(0).substr(0, 5), " !\"#$");
  EXPECT_EQ(chargen_line(1).substr(0, 4), "!\"#$");
  EXPECT_EQ(chargen_line(0).size(), 74u);
  EXPECT_EQ(chargen_line(95), chargen_line(0));
}

// The session copies from a precomputed period: the stream must still be
// the lines one after the other, across drains and period boundaries.
TEST(Chargen, SessionStreamIsTheLines) {
  socket::Host host(iface::StackConfig{});
  ChargenServer server(host, 19);
  auto session = server.make_session();
  Bytes stream;
  for (int i = 0; i < 3; ++i) session->on_drained(stream);
  ASSERT_GT(stream.size(), 95u * 74u * 2);
  std::string expected;
  for (std::uint64_t line = 0; expected.size() < stream.size(); ++line) expected += chargen_line(line);
  EXPECT_EQ(std::string(stream.begin(), stream.end()), expected.substr(0, stream.size()));
}

}  // namespace
}  // namespace synack::harness

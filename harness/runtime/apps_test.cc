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

}  // namespace
}  // namespace synack::harness

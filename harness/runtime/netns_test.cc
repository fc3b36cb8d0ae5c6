// Unit tests of the process helpers and the TAP device's argument checks
// (no root needed): commands and their exit codes, child processes stopped
// and reaped, unique interface names, TAP names refused before any syscall.
#include "harness/runtime/netns.h"

#include <gtest/gtest.h>

#include <set>

#include "stack/driver/tap_linux.h"

namespace synack::harness {
namespace {

TEST(RunCommand, CapturesOutputAndExitCode) {
  auto r = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.output.find("out"), std::string::npos);
  EXPECT_NE(r.output.find("err"), std::string::npos);
  EXPECT_EQ(run_command({"definitely-not-a-program-synack"}).exit_code, 127);
  EXPECT_TRUE(have_program("sh"));
  EXPECT_FALSE(have_program("definitely-not-a-program-synack"));
}

TEST(ChildProcess, StopsAndReaps) {
  auto c = ChildProcess::spawn("", {"sleep", "30"});
  ASSERT_TRUE(c) << c.error();
  EXPECT_TRUE(c->running());
  EXPECT_FALSE(c->wait(50).has_value());
  EXPECT_EQ(c->stop(), -15);
  EXPECT_FALSE(c->running());
  auto quick = ChildProcess::spawn("", {"true"});
  ASSERT_TRUE(quick);
  EXPECT_EQ(quick->wait(5000), 0);
}

TEST(UniqueName, FitsAnInterfaceNameAndDiffers) {
  std::set<std::string> names;
  for (int i = 0; i < 100; ++i) {
    auto n = unique_name("skt");
    EXPECT_LE(n.size(), 15u);
    names.insert(n);
  }
  EXPECT_EQ(names.size(), 100u);
}

driver::TapOptions tap_opts(std::string name, std::string ns = "", std::uint16_t mtu = 1500) {
  driver::TapOptions o;
  o.name = std::move(name);
  o.netns = std::move(ns);
  o.mtu = mtu;
  return o;
}

TEST(TapDevice, RefusesBadNamesBeforeOpening) {
  auto r = driver::TapDevice::open(tap_opts("a-name-that-is-too-long"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("1 to 15 characters"), std::string::npos);
  EXPECT_FALSE(driver::TapDevice::open(tap_opts("")));
  EXPECT_FALSE(driver::TapDevice::open(tap_opts("a/b")));
  EXPECT_FALSE(driver::TapDevice::open(tap_opts("ok", "", 40)));
  auto ns = driver::TapDevice::open(tap_opts("skx", "no-such-namespace-synack"));
  ASSERT_FALSE(ns);
  EXPECT_NE(ns.error().message.find("no-such-namespace-synack"), std::string::npos) << ns.error().message;
}

}  // namespace
}  // namespace synack::harness

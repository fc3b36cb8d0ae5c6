// Receive window space and the window of a SYN (config.h), as Linux sizes
// them: half of SO_RCVBUF's doubled buffer, and whole segments in a SYN.
#include <gtest/gtest.h>

#include "stack/transport/tcp/config.h"

namespace synack::tcp {
namespace {

TEST(RcvSpace, HalfOfTheBufferWithAFloor) {
  EXPECT_EQ(rcv_space(128 * 1024), 64u * 1024);
  EXPECT_EQ(rcv_space(4096), 2048u);  // SO_RCVBUF 2048
  EXPECT_EQ(rcv_space(300), 256u);
  EXPECT_EQ(rcv_space(0), 256u);
}

TEST(InitialWindow, WholeSegmentsOfAtMost65535) {
  EXPECT_EQ(initial_window(64 * 1024, 1460), 64240);  // Linux's SYN
  EXPECT_EQ(initial_window(64 * 1024, 1448), 65160);  // its SYN-ACK with timestamps
  EXPECT_EQ(initial_window(2048, 1460), 1460);
  EXPECT_EQ(initial_window(4096, 1448), 2896);
  EXPECT_EQ(initial_window(1000, 1460), 1000);  // less than a segment: all of it
  EXPECT_EQ(initial_window(1460, 1460), 1460);
  EXPECT_EQ(initial_window(0, 1460), 0);
  EXPECT_EQ(initial_window(6 * 1024 * 1024, 0), 65535);
}

}  // namespace
}  // namespace synack::tcp

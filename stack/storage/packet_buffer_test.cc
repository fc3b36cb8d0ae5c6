#include "stack/storage/packet_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace synack::storage {
namespace {

TEST(PacketBuffer, BuildsHeadersFrontToBackWithoutMovingPayload) {
  PacketBuffer pb(/*headroom=*/14 + 20 + 20, /*payload_capacity=*/4);
  pb.append(std::array<std::uint8_t, 4>{'d', 'a', 't', 'a'});
  const std::uint8_t* payload_at = pb.data().data();
  for (auto [len, fill] : {std::pair{20, 0x7}, {20, 0x4}, {14, 0xe}}) {
    auto h = pb.push_header(static_cast<std::size_t>(len));
    ASSERT_TRUE(h.ok());
    ASSERT_EQ(h->size(), static_cast<std::size_t>(len));
    std::fill(h->begin(), h->end(), static_cast<std::uint8_t>(fill));
  }
  EXPECT_EQ(pb.size(), 58u);
  EXPECT_EQ(pb.headroom(), 0u);
  EXPECT_EQ(pb.data().data() + 54, payload_at);  // payload never copied
  EXPECT_EQ(pb.data()[0], 0xe);
  EXPECT_EQ(pb.data()[14], 0x4);
  EXPECT_EQ(pb.data()[34], 0x7);
  EXPECT_EQ(pb.data()[54], 'd');
}

TEST(PacketBuffer, PushHeaderFailsCleanlyWhenHeadroomRunsOut) {
  PacketBuffer pb(10, 0);
  ASSERT_TRUE(pb.push_header(8).ok());
  auto r = pb.push_header(3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), PacketBufferError::NoHeadroom);
  EXPECT_EQ(pb.size(), 8u);
  EXPECT_EQ(pb.headroom(), 2u);
  EXPECT_TRUE(pb.push_header(2).ok());
  EXPECT_TRUE(pb.push_header(0).ok());
  EXPECT_FALSE(pb.push_header(1).ok());
  EXPECT_FALSE(pb.push_header(SIZE_MAX).ok());
}

TEST(PacketBuffer, ConsumeHeadersOnInput) {
  const std::vector<std::uint8_t> frame = {1, 2, 3, 4, 5, 6, 7, 8};
  PacketBuffer pb = PacketBuffer::from_bytes(frame);
  auto eth = pb.consume_header(3);
  ASSERT_TRUE(eth.ok());
  EXPECT_EQ(std::vector<std::uint8_t>(eth->begin(), eth->end()), (std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_EQ(pb.size(), 5u);
  EXPECT_EQ(pb.headroom(), 3u);  // consumed headers become headroom again
  auto r = pb.consume_header(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), PacketBufferError::Truncated);
  EXPECT_EQ(pb.size(), 5u);
  EXPECT_TRUE(pb.consume_header(5).ok());
  EXPECT_TRUE(pb.empty());
  EXPECT_TRUE(pb.consume_header(0).ok());
  EXPECT_FALSE(pb.consume_header(SIZE_MAX).ok());
}

TEST(PacketBuffer, TrimBackDropsPadding) {
  // Ethernet pads short frames to 60 bytes; IPv4 total length says how much is real.
  PacketBuffer pb = PacketBuffer::from_bytes(std::vector<std::uint8_t>(60, 0xab));
  EXPECT_EQ(pb.trim_back(60 - 28), 32u);
  EXPECT_EQ(pb.size(), 28u);
  EXPECT_EQ(pb.trim_back(SIZE_MAX), 28u);
  EXPECT_TRUE(pb.empty());
  EXPECT_EQ(pb.trim_back(1), 0u);
}

TEST(PacketBuffer, AppendGrowsAndExtendFillsInPlace) {
  PacketBuffer pb(4, 2);
  pb.append(std::array<std::uint8_t, 3>{1, 2, 3});  // past payload_capacity
  MutBytes tail = pb.extend(2);
  ASSERT_EQ(tail.size(), 2u);
  tail[0] = 4;
  tail[1] = 5;
  pb.append({});
  EXPECT_EQ(std::vector<std::uint8_t>(pb.data().begin(), pb.data().end()),
            (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(pb.headroom(), 4u);
}

TEST(PacketBuffer, ReserveMovesDataOnlyWhenNeeded) {
  PacketBuffer pb = PacketBuffer::from_bytes(std::array<std::uint8_t, 3>{7, 8, 9}, 2);
  const std::uint8_t* before = pb.data().data();
  pb.reserve(2);
  EXPECT_EQ(pb.data().data(), before);
  pb.reserve(40);
  EXPECT_EQ(pb.headroom(), 40u);
  EXPECT_EQ(std::vector<std::uint8_t>(pb.data().begin(), pb.data().end()),
            (std::vector<std::uint8_t>{7, 8, 9}));
  EXPECT_TRUE(pb.push_header(40).ok());
}

TEST(PacketBuffer, DefaultAndReset) {
  PacketBuffer pb;
  EXPECT_TRUE(pb.empty());
  EXPECT_EQ(pb.headroom(), 0u);
  EXPECT_FALSE(pb.push_header(1).ok());
  pb.append(std::array<std::uint8_t, 2>{1, 2});
  pb.reset(16);
  EXPECT_TRUE(pb.empty());
  EXPECT_EQ(pb.headroom(), 16u);
  EXPECT_TRUE(pb.push_header(16).ok());
}

}  // namespace
}  // namespace synack::storage

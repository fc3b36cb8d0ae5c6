#include "stack/storage/ring_buffer.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <vector>

namespace synack::storage {
namespace {

ConstBytes bytes_of(std::string_view s) {
  return ConstBytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
std::string_view text(ConstBytes b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

TEST(RingBuffer, StartsEmptyWithoutMemory) {
  RingBuffer rb(8);
  EXPECT_EQ(rb.capacity(), 8u);
  EXPECT_EQ(rb.len(), 0u);
  EXPECT_EQ(rb.window(), 8u);
  EXPECT_TRUE(rb.empty());
  EXPECT_FALSE(rb.full());
  EXPECT_FALSE(rb.allocated());
  // Reads of an empty ring allocate nothing.
  std::array<std::uint8_t, 4> out{};
  EXPECT_EQ(rb.dequeue_slice(out), 0u);
  EXPECT_TRUE(rb.dequeue_many(4).empty());
  EXPECT_TRUE(rb.get_allocated(0, 4).empty());
  EXPECT_EQ(rb.dequeue_allocated(4), 0u);
  EXPECT_FALSE(rb.allocated());
}

TEST(RingBuffer, AllocatesOnFirstWriteAndReleaseFrees) {
  RingBuffer rb(8);
  EXPECT_EQ(rb.enqueue_slice(bytes_of("abc")), 3u);
  EXPECT_TRUE(rb.allocated());
  rb.release();
  EXPECT_FALSE(rb.allocated());
  EXPECT_TRUE(rb.empty());
  rb.reserve();
  EXPECT_TRUE(rb.allocated());
  EXPECT_TRUE(rb.empty());
}

TEST(RingBuffer, ZeroLengthOperationsDoNothing) {
  RingBuffer rb(4);
  EXPECT_EQ(rb.enqueue_slice({}), 0u);
  EXPECT_TRUE(rb.enqueue_many(0).empty());
  EXPECT_EQ(rb.write_unallocated(0, {}), 0u);
  EXPECT_EQ(rb.enqueue_unallocated(0), 0u);
  EXPECT_FALSE(rb.allocated());
  EXPECT_EQ(rb.enqueue_slice(bytes_of("ab")), 2u);
  EXPECT_EQ(rb.dequeue_slice({}), 0u);
  EXPECT_TRUE(rb.dequeue_many(0).empty());
  EXPECT_TRUE(rb.get_allocated(0, 0).empty());
  EXPECT_EQ(rb.dequeue_allocated(0), 0u);
  EXPECT_EQ(rb.len(), 2u);
}

TEST(RingBuffer, ZeroCapacityIsAlwaysFullAndEmpty) {
  RingBuffer rb(0);
  EXPECT_TRUE(rb.empty());
  EXPECT_TRUE(rb.full());
  EXPECT_EQ(rb.enqueue_slice(bytes_of("x")), 0u);
  EXPECT_TRUE(rb.enqueue_many(3).empty());
  EXPECT_TRUE(rb.get_unallocated(0, 3).empty());
  EXPECT_EQ(rb.enqueue_unallocated(3), 0u);
  std::array<std::uint8_t, 2> out{};
  EXPECT_EQ(rb.read_allocated(0, out), 0u);
}

TEST(RingBuffer, FullBufferRejectsMore) {
  RingBuffer rb(4);
  EXPECT_EQ(rb.enqueue_slice(bytes_of("abcdef")), 4u);
  EXPECT_TRUE(rb.full());
  EXPECT_EQ(rb.window(), 0u);
  EXPECT_EQ(rb.enqueue_slice(bytes_of("g")), 0u);
  EXPECT_TRUE(rb.enqueue_many(1).empty());
  EXPECT_TRUE(rb.get_unallocated(0, 1).empty());
  EXPECT_EQ(rb.enqueue_unallocated(1), 0u);
  std::array<std::uint8_t, 8> out{};
  ASSERT_EQ(rb.dequeue_slice(out), 4u);
  EXPECT_EQ(text(ConstBytes(out).first(4)), "abcd");
}

TEST(RingBuffer, WrapsAroundTheEnd) {
  RingBuffer rb(6);
  ASSERT_EQ(rb.enqueue_slice(bytes_of("abcd")), 4u);
  std::array<std::uint8_t, 3> three{};
  ASSERT_EQ(rb.dequeue_slice(three), 3u);  // read position now 3, "d" left
  // The free space is [4,6) then [0,3): enqueue_many gives the first piece only.
  MutBytes first = rb.enqueue_many(5);
  ASSERT_EQ(first.size(), 2u);
  first[0] = 'e';
  first[1] = 'f';
  ASSERT_EQ(rb.enqueue_slice(bytes_of("ghij")), 3u);  // wraps; "j" does not fit
  EXPECT_TRUE(rb.full());
  // Contiguous reads stop at the end of the storage.
  EXPECT_EQ(text(rb.get_allocated(0, 10)), "def");
  EXPECT_EQ(text(rb.get_allocated(3, 10)), "ghi");
  std::array<std::uint8_t, 6> all{};
  EXPECT_EQ(rb.read_allocated(0, all), 6u);
  EXPECT_EQ(text(all), "defghi");
  EXPECT_EQ(text(rb.dequeue_many(10)), "def");
  EXPECT_EQ(text(rb.dequeue_many(10)), "ghi");
  EXPECT_TRUE(rb.empty());
}

TEST(RingBuffer, OutOfOrderWritesPastTheEnd) {
  // TCP receive path: a later segment arrives first and is parked in the
  // unallocated region; the missing one then fills the hole.
  RingBuffer rb(8);
  ASSERT_EQ(rb.enqueue_slice(bytes_of("xy")), 2u);
  std::array<std::uint8_t, 2> two{};
  ASSERT_EQ(rb.dequeue_slice(two), 2u);           // read position 2, empty
  EXPECT_EQ(rb.write_unallocated(3, bytes_of("DEFGHIJ")), 5u);  // clamped at window
  EXPECT_EQ(rb.len(), 0u);
  EXPECT_EQ(rb.write_unallocated(0, bytes_of("ABC")), 3u);
  EXPECT_EQ(rb.enqueue_unallocated(100), 8u);
  std::array<std::uint8_t, 8> out{};
  EXPECT_EQ(rb.read_allocated(0, out), 8u);
  EXPECT_EQ(text(out), "ABCDEFGH");
}

TEST(RingBuffer, UnallocatedSurvivesDrainingToEmpty) {
  RingBuffer rb(8);
  ASSERT_EQ(rb.enqueue_slice(bytes_of("ab")), 2u);
  ASSERT_EQ(rb.write_unallocated(2, bytes_of("ZZ")), 2u);  // bytes 4..5 from the read position
  std::array<std::uint8_t, 2> two{};
  ASSERT_EQ(rb.dequeue_slice(two), 2u);
  ASSERT_EQ(rb.enqueue_slice(bytes_of("cd")), 2u);
  ASSERT_EQ(rb.enqueue_unallocated(2), 2u);
  std::array<std::uint8_t, 4> out{};
  ASSERT_EQ(rb.dequeue_slice(out), 4u);
  EXPECT_EQ(text(out), "cdZZ");
}

TEST(RingBuffer, OffsetsPastCapacityAreClamped) {
  RingBuffer rb(4);
  ASSERT_EQ(rb.enqueue_slice(bytes_of("ab")), 2u);
  EXPECT_TRUE(rb.get_unallocated(2, 1).empty());
  EXPECT_TRUE(rb.get_unallocated(SIZE_MAX, SIZE_MAX).empty());
  EXPECT_EQ(rb.get_unallocated(1, SIZE_MAX).size(), 1u);
  EXPECT_EQ(rb.write_unallocated(SIZE_MAX, bytes_of("q")), 0u);
  EXPECT_TRUE(rb.get_allocated(2, 1).empty());
  EXPECT_TRUE(rb.get_allocated(SIZE_MAX, SIZE_MAX).empty());
  EXPECT_EQ(text(rb.get_allocated(1, SIZE_MAX)), "b");
  std::array<std::uint8_t, 4> out{};
  EXPECT_EQ(rb.read_allocated(SIZE_MAX, out), 0u);
  EXPECT_EQ(rb.read_allocated(1, out), 1u);
  EXPECT_EQ(rb.enqueue_unallocated(SIZE_MAX), 2u);
  EXPECT_EQ(rb.dequeue_allocated(SIZE_MAX), 4u);
  EXPECT_TRUE(rb.empty());
}

TEST(RingBuffer, RetransmitReadsThenAckDrops) {
  // TCP send path: data stays queued until acknowledged.
  RingBuffer rb(10);
  ASSERT_EQ(rb.enqueue_slice(bytes_of("0123456789")), 10u);
  std::array<std::uint8_t, 4> seg{};
  EXPECT_EQ(rb.read_allocated(3, seg), 4u);
  EXPECT_EQ(text(seg), "3456");
  EXPECT_EQ(rb.len(), 10u);
  EXPECT_EQ(rb.dequeue_allocated(5), 5u);
  EXPECT_EQ(rb.read_allocated(0, seg), 4u);
  EXPECT_EQ(text(seg), "5678");
}

TEST(RingBuffer, ClearKeepsStorage) {
  RingBuffer rb(4);
  ASSERT_EQ(rb.enqueue_slice(bytes_of("abc")), 3u);
  rb.clear();
  EXPECT_TRUE(rb.empty());
  EXPECT_TRUE(rb.allocated());
  EXPECT_EQ(rb.enqueue_many(10).size(), 4u);  // read position reset to 0
}

TEST(RingBuffer, ResizeKeepsQueuedAndHeldAheadBytesAcrossTheWrap) {
  RingBuffer rb(8);
  ASSERT_EQ(rb.enqueue_slice(bytes_of("abcdef")), 6u);
  std::array<std::uint8_t, 4> out{};
  ASSERT_EQ(rb.dequeue_slice(out), 4u);  // read position 4: "ef" queued
  ASSERT_EQ(rb.enqueue_slice(bytes_of("ghij")), 4u);  // wraps: "efghij"
  ASSERT_EQ(rb.write_unallocated(1, bytes_of("L")), 1u);  // held ahead at offset 7
  EXPECT_EQ(rb.resize(16, 8), 16u);
  EXPECT_EQ(rb.capacity(), 16u);
  EXPECT_EQ(rb.len(), 6u);
  EXPECT_EQ(rb.enqueue_unallocated(2), 2u);  // the gap byte and "L"
  std::array<std::uint8_t, 8> all{};
  ASSERT_EQ(rb.dequeue_slice(all), 8u);
  EXPECT_EQ(text(ConstBytes(all.data(), 6)), "efghij");
  EXPECT_EQ(all[7], 'L');
}

TEST(RingBuffer, ResizeNeverDropsQueuedBytes) {
  RingBuffer rb(8);
  ASSERT_EQ(rb.enqueue_slice(bytes_of("abcde")), 5u);
  EXPECT_EQ(rb.resize(2), 5u);  // clamped to what is queued
  EXPECT_TRUE(rb.full());
  std::array<std::uint8_t, 5> out{};
  ASSERT_EQ(rb.dequeue_slice(out), 5u);
  EXPECT_EQ(text(out), "abcde");
  RingBuffer unused(8);
  EXPECT_EQ(unused.resize(100, 50), 100u);
  EXPECT_FALSE(unused.allocated());  // still lazy
}

}  // namespace
}  // namespace synack::storage

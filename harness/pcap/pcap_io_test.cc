#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/pcap/pcap_reader.h"
#include "harness/pcap/pcap_writer.h"

namespace synack::harness {
namespace {

namespace fs = std::filesystem;

// A scratch directory removed at the end of each test.
class PcapIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("synack_pcap_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static void write_file(const std::string& p, const Bytes& b) {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()),
                                             static_cast<std::streamsize>(b.size()));
  }
  fs::path dir_;
};

Bytes frame_of(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i);
  return b;
}

void put_le32(Bytes& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_le16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}

// Reads every frame; returns them and the error that stopped the read, if any.
struct ReadAll {
  std::vector<PcapFrame> frames;
  std::optional<PcapError> error;
};
ReadAll read_all(PcapReader& r) {
  ReadAll out;
  for (;;) {
    auto f = r.next();
    if (!f) {
      out.error = f.error();
      return out;
    }
    if (!f->has_value()) return out;
    out.frames.push_back(std::move(**f));
  }
}

// Three frames with nanosecond timestamps, written to memory.
Bytes three_frame_capture() {
  PcapWriter w = PcapWriter::in_memory();
  EXPECT_TRUE(w.write(Instant::from_nanos(1700000000123456789), frame_of(60, 1)));
  EXPECT_TRUE(w.write(Instant::from_nanos(1700000000123456790), frame_of(1514, 2)));
  EXPECT_TRUE(w.write(Instant::from_nanos(1700000001000000001), frame_of(74, 3)));
  return w.take_bytes();
}

TEST_F(PcapIoTest, FileHeaderLayout) {
  Bytes h = pcap_file_header();
  ASSERT_EQ(h.size(), kPcapFileHeaderLen);
  EXPECT_EQ(h, (Bytes{0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                      0x00, 0x00, 0x04, 0x00, 1, 0, 0, 0}));
}

TEST_F(PcapIoTest, MemoryRoundTripKeepsBytesAndNanoseconds) {
  Bytes cap = three_frame_capture();
  EXPECT_EQ(cap.size(), kPcapFileHeaderLen + 3 * kPcapRecordHeaderLen + 60 + 1514 + 74);
  auto r = PcapReader::from_memory(cap, "mem.pcap");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->snaplen(), kPcapDefaultSnaplen);
  ReadAll all = read_all(*r);
  ASSERT_FALSE(all.error) << all.error->message;
  ASSERT_EQ(all.frames.size(), 3u);
  EXPECT_EQ(all.frames[0].index, 1u);
  EXPECT_EQ(all.frames[2].index, 3u);
  EXPECT_EQ(all.frames[0].timestamp.nanos(), 1700000000123456789);
  EXPECT_EQ(all.frames[1].timestamp.nanos(), 1700000000123456790);
  EXPECT_EQ(all.frames[2].timestamp.nanos(), 1700000001000000001);
  EXPECT_EQ(all.frames[1].data, frame_of(1514, 2));
  EXPECT_EQ(all.frames[1].original_len, 1514u);
  // After the end the reader keeps saying so.
  auto again = r->next();
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value());
}

TEST_F(PcapIoTest, FileWriterMatchesMemoryWriterByteForByte) {
  auto w = PcapWriter::create(path("a.pcap"));
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE(w->write(Instant::from_nanos(1700000000123456789), frame_of(60, 1)));
  ASSERT_TRUE(w->write(Instant::from_nanos(1700000000123456790), frame_of(1514, 2)));
  ASSERT_TRUE(w->write(Instant::from_nanos(1700000001000000001), frame_of(74, 3)));
  ASSERT_TRUE(w->close());
  EXPECT_FALSE(w->write(Instant::zero(), frame_of(60, 0)));  // closed
  std::ifstream in(path("a.pcap"), std::ios::binary);
  Bytes on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(on_disk, three_frame_capture());

  auto r = PcapReader::open(path("a.pcap"));
  ASSERT_TRUE(r) << r.error().message;
  ReadAll all = read_all(*r);
  ASSERT_FALSE(all.error);
  ASSERT_EQ(all.frames.size(), 3u);
  EXPECT_EQ(all.frames[0].timestamp.nanos(), 1700000000123456789);
}

// pcap seconds are unsigned 32-bit: times after 2038 must not come back negative.
TEST_F(PcapIoTest, TimestampsPast2038ReadBackUnsigned) {
  PcapWriter w = PcapWriter::in_memory();
  const std::int64_t t = 3000000000LL * 1000000000 + 5;
  ASSERT_TRUE(w.write(Instant::from_nanos(t), frame_of(14, 0)));
  EXPECT_FALSE(w.write(Instant::from_secs(1LL << 32), frame_of(14, 0)));  // does not fit
  auto r = PcapReader::from_memory(w.bytes());
  ASSERT_TRUE(r);
  ReadAll all = read_all(*r);
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].timestamp.nanos(), t);
}

TEST_F(PcapIoTest, SnaplenCutsFramesAndKeepsOriginalLength) {
  PcapWriter w = PcapWriter::in_memory(100);
  ASSERT_TRUE(w.write(Instant::from_secs(5), frame_of(300, 7)));
  ASSERT_TRUE(w.write(Instant::from_secs(6), frame_of(40, 7), 1500));
  EXPECT_FALSE(w.write(Instant::from_secs(7), frame_of(40, 7), 20));  // len < caplen
  EXPECT_FALSE(w.write(Instant::from_nanos(-1), frame_of(40, 7)));
  auto r = PcapReader::from_memory(w.bytes());
  ASSERT_TRUE(r);
  ReadAll all = read_all(*r);
  ASSERT_EQ(all.frames.size(), 2u);
  EXPECT_EQ(all.frames[0].data, frame_of(100, 7));
  EXPECT_EQ(all.frames[0].original_len, 300u);
  EXPECT_EQ(all.frames[1].original_len, 1500u);
}

TEST_F(PcapIoTest, TruncatedRecordReportsFrameIndexAfterEarlierFrames) {
  Bytes cap = three_frame_capture();
  cap.resize(cap.size() - 30);  // cut inside the third record's data
  write_file(path("cut.pcap"), cap);
  auto r = PcapReader::open(path("cut.pcap"));
  ASSERT_TRUE(r) << r.error().message;
  ReadAll all = read_all(*r);
  ASSERT_EQ(all.frames.size(), 2u);
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->frame_index, 3u);
  EXPECT_EQ(all.error->message.rfind(path("cut.pcap") + ": frame 3: ", 0), 0u)
      << all.error->message;
  EXPECT_NE(all.error->message.find("truncated"), std::string::npos) << all.error->message;
  EXPECT_EQ(all.error->message.find('\n'), std::string::npos);
  // The reader stays at the end after an error.
  auto after = r->next();
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->has_value());
}

TEST_F(PcapIoTest, TruncatedRecordHeaderReportsFrameIndex) {
  Bytes cap = three_frame_capture();
  cap.resize(kPcapFileHeaderLen + kPcapRecordHeaderLen + 60 + 5);  // 5 bytes of header 2
  auto r = PcapReader::from_memory(cap, "hdr.pcap");
  ASSERT_TRUE(r);
  ReadAll all = read_all(*r);
  ASSERT_EQ(all.frames.size(), 1u);
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->frame_index, 2u);
  EXPECT_EQ(all.error->message.rfind("hdr.pcap: frame 2: ", 0), 0u) << all.error->message;
}

TEST_F(PcapIoTest, WrongLinkTypeIsRejectedWithItsName) {
  Bytes cap;
  put_le32(cap, 0xa1b2c3d4);
  put_le16(cap, 2);
  put_le16(cap, 4);
  put_le32(cap, 0);
  put_le32(cap, 0);
  put_le32(cap, 65535);
  put_le32(cap, 101);  // LINKTYPE_RAW
  write_file(path("raw.pcap"), cap);
  auto r = PcapReader::open(path("raw.pcap"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("RAW"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("link type"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().frame_index, 0u);
  EXPECT_EQ(r.error().message.rfind(path("raw.pcap") + ": ", 0), 0u);
}

TEST_F(PcapIoTest, NonCaptureFilesAreRejected) {
  write_file(path("text.pcap"), Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n',
                                      'n', 'o', 't', ' ', 'a', ' ', 'p', 'c', 'a', 'p', '!', '\n',
                                      'x', 'y', 'z', '\n'});
  write_file(path("empty.pcap"), Bytes{});
  write_file(path("short.pcap"), Bytes{0xd4, 0xc3, 0xb2, 0xa1, 2, 0});
  for (const char* name : {"text.pcap", "empty.pcap", "short.pcap", "missing.pcap"}) {
    auto r = PcapReader::open(path(name));
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().message.rfind(path(name) + ": ", 0), 0u) << r.error().message;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  }
  EXPECT_NE(PcapReader::open(path("empty.pcap")).error().message.find("empty"), std::string::npos);
  EXPECT_FALSE(PcapReader::from_memory(Bytes{}));
  EXPECT_FALSE(PcapReader::from_memory(Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                             16, 17, 18, 19, 20, 21, 22, 23, 24, 25}));
}

TEST_F(PcapIoTest, MicrosecondPcapIsScaledToNanoseconds) {
  Bytes cap;
  put_le32(cap, 0xa1b2c3d4);  // microsecond magic
  put_le16(cap, 2);
  put_le16(cap, 4);
  put_le32(cap, 0);
  put_le32(cap, 0);
  put_le32(cap, 65535);
  put_le32(cap, 1);
  put_le32(cap, 1000);    // seconds
  put_le32(cap, 654321);  // microseconds
  put_le32(cap, 14);
  put_le32(cap, 60);
  Bytes f = frame_of(14, 9);
  cap.insert(cap.end(), f.begin(), f.end());
  auto r = PcapReader::from_memory(cap);
  ASSERT_TRUE(r);
  ReadAll all = read_all(*r);
  ASSERT_FALSE(all.error);
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].timestamp.nanos(), 1000654321000);
  EXPECT_EQ(all.frames[0].original_len, 60u);
  EXPECT_EQ(all.frames[0].data, f);
}

// A minimal pcapng (section header, one Ethernet interface with nanosecond
// resolution, one enhanced packet block), assembled by hand.
TEST_F(PcapIoTest, ReadsPcapng) {
  Bytes cap;
  // Section Header Block.
  put_le32(cap, 0x0a0d0d0a);
  put_le32(cap, 28);
  put_le32(cap, 0x1a2b3c4d);
  put_le16(cap, 1);
  put_le16(cap, 0);
  put_le32(cap, 0xffffffff);  // section length unknown
  put_le32(cap, 0xffffffff);
  put_le32(cap, 28);
  // Interface Description Block with if_tsresol = 9 (nanoseconds).
  put_le32(cap, 1);
  put_le32(cap, 32);
  put_le16(cap, 1);  // LINKTYPE_ETHERNET
  put_le16(cap, 0);
  put_le32(cap, 262144);
  put_le16(cap, 9);  // if_tsresol
  put_le16(cap, 1);
  cap.insert(cap.end(), {9, 0, 0, 0});
  put_le32(cap, 0);  // opt_endofopt
  put_le32(cap, 32);
  // Enhanced Packet Block with 14 bytes of data (padded to 16).
  const std::uint64_t ts = 1700000000123456789ULL;
  put_le32(cap, 6);
  put_le32(cap, 32 + 16);
  put_le32(cap, 0);  // interface 0
  put_le32(cap, static_cast<std::uint32_t>(ts >> 32));
  put_le32(cap, static_cast<std::uint32_t>(ts));
  put_le32(cap, 14);
  put_le32(cap, 64);
  Bytes f = frame_of(14, 4);
  cap.insert(cap.end(), f.begin(), f.end());
  cap.insert(cap.end(), {0, 0});
  put_le32(cap, 32 + 16);

  auto r = PcapReader::from_memory(cap, "hand.pcapng");
  ASSERT_TRUE(r) << r.error().message;
  ReadAll all = read_all(*r);
  ASSERT_FALSE(all.error) << all.error->message;
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].timestamp.nanos(), 1700000000123456789);
  EXPECT_EQ(all.frames[0].original_len, 64u);
  EXPECT_EQ(all.frames[0].data, f);
}

// Every committed capture opens and reads to its end without error.
TEST_F(PcapIoTest, CorpusCapturesReadCleanly) {
  fs::path dir = fs::path(SYNACK_SOURCE_DIR) / "corpus" / "captures";
  if (!fs::exists(dir)) GTEST_SKIP() << "no corpus/captures directory";
  int files = 0;
  bool saw_pcapng = false;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
    if (ext != ".pcap" && ext != ".pcapng") continue;
    ++files;
    saw_pcapng = saw_pcapng || ext == ".pcapng";
    auto r = PcapReader::open(entry.path().string());
    ASSERT_TRUE(r) << r.error().message;
    ReadAll all = read_all(*r);
    EXPECT_FALSE(all.error) << all.error->message;
    EXPECT_GT(all.frames.size(), 0u) << entry.path();
  }
  EXPECT_GT(files, 0);
  EXPECT_TRUE(saw_pcapng);
}

}  // namespace
}  // namespace synack::harness

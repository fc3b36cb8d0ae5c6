// Robustness properties: the reader and the dissector take arbitrary bytes
// (a fuzz target's diet) without crashing, and the writer's output always
// reads back as written.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/dissect.h"
#include "harness/pcap/pcap_reader.h"
#include "harness/pcap/pcap_writer.h"

namespace synack::harness {
namespace {

RC_GTEST_PROP(DissectProp, AnyFrameDissectsWithoutCrashing, (const std::vector<std::uint8_t>& data)) {
  PcapFrame f;
  f.index = 1;
  f.original_len = static_cast<std::uint32_t>(data.size()) + *rc::gen::inRange<std::uint32_t>(0, 2);
  f.data = data;
  DissectJson j = dissect_frame(f);
  RC_ASSERT(j["frame.number"] == 1);
  RC_ASSERT(j["frame.cap_len"] == data.size());
  if (data.size() < 14) RC_ASSERT(j.value("error", "") == "ethernet: truncated");
}

// Frames that look like Ethernet + IPv4 get deeper: fix the type and version.
RC_GTEST_PROP(DissectProp, AnyIpv4FrameDissectsWithoutCrashing, (std::vector<std::uint8_t> data)) {
  data.resize(std::max<std::size_t>(data.size(), 34));
  data[12] = 0x08;
  data[13] = 0x00;
  data[14] = static_cast<std::uint8_t>(0x40 | (data[14] & 0x0f));
  PcapFrame f;
  f.index = 7;
  f.original_len = static_cast<std::uint32_t>(data.size());
  f.data = data;
  DissectJson j = dissect_frame(f);
  RC_ASSERT(j["eth.type"] == "0x0800");
}

RC_GTEST_PROP(PcapProp, AnyBytesReadWithoutCrashing, (const std::vector<std::uint8_t>& tail)) {
  // A valid header half the time, so that the record parser gets exercised.
  Bytes cap = *rc::gen::arbitrary<bool>() ? pcap_file_header() : Bytes{};
  cap.insert(cap.end(), tail.begin(), tail.end());
  auto r = PcapReader::from_memory(cap, "fuzz.pcap");
  if (!r) return;
  for (int i = 0; i < 10000; ++i) {
    auto f = r->next();
    if (!f || !f->has_value()) return;
  }
}

RC_GTEST_PROP(PcapProp, WrittenFramesReadBack,
              (const std::vector<std::vector<std::uint8_t>>& frames, std::uint32_t base_secs)) {
  PcapWriter w = PcapWriter::in_memory();
  std::int64_t t = std::int64_t{base_secs} * 1000000000;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    RC_ASSERT(w.write(Instant::from_nanos(t + static_cast<std::int64_t>(i) * 7), frames[i]).ok());
  }
  auto r = PcapReader::from_memory(w.bytes());
  RC_ASSERT(r.ok());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    auto f = r->next();
    RC_ASSERT(f.ok());
    RC_ASSERT(f->has_value());
    RC_ASSERT((*f)->data == frames[i]);
    RC_ASSERT((*f)->index == i + 1);
    RC_ASSERT((*f)->timestamp.nanos() == t + static_cast<std::int64_t>(i) * 7);
  }
  auto end = r->next();
  RC_ASSERT(end.ok());
  RC_ASSERT(!end->has_value());
}

}  // namespace
}  // namespace synack::harness

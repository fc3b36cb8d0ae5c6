// Capture files: PcapReader::from_memory over the input (pcap or pcapng),
// then every frame it yields goes through the dissector and is rendered to
// JSON. No crash, no leak; a reader error ends the file. Frames delivered
// before an error are still dissected (pcap_reader.h promises them).
#include <cstdint>

#include "fuzz/common/check.h"
#include "harness/dissect.h"
#include "harness/pcap/pcap_reader.h"

using namespace synack;
using namespace synack::harness;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto reader = PcapReader::from_memory(ConstBytes(data, size), "fuzz");
  if (!reader) return 0;
  std::uint64_t frames = 0;
  for (;;) {
    auto next = reader->next();
    if (!next) break;
    if (!*next) break;
    const PcapFrame& f = **next;
    ++frames;
    FUZZ_CHECK(f.index == frames, "frame index %llu, expected %llu", static_cast<unsigned long long>(f.index),
               static_cast<unsigned long long>(frames));
    FUZZ_CHECK(f.data.size() <= size, "frame of %zu bytes from a %zu-byte file", f.data.size(), size);
    DissectJson j = dissect_frame(f);
    (void)j.dump();
  }
  FUZZ_CHECK(reader->frames_read() == frames, "frames_read %llu != %llu",
             static_cast<unsigned long long>(reader->frames_read()), static_cast<unsigned long long>(frames));
  // A damaged record ends the file: the reader stays at the end.
  auto after = reader->next();
  FUZZ_CHECK(!after || !*after, "reader yields frames after the end");
  return 0;
}

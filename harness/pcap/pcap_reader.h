// Reading captures (pcap and pcapng) through libpcap.
//
// Contract: only Ethernet captures (LINKTYPE_ETHERNET / DLT_EN10MB) are
// accepted; any other link type is an error naming it. Timestamps are read at
// nanosecond precision whatever the file stores (libpcap scales microsecond
// files). Errors are values: a one-line message that names the file and, for
// damage in the middle of a file, the index of the frame that could not be
// read. Frames before the damage are still delivered, so a dissector can print
// everything it saw before it reports the error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "stack/base/bytes.h"
#include "stack/base/instant.h"
#include "stack/base/result.h"

namespace synack::harness {

struct PcapError {
  // One line, e.g. "capture.pcap: frame 17: truncated dump file; tried to
  // read 74 captured bytes, only got 20".
  std::string message;
  // 1-based index of the frame that could not be read; 0 when the error is
  // about the file as a whole (cannot open, not a capture, wrong link type).
  std::uint64_t frame_index = 0;
};

struct PcapFrame {
  std::uint64_t index = 0;           // 1-based, in file order (Wireshark's frame.number)
  Instant timestamp;                 // nanoseconds since the Unix epoch
  std::uint32_t original_len = 0;    // length on the wire (frame.len)
  Bytes data;                        // captured bytes (frame.cap_len == data.size())
};

// Linktype number of Ethernet in pcap headers (and DLT_EN10MB in libpcap).
inline constexpr int kLinkTypeEthernet = 1;

class PcapReader {
 public:
  // Opens a pcap or pcapng file. `path` appears in every error message.
  static Result<PcapReader, PcapError> open(const std::string& path);
  // Reads a capture held in memory (copied; e.g. a fuzz input). `name` takes
  // the place of the path in error messages.
  static Result<PcapReader, PcapError> from_memory(ConstBytes data,
                                                   std::string name = "<memory>");

  PcapReader(PcapReader&&) noexcept;
  PcapReader& operator=(PcapReader&&) noexcept;
  ~PcapReader();

  // The next frame; std::nullopt at the clean end of the file; an error when
  // the next record is damaged (after which the reader stays at the end).
  Result<std::optional<PcapFrame>, PcapError> next();

  const std::string& name() const noexcept { return name_; }
  std::uint32_t snaplen() const noexcept { return snaplen_; }
  // Frames delivered so far.
  std::uint64_t frames_read() const noexcept { return frames_read_; }

 private:
  struct State;
  PcapReader(std::unique_ptr<State> state, std::string name);
  // Checks the link type of an opened handle and wraps it.
  static Result<PcapReader, PcapError> adopt(std::unique_ptr<State> state, std::string name);

  std::unique_ptr<State> state_;
  std::string name_;
  std::uint32_t snaplen_ = 0;
  std::uint64_t frames_read_ = 0;
  bool done_ = false;
};

}  // namespace synack::harness

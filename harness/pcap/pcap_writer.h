// Writing captures: classic pcap with nanosecond timestamps (magic
// 0xa1b23c4d), link type Ethernet, snaplen 262144 by default.
//
// Contract: the bytes written depend only on the frames and timestamps given
// (little-endian headers whatever the host), so the same seed gives a
// byte-identical capture. The writer is hand-written rather than libpcap's
// pcap_dump so that it can target an in-memory buffer as well as a file.
// Frames longer than the snaplen are cut to it, keeping their original length.
// Errors (cannot open, write failure, timestamp out of range) are values.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "harness/pcap/pcap_reader.h"
#include "stack/base/bytes.h"
#include "stack/base/instant.h"
#include "stack/base/result.h"

namespace synack::harness {

inline constexpr std::uint32_t kPcapNanoMagic = 0xa1b23c4d;
inline constexpr std::uint32_t kPcapDefaultSnaplen = 262144;
inline constexpr std::size_t kPcapFileHeaderLen = 24;
inline constexpr std::size_t kPcapRecordHeaderLen = 16;

class PcapWriter {
 public:
  // Creates (truncates) the file at `path` and writes the file header.
  static Result<PcapWriter, PcapError> create(const std::string& path,
                                              std::uint32_t snaplen = kPcapDefaultSnaplen);
  // A writer whose output accumulates in memory (see bytes()).
  static PcapWriter in_memory(std::uint32_t snaplen = kPcapDefaultSnaplen);

  PcapWriter(PcapWriter&&) noexcept;
  PcapWriter& operator=(PcapWriter&&) noexcept;
  ~PcapWriter();  // closes the file (errors then go unreported: call close())

  // Appends one frame. `original_len` defaults to frame.size(); it must not be
  // smaller than the bytes actually stored. `ts` must lie in [0, 2^32) seconds.
  Result<void, PcapError> write(Instant ts, ConstBytes frame,
                                std::optional<std::uint32_t> original_len = std::nullopt);
  // Flushes and closes a file writer. Either kind refuses writes afterwards.
  Result<void, PcapError> close();

  // The capture written so far (memory writers; empty for file writers).
  const Bytes& bytes() const noexcept { return buffer_; }
  Bytes take_bytes() noexcept { return std::move(buffer_); }
  std::uint64_t frames_written() const noexcept { return frames_written_; }
  std::uint32_t snaplen() const noexcept { return snaplen_; }

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  PcapWriter(std::string name, std::uint32_t snaplen) : name_(std::move(name)), snaplen_(snaplen) {}
  Result<void, PcapError> put(ConstBytes b);
  Err<PcapError> error(const std::string& what) const;

  std::string name_;
  std::unique_ptr<std::FILE, FileCloser> file_;  // null for a memory writer
  Bytes buffer_;
  std::uint32_t snaplen_;
  std::uint64_t frames_written_ = 0;
  bool to_file_ = false;
  bool closed_ = false;
  bool failed_ = false;
};

// Byte layout of the pcap file header this writer emits (exposed for tests
// and for callers that assemble captures themselves).
Bytes pcap_file_header(std::uint32_t snaplen = kPcapDefaultSnaplen);

}  // namespace synack::harness

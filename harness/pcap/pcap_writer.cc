// PcapWriter: the classic pcap format with nanosecond timestamps. File
// header (24 bytes): magic, version 2.4, thiszone 0, sigfigs 0, snaplen,
// linktype. Record header (16 bytes): seconds, nanoseconds, captured length,
// original length. All little-endian, written byte by byte.
#include "harness/pcap/pcap_writer.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

namespace synack::harness {
namespace {

void store_le16(MutBytes b, std::size_t off, std::uint16_t v) noexcept {
  b[off] = static_cast<std::uint8_t>(v);
  b[off + 1] = static_cast<std::uint8_t>(v >> 8);
}
void store_le32(MutBytes b, std::size_t off, std::uint32_t v) noexcept {
  for (std::size_t i = 0; i < 4; ++i) b[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

constexpr std::int64_t kNanosPerSec = 1000000000;

}  // namespace

Bytes pcap_file_header(std::uint32_t snaplen) {
  Bytes h(kPcapFileHeaderLen, 0);
  store_le32(h, 0, kPcapNanoMagic);
  store_le16(h, 4, 2);  // version 2.4
  store_le16(h, 6, 4);
  // thiszone (8) and sigfigs (12) stay zero.
  store_le32(h, 16, snaplen);
  store_le32(h, 20, static_cast<std::uint32_t>(kLinkTypeEthernet));
  return h;
}

PcapWriter::PcapWriter(PcapWriter&&) noexcept = default;
PcapWriter& PcapWriter::operator=(PcapWriter&&) noexcept = default;
PcapWriter::~PcapWriter() = default;

Result<PcapWriter, PcapError> PcapWriter::create(const std::string& path, std::uint32_t snaplen) {
  PcapWriter w(path, snaplen);
  w.to_file_ = true;
  w.file_.reset(std::fopen(path.c_str(), "wb"));
  if (w.file_ == nullptr) return w.error(fmt::format("cannot open for writing: {}", std::strerror(errno)));
  auto r = w.put(pcap_file_header(snaplen));
  if (!r) return Err{r.error()};
  return w;
}

PcapWriter PcapWriter::in_memory(std::uint32_t snaplen) {
  PcapWriter w("<memory>", snaplen);
  w.buffer_ = pcap_file_header(snaplen);
  return w;
}

Err<PcapError> PcapWriter::error(const std::string& what) const {
  return Err{PcapError{fmt::format("{}: {}", name_, what), 0}};
}

Result<void, PcapError> PcapWriter::put(ConstBytes b) {
  if (!to_file_) {
    buffer_.insert(buffer_.end(), b.begin(), b.end());
    return {};
  }
  if (b.empty()) return {};
  if (std::fwrite(b.data(), 1, b.size(), file_.get()) != b.size()) {
    failed_ = true;
    return error(fmt::format("write failed: {}", std::strerror(errno)));
  }
  return {};
}

Result<void, PcapError> PcapWriter::write(Instant ts, ConstBytes frame,
                                          std::optional<std::uint32_t> original_len) {
  if (closed_) return error("write after close");
  if (failed_) return error("an earlier write failed");
  if (ts.nanos() < 0 || ts.nanos() / kNanosPerSec > 0xffffffffLL) {
    return error(fmt::format("frame {}: timestamp {} ns does not fit a pcap record",
                             frames_written_ + 1, ts.nanos()));
  }
  if (frame.size() > 0xffffffffULL) return error("frame too large");
  auto caplen = static_cast<std::uint32_t>(std::min<std::size_t>(frame.size(), snaplen_));
  std::uint32_t len = original_len.value_or(static_cast<std::uint32_t>(frame.size()));
  if (len < caplen) {
    return error(fmt::format("frame {}: original length {} is shorter than the {} bytes captured",
                             frames_written_ + 1, len, caplen));
  }
  std::array<std::uint8_t, kPcapRecordHeaderLen> rec{};
  store_le32(rec, 0, static_cast<std::uint32_t>(ts.nanos() / kNanosPerSec));
  store_le32(rec, 4, static_cast<std::uint32_t>(ts.nanos() % kNanosPerSec));
  store_le32(rec, 8, caplen);
  store_le32(rec, 12, len);
  if (auto r = put(rec); !r) return r;
  if (auto r = put(frame.first(caplen)); !r) return r;
  ++frames_written_;
  return {};
}

Result<void, PcapError> PcapWriter::close() {
  if (closed_ || !to_file_) {
    closed_ = true;
    return {};
  }
  closed_ = true;
  std::FILE* f = file_.release();
  bool bad = std::fflush(f) != 0;
  int saved = errno;
  bad = (std::fclose(f) != 0) || bad;
  if (bad) {
    failed_ = true;
    return error(fmt::format("close failed: {}", std::strerror(saved != 0 ? saved : errno)));
  }
  return {};
}

}  // namespace synack::harness

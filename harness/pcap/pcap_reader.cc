// PcapReader on top of libpcap's offline API (pcap_next_ex), which reads
// both pcap and pcapng and reports damaged records as errors.
#include "harness/pcap/pcap_reader.h"

#include <fmt/core.h>
#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace synack::harness {

struct PcapReader::State {
  pcap_t* pcap = nullptr;
  // Backing store of a memory capture: fmemopen reads it in place, so it
  // must outlive the handle (the heap block does not move with the reader).
  std::unique_ptr<Bytes> owned;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (pcap != nullptr) pcap_close(pcap);  // also closes an fmemopen FILE*
  }
};

namespace {

// libpcap's messages are single lines already; strip trailing whitespace and
// fold any stray newline so that ours stay one line.
std::string one_line(const char* msg) {
  std::string s = msg != nullptr ? msg : "unknown error";
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s.empty() ? std::string("unknown error") : s;
}

Err<PcapError> file_error(const std::string& name, const std::string& what) {
  return Err{PcapError{fmt::format("{}: {}", name, what), 0}};
}

// libpcap's open errors, made to say what a user needs to know.
std::string open_failure(const char* errbuf) {
  std::string msg = one_line(errbuf);
  if (msg == "unknown file format") return "not a pcap or pcapng capture (unknown file format)";
  return msg;
}

}  // namespace

PcapReader::PcapReader(std::unique_ptr<State> state, std::string name)
    : state_(std::move(state)), name_(std::move(name)) {}
PcapReader::PcapReader(PcapReader&&) noexcept = default;
PcapReader& PcapReader::operator=(PcapReader&&) noexcept = default;
PcapReader::~PcapReader() = default;

Result<PcapReader, PcapError> PcapReader::open(const std::string& path) {
  // libpcap says "unknown file format" for an empty file; say what it is.
  std::FILE* probe = std::fopen(path.c_str(), "rb");
  if (probe == nullptr) return file_error(path, std::strerror(errno));
  int first = std::fgetc(probe);
  std::fclose(probe);
  if (first == EOF) return file_error(path, "empty file");

  char errbuf[PCAP_ERRBUF_SIZE] = {};
  auto state = std::make_unique<State>();
  state->pcap =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (state->pcap == nullptr) return file_error(path, open_failure(errbuf));
  return adopt(std::move(state), path);
}

Result<PcapReader, PcapError> PcapReader::from_memory(ConstBytes data, std::string name) {
  if (data.empty()) return file_error(name, "empty file");
  auto state = std::make_unique<State>();
  state->owned = std::make_unique<Bytes>(data.begin(), data.end());
  std::FILE* f = fmemopen(state->owned->data(), state->owned->size(), "rb");
  if (f == nullptr) return file_error(name, std::strerror(errno));
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  state->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (state->pcap == nullptr) {
    std::fclose(f);  // not adopted by libpcap on failure
    return file_error(name, open_failure(errbuf));
  }
  return adopt(std::move(state), std::move(name));
}

Result<PcapReader, PcapError> PcapReader::adopt(std::unique_ptr<State> state, std::string name) {
  int dlt = pcap_datalink(state->pcap);
  if (dlt != DLT_EN10MB) {
    const char* dlt_name = pcap_datalink_val_to_name(dlt);
    return file_error(name, fmt::format("unsupported link type {} ({}); only Ethernet (EN10MB) "
                                        "captures are accepted",
                                        dlt_name != nullptr ? dlt_name : "unknown", dlt));
  }
  int snaplen = pcap_snapshot(state->pcap);
  PcapReader reader(std::move(state), std::move(name));
  reader.snaplen_ = snaplen > 0 ? static_cast<std::uint32_t>(snaplen) : 0;
  return reader;
}

Result<std::optional<PcapFrame>, PcapError> PcapReader::next() {
  if (done_) return std::optional<PcapFrame>{};
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc = pcap_next_ex(state_->pcap, &hdr, &data);
  if (rc == 1) {
    PcapFrame frame;
    frame.index = ++frames_read_;
    // The pcap record's seconds are an unsigned 32-bit field (as Wireshark
    // reads them), but libpcap passes them through a signed 32-bit integer:
    // undo the sign extension for times past 2038. pcapng times never are
    // negative. With nanosecond precision tv_usec holds nanoseconds.
    auto secs = static_cast<std::int64_t>(hdr->ts.tv_sec);
    if (secs < 0 && secs >= INT32_MIN) secs += std::int64_t{1} << 32;
    // Instant holds signed 64-bit nanoseconds (up to year 2262); a pcapng
    // timestamp past that (libpcap may hand it over wrapped negative) is
    // damage, not a time.
    if (secs < 0 || secs > (INT64_MAX - 1'000'000'000) / 1'000'000'000) {
      done_ = true;
      std::uint64_t index = --frames_read_ + 1;
      return Err{PcapError{fmt::format("{}: frame {}: timestamp {} s is past what nanoseconds can hold",
                                       name_, index, secs), index}};
    }
    frame.timestamp =
        Instant::from_nanos(secs * 1000000000 + static_cast<std::int64_t>(hdr->ts.tv_usec));
    frame.original_len = hdr->len;
    frame.data.assign(data, data + hdr->caplen);
    return std::optional<PcapFrame>{std::move(frame)};
  }
  done_ = true;
  if (rc == PCAP_ERROR_BREAK) return std::optional<PcapFrame>{};  // clean end of file
  std::uint64_t index = frames_read_ + 1;
  return Err{PcapError{
      fmt::format("{}: frame {}: {}", name_, index, one_line(pcap_geterr(state_->pcap))), index}};
}

}  // namespace synack::harness

// `synack dissect FILE`: prints one JSON object per frame (JSON Lines) with
// keys named after Wireshark display-filter fields (see harness/dissect.h).
// Exit status: 0 when the whole file was read; 2 when it cannot be opened or
// is damaged, with a one-line reason on stderr naming the file (and the frame
// index, for damage mid-file) after the frames before the damage were printed.
#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <string>

#include "harness/cli/command.h"
#include "harness/dissect.h"
#include "harness/pcap/pcap_reader.h"

namespace synack::cli {
namespace {

int run_dissect(const std::string& file) {
  auto reader = harness::PcapReader::open(file);
  if (!reader) {
    fmt::print(stderr, "synack dissect: {}\n", reader.error().message);
    return kExitUsage;
  }
  auto n = harness::dissect_capture(*reader, [](const harness::DissectJson& j) {
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  });
  std::fflush(stdout);
  if (!n) {
    fmt::print(stderr, "synack dissect: {}\n", n.error().message);
    return kExitUsage;
  }
  if (std::ferror(stdout)) {
    fmt::print(stderr, "synack dissect: cannot write to standard output\n");
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace

Action add_dissect_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "dissect",
      "Print one JSON object per frame of a pcap/pcapng file (JSON Lines), keys named after "
      "Wireshark display-filter fields (eth.src, ip.ttl, tcp.seq_raw, tcp.flags, ...). Exit 0 "
      "on success, 2 when the file cannot be read or is damaged (the frames before the damage "
      "are printed first).");
  auto file = std::make_shared<std::string>();
  sub->add_option("FILE", *file, "capture file (pcap or pcapng, Ethernet link type)")->required();
  return [file] { return run_dissect(*file); };
}

}  // namespace synack::cli

// `synack dissect FILE`: placeholder registration replaced by the dissector.
#include "harness/cli/command.h"

namespace synack::cli {
Action add_dissect_command(CLI::App& app) {
  auto* sub = app.add_subcommand("dissect", "Print one JSON object per frame of a pcap/pcapng file");
  auto file = std::make_shared<std::string>();
  sub->add_option("FILE", *file, "capture file (pcap or pcapng)")->required();
  return [file] { return kExitUsage; };
}
}  // namespace synack::cli

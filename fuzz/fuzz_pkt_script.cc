// Fuzz target for the packetdrill script parser (conformance/runner).
// Properties: parsing any bytes terminates without crashing; a script that
// parses prints to canonical text that parses again to an equal Script, and
// printing that again gives the same text (printing is a fixed point).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "conformance/runner/pkt_ast.h"
#include "conformance/runner/pkt_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace synack::conformance;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = parse_pkt_script(text, "fuzz.pkt");
  if (!first.ok()) {
    (void)first.error().to_string();
    return 0;
  }
  std::string printed = print_script(*first);
  auto second = parse_pkt_script(printed, "printed.pkt");
  if (!second.ok()) {
    std::fprintf(stderr, "printed script does not parse: %s\n---\n%s---\n",
                 second.error().to_string().c_str(), printed.c_str());
    std::abort();
  }
  if (!(*second == *first)) {
    std::fprintf(stderr, "round trip changed the script:\n---\n%s---\n%s---\n", printed.c_str(),
                 print_script(*second).c_str());
    std::abort();
  }
  if (print_script(*second) != printed) {
    std::fprintf(stderr, "printing is not a fixed point:\n---\n%s---\n", printed.c_str());
    std::abort();
  }
  for (const auto& e : first->events)
    if (const auto* c = std::get_if<CodeEvent>(&e.body)) {
      auto asserts = parse_tcpi_asserts(c->text);
      (void)evaluate_tcpi_asserts(asserts.asserts, {{"tcpi_reordering", 3}});
    }
  return 0;
}

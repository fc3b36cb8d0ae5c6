// Parser for packetdrill `.pkt` scripts: text -> Script (pkt_ast.h).
//
// The grammar follows google/packetdrill's parser.y for the parts synack
// runs (options, TCP/UDP/ICMP packets without encapsulation, syscalls with
// generic expressions, shell commands, code blocks). It is a hand-written
// recursive-descent parser with errors as values:
//   "sample.pkt:12:7: expected ')' after syscall arguments".
// It never crashes, never loops, and bounds expression nesting, on any input.
// Semantic checks packetdrill makes at parse time are kept (sequence range
// consistency, value ranges, `*` and `~` only on outbound packets, `<...>`
// only on outbound packets, window required on inbound TCP packets).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "conformance/runner/pkt_ast.h"
#include "stack/base/result.h"

namespace synack::conformance {

struct ParseLimits {
  int max_expr_depth = 32;  // nesting of [..], {..}, calls and fields
};

Result<Script, PktError> parse_pkt_script(std::string_view text, const std::string& file_name,
                                          const ParseLimits& limits = {});

// Reads and parses a file; an unreadable file is an error at line 0.
Result<Script, PktError> parse_pkt_file(const std::filesystem::path& path,
                                        const ParseLimits& limits = {});

}  // namespace synack::conformance

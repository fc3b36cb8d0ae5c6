// The syntax tree of a packetdrill `.pkt` script (google/packetdrill's
// language), as produced by parse_pkt_script() in pkt_parser.h.
//
// Contract:
// - The tree keeps what the script says, not what a run will do: times are
//   microseconds as written (relative or absolute), sequence numbers are the
//   script's relative numbers, `${NAME}` references are already substituted.
// - print_script() gives canonical packetdrill text; parsing that text again
//   gives an equal Script (operator== ignores source locations, which are
//   metadata for error reports, not meaning).
// - Nothing here runs anything; the conformance runner interprets the tree.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace synack::conformance {

// Where a token or event starts: 1-based line and byte column.
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;
  bool operator==(const SourceLoc&) const = default;
};

// A parse error: "file:line:column: message".
struct PktError {
  SourceLoc loc;
  std::string message;
  std::string to_string() const;
};

// ---- times -----------------------------------------------------------------

enum class TimeKind { Absolute, Relative, Any };

// `0.100` (absolute), `+.1` (relative to the previous event), `*` (any time,
// outbound packets only); `0.3~0.31` and `+.3~+.31` add a range end of the
// same kind; `+0...0.200 read(...)` adds a blocking end (syscalls only,
// kept as written: packetdrill reads it as the time the call returns).
struct TimeSpec {
  TimeKind kind = TimeKind::Absolute;
  std::int64_t usecs = 0;  // 0 for Any
  std::optional<std::int64_t> range_end_usecs;
  std::optional<std::int64_t> blocking_end_usecs;
  bool operator==(const TimeSpec&) const = default;
};

// ---- packets ---------------------------------------------------------------

// '<' is injected into the device under test, '>' is expected from it.
enum class Direction { Inbound, Outbound };

// ECN codepoint checks written `[ect0]`, `[ect1]`, `[ce]`, `[noecn]`, and
// `[ect01]` (either ECT codepoint, outbound only).
enum class IpEcn { NoEcn, Ect0, Ect1, Ce, Ect01 };

// The optional `[...]`/`(...)` IP block after the direction.
struct IpInfo {
  std::optional<IpEcn> ecn;              // exclusive with tos
  std::optional<std::uint8_t> tos;       // `tos 0x..`
  std::optional<std::uint32_t> flow_label;  // `flowlabel 0x..` (20 bits)
  std::optional<std::uint8_t> ttl;       // `ttl N` (alone)
  bool empty() const { return !ecn && !tos && !flow_label && !ttl; }
  bool operator==(const IpInfo&) const = default;
};

// `80>8080` between the IP block and the flags (or after `udp`).
struct PortPair {
  std::uint16_t src = 0;
  std::uint16_t dst = 0;
  bool operator==(const PortPair&) const = default;
};

// TCP header flag bits (RFC 9293 §3.1; AE is RFC 9768 AccECN).
namespace tcp_flag {
inline constexpr std::uint16_t kFin = 0x001;
inline constexpr std::uint16_t kSyn = 0x002;
inline constexpr std::uint16_t kRst = 0x004;
inline constexpr std::uint16_t kPsh = 0x008;
inline constexpr std::uint16_t kAck = 0x010;
inline constexpr std::uint16_t kUrg = 0x020;
inline constexpr std::uint16_t kEce = 0x040;
inline constexpr std::uint16_t kCwr = 0x080;
inline constexpr std::uint16_t kAe = 0x100;
}  // namespace tcp_flag

struct TcpOption {
  enum class Kind { Nop, Eol, Mss, WScale, SackOk, Sack, Timestamp, Md5, FastOpen, FastOpenExp };
  Kind kind = Kind::Nop;
  std::uint32_t value = 0;  // mss or wscale
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sack_blocks;  // sack a:b c:d
  std::uint32_t ts_val = 0;
  std::uint32_t ts_ecr = 0;
  std::string raw;  // md5 digest / fast-open cookie as hex text ("" = none)
  bool operator==(const TcpOption&) const = default;
};

struct TcpPacketEvent {
  Direction direction = Direction::Inbound;
  IpInfo ip;
  std::optional<PortPair> ports;
  std::string flags;          // as written, "" for `-`, e.g. "S.", "P.", "."
  std::uint16_t flag_bits = 0;  // tcp_flag::k* from flags
  std::uint32_t seq_start = 0;
  std::uint32_t seq_end = 0;
  std::uint16_t payload_len = 0;
  std::optional<std::uint32_t> ack;
  std::optional<std::uint16_t> win;  // absent: not checked (outbound only)
  std::optional<std::uint16_t> urg;
  bool any_options = false;  // `<...>`: options are not checked
  std::vector<TcpOption> options;
  bool operator==(const TcpPacketEvent&) const = default;
};

// An injected datagram's checksum (synack extension, inbound only):
// `< udp (10) checksum zero` sends 0 ("no checksum", RFC 768), `checksum bad`
// a wrong non-zero value; by default the checksum is correct.
enum class UdpChecksum { Correct, Zero, Bad };

struct UdpPacketEvent {
  Direction direction = Direction::Inbound;
  IpInfo ip;
  std::optional<PortPair> ports;
  std::uint16_t payload_len = 0;
  UdpChecksum checksum = UdpChecksum::Correct;
  bool operator==(const UdpPacketEvent&) const = default;
};

// `icmp unreachable frag_needed mtu 1200 [1:1461(1460)]`.
struct IcmpPacketEvent {
  enum class Echoed { None, TcpSeq, Udp, Raw };
  Direction direction = Direction::Inbound;
  IpInfo ip;
  std::string type_name;
  std::optional<std::string> code_name;
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::optional<std::uint16_t> mtu;
  std::optional<std::uint16_t> echo_id;
  Echoed echoed = Echoed::None;
  std::uint32_t echoed_seq_start = 0;  // TcpSeq only
  std::uint32_t echoed_seq_end = 0;    // TcpSeq only
  std::uint16_t echoed_len = 0;        // payload length (TcpSeq, Udp, Raw)
  bool operator==(const IcmpPacketEvent&) const = default;
};

// ICMPv4 type and code names packetdrill accepts (icmp_packet.c tables),
// plus `type_N` / `code_N`. Return false for unknown names.
bool icmp_type_from_name(std::string_view name, std::uint8_t& type);
bool icmp_code_from_name(std::uint8_t type, std::string_view name, std::uint8_t& code);

// ---- system calls ----------------------------------------------------------

// A syscall argument. One node type with a kind keeps the tree simple to walk:
//   Integer  `3`, `-1`, `0x10` (hex remembers its spelling)
//   Symbol   `SOL_SOCKET`           (text)
//   String   `"cubic"`              (text: raw contents, escapes kept)
//   Ellipsis `...`
//   List     `[1]`, `[{fd=4, events=POLLIN}]`  (items)
//   Struct   `{l_onoff=1, l_linger=0}`, iovec `{..., 1000}`  (items)
//   Field    `events=POLLIN`        (text = name, items[0] = value)
//   Or       `O_RDWR|O_NONBLOCK`    (items: two or more operands, flat)
//   Call     `htons(8080)`, `inet_addr("192.0.2.1")`  (text = name, items)
struct Expr {
  enum class Kind { Integer, Symbol, String, Ellipsis, List, Struct, Field, Or, Call };
  Kind kind = Kind::Ellipsis;
  std::int64_t integer = 0;
  bool hex = false;
  std::string text;
  std::vector<Expr> items;

  static Expr make_int(std::int64_t v, bool is_hex = false);
  static Expr make_symbol(std::string name);
  static Expr make_string(std::string raw);
  static Expr make_ellipsis();
  static Expr make_list(std::vector<Expr> items);
  static Expr make_struct(std::vector<Expr> items);
  static Expr make_field(std::string name, Expr value);
  static Expr make_or(std::vector<Expr> operands);
  static Expr make_call(std::string name, std::vector<Expr> args);

  // `{..., N}`: the iovec shape packetdrill uses for readv/writev.
  bool is_iovec() const;
  // Struct member by name (Field), or nullptr.
  const Expr* field(std::string_view name) const;

  bool operator==(const Expr& o) const {
    return kind == o.kind && integer == o.integer && hex == o.hex && text == o.text &&
           items == o.items;
  }
};

struct SyscallEvent {
  std::string name;
  std::vector<Expr> args;
  std::optional<std::int64_t> ret;  // nullopt: `= ...` (any result)
  std::optional<std::string> errno_name;  // `EINPROGRESS`
  std::optional<std::string> strerror;    // `(Operation now in progress)` after errno
  std::optional<std::string> note;        // a further parenthesised note
  bool operator==(const SyscallEvent&) const = default;
};

// ---- other events ----------------------------------------------------------

struct ShellEvent {
  std::string command;  // text between backquotes, escapes kept
  bool operator==(const ShellEvent&) const = default;
};

struct CodeEvent {
  std::string text;  // between %{ and }%, spaces and tabs trimmed at both ends
  bool operator==(const CodeEvent&) const = default;
};

using EventBody =
    std::variant<TcpPacketEvent, UdpPacketEvent, IcmpPacketEvent, SyscallEvent, ShellEvent, CodeEvent>;

struct Event {
  SourceLoc loc;  // of the event's time; not part of equality
  TimeSpec time;
  EventBody body;
  bool operator==(const Event& o) const { return time == o.time && body == o.body; }
};

// `--name=value` / `--name` lines at the top (value raw, quotes kept).
struct ScriptOption {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const ScriptOption&) const = default;
};

struct Script {
  std::string file;  // for messages; not part of equality
  std::vector<ScriptOption> options;
  std::map<std::string, std::string> definitions;  // -D NAME=value
  std::optional<std::string> init_command;     // time-less `...` before the events
  std::optional<std::string> cleanup_command;  // time-less `...` after the events
  std::vector<Event> events;

  // The last value given for `--name` (nullopt when absent or valueless).
  std::optional<std::string> option(std::string_view name) const;
  bool has_option(std::string_view name) const;
  // The value of `--name` as an integer, or nullopt when absent or not an integer.
  std::optional<std::int64_t> option_int(std::string_view name) const;

  bool operator==(const Script& o) const {
    return options == o.options && definitions == o.definitions &&
           init_command == o.init_command && cleanup_command == o.cleanup_command &&
           events == o.events;
  }
};

// ---- printing (canonical packetdrill text) ---------------------------------

std::string print_time_value(std::int64_t usecs);  // 100000 -> "0.1", 2000000 -> "2"
std::string print_time(const TimeSpec& t);          // "+0.1", "0.3~0.31", "*"
std::string print_expr(const Expr& e);
std::string print_tcp_option(const TcpOption& o);
std::string print_event_body(const EventBody& b, const TimeSpec& t);
std::string print_event(const Event& e);
std::string print_script(const Script& s);

// ---- the tiny assertion evaluator for %{ }% blocks -------------------------

// The subset the runner evaluates: lines `assert tcpi_FIELD OP NUMBER` with
// OP one of == != < <= > >=. Blank lines and `#` comments are skipped.
enum class CmpOp { Eq, Ne, Lt, Le, Gt, Ge };

struct TcpiAssert {
  std::string field;  // "tcpi_reordering"
  CmpOp op = CmpOp::Eq;
  long long value = 0;
  bool operator==(const TcpiAssert&) const = default;
};

// Parses every line of a code block; an error names the 1-based line within the block.
struct AssertParse {
  std::vector<TcpiAssert> asserts;
  std::optional<std::string> error;  // "line 2: unsupported ..."
};
AssertParse parse_tcpi_asserts(std::string_view code);

struct AssertOutcome {
  bool passed = true;
  std::string message;  // first failure: "tcpi_reordering == 3 failed: value is 4"
};
AssertOutcome evaluate_tcpi_asserts(const std::vector<TcpiAssert>& asserts,
                                    const std::map<std::string, long long>& tcpi);

}  // namespace synack::conformance

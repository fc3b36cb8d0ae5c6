// Canonical printing of the .pkt syntax tree, small tree helpers, and the
// `assert tcpi_X OP N` evaluator for %{ }% blocks.
//
// Printing is canonical, not faithful: one event per line, single spaces,
// times as decimal seconds without trailing zeros, hex where the source
// used hex. It is the inverse of the parser up to source locations.
#include "conformance/runner/pkt_ast.h"

#include <array>
#include <cstdio>

namespace synack::conformance {

std::string PktError::to_string() const {
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column) + ": " + message;
}

// ---- Expr ------------------------------------------------------------------

Expr Expr::make_int(std::int64_t v, bool is_hex) {
  Expr e;
  e.kind = Kind::Integer;
  e.integer = v;
  e.hex = is_hex;
  return e;
}
Expr Expr::make_symbol(std::string name) {
  Expr e;
  e.kind = Kind::Symbol;
  e.text = std::move(name);
  return e;
}
Expr Expr::make_string(std::string raw) {
  Expr e;
  e.kind = Kind::String;
  e.text = std::move(raw);
  return e;
}
Expr Expr::make_ellipsis() { return Expr{}; }
Expr Expr::make_list(std::vector<Expr> items) {
  Expr e;
  e.kind = Kind::List;
  e.items = std::move(items);
  return e;
}
Expr Expr::make_struct(std::vector<Expr> items) {
  Expr e;
  e.kind = Kind::Struct;
  e.items = std::move(items);
  return e;
}
Expr Expr::make_field(std::string name, Expr value) {
  Expr e;
  e.kind = Kind::Field;
  e.text = std::move(name);
  e.items.push_back(std::move(value));
  return e;
}
Expr Expr::make_or(std::vector<Expr> operands) {
  Expr e;
  e.kind = Kind::Or;
  e.items = std::move(operands);
  return e;
}
Expr Expr::make_call(std::string name, std::vector<Expr> args) {
  Expr e;
  e.kind = Kind::Call;
  e.text = std::move(name);
  e.items = std::move(args);
  return e;
}

bool Expr::is_iovec() const {
  return kind == Kind::Struct && items.size() == 2 && items[0].kind == Kind::Ellipsis &&
         items[1].kind == Kind::Integer;
}

const Expr* Expr::field(std::string_view name) const {
  if (kind != Kind::Struct) return nullptr;
  for (const Expr& i : items)
    if (i.kind == Kind::Field && i.text == name) return &i.items[0];
  return nullptr;
}

// ---- Script ----------------------------------------------------------------

std::optional<std::string> Script::option(std::string_view name) const {
  std::optional<std::string> v;
  for (const auto& o : options)
    if (o.name == name) v = o.value;
  return v;
}

bool Script::has_option(std::string_view name) const {
  for (const auto& o : options)
    if (o.name == name) return true;
  return false;
}

std::optional<std::int64_t> Script::option_int(std::string_view name) const {
  auto v = option(name);
  if (!v || v->empty() || v->size() > 18) return std::nullopt;
  std::int64_t n = 0;
  std::size_t k = (*v)[0] == '-' ? 1 : 0;
  if (k == v->size()) return std::nullopt;
  for (; k < v->size(); ++k) {
    char c = (*v)[k];
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return (*v)[0] == '-' ? -n : n;
}

// ---- printing --------------------------------------------------------------

namespace {

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string join(const std::vector<Expr>& items, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += print_expr(items[i]);
  }
  return out;
}

std::string print_ip(const IpInfo& ip) {
  static constexpr const char* kEcn[] = {"noecn", "ect0", "ect1", "ce", "ect01"};
  if (ip.ttl) return "(ttl " + std::to_string(*ip.ttl) + ")";
  std::string inner;
  if (ip.ecn) inner = kEcn[static_cast<int>(*ip.ecn)];
  if (ip.tos) inner = "tos " + hex(*ip.tos);
  if (ip.flow_label) inner += (inner.empty() ? "" : ", ") + std::string("flowlabel ") + hex(*ip.flow_label);
  return ip.ecn ? "[" + inner + "]" : "(" + inner + ")";
}

std::string print_prefix(Direction d, const IpInfo& ip) {
  std::string out = d == Direction::Inbound ? "<" : ">";
  if (!ip.empty()) out += " " + print_ip(ip);
  return out;
}

std::string print_ports(const std::optional<PortPair>& p) {
  return p ? " " + std::to_string(p->src) + ">" + std::to_string(p->dst) : "";
}

std::string print_seq(std::uint32_t s, std::uint32_t e, std::uint16_t len) {
  return std::to_string(s) + ":" + std::to_string(e) + "(" + std::to_string(len) + ")";
}

std::string print_tcp(const TcpPacketEvent& p) {
  std::string out = print_prefix(p.direction, p.ip) + print_ports(p.ports);
  out += " " + (p.flags.empty() ? std::string("-") : p.flags);
  out += " " + print_seq(p.seq_start, p.seq_end, p.payload_len);
  if (p.ack) out += " ack " + std::to_string(*p.ack);
  if (p.win) out += " win " + std::to_string(*p.win);
  if (p.urg) out += " urg " + std::to_string(*p.urg);
  if (p.any_options) {
    out += " <...>";
  } else if (!p.options.empty()) {
    out += " <";
    for (std::size_t i = 0; i < p.options.size(); ++i) out += (i ? "," : "") + print_tcp_option(p.options[i]);
    out += ">";
  }
  return out;
}

std::string print_icmp(const IcmpPacketEvent& m) {
  std::string out = print_prefix(m.direction, m.ip) + " icmp " + m.type_name;
  if (m.code_name) out += " " + *m.code_name;
  if (m.mtu) out += " mtu " + std::to_string(*m.mtu);
  if (m.echo_id) out += " id " + std::to_string(*m.echo_id);
  switch (m.echoed) {
    case IcmpPacketEvent::Echoed::None: break;
    case IcmpPacketEvent::Echoed::TcpSeq:
      out += " [" + print_seq(m.echoed_seq_start, m.echoed_seq_end, m.echoed_len) + "]";
      break;
    case IcmpPacketEvent::Echoed::Udp: out += " [udp (" + std::to_string(m.echoed_len) + ")]"; break;
    case IcmpPacketEvent::Echoed::Raw: out += " [raw (" + std::to_string(m.echoed_len) + ")]"; break;
  }
  return out;
}

std::string print_syscall(const SyscallEvent& s) {
  std::string out = s.name + "(" + join(s.args, ", ") + ") = ";
  out += s.ret ? std::to_string(*s.ret) : "...";
  if (s.errno_name) out += " " + *s.errno_name;
  if (s.strerror) out += " (" + *s.strerror + ")";
  if (s.note) out += " (" + *s.note + ")";
  return out;
}

}  // namespace

std::string print_time_value(std::int64_t usecs) {
  std::string out = std::to_string(usecs / 1000000);
  std::int64_t frac = usecs % 1000000;
  if (frac == 0) return out;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(frac));
  std::string f(buf);
  while (!f.empty() && f.back() == '0') f.pop_back();
  return out + "." + f;
}

std::string print_time(const TimeSpec& t) {
  if (t.kind == TimeKind::Any) return "*";
  const char* sign = t.kind == TimeKind::Relative ? "+" : "";
  std::string out = sign + print_time_value(t.usecs);
  if (t.range_end_usecs) out += "~" + std::string(sign) + print_time_value(*t.range_end_usecs);
  return out;
}

std::string print_expr(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Integer:
      return e.hex && e.integer >= 0 ? hex(static_cast<std::uint64_t>(e.integer)) : std::to_string(e.integer);
    case Expr::Kind::Symbol: return e.text;
    case Expr::Kind::String: return "\"" + e.text + "\"";
    case Expr::Kind::Ellipsis: return "...";
    case Expr::Kind::List: return "[" + join(e.items, ", ") + "]";
    case Expr::Kind::Struct: return "{" + join(e.items, ", ") + "}";
    case Expr::Kind::Field: return e.text + "=" + (e.items.empty() ? std::string("...") : print_expr(e.items[0]));
    case Expr::Kind::Or: return join(e.items, "|");
    case Expr::Kind::Call: return e.text + "(" + join(e.items, ", ") + ")";
  }
  return "...";
}

std::string print_tcp_option(const TcpOption& o) {
  using K = TcpOption::Kind;
  switch (o.kind) {
    case K::Nop: return "nop";
    case K::Eol: return "eol";
    case K::SackOk: return "sackOK";
    case K::Mss: return "mss " + std::to_string(o.value);
    case K::WScale: return "wscale " + std::to_string(o.value);
    case K::Sack: {
      std::string out = "sack";
      for (const auto& [l, r] : o.sack_blocks) out += " " + std::to_string(l) + ":" + std::to_string(r);
      return out;
    }
    case K::Timestamp: return "TS val " + std::to_string(o.ts_val) + " ecr " + std::to_string(o.ts_ecr);
    case K::Md5: return "md5 " + o.raw;
    case K::FastOpen: return o.raw.empty() ? "FO" : "FO " + o.raw;
    case K::FastOpenExp: return o.raw.empty() ? "FOEXP" : "FOEXP " + o.raw;
  }
  return "nop";
}

std::string print_event_body(const EventBody& b, const TimeSpec& t) {
  std::string blocking = t.blocking_end_usecs ? "..." + print_time_value(*t.blocking_end_usecs) : "";
  if (const auto* p = std::get_if<TcpPacketEvent>(&b)) return " " + print_tcp(*p);
  if (const auto* p = std::get_if<UdpPacketEvent>(&b))
    return " " + print_prefix(p->direction, p->ip) + " udp" + print_ports(p->ports) + " (" +
           std::to_string(p->payload_len) + ")" +
           (p->checksum == UdpChecksum::Zero  ? " checksum zero"
            : p->checksum == UdpChecksum::Bad ? " checksum bad"
                                              : "");
  if (const auto* p = std::get_if<IcmpPacketEvent>(&b)) return " " + print_icmp(*p);
  if (const auto* p = std::get_if<SyscallEvent>(&b)) return blocking + " " + print_syscall(*p);
  if (const auto* p = std::get_if<ShellEvent>(&b)) return " `" + p->command + "`";
  if (const auto* p = std::get_if<CodeEvent>(&b)) return " %{ " + p->text + " }%";
  return "";
}

std::string print_event(const Event& e) { return print_time(e.time) + print_event_body(e.body, e.time); }

std::string print_script(const Script& s) {
  std::string out;
  for (const auto& o : s.options) out += "--" + o.name + (o.value ? "=" + *o.value : "") + "\n";
  for (const auto& [k, v] : s.definitions) out += "-D " + k + "=" + v + "\n";
  if (s.init_command) out += "`" + *s.init_command + "`\n";
  for (const auto& e : s.events) out += print_event(e) + "\n";
  if (s.cleanup_command) out += "`" + *s.cleanup_command + "`\n";
  return out;
}

// ---- ICMP names ------------------------------------------------------------

namespace {

struct NamedCode {
  const char* name;
  std::uint8_t value;
};

// RFC 792 types and RFC 1812 §5.2.7.1 unreachable codes, named as packetdrill names them.
constexpr std::array<NamedCode, 13> kIcmpTypes{{{"echo_reply", 0}, {"unreachable", 3}, {"source_quench", 4},
                                                {"redirect", 5}, {"echo_request", 8}, {"time_exceeded", 11},
                                                {"parameter_problem", 12}, {"timestamp_request", 13},
                                                {"timestamp_reply", 14}, {"information_request", 15},
                                                {"information_reply", 16}, {"address_mask_request", 17},
                                                {"address_mask_reply", 18}}};
constexpr std::array<NamedCode, 16> kUnreachableCodes{{
    {"net_unreachable", 0}, {"host_unreachable", 1}, {"protocol_unreachable", 2}, {"port_unreachable", 3},
    {"frag_needed", 4}, {"source_route_failed", 5}, {"net_unknown", 6}, {"host_unknown", 7},
    {"source_host_isolated", 8}, {"net_prohibited", 9}, {"host_prohibited", 10},
    {"net_unreachable_for_tos", 11}, {"host_unreachable_for_tos", 12}, {"packet_filtered", 13},
    {"precedence_violation", 14}, {"precedence_cutoff", 15}}};

// `type_N` / `code_N` with N in 0..255.
bool numbered(std::string_view name, std::string_view prefix, std::uint8_t& out) {
  if (name.substr(0, prefix.size()) != prefix) return false;
  std::string_view d = name.substr(prefix.size());
  if (d.empty() || d.size() > 3) return false;
  unsigned v = 0;
  for (char c : d) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > 255) return false;
  out = static_cast<std::uint8_t>(v);
  return true;
}

}  // namespace

bool icmp_type_from_name(std::string_view name, std::uint8_t& type) {
  for (const auto& t : kIcmpTypes)
    if (name == t.name) {
      type = t.value;
      return true;
    }
  return numbered(name, "type_", type);
}

bool icmp_code_from_name(std::uint8_t type, std::string_view name, std::uint8_t& code) {
  if (type == 3)
    for (const auto& c : kUnreachableCodes)
      if (name == c.name) {
        code = c.value;
        return true;
      }
  return numbered(name, "code_", code);
}

// ---- tcpi assertions -------------------------------------------------------

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

const char* op_text(CmpOp op) {
  static constexpr const char* kText[] = {"==", "!=", "<", "<=", ">", ">="};
  return kText[static_cast<int>(op)];
}

// One `assert tcpi_X OP N` line; false when the line has another shape.
bool parse_assert_line(std::string_view s, TcpiAssert& out) {
  if (s.substr(0, 6) != "assert" || s.size() < 7 || (s[6] != ' ' && s[6] != '\t')) return false;
  s = trim(s.substr(6));
  std::size_t n = 0;
  while (n < s.size() && ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
                          (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
    ++n;
  if (n <= 5 || s.substr(0, 5) != "tcpi_") return false;
  out.field = std::string(s.substr(0, n));
  s = trim(s.substr(n));
  static constexpr std::pair<const char*, CmpOp> kOps[] = {{"==", CmpOp::Eq}, {"!=", CmpOp::Ne}, {"<=", CmpOp::Le},
                                                           {">=", CmpOp::Ge}, {"<", CmpOp::Lt},  {">", CmpOp::Gt}};
  bool found = false;
  for (const auto& [text, op] : kOps) {
    std::string_view t(text);
    if (s.substr(0, t.size()) == t) {
      out.op = op;
      s = trim(s.substr(t.size()));
      found = true;
      break;
    }
  }
  if (!found) return false;
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return false;
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out.value = neg ? -v : v;
  return true;
}

}  // namespace

AssertParse parse_tcpi_asserts(std::string_view code) {
  AssertParse r;
  int line_no = 0;
  while (!code.empty() || line_no == 0) {
    ++line_no;
    std::size_t nl = code.find('\n');
    std::string_view line = trim(code.substr(0, nl));
    code = nl == std::string_view::npos ? std::string_view{} : code.substr(nl + 1);
    if (line.empty() || line[0] == '#') continue;
    TcpiAssert a;
    if (!parse_assert_line(line, a)) {
      r.error = "line " + std::to_string(line_no) +
                ": unsupported statement (only 'assert tcpi_<field> <op> <integer>'): " + std::string(line);
      return r;
    }
    r.asserts.push_back(std::move(a));
  }
  return r;
}

AssertOutcome evaluate_tcpi_asserts(const std::vector<TcpiAssert>& asserts,
                                    const std::map<std::string, long long>& tcpi) {
  for (const auto& a : asserts) {
    std::string what = a.field + " " + op_text(a.op) + " " + std::to_string(a.value);
    auto it = tcpi.find(a.field);
    if (it == tcpi.end()) return AssertOutcome{false, what + " failed: unknown field " + a.field};
    long long v = it->second;
    bool ok = false;
    switch (a.op) {
      case CmpOp::Eq: ok = v == a.value; break;
      case CmpOp::Ne: ok = v != a.value; break;
      case CmpOp::Lt: ok = v < a.value; break;
      case CmpOp::Le: ok = v <= a.value; break;
      case CmpOp::Gt: ok = v > a.value; break;
      case CmpOp::Ge: ok = v >= a.value; break;
    }
    if (!ok) return AssertOutcome{false, what + " failed: value is " + std::to_string(v)};
  }
  return AssertOutcome{};
}

}  // namespace synack::conformance

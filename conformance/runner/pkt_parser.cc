// Recursive-descent parser over the token list from pkt_lexer. Every
// parse_* function returns false after recording the first error in err_;
// callers return false at once, so the first error is the one reported.
#include "conformance/runner/pkt_parser.h"

#include <array>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include "conformance/runner/pkt_lexer.h"
#include "conformance/runner/pkt_parser_impl.h"

namespace synack::conformance {
namespace pkt_detail {

// `2`, `0.100`, `.1`: seconds as written, to microseconds without floats
// (digits past the sixth decimal are dropped, as packetdrill's cast does).
bool Parser::parse_time_value(std::int64_t& usecs) {
  const Token& t = peek();
  if (t.kind == TokKind::Int && !t.hex) {
    if (t.int_value < 0) return fail(t, "negative time");
    if (t.int_value > kMaxSeconds) return fail(t, "time out of range");
    usecs = t.int_value * 1000000;
    next();
    return true;
  }
  if (t.kind != TokKind::Float) return fail(t, "expected a time");
  if (t.text[0] == '-') return fail(t, "negative time");
  std::size_t dot = t.text.find('.');
  std::string whole = t.text.substr(0, dot);
  std::string frac = t.text.substr(dot + 1);
  if (whole.size() > 10) return fail(t, "time out of range");
  std::int64_t secs = 0;
  for (char c : whole) secs = secs * 10 + (c - '0');
  if (secs > kMaxSeconds) return fail(t, "time out of range");
  std::int64_t us = 0;
  for (std::size_t k = 0; k < 6; ++k) us = us * 10 + (k < frac.size() ? frac[k] - '0' : 0);
  usecs = secs * 1000000 + us;
  next();
  return true;
}

bool Parser::parse_event_time(Event& ev) {
  const Token& t = peek();
  ev.loc = loc(t);
  if (t.is_punct('*')) {
    next();
    ev.time.kind = TimeKind::Any;
    return true;
  }
  bool rel = t.is_punct('+');
  if (rel) next();
  else if (t.kind != TokKind::Int && t.kind != TokKind::Float)
    return fail(t, "expected event time");
  ev.time.kind = rel ? TimeKind::Relative : TimeKind::Absolute;
  if (!parse_time_value(ev.time.usecs)) return false;
  if (peek().is_punct('~')) {
    const Token& tilde = next();
    if (rel && !expect_punct('+', "expected '+' after '~' in a relative time range")) return false;
    std::int64_t end = 0;
    if (!parse_time_value(end)) return false;
    if (end < ev.time.usecs) return fail(tilde, "time range is backwards");
    ev.time.range_end_usecs = end;
  }
  if (peek().kind == TokKind::Ellipsis) {
    next();
    std::int64_t end = 0;
    if (!parse_time_value(end)) return false;
    if (peek().kind != TokKind::Word) return fail(peek(), "expected a system call after blocking time '...'");
    ev.time.blocking_end_usecs = end;
  }
  return true;
}

// packetdrill: `*` and ranges only for outbound packets (the stack's own
// timing is what is uncertain; injected packets happen when the script says).
bool Parser::check_time_use(const Event& ev, const Token& at) {
  bool outbound_packet = false;
  if (const auto* p = std::get_if<TcpPacketEvent>(&ev.body)) outbound_packet = p->direction == Direction::Outbound;
  if (const auto* p = std::get_if<UdpPacketEvent>(&ev.body)) outbound_packet = p->direction == Direction::Outbound;
  if (const auto* p = std::get_if<IcmpPacketEvent>(&ev.body)) outbound_packet = p->direction == Direction::Outbound;
  if (ev.time.kind == TimeKind::Any && !outbound_packet)
    return fail(at, "event time '*' can only be used with outbound packets");
  if (ev.time.range_end_usecs && !outbound_packet)
    return fail(at, "event time range can only be used with outbound packets");
  return true;
}

bool Parser::parse_event(Script& s) {
  Event ev;
  const Token& start = peek();
  if (!parse_event_time(ev)) return false;
  const Token& t = peek();
  if (t.is_punct('<') || t.is_punct('>')) {
    if (!parse_packet(ev)) return false;
  } else if (t.kind == TokKind::Word) {
    if (!parse_syscall(ev)) return false;
  } else if (t.kind == TokKind::BackQuoted) {
    ev.body = ShellEvent{t.text};
    next();
  } else if (t.kind == TokKind::Code) {
    ev.body = CodeEvent{t.text};
    next();
  } else {
    return fail(t, "expected a packet, system call, shell command or code block after event time");
  }
  if (!check_time_use(ev, start)) return false;
  s.events.push_back(std::move(ev));
  return true;
}

Result<Script, PktError> Parser::run() {
  Script s;
  s.file = file_;
  while (peek().kind == TokKind::Option || peek().kind == TokKind::Define) {
    const Token& t = next();
    if (t.kind == TokKind::Option) {
      s.options.push_back(ScriptOption{t.text, t.has_value ? std::optional<std::string>(t.value) : std::nullopt});
    } else {
      s.definitions[t.text] = t.value;
    }
  }
  if (peek().kind == TokKind::BackQuoted) s.init_command = next().text;
  while (peek().kind != TokKind::End) {
    const Token& t = peek();
    if (t.kind == TokKind::Option || t.kind == TokKind::Define) {
      fail(t, "options must come before the first event");
      break;
    }
    if (t.kind == TokKind::BackQuoted) {
      s.cleanup_command = next().text;
      if (peek().kind != TokKind::End) fail(peek(), "expected end of script after the cleanup command");
      break;
    }
    if (!parse_event(s)) break;
  }
  if (err_) return Err{*err_};
  return s;
}

// ---- packets ---------------------------------------------------------------

bool Parser::parse_ip_info(IpInfo& ip) {
  char close = peek().is_punct('[') ? ']' : ')';
  next();
  const Token& t = peek();
  std::uint64_t v = 0;
  bool tos_spec = false;
  static constexpr std::array<std::pair<const char*, IpEcn>, 5> kEcn{{
      {"noecn", IpEcn::NoEcn}, {"ect0", IpEcn::Ect0}, {"ect1", IpEcn::Ect1}, {"ce", IpEcn::Ce}, {"ect01", IpEcn::Ect01}}};
  for (const auto& [name, ecn] : kEcn)
    if (t.is_word(name)) {
      ip.ecn = ecn;
      tos_spec = true;
      next();
    }
  if (!tos_spec && t.is_word("tos")) {
    next();
    if (!expect_uint(kU8, "tos", "expected a value after 'tos'", v)) return false;
    ip.tos = static_cast<std::uint8_t>(v);
    tos_spec = true;
  }
  bool want_flow = !tos_spec;
  if (tos_spec && peek().is_punct(',')) {
    next();
    want_flow = true;
  }
  if (!tos_spec && t.is_word("ttl")) {
    next();
    if (!expect_uint(kU8, "ttl", "expected a value after 'ttl'", v)) return false;
    ip.ttl = static_cast<std::uint8_t>(v);
    want_flow = false;
  }
  if (want_flow) {
    if (!peek().is_word("flowlabel")) return fail(peek(), "expected ECN, tos, flowlabel or ttl in IP block");
    next();
    if (!expect_uint(0xfffff, "flowlabel", "expected a value after 'flowlabel'", v)) return false;
    ip.flow_label = static_cast<std::uint32_t>(v);
  }
  return expect_punct(close, close == ']' ? "expected ']' after IP block" : "expected ')' after IP block");
}

bool Parser::parse_ports(std::optional<PortPair>& ports) {
  if (peek().kind != TokKind::Int || !peek(1).is_punct('>')) return true;
  std::uint64_t a = 0, b = 0;
  if (!expect_uint(kU16, "source port", "expected a port", a)) return false;
  next();  // '>'
  if (!expect_uint(kU16, "destination port", "expected a destination port after '>'", b)) return false;
  ports = PortPair{static_cast<std::uint16_t>(a), static_cast<std::uint16_t>(b)};
  return true;
}

bool Parser::parse_packet(Event& ev) {
  const Token& start = next();
  Direction dir = start.is_punct('<') ? Direction::Inbound : Direction::Outbound;
  const Token& t = peek();
  if (t.is_word("ipv4") || t.is_word("ipv6") || t.is_word("gre") || t.is_word("GREv0") || t.is_word("mpls"))
    return fail(t, "packet encapsulation (ipv4/ipv6/gre/mpls) is not supported");
  IpInfo ip;
  if ((peek().is_punct('[') || peek().is_punct('(')) && !parse_ip_info(ip)) return false;
  if (ip.ecn == IpEcn::Ect01 && dir != Direction::Outbound)
    return fail(start, "[ect01] can only be used with outbound packets");
  if (peek().is_word("udp")) return parse_udp(dir, ip, ev);
  if (peek().is_word("icmp")) return parse_icmp(dir, ip, ev);
  std::optional<PortPair> ports;
  if (!parse_ports(ports)) return false;
  return parse_tcp(dir, ip, ports, ev);
}

bool Parser::parse_flags(TcpPacketEvent& p) {
  const Token& t = peek();
  if (t.is_punct('-')) {
    next();
    return true;
  }
  if (t.kind == TokKind::Word) {
    for (char c : t.text) {
      static constexpr std::string_view kChars = "FSRPUEWA";
      if (kChars.find(c) == std::string_view::npos)
        return fail(t, std::string("invalid TCP flag '") + c + "'");
      if (p.flags.find(c) != std::string::npos) return fail(t, std::string("duplicate TCP flag '") + c + "'");
      p.flags += c;
    }
    next();
  } else if (!t.is_punct('.')) {
    return fail(t, "expected TCP flags, 'udp' or 'icmp' after packet direction");
  }
  if (peek().is_punct('.')) {
    next();
    p.flags += '.';
  }
  for (char c : p.flags) {
    static constexpr std::string_view kChars = "FSRP.UEWA";
    static constexpr std::array<std::uint16_t, 9> kBits{tcp_flag::kFin, tcp_flag::kSyn, tcp_flag::kRst,
                                                        tcp_flag::kPsh, tcp_flag::kAck, tcp_flag::kUrg,
                                                        tcp_flag::kEce, tcp_flag::kCwr, tcp_flag::kAe};
    p.flag_bits |= kBits[kChars.find(c)];
  }
  return true;
}

bool Parser::parse_seq(std::uint32_t& start, std::uint32_t& end, std::uint16_t& len) {
  static constexpr const char* kExpected = "expected sequence numbers start:end(length)";
  std::uint64_t a = 0, b = 0, n = 0;
  if (!expect_uint(kU32, "start sequence number", kExpected, a)) return false;
  if (!expect_punct(':', kExpected)) return false;
  const Token& end_tok = peek();
  if (!expect_uint(kU32, "end sequence number", kExpected, b)) return false;
  if (!expect_punct('(', kExpected)) return false;
  if (!expect_uint(kU16, "payload length", kExpected, n)) return false;
  if (!expect_punct(')', "expected ')' after payload length")) return false;
  if (((a + n) & kU32) != b) return fail(end_tok, "inconsistent TCP sequence numbers and payload size");
  start = static_cast<std::uint32_t>(a);
  end = static_cast<std::uint32_t>(b);
  len = static_cast<std::uint16_t>(n);
  return true;
}

bool Parser::parse_tcp(Direction dir, IpInfo ip, std::optional<PortPair> ports, Event& ev) {
  TcpPacketEvent p;
  p.direction = dir;
  p.ip = ip;
  p.ports = ports;
  if (!parse_flags(p)) return false;
  if (!parse_seq(p.seq_start, p.seq_end, p.payload_len)) return false;
  std::uint64_t v = 0;
  if (peek().is_word("ack")) {
    next();
    if (!expect_uint(kU32, "ack number", "expected a number after 'ack'", v)) return false;
    p.ack = static_cast<std::uint32_t>(v);
  }
  if (peek().is_word("win")) {
    next();
    if (!expect_uint(kU16, "window", "expected a number after 'win'", v)) return false;
    p.win = static_cast<std::uint16_t>(v);
  }
  if (peek().is_word("urg")) {
    next();
    if (!expect_uint(kU16, "urgent pointer", "expected a number after 'urg'", v)) return false;
    p.urg = static_cast<std::uint16_t>(v);
  }
  if (!p.win && dir == Direction::Inbound) return fail(peek(), "window must be specified for inbound packets");
  if (peek().is_punct('<')) {
    const Token& lt = peek();
    if (!parse_tcp_options(p)) return false;
    if (p.any_options && dir != Direction::Outbound)
      return fail(lt, "<...> for TCP options can only be used with outbound packets");
  }
  ev.body = std::move(p);
  return true;
}

bool Parser::parse_tcp_options(TcpPacketEvent& p) {
  next();  // '<'
  if (peek().kind == TokKind::Ellipsis) {
    next();
    p.any_options = true;
    return expect_punct('>', "expected '>' after '<...'");
  }
  while (true) {
    TcpOption o;
    if (!parse_tcp_option(o)) return false;
    p.options.push_back(std::move(o));
    if (peek().is_punct('>')) break;
    if (!expect_punct(',', "expected ',' or '>' in TCP option list")) return false;
  }
  next();
  return true;
}

bool Parser::parse_hex_blob(std::string& out, bool required) {
  const Token& t = peek();
  if (t.kind != TokKind::Word && t.kind != TokKind::Int) {
    if (required) return fail(t, "expected a hex string");
    return true;
  }
  for (char c : t.text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
      return fail(t, "expected a hex string");
  out = t.text;
  next();
  return true;
}

bool Parser::parse_tcp_option(TcpOption& o) {
  const Token& t = peek();
  using K = TcpOption::Kind;
  std::uint64_t v = 0;
  if (t.kind != TokKind::Word) return fail(t, "expected a TCP option");
  next();
  if (t.text == "nop") o.kind = K::Nop;
  else if (t.text == "eol") o.kind = K::Eol;
  else if (t.text == "sackOK") o.kind = K::SackOk;
  else if (t.text == "mss") {
    o.kind = K::Mss;
    if (!expect_uint(kU16, "mss value", "expected a number after 'mss'", v)) return false;
    o.value = static_cast<std::uint32_t>(v);
  } else if (t.text == "wscale") {
    o.kind = K::WScale;
    if (!expect_uint(kU8, "window scale shift count", "expected a number after 'wscale'", v)) return false;
    o.value = static_cast<std::uint32_t>(v);
  } else if (t.text == "sack") {
    o.kind = K::Sack;
    do {
      std::uint64_t l = 0, r = 0;
      if (!expect_uint(kU32, "SACK left edge", "expected a SACK block left:right", l)) return false;
      if (!expect_punct(':', "expected ':' in SACK block")) return false;
      if (!expect_uint(kU32, "SACK right edge", "expected a SACK block left:right", r)) return false;
      o.sack_blocks.emplace_back(static_cast<std::uint32_t>(l), static_cast<std::uint32_t>(r));
    } while (peek().kind == TokKind::Int);
  } else if (t.text == "TS") {
    o.kind = K::Timestamp;
    if (!peek().is_word("val")) return fail(peek(), "expected 'val' after 'TS'");
    next();
    if (!expect_uint(kU32, "ts val", "expected a number after 'val'", v)) return false;
    o.ts_val = static_cast<std::uint32_t>(v);
    if (!peek().is_word("ecr")) return fail(peek(), "expected 'ecr' after TS value");
    next();
    if (!expect_uint(kU32, "ts ecr", "expected a number after 'ecr'", v)) return false;
    o.ts_ecr = static_cast<std::uint32_t>(v);
  } else if (t.text == "md5") {
    o.kind = K::Md5;
    return parse_hex_blob(o.raw, true);
  } else if (t.text == "FO" || t.text == "FOEXP") {
    o.kind = t.text == "FO" ? K::FastOpen : K::FastOpenExp;
    return parse_hex_blob(o.raw, false);
  } else {
    return fail(t, "unknown TCP option '" + t.text + "'");
  }
  return true;
}

bool Parser::parse_udp(Direction dir, IpInfo ip, Event& ev) {
  next();  // udp
  UdpPacketEvent u;
  u.direction = dir;
  u.ip = ip;
  if (ip.ecn && ip.ecn != IpEcn::Ect01) return fail(peek(), "ECN can only be used with TCP packets");
  if (!parse_ports(u.ports)) return false;
  std::uint64_t v = 0;
  if (!expect_punct('(', "expected '(' and a payload length after 'udp'")) return false;
  if (!expect_uint(kU16, "UDP payload size", "expected a UDP payload length", v)) return false;
  if (!expect_punct(')', "expected ')' after UDP payload length")) return false;
  u.payload_len = static_cast<std::uint16_t>(v);
  if (peek().is_word("checksum")) {
    const Token& kw = next();
    if (dir != Direction::Inbound) return fail(kw, "a UDP checksum can only be given for injected datagrams");
    if (peek().is_word("zero")) u.checksum = UdpChecksum::Zero;
    else if (peek().is_word("bad")) u.checksum = UdpChecksum::Bad;
    else return fail(peek(), "expected 'zero' or 'bad' after 'checksum'");
    next();
  }
  ev.body = std::move(u);
  return true;
}

bool Parser::parse_icmp(Direction dir, IpInfo ip, Event& ev) {
  next();  // icmp
  IcmpPacketEvent m;
  m.direction = dir;
  m.ip = ip;
  const Token& type = peek();
  if (type.kind != TokKind::Word) return fail(type, "expected an ICMP type after 'icmp'");
  if (!icmp_type_from_name(type.text, m.type)) return fail(type, "unknown ICMP type '" + type.text + "'");
  m.type_name = type.text;
  next();
  const Token& code = peek();
  if (code.kind == TokKind::Word && !code.is_word("mtu") && !code.is_word("id")) {
    if (!icmp_code_from_name(m.type, code.text, m.code))
      return fail(code, "unknown ICMP code '" + code.text + "' for type '" + m.type_name + "'");
    m.code_name = code.text;
    next();
  }
  std::uint64_t v = 0;
  if (peek().is_word("mtu")) {
    const Token& mt = next();
    if (m.type != 3 || m.code != 4) return fail(mt, "ICMP mtu is only valid for unreachable frag_needed");
    if (!expect_uint(kU16, "ICMP MTU", "expected a number after 'mtu'", v)) return false;
    m.mtu = static_cast<std::uint16_t>(v);
  }
  if (peek().is_word("id")) {
    next();
    if (!expect_uint(kU16, "ICMP echo id", "expected a number after 'id'", v)) return false;
    m.echo_id = static_cast<std::uint16_t>(v);
  }
  if (peek().is_punct('[')) {
    next();
    if (peek().is_word("udp") || peek().is_word("raw")) {
      m.echoed = peek().is_word("udp") ? IcmpPacketEvent::Echoed::Udp : IcmpPacketEvent::Echoed::Raw;
      next();
      if (!expect_punct('(', "expected '(' and a length")) return false;
      if (!expect_uint(kU16, "payload length", "expected a payload length", v)) return false;
      if (!expect_punct(')', "expected ')' after payload length")) return false;
      m.echoed_len = static_cast<std::uint16_t>(v);
    } else {
      m.echoed = IcmpPacketEvent::Echoed::TcpSeq;
      if (!parse_seq(m.echoed_seq_start, m.echoed_seq_end, m.echoed_len)) return false;
    }
    if (!expect_punct(']', "expected ']' after the quoted packet")) return false;
  }
  ev.body = std::move(m);
  return true;
}

}  // namespace pkt_detail

using pkt_detail::Parser;

Result<Script, PktError> parse_pkt_script(std::string_view text, const std::string& file_name,
                                          const ParseLimits& limits) {
  auto toks = lex_pkt(text, file_name);
  if (!toks.ok()) return Err{toks.error()};
  Parser p(std::move(toks.value()), file_name, limits);
  return p.run();
}

Result<Script, PktError> parse_pkt_file(const std::filesystem::path& path, const ParseLimits& limits) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err{PktError{SourceLoc{path.string(), 0, 0}, "cannot read file"}};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_pkt_script(text, path.string(), limits);
}

}  // namespace synack::conformance

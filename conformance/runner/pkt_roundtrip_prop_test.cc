// Property: for any script tree the parser can produce, printing it and
// parsing the text gives the same tree, and printing is a fixed point.
// The generators build trees in the parser's normal form (flat `|` chains,
// trimmed code, the first note after an errno is its strerror, ...).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "conformance/runner/pkt_ast.h"
#include "conformance/runner/pkt_parser.h"

namespace synack::conformance {
namespace {

template <class T>
T pick(const std::vector<T>& v) {
  return v[*rc::gen::inRange<std::size_t>(0, v.size())];
}
bool coin() { return *rc::gen::arbitrary<bool>(); }
std::uint32_t u32() { return *rc::gen::arbitrary<std::uint32_t>(); }
std::uint16_t u16() { return *rc::gen::arbitrary<std::uint16_t>(); }
std::uint8_t u8() { return *rc::gen::arbitrary<std::uint8_t>(); }

Expr gen_expr(int depth);

Expr gen_simple() {
  switch (*rc::gen::inRange(0, 3)) {
    case 0: {
      bool hex = coin();
      std::int64_t v = *rc::gen::arbitrary<std::int64_t>();
      if (hex && v < 0) v = -(v + 1);
      return Expr::make_int(v, hex);
    }
    case 1: return Expr::make_symbol(pick<std::string>({"SOL_SOCKET", "SO_REUSEADDR", "O_NONBLOCK", "POLLIN", "x1"}));
    default: return Expr::make_call(pick<std::string>({"htons", "inet_addr"}), {Expr::make_int(u16())});
  }
}

std::vector<Expr> gen_items(int depth) {
  std::vector<Expr> v;
  int n = *rc::gen::inRange(0, 4);
  for (int i = 0; i < n; ++i) v.push_back(gen_expr(depth - 1));
  return v;
}

Expr gen_expr(int depth) {
  int k = *rc::gen::inRange(0, depth > 0 ? 9 : 4);
  switch (k) {
    case 0: return gen_simple();
    case 1: return Expr::make_string(pick<std::string>({"cubic", "", "a \\\" b", "line\nbreak", "x,y)"}));
    case 2: return Expr::make_ellipsis();
    case 3: return Expr::make_symbol(pick<std::string>({"SOCK_STREAM", "IPPROTO_TCP", "_x", "a9"}));
    case 4: return Expr::make_list(gen_items(depth));
    case 5: return Expr::make_struct(gen_items(depth));
    case 6: return Expr::make_field(pick<std::string>({"fd", "events", "l_onoff"}), gen_expr(depth - 1));
    case 7: {
      std::vector<Expr> ops;
      int n = *rc::gen::inRange(2, 5);
      for (int i = 0; i < n; ++i) ops.push_back(gen_simple());
      return Expr::make_or(std::move(ops));
    }
    default: return Expr::make_call(pick<std::string>({"htons", "f"}), gen_items(depth));
  }
}

IpInfo gen_ip(Direction dir, bool allow_ecn) {
  IpInfo ip;
  switch (*rc::gen::inRange(0, 5)) {
    case 0: break;
    case 1:
      if (allow_ecn) {
        ip.ecn = pick<IpEcn>({IpEcn::NoEcn, IpEcn::Ect0, IpEcn::Ect1, IpEcn::Ce});
        if (dir == Direction::Outbound && coin()) ip.ecn = IpEcn::Ect01;
      }
      if (coin()) ip.flow_label = *rc::gen::inRange<std::uint32_t>(0, 0x100000);
      break;
    case 2:
      ip.tos = u8();
      if (coin()) ip.flow_label = *rc::gen::inRange<std::uint32_t>(0, 0x100000);
      break;
    case 3: ip.flow_label = *rc::gen::inRange<std::uint32_t>(0, 0x100000); break;
    default: ip.ttl = u8(); break;
  }
  return ip;
}

std::optional<PortPair> gen_ports() {
  if (coin()) return std::nullopt;
  return PortPair{u16(), u16()};
}

TcpOption gen_option() {
  using K = TcpOption::Kind;
  TcpOption o;
  o.kind = pick<K>({K::Nop, K::Eol, K::Mss, K::WScale, K::SackOk, K::Sack, K::Timestamp, K::Md5, K::FastOpen,
                    K::FastOpenExp});
  if (o.kind == K::Mss) o.value = u16();
  if (o.kind == K::WScale) o.value = u8();
  if (o.kind == K::Sack) {
    int n = *rc::gen::inRange(1, 5);
    for (int i = 0; i < n; ++i) o.sack_blocks.emplace_back(u32(), u32());
  }
  if (o.kind == K::Timestamp) {
    o.ts_val = u32();
    o.ts_ecr = u32();
  }
  if (o.kind == K::Md5) o.raw = pick<std::string>({"00ff", "0123456789abcdef", "7"});
  if (o.kind == K::FastOpen || o.kind == K::FastOpenExp) o.raw = pick<std::string>({"", "abcd", "12", "ab12"});
  return o;
}

TcpPacketEvent gen_tcp(Direction dir) {
  TcpPacketEvent p;
  p.direction = dir;
  p.ip = gen_ip(dir, true);
  p.ports = gen_ports();
  p.flags = pick<std::string>({"", ".", "S", "S.", "P.", "F.", "R", "R.", "SEW", "U.", "FSRPUEWA."});
  static constexpr std::string_view kChars = "FSRP.UEWA";
  static constexpr std::uint16_t kBits[] = {0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100};
  for (char c : p.flags) p.flag_bits |= kBits[kChars.find(c)];
  p.seq_start = u32();
  p.payload_len = u16();
  p.seq_end = p.seq_start + p.payload_len;
  if (coin()) p.ack = u32();
  if (dir == Direction::Inbound || coin()) p.win = u16();
  if (coin()) p.urg = u16();
  if (dir == Direction::Outbound && *rc::gen::inRange(0, 4) == 0) {
    p.any_options = true;
  } else {
    int n = *rc::gen::inRange(0, 5);
    for (int i = 0; i < n; ++i) p.options.push_back(gen_option());
  }
  return p;
}

IcmpPacketEvent gen_icmp(Direction dir) {
  IcmpPacketEvent m;
  m.direction = dir;
  m.ip = gen_ip(dir, true);
  m.type_name = pick<std::string>({"unreachable", "time_exceeded", "echo_reply", "type_42"});
  (void)icmp_type_from_name(m.type_name, m.type);
  if (m.type == 3) m.code_name = pick<std::string>({"frag_needed", "port_unreachable", "host_unreachable"});
  else if (coin()) m.code_name = "code_1";
  if (m.code_name) (void)icmp_code_from_name(m.type, *m.code_name, m.code);
  if (m.type == 3 && m.code == 4 && coin()) m.mtu = u16();
  if (coin()) m.echo_id = u16();
  m.echoed = pick<IcmpPacketEvent::Echoed>({IcmpPacketEvent::Echoed::None, IcmpPacketEvent::Echoed::TcpSeq,
                                            IcmpPacketEvent::Echoed::Udp, IcmpPacketEvent::Echoed::Raw});
  if (m.echoed != IcmpPacketEvent::Echoed::None) m.echoed_len = u16();
  if (m.echoed == IcmpPacketEvent::Echoed::TcpSeq) {
    m.echoed_seq_start = u32();
    m.echoed_seq_end = m.echoed_seq_start + m.echoed_len;
  }
  return m;
}

SyscallEvent gen_syscall() {
  SyscallEvent s;
  s.name = pick<std::string>({"socket", "write", "poll", "setsockopt", "x"});
  s.args = gen_items(3);
  if (coin()) s.ret = *rc::gen::arbitrary<std::int64_t>();
  std::vector<std::string> notes{"Operation now in progress", "can't send", "a (b", "", "x ... y", "1.5 -2"};
  if (coin()) {
    s.errno_name = pick<std::string>({"EAGAIN", "EINPROGRESS"});
    if (coin()) {
      s.strerror = pick(notes);
      if (coin()) s.note = pick(notes);
    }
  } else if (coin()) {
    s.note = pick(notes);
  }
  return s;
}

std::int64_t gen_usecs() { return *rc::gen::inRange<std::int64_t>(0, 5000001) * pick<std::int64_t>({1, 1000, 100000}); }

Event gen_event() {
  Event e;
  e.time.kind = pick<TimeKind>({TimeKind::Absolute, TimeKind::Relative, TimeKind::Any});
  int k = *rc::gen::inRange(0, 6);
  bool outbound_packet = false;
  switch (k) {
    case 0: case 1: case 2: {
      Direction dir = coin() ? Direction::Inbound : Direction::Outbound;
      outbound_packet = dir == Direction::Outbound;
      if (k == 0) e.body = gen_tcp(dir);
      if (k == 1) {
        UdpPacketEvent u{dir, gen_ip(dir, false), gen_ports(), u16()};
        if (dir == Direction::Inbound) u.checksum = static_cast<UdpChecksum>(*rc::gen::inRange(0, 3));
        e.body = u;
      }
      if (k == 2) e.body = gen_icmp(dir);
      break;
    }
    case 3: e.body = gen_syscall(); break;
    case 4: e.body = ShellEvent{pick<std::string>({"sysctl -q net.ipv4.tcp_timestamps=0", "", "echo \\` x", "a\nb"})}; break;
    default: e.body = CodeEvent{pick<std::string>({"assert tcpi_reordering == 3", "", "\nx = 1\n", "a }"})}; break;
  }
  if (e.time.kind == TimeKind::Any && !outbound_packet) e.time.kind = TimeKind::Relative;
  if (e.time.kind != TimeKind::Any) e.time.usecs = gen_usecs();
  if (e.time.kind != TimeKind::Any && outbound_packet && coin())
    e.time.range_end_usecs = e.time.usecs + *rc::gen::inRange<std::int64_t>(0, 100000);
  if (k == 3 && coin()) e.time.blocking_end_usecs = gen_usecs();
  return e;
}

Script gen_script() {
  Script s;
  int n = *rc::gen::inRange(0, 4);
  for (int i = 0; i < n; ++i) {
    ScriptOption o{pick<std::string>({"tolerance_usecs", "ip_version", "strict_segments", "define"}), std::nullopt};
    if (coin()) o.value = pick<std::string>({"10000", "ipv4", "", "\"a b\"", "X=`y z`", "a//b"});
    s.options.push_back(o);
  }
  n = *rc::gen::inRange(0, 3);
  for (int i = 0; i < n; ++i)
    s.definitions[pick<std::string>({"PORT", "CC", "_X1"})] = pick<std::string>({"8080", "\"cubic\"", "", "A|B"});
  if (coin()) s.init_command = "../common/defaults.sh";
  n = *rc::gen::inRange(0, 8);
  for (int i = 0; i < n; ++i) s.events.push_back(gen_event());
  if ((s.init_command || !s.events.empty()) && coin()) s.cleanup_command = "cleanup \\`";
  return s;
}

RC_GTEST_PROP(PktRoundTrip, PrintThenParseIsIdentity, ()) {
  Script s = gen_script();
  std::string text = print_script(s);
  auto r = parse_pkt_script(text, "gen.pkt");
  if (!r.ok()) RC_FAIL(r.error().to_string() + "\n" + text);
  if (!(*r == s)) RC_FAIL("round trip changed the script:\n" + text + "---\n" + print_script(*r));
  RC_ASSERT(print_script(*r) == text);
}

}  // namespace
}  // namespace synack::conformance

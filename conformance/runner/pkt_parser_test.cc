// Unit tests for the packetdrill script parser: each construct with exact
// tree checks, error messages with exact locations, printing, the tcpi
// assert evaluator, and every script under conformance/ parsing.
#include "conformance/runner/pkt_parser.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "conformance/runner/pkt_ast.h"
#include "conformance/runner/pkt_lexer.h"

namespace synack::conformance {
namespace {

Script parse_ok(std::string_view text) {
  auto r = parse_pkt_script(text, "t.pkt");
  if (!r.ok()) {
    ADD_FAILURE() << r.error().to_string() << "\nin:\n" << text;
    return Script{};
  }
  return std::move(r.value());
}

Event one_event(std::string_view text) {
  Script s = parse_ok(text);
  if (s.events.size() != 1) {
    ADD_FAILURE() << "expected one event, got " << s.events.size();
    return Event{};
  }
  return s.events[0];
}

SyscallEvent syscall_of(std::string_view text) {
  Event e = one_event(text);
  auto* s = std::get_if<SyscallEvent>(&e.body);
  if (s == nullptr) {
    ADD_FAILURE() << "not a syscall: " << text;
    return {};
  }
  return *s;
}

TcpPacketEvent tcp_of(std::string_view text) {
  Event e = one_event(text);
  auto* p = std::get_if<TcpPacketEvent>(&e.body);
  if (p == nullptr) {
    ADD_FAILURE() << "not a TCP packet: " << text;
    return {};
  }
  return *p;
}

std::string error_of(std::string_view text) {
  auto r = parse_pkt_script(text, "sample.pkt");
  if (r.ok()) return "parsed";
  return r.error().to_string();
}

using E = Expr;

TEST(PktParser, OptionsDefinitionsAndSubstitution) {
  Script s = parse_ok(
      "--tolerance_usecs=10000\n--ip_version=ipv4\n--strict_segments\n--tcp_ts_tick_usecs=1000\n"
      "-D PORT=8080\n-DCC=\"cubic\"\n"
      "0 bind(3, ..., ${PORT}) = 0\n+0 setsockopt(3, SOL_TCP, TCP_CONGESTION, ${CC}, 5) = 0\n");
  ASSERT_EQ(s.options.size(), 4u);
  EXPECT_EQ(s.options[0], (ScriptOption{"tolerance_usecs", "10000"}));
  EXPECT_EQ(s.options[2], (ScriptOption{"strict_segments", std::nullopt}));
  EXPECT_EQ(s.option_int("tolerance_usecs"), 10000);
  EXPECT_EQ(s.option("ip_version"), "ipv4");
  EXPECT_TRUE(s.has_option("strict_segments"));
  EXPECT_FALSE(s.has_option("tolerance_percent"));
  EXPECT_EQ(s.definitions, (std::map<std::string, std::string>{{"PORT", "8080"}, {"CC", "\"cubic\""}}));
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(std::get<SyscallEvent>(s.events[0].body).args[2], E::make_int(8080));
  EXPECT_EQ(std::get<SyscallEvent>(s.events[1].body).args[3], E::make_string("cubic"));
  EXPECT_EQ(s.events[1].loc, (SourceLoc{"t.pkt", 8, 1}));
}

// A quoted option value that ends in a backslash at the end of its line:
// the backslash does not escape the newline, so the value is the same with
// or without one (found by fuzz_pkt_script's print/parse round trip).
TEST(PktParser, OptionValueBackslashNeverEscapesTheNewline) {
  Script a = parse_ok("--c=`\\");
  Script b = parse_ok("--c=`\\\n0 close(3) = 0\n");
  ASSERT_EQ(a.options.size(), 1u);
  EXPECT_EQ(a.options[0], (ScriptOption{"c", "`\\"}));
  EXPECT_EQ(b.options[0], a.options[0]);
  EXPECT_EQ(b.events.size(), 1u);
}

TEST(PktParser, EventTimes) {
  Script s = parse_ok(
      "0.100 close(3) = 0\n+.1 close(3) = 0\n+0 close(3) = 0\n2 close(3) = 0\n"
      "+.3~+.31 > . 1:1(0) ack 1\n0.3~0.31 > . 1:1(0) ack 1\n* > . 1:1(0) ack 1\n"
      "+0...0.200 read(4, ..., 1000) = 1000\n0.0000019 close(3) = 0\n");
  ASSERT_EQ(s.events.size(), 9u);
  EXPECT_EQ(s.events[0].time, (TimeSpec{TimeKind::Absolute, 100000, {}, {}}));
  EXPECT_EQ(s.events[1].time, (TimeSpec{TimeKind::Relative, 100000, {}, {}}));
  EXPECT_EQ(s.events[2].time, (TimeSpec{TimeKind::Relative, 0, {}, {}}));
  EXPECT_EQ(s.events[3].time, (TimeSpec{TimeKind::Absolute, 2000000, {}, {}}));
  EXPECT_EQ(s.events[4].time, (TimeSpec{TimeKind::Relative, 300000, 310000, {}}));
  EXPECT_EQ(s.events[5].time, (TimeSpec{TimeKind::Absolute, 300000, 310000, {}}));
  EXPECT_EQ(s.events[6].time, (TimeSpec{TimeKind::Any, 0, {}, {}}));
  EXPECT_EQ(s.events[7].time, (TimeSpec{TimeKind::Relative, 0, {}, 200000}));
  EXPECT_EQ(s.events[8].time.usecs, 1);  // digits past microseconds are dropped
  EXPECT_EQ(print_time(s.events[4].time), "+0.3~+0.31");
  EXPECT_EQ(print_event(s.events[7]), "+0...0.2 read(4, ..., 1000) = 1000");
}

TEST(PktParser, SocketCalls) {
  EXPECT_EQ(syscall_of("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3"),
            (SyscallEvent{"socket", {E::make_ellipsis(), E::make_symbol("SOCK_STREAM"), E::make_symbol("IPPROTO_TCP")},
                          3, {}, {}, {}}));
  EXPECT_EQ(syscall_of("+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0").args,
            (std::vector<E>{E::make_int(3), E::make_symbol("SOL_SOCKET"), E::make_symbol("SO_REUSEADDR"),
                            E::make_list({E::make_int(1)}), E::make_int(4)}));
  EXPECT_EQ(syscall_of("+0 listen(3, 1) = 0").args, (std::vector<E>{E::make_int(3), E::make_int(1)}));
  SyscallEvent c = syscall_of("+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)");
  EXPECT_EQ(c.ret, -1);
  EXPECT_EQ(c.errno_name, "EINPROGRESS");
  EXPECT_EQ(c.strerror, "Operation now in progress");
  EXPECT_EQ(c.note, std::nullopt);
  SyscallEvent g = syscall_of("+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0");
  EXPECT_EQ(g.args[3], E::make_list({E::make_symbol("ECONNREFUSED")}));
  EXPECT_EQ(g.args[4], E::make_list({E::make_int(4)}));
  EXPECT_EQ(syscall_of("+0 shutdown(4, SHUT_WR) = 0").args[1], E::make_symbol("SHUT_WR"));
  EXPECT_EQ(syscall_of("+0 close(4) = 0").name, "close");
  EXPECT_EQ(syscall_of("+0 getpid() = ...").ret, std::nullopt);
  SyscallEvent n = syscall_of("+0 write(4, ..., 10) = -1 EAGAIN (Resource temporarily unavailable) (can't send)");
  EXPECT_EQ(n.strerror, "Resource temporarily unavailable");
  EXPECT_EQ(n.note, "can't send");
  EXPECT_EQ(syscall_of("+0 close(4) = 0 (a note)").note, "a note");
}

TEST(PktParser, DataCalls) {
  for (const char* name : {"write", "read", "send", "recv"})
    EXPECT_EQ(syscall_of(std::string("+0 ") + name + "(4, ..., 1000) = 1000").args,
              (std::vector<E>{E::make_int(4), E::make_ellipsis(), E::make_int(1000)}));
  EXPECT_EQ(syscall_of("+0 sendto(4, ..., 100, MSG_DONTWAIT, ..., ...) = 100").args[3], E::make_symbol("MSG_DONTWAIT"));
  EXPECT_EQ(syscall_of("+0 recvfrom(4, ..., 100, MSG_PEEK, ..., ...) = 100").args.size(), 6u);
  SyscallEvent w = syscall_of("+0 writev(4, [{..., 1000}, {..., 500}], 2) = 1500");
  ASSERT_EQ(w.args[1].kind, E::Kind::List);
  EXPECT_TRUE(w.args[1].items[0].is_iovec());
  EXPECT_EQ(w.args[1].items[1], E::make_struct({E::make_ellipsis(), E::make_int(500)}));
  EXPECT_TRUE(syscall_of("+0 readv(4, [{..., 1000}], 1) = 1000").args[1].items[0].is_iovec());
}

TEST(PktParser, StructsFlagsPollIoctl) {
  SyscallEvent f = syscall_of("+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0");
  EXPECT_EQ(f.args[2], E::make_or({E::make_symbol("O_RDWR"), E::make_symbol("O_NONBLOCK")}));
  SyscallEvent p = syscall_of("+0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLIN}], 1, 0) = 1");
  const E& pfd = p.args[0].items[0];
  EXPECT_EQ(*pfd.field("fd"), E::make_int(4));
  EXPECT_EQ(*pfd.field("events"), E::make_or({E::make_symbol("POLLIN"), E::make_symbol("POLLOUT")}));
  EXPECT_EQ(*pfd.field("revents"), E::make_symbol("POLLIN"));
  EXPECT_EQ(pfd.field("nope"), nullptr);
  SyscallEvent l = syscall_of("+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0");
  EXPECT_EQ(l.args[3], E::make_struct({E::make_field("l_onoff", E::make_int(1)), E::make_field("l_linger", E::make_int(0))}));
  EXPECT_EQ(syscall_of("+0 ioctl(4, FIONREAD, [1000]) = 0").args[2], E::make_list({E::make_int(1000)}));
  EXPECT_EQ(syscall_of("+0 setsockopt(3, SOL_TCP, TCP_CONGESTION, \"cubic\", 5) = 0").args[3], E::make_string("cubic"));
  SyscallEvent t = syscall_of("+0 setsockopt(3, SOL_SOCKET, SO_RCVTIMEO, {tv_sec=0, tv_usec=0x10}, 16) = 0");
  EXPECT_EQ(*t.args[3].field("tv_usec"), E::make_int(16, true));
  SyscallEvent a = syscall_of(
      "+0 connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"192.0.2.1\")}, 16) = 0");
  EXPECT_EQ(*a.args[1].field("sin_port"), E::make_call("htons", {E::make_int(8080)}));
  EXPECT_EQ(syscall_of("+0 f([], {}, -5) = 0").args,
            (std::vector<E>{E::make_list({}), E::make_struct({}), E::make_int(-5)}));
}

TEST(PktParser, TcpPackets) {
  TcpPacketEvent syn = tcp_of("+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>");
  EXPECT_EQ(syn.direction, Direction::Inbound);
  EXPECT_EQ(syn.flags, "S");
  EXPECT_EQ(syn.flag_bits, tcp_flag::kSyn);
  EXPECT_EQ(syn.win, 32792);
  EXPECT_EQ(syn.ack, std::nullopt);
  using K = TcpOption::Kind;
  ASSERT_EQ(syn.options.size(), 6u);
  EXPECT_EQ(syn.options[0], (TcpOption{K::Mss, 1000, {}, 0, 0, ""}));
  EXPECT_EQ(syn.options[1].kind, K::SackOk);
  EXPECT_EQ(syn.options[4].kind, K::Nop);
  EXPECT_EQ(syn.options[5], (TcpOption{K::WScale, 7, {}, 0, 0, ""}));

  TcpPacketEvent sa = tcp_of("+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>");
  EXPECT_EQ(sa.direction, Direction::Outbound);
  EXPECT_EQ(sa.flag_bits, tcp_flag::kSyn | tcp_flag::kAck);
  EXPECT_EQ(sa.ack, 1u);
  EXPECT_EQ(sa.win, std::nullopt);

  TcpPacketEvent d = tcp_of("+0 < P. 1:1001(1000) ack 1 win 257");
  EXPECT_EQ((TcpPacketEvent{Direction::Inbound, {}, {}, "P.", tcp_flag::kPsh | tcp_flag::kAck, 1, 1001, 1000, 1,
                            257, {}, false, {}}),
            d);
  EXPECT_EQ(tcp_of("+.1 < . 1:1(0) ack 1 win 257").flag_bits, tcp_flag::kAck);
  EXPECT_EQ(tcp_of("+0 < - 1:1(0) win 0").flag_bits, 0);
  EXPECT_EQ(tcp_of("+0 < R 1:1(0) win 0").flag_bits, tcp_flag::kRst);
  EXPECT_EQ(tcp_of("+0 > F. 1:1(0) ack 1").flag_bits, tcp_flag::kFin | tcp_flag::kAck);
  EXPECT_EQ(tcp_of("+0 < SEW 0:0(0) win 100").flag_bits, tcp_flag::kSyn | tcp_flag::kEce | tcp_flag::kCwr);
  TcpPacketEvent u = tcp_of("+0 < U. 1:2(1) ack 1 win 100 urg 1");
  EXPECT_EQ(u.flag_bits, tcp_flag::kUrg | tcp_flag::kAck);
  EXPECT_EQ(u.urg, 1);
  EXPECT_EQ(tcp_of("+0 < 8080>80 S 0:0(0) win 100").ports, (PortPair{8080, 80}));
  EXPECT_EQ(tcp_of("+0 < S 4294967295:4(5) win 1").seq_end, 4u);  // wraps mod 2^32
}

TEST(PktParser, TcpOptionsAndIpBlocks) {
  using K = TcpOption::Kind;
  TcpPacketEvent p = tcp_of("+0 < . 1:1(0) ack 1 win 257 <sack 1001:2001 3001:4001,TS val 100 ecr 7,eol,FO abcd,FO,md5 00ff>");
  ASSERT_EQ(p.options.size(), 6u);
  EXPECT_EQ(p.options[0].kind, K::Sack);
  EXPECT_EQ(p.options[0].sack_blocks, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{1001, 2001}, {3001, 4001}}));
  EXPECT_EQ(p.options[1], (TcpOption{K::Timestamp, 0, {}, 100, 7, ""}));
  EXPECT_EQ(p.options[2].kind, K::Eol);
  EXPECT_EQ(p.options[3], (TcpOption{K::FastOpen, 0, {}, 0, 0, "abcd"}));
  EXPECT_EQ(p.options[4], (TcpOption{K::FastOpen, 0, {}, 0, 0, ""}));
  EXPECT_EQ(p.options[5], (TcpOption{K::Md5, 0, {}, 0, 0, "00ff"}));
  TcpPacketEvent any = tcp_of("+0 > S. 0:0(0) ack 1 <...>");
  EXPECT_TRUE(any.any_options);
  EXPECT_TRUE(any.options.empty());
  EXPECT_EQ(tcp_of("+0 < [ect0] . 1:1(0) ack 1 win 1").ip.ecn, IpEcn::Ect0);
  EXPECT_EQ(tcp_of("+0 > [ect1] . 1:1(0) ack 1").ip.ecn, IpEcn::Ect1);
  EXPECT_EQ(tcp_of("+0 < [ce] . 1:1(0) ack 1 win 1").ip.ecn, IpEcn::Ce);
  EXPECT_EQ(tcp_of("+0 > [noecn] . 1:1(0) ack 1").ip.ecn, IpEcn::NoEcn);
  EXPECT_EQ(tcp_of("+0 > [ect01] . 1:1(0) ack 1").ip.ecn, IpEcn::Ect01);
  TcpPacketEvent tos = tcp_of("+0 > (tos 0x2, flowlabel 0x12) . 1:1(0) ack 1");
  EXPECT_EQ(tos.ip, (IpInfo{{}, 2, 0x12, {}}));
  EXPECT_EQ(tcp_of("+0 < (ttl 3) . 1:1(0) ack 1 win 1").ip.ttl, 3);
}

TEST(PktParser, UdpAndIcmp) {
  Event u = one_event("+0 > udp (1000)");
  EXPECT_EQ(std::get<UdpPacketEvent>(u.body), (UdpPacketEvent{Direction::Outbound, {}, {}, 1000}));
  EXPECT_EQ(std::get<UdpPacketEvent>(one_event("+0 < udp 53>1024 (100)").body).ports, (PortPair{53, 1024}));
  EXPECT_EQ(std::get<UdpPacketEvent>(one_event("+0 < udp (10) checksum zero").body).checksum, UdpChecksum::Zero);
  EXPECT_EQ(std::get<UdpPacketEvent>(one_event("+0 < udp (10) checksum bad").body).checksum, UdpChecksum::Bad);
  EXPECT_EQ(print_event(one_event("+0 < udp (10) checksum bad")), "+0 < udp (10) checksum bad");
  Event m = one_event("+0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]");
  IcmpPacketEvent want{Direction::Inbound, {}, "unreachable", "frag_needed", 3, 4, 1200, {},
                       IcmpPacketEvent::Echoed::TcpSeq, 1, 1461, 1460};
  EXPECT_EQ(std::get<IcmpPacketEvent>(m.body), want);
  auto icmp = [&](const char* s) { return std::get<IcmpPacketEvent>(one_event(s).body); };
  EXPECT_EQ(icmp("+0 < icmp unreachable port_unreachable").code, 3);
  EXPECT_EQ(icmp("+0 < icmp unreachable host_unreachable [udp (10)]").echoed, IcmpPacketEvent::Echoed::Udp);
  EXPECT_EQ(icmp("+0 < icmp time_exceeded").type, 11);
  EXPECT_EQ(icmp("+0 < icmp time_exceeded code_1").code, 1);
  EXPECT_EQ(icmp("+0 < icmp type_42 code_7 [raw (8)]").type, 42);
  EXPECT_EQ(icmp("+0 > icmp echo_reply id 7").echo_id, 7);
}

TEST(PktParser, ShellCodeCommentsAndCommands) {
  Script s = parse_ok(
      "/* header\n comment */ `../common/defaults.sh`\n"
      "0 `sysctl -q net.ipv4.tcp_timestamps=0` // trailing\n"
      "+0 %{ assert tcpi_reordering == 3 }%\n"
      "+0 %{\nassert tcpi_ca_state == 0\n}%\n"
      "`cleanup`\n");
  EXPECT_EQ(s.init_command, "../common/defaults.sh");
  EXPECT_EQ(s.cleanup_command, "cleanup");
  ASSERT_EQ(s.events.size(), 3u);
  EXPECT_EQ(std::get<ShellEvent>(s.events[0].body).command, "sysctl -q net.ipv4.tcp_timestamps=0");
  EXPECT_EQ(std::get<CodeEvent>(s.events[1].body).text, "assert tcpi_reordering == 3");
  EXPECT_EQ(std::get<CodeEvent>(s.events[2].body).text, "\nassert tcpi_ca_state == 0\n");
  EXPECT_EQ(s.events[1].loc, (SourceLoc{"t.pkt", 4, 1}));
}

TEST(PktParser, PrintsCanonicalText) {
  Script s = parse_ok(
      "--tolerance_usecs=10000\n-D X=1\n0.100   socket(..., SOCK_STREAM, IPPROTO_TCP)=3 // c\n"
      "+.1 < [ect0] S 0:0(0) win 32792 <mss 1000,TS val 1 ecr 0,sack 1:2>\n"
      "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = -1 EAGAIN (Try again)\n"
      "+0 > (tos 0x10) udp (5)\n+0 %{ assert tcpi_x == 1 }%\n");
  EXPECT_EQ(print_script(s),
            "--tolerance_usecs=10000\n-D X=1\n0.1 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
            "+0.1 < [ect0] S 0:0(0) win 32792 <mss 1000,TS val 1 ecr 0,sack 1:2>\n"
            "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = -1 EAGAIN (Try again)\n"
            "+0 > (tos 0x10) udp (5)\n+0 %{ assert tcpi_x == 1 }%\n");
  EXPECT_EQ(print_time_value(1500000), "1.5");
  EXPECT_EQ(print_time_value(1), "0.000001");
}

// Malformed scripts: the first error, with file:line:column.
TEST(PktParser, ErrorMessagesWithLocations) {
  const std::pair<const char*, const char*> cases[] = {
      {"0 socket(..., SOCK_STREAM, 6 = 3\n",
       "sample.pkt:1:30: expected ')' after syscall arguments"},
      {"0 close(3) = 0\n\n+0 write(4, ..., 10 = 10\n", "sample.pkt:3:21: expected ')' after syscall arguments"},
      {"0 close(3) 0\n", "sample.pkt:1:12: expected '=' after syscall arguments"},
      {"0 close(3) = foo(\n", "sample.pkt:1:14: expected an integer or '...' as the syscall result"},
      {"close(3) = 0\n", "sample.pkt:1:1: expected event time"},
      {"+0 < S 0:0(0)\n", "sample.pkt:2:1: window must be specified for inbound packets"},
      {"+0 < S 0:10(0) win 1\n", "sample.pkt:1:10: inconsistent TCP sequence numbers and payload size"},
      {"+0 < Q 0:0(0) win 1\n", "sample.pkt:1:6: invalid TCP flag 'Q'"},
      {"+0 < S 0:0(0) win 70000\n", "sample.pkt:1:19: window out of range"},
      {"+0 > S. 0:0(0) ack 1 <mss 1460 wscale 7>\n", "sample.pkt:1:32: expected ',' or '>' in TCP option list"},
      {"+0 > S. 0:0(0) ack 1 <mss 1460,bogus>\n", "sample.pkt:1:32: unknown TCP option 'bogus'"},
      {"+0 < S 0:0(0) win 1 <...>\n", "sample.pkt:1:21: <...> for TCP options can only be used with outbound packets"},
      {"* close(3) = 0\n", "sample.pkt:1:1: event time '*' can only be used with outbound packets"},
      {"+0 > . 1:1(0)\n+.2~+.1 > . 1:1(0)\n", "sample.pkt:2:4: time range is backwards"},
      {"0 bind(3, ..., ${PORT}) = 0\n", "sample.pkt:1:16: undefined name 'PORT' (no -D PORT=...)"},
      {"0 `echo hi\n", "sample.pkt:1:3: unterminated shell command '`'"},
      {"/* no end\n0 close(3) = 0\n", "sample.pkt:1:1: unterminated comment '/*'"},
      {"0 close(3) = 0\n--tolerance_usecs=1\n", "sample.pkt:2:1: options must come before the first event"},
      {"+0 < icmp unreachable bogus_code\n", "sample.pkt:1:23: unknown ICMP code 'bogus_code' for type 'unreachable'"},
      {"+0 < icmp unreachable port_unreachable mtu 1200\n",
       "sample.pkt:1:40: ICMP mtu is only valid for unreachable frag_needed"},
      {"+0 > ipv4 1.2.3.4 > 5.6.7.8: S 0:0(0)\n",
       "sample.pkt:1:6: packet encapsulation (ipv4/ipv6/gre/mpls) is not supported"},
      {"0 close(99999999999999999999) = 0\n", "sample.pkt:1:9: integer out of range"},
      {"-1 close(3) = 0\n", "sample.pkt:1:1: negative time"},
      {"+0...0.2 < . 1:1(0) win 1\n", "sample.pkt:1:10: expected a system call after blocking time '...'"},
      {"0 close(3) = 0 (unclosed\n", "sample.pkt:2:1: expected ')' to close the note"},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(error_of(text), want) << text;
}

TEST(PktParser, BoundedNestingAndHostileInput) {
  std::string deep = "0 f(" + std::string(100, '[') + std::string(100, ']') + ") = 0\n";
  EXPECT_EQ(error_of(deep), "sample.pkt:1:37: expression nested too deeply");
  std::string ok = "0 f(" + std::string(20, '[') + std::string(20, ']') + ") = 0\n";
  EXPECT_EQ(error_of(ok), "parsed");
  std::string many_ors = "0 f(A";
  for (int i = 0; i < 20000; ++i) many_ors += "|A";
  many_ors += ") = 0\n";
  EXPECT_EQ(error_of(many_ors), "parsed");
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  EXPECT_NE(error_of(bytes), "parsed");
  EXPECT_EQ(error_of(""), "parsed");
  EXPECT_EQ(error_of(std::string_view("0 close(3) = 0\0", 15)), "sample.pkt:1:15: expected event time");
}

TEST(PktAssert, ParsesAndEvaluatesSimpleTcpiAsserts) {
  AssertParse p = parse_tcpi_asserts(
      "assert tcpi_reordering == 3\n  # comment\n\nassert tcpi_snd_cwnd >= 10\nassert tcpi_rto<-1\n"
      "assert tcpi_unacked != 0\nassert tcpi_a <= 5\nassert tcpi_b > 1");
  ASSERT_EQ(p.error, std::nullopt);
  ASSERT_EQ(p.asserts.size(), 6u);
  EXPECT_EQ(p.asserts[0], (TcpiAssert{"tcpi_reordering", CmpOp::Eq, 3}));
  EXPECT_EQ(p.asserts[2], (TcpiAssert{"tcpi_rto", CmpOp::Lt, -1}));
  std::map<std::string, long long> info{{"tcpi_reordering", 3}, {"tcpi_snd_cwnd", 10}, {"tcpi_rto", -2},
                                        {"tcpi_unacked", 1},    {"tcpi_a", 5},        {"tcpi_b", 2}};
  EXPECT_TRUE(evaluate_tcpi_asserts(p.asserts, info).passed);
  info["tcpi_snd_cwnd"] = 9;
  AssertOutcome bad = evaluate_tcpi_asserts(p.asserts, info);
  EXPECT_FALSE(bad.passed);
  EXPECT_EQ(bad.message, "tcpi_snd_cwnd >= 10 failed: value is 9");
  info.erase("tcpi_b");
  info["tcpi_snd_cwnd"] = 10;
  EXPECT_EQ(evaluate_tcpi_asserts(p.asserts, info).message, "tcpi_b > 1 failed: unknown field tcpi_b");

  EXPECT_EQ(parse_tcpi_asserts("assert tcpi_a == 1\nassert tcpi_a == 1 and tcpi_b == 2").error,
            "line 2: unsupported statement (only 'assert tcpi_<field> <op> <integer>'): "
            "assert tcpi_a == 1 and tcpi_b == 2");
  EXPECT_TRUE(parse_tcpi_asserts("print(tcpi_a)").error.has_value());
  EXPECT_TRUE(parse_tcpi_asserts("assert x == 1").error.has_value());
  EXPECT_TRUE(parse_tcpi_asserts("").asserts.empty());
}

// Every script in the suite parses and survives print -> parse.
TEST(PktSuite, EveryConformanceScriptParses) {
  std::size_t n = 0;
  std::filesystem::path root = std::filesystem::path(SYNACK_SOURCE_DIR) / "conformance";
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".pkt") continue;
    ++n;
    auto r = parse_pkt_file(e.path());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    auto again = parse_pkt_script(print_script(*r), "printed.pkt");
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_EQ(*again, *r) << e.path();
  }
  EXPECT_GE(n, 10u);
}

}  // namespace
}  // namespace synack::conformance

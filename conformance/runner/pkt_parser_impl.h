// The recursive-descent parser behind parse_pkt_script (pkt_parser.cc:
// times, events, packets; pkt_parser_syscall.cc: system calls and their
// expressions). Internal to conformance/runner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/pkt_lexer.h"
#include "conformance/runner/pkt_parser.h"

namespace synack::conformance::pkt_detail {

inline constexpr std::int64_t kMaxSeconds = 1000000000;  // keeps microseconds far from overflow
inline constexpr std::uint64_t kU8 = 0xff;
inline constexpr std::uint64_t kU16 = 0xffff;
inline constexpr std::uint64_t kU32 = 0xffffffff;

class Parser {
 public:
  Parser(std::vector<Token> toks, std::string file, const ParseLimits& limits)
      : t_(std::move(toks)), file_(std::move(file)), limits_(limits) {}

  Result<Script, PktError> run();

 private:
  const Token& peek(std::size_t k = 0) const {
    std::size_t i = i_ + k;
    return i < t_.size() ? t_[i] : t_.back();
  }
  const Token& next() {
    const Token& t = peek();
    if (i_ + 1 < t_.size()) ++i_;
    return t;
  }
  SourceLoc loc(const Token& t) const { return SourceLoc{file_, t.line, t.column}; }
  bool fail(const Token& t, std::string msg) {
    if (!err_) err_ = PktError{loc(t), std::move(msg)};
    return false;
  }
  bool expect_punct(char c, const char* msg) {
    if (!peek().is_punct(c)) return fail(peek(), msg);
    next();
    return true;
  }
  // An integer token in [0, max]; `what` names it in the range error.
  bool expect_uint(std::uint64_t max, const char* what, const char* expected, std::uint64_t& out) {
    const Token& t = peek();
    if (t.kind != TokKind::Int) return fail(t, expected);
    if (t.int_value < 0 || static_cast<std::uint64_t>(t.int_value) > max)
      return fail(t, std::string(what) + " out of range");
    out = static_cast<std::uint64_t>(t.int_value);
    next();
    return true;
  }

  bool parse_time_value(std::int64_t& usecs);
  bool parse_event_time(Event& ev);
  bool parse_event(Script& s);
  bool check_time_use(const Event& ev, const Token& at);
  bool parse_ip_info(IpInfo& ip);
  bool parse_ports(std::optional<PortPair>& ports);
  bool parse_packet(Event& ev);
  bool parse_tcp(Direction dir, IpInfo ip, std::optional<PortPair> ports, Event& ev);
  bool parse_flags(TcpPacketEvent& p);
  bool parse_seq(std::uint32_t& start, std::uint32_t& end, std::uint16_t& len);
  bool parse_tcp_options(TcpPacketEvent& p);
  bool parse_tcp_option(TcpOption& o);
  bool parse_hex_blob(std::string& out, bool required);
  bool parse_udp(Direction dir, IpInfo ip, Event& ev);
  bool parse_icmp(Direction dir, IpInfo ip, Event& ev);
  bool parse_syscall(Event& ev);
  bool parse_note(std::string& out);
  bool parse_expr(int depth, Expr& out);
  bool parse_primary(int depth, Expr& out);
  bool parse_expr_list(int depth, char close, const char* msg, std::vector<Expr>& out);

  std::vector<Token> t_;
  std::size_t i_ = 0;
  std::string file_;
  const ParseLimits& limits_;
  std::optional<PktError> err_;
};

}  // namespace synack::conformance::pkt_detail

// The packetdrill-script interpreter (see runner.h).
#include "conformance/runner/runner.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "conformance/runner/kernel_dut.h"
#include "conformance/runner/matcher.h"
#include "conformance/runner/pkt_parser.h"
#include "conformance/runner/sim_dut.h"
#include "conformance/runner/syscalls.h"
#include "harness/pcap/pcap_writer.h"

namespace synack::conformance {

namespace {

// How long an outbound packet written with `*` may take to come.
constexpr std::int64_t kAnyTimeWindowUs = 30'000'000;
// Extra time the kernel gets for a call the script says does not block.
constexpr std::int64_t kKernelCallSlackUs = 200'000;

std::string secs(std::int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", static_cast<double>(us) / 1e6);
  return buf;
}

// The event text without time and direction: "S. 0:0(0) ack 1 <...>".
std::string expected_text(const Event& e) {
  std::string s = print_event_body(e.body, e.time);
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  if (!s.empty() && (s.front() == '>' || s.front() == '<')) s.erase(0, 2);
  return s;
}

// "// RFC 9293 §3.5: ..." -> "RFC 9293 §3.5".
std::string rfc_of(std::string_view text) {
  auto nl = text.find('\n');
  std::string_view first = text.substr(0, nl);
  if (first.rfind("//", 0) != 0) return "";
  first.remove_prefix(2);
  while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
  auto colon = first.find(':');
  return std::string(colon == std::string_view::npos ? first : first.substr(0, colon));
}

class CaseRun {
 public:
  CaseRun(const RunOptions& opts, const Script& script, Dut& dut, CaseResult& out)
      : opts_(opts), script_(script), dut_(dut), out_(out) {
    if (opts.tolerance_usecs) tol_ = *opts.tolerance_usecs;
    else if (dut.name() == "kernel" && script.option_int("tolerance_usecs"))
      tol_ = *script.option_int("tolerance_usecs");
    else tol_ = dut.default_tolerance_us();
    strict_ = script.has_option("strict_segments");
    ignore_psh_ = script.has_option("ignore_psh");
  }

  void run() {
    t0_ = dut_.now_us();
    for (const Event& e : script_.events) {
      if (!step(e)) return;
    }
    if (!finish_call()) return;
    // Whatever the DUT sent that no event consumed is unexpected.
    if (!no_unexpected(0, "after the last event")) return;
    out_.verdict = Verdict::Pass;
  }

 private:
  std::int64_t now() { return dut_.now_us() - t0_; }

  bool fail(int line, std::string expected, std::string actual, const std::string& message) {
    out_.verdict = Verdict::Fail;
    out_.line = line;
    out_.expected = std::move(expected);
    out_.actual = std::move(actual);
    out_.message = "script line " + std::to_string(line) + ": " + message;
    return false;
  }
  bool error(int line, const std::string& message) {
    out_.verdict = Verdict::Error;
    out_.line = line;
    out_.message = "script line " + std::to_string(line) + ": " + message;
    return false;
  }

  void record(const Frame& f, bool from_dut, int line, const ParsedFrame& p) {
    PacketRecord r;
    r.t_us = f.t_us - t0_;
    r.from_dut = from_dut;
    r.frame = f.bytes;
    r.summary = (from_dut ? "> " : "< ") + summarize(p, from_dut, seq_);
    r.script_line = line;
    if (opts_.verbose) std::cerr << secs(r.t_us) << " " << r.summary << "\n";
    out_.packets.push_back(std::move(r));
  }
  void record_call(std::int64_t t_us, std::string text, int line) {
    if (opts_.verbose) std::cerr << secs(t_us) << " " << text << "\n";
    out_.calls.push_back(CallRecord{t_us, std::move(text), line});
  }

  // Takes frames already sent by the DUT; fails on the first IPv4 one.
  bool no_unexpected(int line, const std::string& when) {
    while (auto f = dut_.next_frame(dut_.now_us())) {
      ParsedFrame p = parse_frame(f->bytes);
      record(*f, true, 0, p);
      if (p.kind == ParsedFrame::Kind::NonIp) continue;  // ARP and the like: not the script's business
      std::string got = summarize(p, true, seq_);
      int at = line ? line : last_line_;
      return fail(at, "no packet", got, "unexpected packet " + when + ": " + got + " at " + secs(f->t_us - t0_));
    }
    return true;
  }

  bool step(const Event& e) {
    const int line = e.loc.line;
    std::int64_t start = 0, end = 0;
    switch (e.time.kind) {
      case TimeKind::Absolute: start = e.time.usecs; break;
      case TimeKind::Relative: start = prev_ + e.time.usecs; break;
      case TimeKind::Any: start = prev_; break;
    }
    end = start;
    if (e.time.range_end_usecs)
      end = e.time.kind == TimeKind::Relative ? prev_ + *e.time.range_end_usecs : *e.time.range_end_usecs;
    last_line_ = line;
    if (const auto* t = std::get_if<TcpPacketEvent>(&e.body); t && t->direction == Direction::Outbound)
      return outbound(e, start, end, [&](const ParsedFrame& p, std::string& why) {
        TcpMatch m = tcp_matcher_->offer(p, seq_);
        why = m.reason;
        return m.outcome;
      });
    if (const auto* u = std::get_if<UdpPacketEvent>(&e.body); u && u->direction == Direction::Outbound)
      return outbound(e, start, end, [&](const ParsedFrame& p, std::string& why) {
        why = match_udp(*u, p);
        if (why.empty()) seq_.learn_from_dut(p);
        return why.empty() ? TcpMatch::Outcome::Match : TcpMatch::Outcome::Mismatch;
      });
    if (const auto* c = std::get_if<IcmpPacketEvent>(&e.body); c && c->direction == Direction::Outbound)
      return outbound(e, start, end, [&](const ParsedFrame& p, std::string& why) {
        why = match_icmp(*c, p);
        return why.empty() ? TcpMatch::Outcome::Match : TcpMatch::Outcome::Mismatch;
      });

    dut_.advance_to(t0_ + start);
    // A late runner (a loaded machine) is not the DUT's fault: later relative
    // times and this call's timing count from when the event really ran.
    start = std::max(start, now());
    prev_ = start;
    if (std::holds_alternative<SyscallEvent>(e.body)) return syscall(e, start);
    if (const auto* s = std::get_if<ShellEvent>(&e.body)) {
      ShellOutcome o = dut_.shell(s->command);
      record_call(now(), "`" + s->command + "`" + (o.ran ? " = " + std::to_string(o.status) : " (" + o.note + ")"), line);
      if (o.ran && o.status != 0)
        return fail(line, "exit status 0", std::to_string(o.status), "command `" + s->command + "` failed");
      return true;
    }
    if (const auto* c = std::get_if<CodeEvent>(&e.body)) return code(line, *c);
    // Inbound packets: nothing the DUT sent may be pending first.
    if (!no_unexpected(line, "before the injected packet")) return false;
    Bytes frame;
    if (const auto* t = std::get_if<TcpPacketEvent>(&e.body)) frame = build_tcp_frame(*t, seq_, dut_.dut_mac());
    else if (const auto* u = std::get_if<UdpPacketEvent>(&e.body)) frame = build_udp_frame(*u, seq_, dut_.dut_mac());
    else if (const auto* c = std::get_if<IcmpPacketEvent>(&e.body)) {
      if (c->echoed == IcmpPacketEvent::Echoed::Raw) return error(line, "ICMP with a raw echoed payload is not supported");
      frame = build_icmp_frame(*c, seq_, dut_.dut_mac());
    }
    Frame f{dut_.now_us(), frame};
    record(f, false, line, parse_frame(frame));
    dut_.inject(frame);
    return true;
  }

  template <class Match>
  bool outbound(const Event& e, std::int64_t start, std::int64_t end, Match match) {
    const int line = e.loc.line;
    std::int64_t lo = start - tol_, hi = end + tol_;
    if (e.time.kind == TimeKind::Any) lo = INT64_MIN / 2, hi = start + kAnyTimeWindowUs;
    if (const auto* t = std::get_if<TcpPacketEvent>(&e.body)) tcp_matcher_.emplace(*t, strict_, ignore_psh_);
    std::string want = expected_text(e);
    std::string want_at = want + (e.time.kind == TimeKind::Any ? "" : " at " + secs(start));
    for (;;) {
      auto f = dut_.next_frame(t0_ + hi);
      if (!f) {
        finish_call_quietly();
        return fail(line, want_at, "no packet", "expected " + want_at + ", got no packet by " + secs(hi));
      }
      ParsedFrame p = parse_frame(f->bytes);
      if (p.kind == ParsedFrame::Kind::NonIp) {
        record(*f, true, 0, p);
        continue;
      }
      std::int64_t t = f->t_us - t0_;
      std::string why;
      auto outcome = match(p, why);
      record(*f, true, line, p);
      std::string got = summarize(p, true, seq_) + " at " + secs(t);
      if (outcome == TcpMatch::Outcome::Mismatch)
        return fail(line, want_at, got, "expected " + want_at + ", got " + got + " (" + why + ")");
      if (t < lo) return fail(line, want_at, got, "expected " + want_at + ", got " + got + " (too early)");
      if (outcome == TcpMatch::Outcome::Match) {
        prev_ = e.time.kind == TimeKind::Any ? t : t;
        return true;
      }
    }
  }

  bool syscall(const Event& e, std::int64_t start) {
    const int line = e.loc.line;
    const auto& sc = std::get<SyscallEvent>(e.body);
    if (!finish_call()) return false;
    auto prepared = prepare_call(sc, fds_);
    if (!prepared) return error(line, prepared.error());
    PreparedCall call = std::move(*prepared);
    dut_.start_call(call.op);
    if (e.time.blocking_end_usecs) {
      std::int64_t end_at = e.time.kind == TimeKind::Relative ? start + *e.time.blocking_end_usecs
                                                             : *e.time.blocking_end_usecs;
      pending_ = Pending{std::move(call), line, start, end_at, expected_call(e)};
      return true;
    }
    std::int64_t slack = dut_.name() == "kernel" ? kKernelCallSlackUs : 0;
    auto done = dut_.wait_call(t0_ + start + tol_ + slack);
    if (!done) {
      record_call(now(), call.describe(CallResult{-1, 0, true}) + " (blocked)", line);
      return fail(line, expected_call(e), "blocked",
                  expected_call(e) + " blocked at " + secs(start) + ", but the script gives no ...end time");
    }
    return check_call(call, *done, line, expected_call(e), start, start);
  }

  std::string expected_call(const Event& e) {
    std::string s = print_event_body(e.body, e.time);
    auto p = s.find_first_not_of(' ');
    s = p == std::string::npos ? s : s.substr(p);
    if (s.rfind("...", 0) == 0) s = s.substr(s.find(' ') + 1);
    return s;
  }

  bool check_call(const PreparedCall& call, const CallDone& done, int line, const std::string& want,
                  std::int64_t lo, std::int64_t hi) {
    std::int64_t t = done.t_us - t0_;
    std::string got = call.describe(done.result);
    record_call(t, got, line);
    std::string why = call.check(done.result);
    if (!why.empty()) return fail(line, want, got, want.substr(0, want.find('(')) + " " + why);
    if (done.result.ret >= 0) {
      code_fd_ = call.fd;
      if (call.fd < 0 && done.result.ret > 2) code_fd_ = static_cast<int>(done.result.ret);
    }
    if (t < lo - tol_ || t > hi + tol_)
      return fail(line, want + " returning at " + secs(hi), got + " at " + secs(t),
                  "call returned at " + secs(t) + ", expected at " + secs(hi));
    return true;
  }

  // Collects the outstanding blocking call, if any.
  bool finish_call() {
    if (!pending_) return true;
    Pending p = std::move(*pending_);
    pending_.reset();
    auto done = dut_.wait_call(t0_ + p.end + tol_);
    if (!done) {
      record_call(now(), p.call.describe(CallResult{-1, 0, true}) + " (still blocked)", p.line);
      return fail(p.line, p.want + " returning at " + secs(p.end), "still blocked",
                  p.want + " still blocked at " + secs(p.end + tol_));
    }
    return check_call(p.call, *done, p.line, p.want, p.end, p.end);
  }
  void finish_call_quietly() {
    if (!pending_) return;
    if (auto done = dut_.wait_call(dut_.now_us())) record_call(done->t_us - t0_, pending_->call.describe(done->result), pending_->line);
  }

  bool code(int line, const CodeEvent& c) {
    AssertParse a = parse_tcpi_asserts(c.text);
    if (a.error) return error(line, "%{ }% block: " + *a.error);
    if (!finish_call()) return false;
    std::optional<std::map<std::string, long long>> info;
    int fd = code_fd_;
    dut_.with_api([&](SocketApi& api) { info = api.tcp_info(fd); });
    if (!info) return error(line, "%{ }% block: no TCP socket to read TCP_INFO from");
    AssertOutcome o = evaluate_tcpi_asserts(a.asserts, *info);
    record_call(now(), "%{ " + c.text + " }% " + (o.passed ? "passed" : o.message), line);
    if (!o.passed) return fail(line, c.text, o.message, o.message);
    return true;
  }

  struct Pending {
    PreparedCall call;
    int line;
    std::int64_t start;
    std::int64_t end;
    std::string want;
  };

  const RunOptions& opts_;
  const Script& script_;
  Dut& dut_;
  CaseResult& out_;
  std::int64_t tol_ = 0;
  bool strict_ = false;
  bool ignore_psh_ = false;
  std::int64_t t0_ = 0;
  std::int64_t prev_ = 0;
  int last_line_ = 0;
  int code_fd_ = -1;
  SeqState seq_;
  FdMap fds_;
  std::optional<TcpMatcher> tcp_matcher_;
  std::optional<Pending> pending_;
};

std::optional<std::string> read_xfail(const std::filesystem::path& script, std::string_view dut) {
  std::filesystem::path p = script;
  p += ".xfail-" + std::string(dut);
  std::ifstream in(p);
  if (!in) return std::nullopt;
  std::string first;
  std::getline(in, first);
  return first.empty() ? std::string("expected to fail (no reason given)") : first;
}

void finish(CaseResult& r, const std::optional<std::string>& xfail, bool pcap,
            std::chrono::steady_clock::time_point began) {
  if (xfail && r.verdict == Verdict::Fail) {
    r.verdict = Verdict::XFail;
    r.message = *xfail + " [" + r.message + "]";
  } else if (xfail && r.verdict == Verdict::Pass) {
    r.verdict = Verdict::XPass;
    r.message = "passed, but expected to fail: " + *xfail;
  }
  if (pcap) {
    auto w = harness::PcapWriter::in_memory();
    for (const auto& p : r.packets) (void)w.write(Instant::from_micros(std::max<std::int64_t>(p.t_us, 0)), p.frame);
    r.pcap = w.take_bytes();
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
}

CaseResult run_text(const RunOptions& opts, std::string_view text, std::string_view dut_name,
                    const std::string& file, const std::string& name, const std::optional<std::string>& xfail) {
  auto began = std::chrono::steady_clock::now();
  CaseResult r;
  r.file = file;
  r.name = name;
  r.dut = std::string(dut_name);
  r.rfc = rfc_of(text);
  auto script = parse_pkt_script(text, file);
  if (!script) {
    r.verdict = Verdict::Error;
    r.line = script.error().loc.line;
    r.message = script.error().to_string();
    finish(r, std::nullopt, false, began);
    return r;
  }
  std::string why;
  bool skip = false;
  auto dut = make_dut(dut_name, *script, why, skip);
  if (!dut) {
    r.verdict = skip ? Verdict::Skip : Verdict::Error;
    r.message = why;
    finish(r, std::nullopt, false, began);
    return r;
  }
  CaseRun(opts, *script, *dut, r).run();
  dut.reset();  // tear the DUT down before timing the case
  finish(r, xfail, opts.pcap, began);
  return r;
}

}  // namespace

std::unique_ptr<Dut> make_dut(std::string_view dut, const Script& script, std::string& why, bool& skip) {
  skip = false;
  if (dut == "sim") {
    iface::StackConfig cfg;
    for (const auto& e : script.events)
      if (const auto* s = std::get_if<ShellEvent>(&e.body)) apply_sysctl(s->command, cfg);
    if (script.init_command) apply_sysctl(*script.init_command, cfg);
    return std::make_unique<SimDut>(std::move(cfg));
  }
  if (dut == "kernel") return make_kernel_dut(why, skip);
  why = "unknown DUT '" + std::string(dut) + "' (sim or kernel)";
  return nullptr;
}

CaseResult run_script_text(const RunOptions& opts, std::string_view text, std::string_view dut,
                           const std::string& name, const std::optional<std::string>& xfail) {
  return run_text(opts, text, dut, name, name, xfail);
}

CaseResult run_case(const RunOptions& opts, const std::filesystem::path& script,
                    const std::filesystem::path& suite_root, std::string_view dut) {
  std::ifstream in(script, std::ios::binary);
  std::string name = std::filesystem::relative(script, suite_root).generic_string();
  if (!in) {
    CaseResult r;
    r.file = script.string();
    r.name = name;
    r.dut = std::string(dut);
    r.message = "cannot read " + script.string();
    return r;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return run_text(opts, text, dut, script.string(), name, read_xfail(script, dut));
}

}  // namespace synack::conformance

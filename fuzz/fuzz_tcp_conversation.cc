// One tcp::Socket driven directly through a structure-aware conversation
// (FuzzedDataProvider): the fuzzer plays the peer and the application.
//
// Setup: buffers, options and congestion control chosen from the input; the
// socket either connects (active open to 10.0.0.2:80) or is created by a
// tcp::Listener on 10.0.0.1:80 from the fuzzer's segments and accepted.
// Then up to 400 steps, each one of:
//   - an inbound segment: flags; SEQ relative to the socket's live RCV.NXT
//     (the ACK field of its last segment) or to the highest byte injected, or
//     just past the window, or random; ACK relative to the highest byte it
//     sent (its SND.MAX), or random; window; options (MSS, window scale,
//     SACK-permitted, timestamps echoing its TSval, SACK blocks relative to
//     SND.MAX, junk); a payload length. Every SYN carries the peer's ISS, so
//     the payload bytes are a fixed function of their sequence number;
//   - an application call: send, recv, shutdown, close, abort, set_nodelay,
//     keepalive, TCP_MAXSEG, user timeout, SO_LINGER, congestion algorithm,
//     take_error/readiness/timer_description;
//   - an ICMP error (unreachable, time exceeded, fragmentation needed);
//   - time passing (a few ms, or to the next deadline).
// After every step poll_output is drained and these invariants are checked
// (abort with a message on violation):
//   - unacknowledged bytes (info().unacked) <= send buffer + SYN + FIN;
//     send queue <= send buffer; receive queue <= receive buffer;
//   - every payload byte the socket sends is the byte the application gave
//     it at that stream offset, and never beyond what it was given;
//   - recv() returns exactly the peer's bytes in order: byte k of the stream
//     equals the pattern byte at IRS + 1 + k, and never more bytes than the
//     peer injected;
//   - poll_output runs dry, after which no deadline is <= now;
//   - a socket that is closed() has no deadline at all.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <memory>
#include <optional>
#include <vector>

#include "fuzz/common/check.h"
#include "stack/transport/tcp/isn.h"
#include "stack/transport/tcp/listener.h"
#include "stack/transport/tcp/socket.h"
#include "stack/transport/tcp/syn_cookies.h"

using namespace synack;
using namespace synack::tcp;
using wire::SeqNumber;

namespace {

const wire::Ipv4Address kLocalIp = wire::Ipv4Address::from_octets(10, 0, 0, 1);
const wire::Ipv4Address kRemoteIp = wire::Ipv4Address::from_octets(10, 0, 0, 2);

// The peer's byte at sequence offset `off` from IRS + 1, and the
// application's byte at stream offset `off`.
std::uint8_t peer_byte(std::uint32_t off) {
  std::uint32_t x = off * 2654435761u;
  return static_cast<std::uint8_t>((x >> 24) ^ (x >> 11) ^ off);
}
std::uint8_t app_byte(std::uint64_t off) { return static_cast<std::uint8_t>((off * 7 + 3) ^ (off >> 8)); }

// SYNACK_FUZZ_TRACE=1 prints the conversation (for triage of a finding).
bool tracing() {
  static const bool on = std::getenv("SYNACK_FUZZ_TRACE") != nullptr;
  return on;
}
void trace(const char* dir, const wire::TcpRepr& t, std::size_t len, State st) {
  if (!tracing()) return;
  std::fprintf(stderr, "%s %s seq %u ack %u win %u len %zu opts [%s] -> %s\n", dir,
               wire::tcp_flags_to_string(t.flags).c_str(), t.seq.raw(), t.ack.raw(), t.window, len,
               t.options.to_string().c_str(), std::string(to_string(st)).c_str());
}

struct Env {
  TcpConfig config;
  TcpStats stats;
  Rng rng{7};
  IsnGenerator isn{SipKey{1, 2}};
  SynCookies cookies{SipKey{3, 4}, SipKey{5, 6}};
  Instant now = Instant::from_secs(1000);
  Context ctx() { return Context{now, rng, config, stats, isn, cookies}; }
};

class Conversation {
 public:
  explicit Conversation(FuzzedDataProvider& in) : in_(in) {
    static constexpr std::array<std::uint32_t, 5> kBufs = {256, 1024, 4096, 16384, 65536};
    env_.config.sndbuf = in_.PickValueInArray(kBufs);
    env_.config.rcvbuf = in_.PickValueInArray(kBufs);
    std::uint8_t opts = in_.ConsumeIntegral<std::uint8_t>();
    env_.config.window_scaling = opts & 1;
    env_.config.sack = opts & 2;
    env_.config.timestamps = opts & 4;
    env_.config.congestion = (opts & 8) ? CcAlgorithm::Cubic : CcAlgorithm::NewReno;
    env_.config.syncookies = opts & 16;
    passive_ = opts & 32;
    peer_iss_ = SeqNumber(in_.ConsumeIntegral<std::uint32_t>());
    peer_ts_ = in_.ConsumeIntegral<std::uint32_t>();
    if (passive_) {
      local_ = {kLocalIp, 80};
      remote_ = {kRemoteIp, 40000};
      listener_ = std::make_unique<Listener>(env_.config, local_, in_.ConsumeIntegralInRange<std::uint32_t>(1, 4));
    } else {
      local_ = {kLocalIp, 49152};
      remote_ = {kRemoteIp, 80};
      sock_ = std::make_unique<Socket>(env_.config);
      Context c = env_.ctx();
      FUZZ_CHECK(sock_->connect(c, local_, remote_, 1460).ok(), "connect on a fresh socket failed");
    }
    drain();
  }

  void run() {
    for (int step = 0; step < 400 && in_.remaining_bytes() > 0; ++step) {
      std::uint8_t op = in_.ConsumeIntegral<std::uint8_t>() % 16;
      if (op < 7) inbound();
      else if (op < 13 && sock_) app(op);
      else if (op == 13 && sock_) icmp();
      else advance();
      drain();
      check();
    }
  }

 private:
  // ---- the peer ----
  void inbound() {
    static constexpr std::array<std::uint16_t, 12> kFlags = {
        wire::kTcpAck, wire::kTcpAck | wire::kTcpPsh, wire::kTcpAck, wire::kTcpAck | wire::kTcpFin,
        wire::kTcpSyn, wire::kTcpSyn | wire::kTcpAck, wire::kTcpRst, wire::kTcpRst | wire::kTcpAck,
        wire::kTcpFin, wire::kTcpAck | wire::kTcpUrg, wire::kTcpAck | wire::kTcpEce | wire::kTcpCwr, 0};
    wire::TcpRepr t;
    t.src_port = remote_.port;
    t.dst_port = local_.port;
    std::uint8_t fsel = in_.ConsumeIntegral<std::uint8_t>();
    t.flags = fsel < 240 ? kFlags[fsel % kFlags.size()] : (in_.ConsumeIntegral<std::uint16_t>() & wire::kTcpFlagsMask);
    SeqNumber rcv_nxt = our_ack_.value_or(peer_iss_ + 1);
    std::uint32_t small = in_.ConsumeIntegralInRange<std::uint32_t>(0, 3000);
    switch (in_.ConsumeIntegralInRange<int>(0, 6)) {
      case 0: t.seq = rcv_nxt; break;
      case 1: t.seq = rcv_nxt + small; break;
      case 2: t.seq = rcv_nxt - small; break;
      case 3: t.seq = peer_iss_ + 1 + injected_end_; break;
      case 4: t.seq = rcv_nxt + last_window_ + small; break;
      case 5: t.seq = SeqNumber(in_.ConsumeIntegral<std::uint32_t>()); break;
      default: t.seq = rcv_nxt; break;
    }
    if (t.has(wire::kTcpSyn)) t.seq = peer_iss_;
    std::uint32_t small_ack = in_.ConsumeIntegralInRange<std::uint32_t>(0, 3000);
    switch (in_.ConsumeIntegralInRange<int>(0, 4)) {
      case 0: t.ack = snd_max_; break;
      case 1: t.ack = snd_max_ - small_ack; break;
      case 2: t.ack = snd_max_ + small_ack; break;
      case 3: t.ack = SeqNumber(in_.ConsumeIntegral<std::uint32_t>()); break;
      default: t.ack = iss_ ? *iss_ + 1 : SeqNumber(0); break;
    }
    t.window = in_.ConsumeBool() ? 0xffff : in_.ConsumeIntegral<std::uint16_t>();
    if (t.has(wire::kTcpUrg)) t.urgent = in_.ConsumeIntegral<std::uint16_t>();
    add_options(t);
    std::size_t len = 0;
    switch (in_.ConsumeIntegralInRange<int>(0, 3)) {
      case 0: break;
      case 1: len = in_.ConsumeIntegralInRange<std::size_t>(1, 16); break;
      case 2: len = in_.ConsumeIntegralInRange<std::size_t>(1, 1460); break;
      default: len = in_.ConsumeIntegralInRange<std::size_t>(1, 9000); break;
    }
    SeqNumber data_seq = t.has(wire::kTcpSyn) ? t.seq + 1 : t.seq;
    std::uint32_t off = static_cast<std::uint32_t>(data_seq - (peer_iss_ + 1));
    Bytes payload(len);
    for (std::size_t i = 0; i < len; ++i) payload[i] = peer_byte(off + static_cast<std::uint32_t>(i));
    // A segment may start before IRS + 1 and still reach into the stream.
    std::int32_t end_off = (data_seq + static_cast<std::uint32_t>(len)) - (peer_iss_ + 1);
    if (len > 0 && end_off > 0)
      injected_end_ = std::max<std::uint64_t>(injected_end_, static_cast<std::uint64_t>(end_off));
    SegmentIn seg{remote_.addr, local_.addr, t, payload};
    Context c = env_.ctx();
    if (sock_) {
      sock_->process(c, seg);
      trace("in ", t, len, sock_->state());
    } else if (listener_) {
      trace("in(listener)", t, len, State::Listen);
      listener_->process(c, seg, 1460);
      drain();
      if (auto s = listener_->accept()) sock_ = std::move(s);
    }
  }

  void add_options(wire::TcpRepr& t) {
    std::uint8_t o = in_.ConsumeIntegral<std::uint8_t>();
    if (o & 1) (void)t.options.push_mss(in_.ConsumeIntegral<std::uint16_t>());
    if (o & 2) {
      (void)t.options.push_nop();
      (void)t.options.push_wscale(in_.ConsumeIntegralInRange<std::uint8_t>(0, 16));
    }
    if (o & 4) (void)t.options.push_sack_permitted();
    if (o & 8) {
      peer_ts_ += in_.ConsumeIntegralInRange<std::uint32_t>(0, 1000);
      std::uint32_t tsval = (o & 0x80) ? in_.ConsumeIntegral<std::uint32_t>() : peer_ts_;
      (void)t.options.push_nop();
      (void)t.options.push_nop();
      (void)t.options.push_timestamps(tsval, our_tsval_);
    }
    if (o & 16) {
      std::array<wire::SackBlock, 4> blocks{};
      std::size_t n = in_.ConsumeIntegralInRange<std::size_t>(1, 3);
      for (std::size_t i = 0; i < n; ++i) {
        SeqNumber left = snd_max_ - in_.ConsumeIntegralInRange<std::uint32_t>(0, 70000);
        blocks[i] = {left, left + in_.ConsumeIntegralInRange<std::uint32_t>(0, 3000)};
      }
      (void)t.options.push_nop();
      (void)t.options.push_nop();
      (void)t.options.push_sack({blocks.data(), n});
    }
    if (o & 32) {
      std::uint8_t junk[2] = {in_.ConsumeIntegral<std::uint8_t>(), in_.ConsumeIntegral<std::uint8_t>()};
      (void)t.options.push_raw(static_cast<std::uint8_t>(30 + (o >> 6)), junk);
    }
  }

  // ---- the application ----
  void app(std::uint8_t op) {
    Context c = env_.ctx();
    if (tracing()) std::fprintf(stderr, "app op %u at %lld ms\n", op, static_cast<long long>(env_.now.millis()));
    switch (op) {
      case 7: {
        std::size_t n = in_.ConsumeIntegralInRange<std::size_t>(0, 5000);
        Bytes data(n);
        for (std::size_t i = 0; i < n; ++i) data[i] = app_byte(app_sent_ + i);
        auto r = sock_->send(data);
        if (tracing()) std::fprintf(stderr, "  send %zu -> %lld\n", n, r ? static_cast<long long>(*r) : -1LL);
        if (r) {
          FUZZ_CHECK(*r <= n, "send accepted %zu of %zu bytes", *r, n);
          app_sent_ += *r;
        }
        break;
      }
      case 8: {
        Bytes buf(in_.ConsumeIntegralInRange<std::size_t>(0, 8000));
        if (auto r = sock_->recv(buf)) check_received(ConstBytes(buf.data(), *r));
        break;
      }
      case 9: {
        static constexpr std::array<Shutdown, 3> kHow = {Shutdown::Read, Shutdown::Write, Shutdown::Both};
        (void)sock_->shutdown(c, in_.PickValueInArray(kHow));
        break;
      }
      case 10: sock_->close(c); break;
      case 11:
        if (in_.ConsumeIntegralInRange<int>(0, 3) == 0) sock_->abort(c);
        else (void)sock_->take_error();
        break;
      default: sockopt(c); break;
    }
  }

  void sockopt(Context& c) {
    switch (in_.ConsumeIntegralInRange<int>(0, 7)) {
      case 0: sock_->set_nodelay(in_.ConsumeBool()); break;
      case 1: sock_->set_keepalive(c, in_.ConsumeBool()); break;
      case 2:
        sock_->set_keepalive_params(Duration::from_secs(in_.ConsumeIntegralInRange<int>(1, 100)),
                                    Duration::from_secs(in_.ConsumeIntegralInRange<int>(1, 10)),
                                    in_.ConsumeIntegralInRange<int>(1, 5));
        break;
      case 3: (void)sock_->set_maxseg(in_.ConsumeIntegral<std::uint16_t>()); break;
      case 4: sock_->set_user_timeout(Duration::from_millis(in_.ConsumeIntegralInRange<int>(0, 20000))); break;
      case 5: sock_->set_linger(Duration::from_secs(in_.ConsumeIntegralInRange<int>(0, 2))); break;
      case 6: sock_->set_congestion(in_.ConsumeBool() ? CcAlgorithm::Cubic : CcAlgorithm::NewReno); break;
      default: {
        (void)sock_->readiness();
        (void)sock_->timer_description(env_.now);
        (void)sock_->info(c);
        break;
      }
    }
  }

  void icmp() {
    IcmpError e;
    static constexpr std::array<IcmpError::Kind, 3> kKinds = {IcmpError::Kind::Unreachable,
                                                              IcmpError::Kind::TimeExceeded,
                                                              IcmpError::Kind::FragNeeded};
    e.kind = in_.PickValueInArray(kKinds);
    e.code = in_.ConsumeIntegralInRange<std::uint8_t>(0, 15);
    e.mtu = in_.ConsumeIntegral<std::uint16_t>();
    e.seq = in_.ConsumeBool() ? snd_max_ - in_.ConsumeIntegralInRange<std::uint32_t>(0, 3000)
                              : SeqNumber(in_.ConsumeIntegral<std::uint32_t>());
    Context c = env_.ctx();
    if (tracing())
      std::fprintf(stderr, "icmp kind %d code %u mtu %u seq %u\n", static_cast<int>(e.kind), e.code, e.mtu, e.seq.raw());
    sock_->on_icmp_error(c, e);
  }

  void advance() {
    Context c = env_.ctx();
    std::optional<Instant> at = sock_ ? sock_->poll_at(c) : listener_->poll_at(c);
    if (in_.ConsumeBool() && at) env_.now = std::max(env_.now, *at);
    else env_.now += Duration::from_millis(in_.ConsumeIntegralInRange<std::int64_t>(0, 2000));
    if (tracing()) std::fprintf(stderr, "time -> %lld ms\n", static_cast<long long>(env_.now.millis()));
    Context later = env_.ctx();
    if (sock_) sock_->on_timer(later);
  }

  // ---- observation and invariants ----
  void drain() {
    Context c = env_.ctx();
    if (listener_) {
      int n = 0;
      for (; n < 512; ++n) {
        auto o = listener_->poll_output(c);
        if (!o) break;
        observe(*o, true);
      }
      FUZZ_CHECK(n < 512, "Listener::poll_output never runs dry");
      if (!sock_) return;
    }
    int n = 0;
    for (; n < 512; ++n) {
      auto o = sock_->poll_output(c);
      if (!o) break;
      observe(*o, false);
    }
    FUZZ_CHECK(n < 512, "Socket::poll_output never runs dry (state %s)", to_string(sock_->state()).data());
  }

  FUZZ_NO_COVERAGE void observe(const SegmentOut& o, bool from_listener) {
    const wire::TcpRepr& t = o.tcp;
    trace("out", t, o.payload.size(), sock_ ? sock_->state() : State::Listen);
    FUZZ_CHECK(o.src == local_.addr && o.dst == remote_.addr && t.src_port == local_.port &&
                   t.dst_port == remote_.port,
               "segment for the wrong 4-tuple");
    if (t.has(wire::kTcpRst)) return;  // RSTs may carry any SEQ (RFC 9293 §3.10.7.1)
    if (t.has(wire::kTcpSyn) && (!sock_ || !synced_iss_)) {
      iss_ = t.seq;
      if (sock_) synced_iss_ = true;
    }
    if (t.has(wire::kTcpAck)) our_ack_ = t.ack;
    last_window_ = t.window;
    if (auto ts = t.options.timestamps()) our_tsval_ = ts->tsval;
    if (!iss_) return;
    SeqNumber end = t.seq + t.segment_len(o.payload.size());
    if (snd_max_ == SeqNumber(0) || end.gt(snd_max_)) snd_max_ = end;
    if (o.payload.empty()) return;
    FUZZ_CHECK(!from_listener, "listener sent %zu payload bytes", o.payload.size());
    std::int32_t off = (t.has(wire::kTcpSyn) ? t.seq + 1 : t.seq) - (*iss_ + 1);
    FUZZ_CHECK(off >= 0, "payload at offset %d before ISS + 1", off);
    FUZZ_CHECK(static_cast<std::uint64_t>(off) + o.payload.size() <= app_sent_,
               "sent bytes [%d, %zu) but the application gave only %llu", off, off + o.payload.size(),
               static_cast<unsigned long long>(app_sent_));
    for (std::size_t i = 0; i < o.payload.size(); ++i)
      FUZZ_CHECK(o.payload[i] == app_byte(static_cast<std::uint64_t>(off) + i),
                 "sent byte at stream offset %zu is not the application's", off + i);
  }

  FUZZ_NO_COVERAGE void check_received(ConstBytes got) {
    FUZZ_CHECK(delivered_ + got.size() <= injected_end_, "recv delivered up to %llu bytes; the peer sent %llu",
               static_cast<unsigned long long>(delivered_ + got.size()),
               static_cast<unsigned long long>(injected_end_));
    for (std::size_t i = 0; i < got.size(); ++i)
      FUZZ_CHECK(got[i] == peer_byte(static_cast<std::uint32_t>(delivered_ + i)),
                 "received byte %llu is not the peer's byte at that offset",
                 static_cast<unsigned long long>(delivered_ + i));
    delivered_ += got.size();
  }

  FUZZ_NO_COVERAGE void check() {
    Context c = env_.ctx();
    if (listener_) {
      auto at = listener_->poll_at(c);
      FUZZ_CHECK(!at || *at > env_.now, "listener deadline <= now after draining");
    }
    if (!sock_) return;
    TcpInfo i = sock_->info(c);
    FUZZ_CHECK(i.unacked <= env_.config.sndbuf + 2, "unacked %u > send buffer %u + 2", i.unacked,
               env_.config.sndbuf);
    FUZZ_CHECK(sock_->send_queue() <= env_.config.sndbuf, "send queue %zu > %u", sock_->send_queue(),
               env_.config.sndbuf);
    FUZZ_CHECK(sock_->recv_queue() <= env_.config.rcvbuf, "recv queue %zu > %u", sock_->recv_queue(),
               env_.config.rcvbuf);
    auto at = sock_->poll_at(c);
    FUZZ_CHECK(!at || *at > env_.now, "deadline %lld <= now %lld after poll_output drained (state %s)",
               static_cast<long long>(at->nanos()), static_cast<long long>(env_.now.nanos()),
               to_string(sock_->state()).data());
    if (sock_->closed()) FUZZ_CHECK(!at, "closed socket still has a deadline");
  }

  FuzzedDataProvider& in_;
  Env env_;
  bool passive_ = false;
  Endpoint local_, remote_;
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<Socket> sock_;
  SeqNumber peer_iss_;
  std::uint32_t peer_ts_ = 0;
  std::uint32_t our_tsval_ = 0;
  std::optional<SeqNumber> iss_;
  bool synced_iss_ = false;
  std::optional<SeqNumber> our_ack_;  // the socket's RCV.NXT as last announced
  std::uint32_t last_window_ = 0;
  SeqNumber snd_max_{0};
  std::uint64_t injected_end_ = 0;  // peer stream bytes [0, injected_end_) were offered
  std::uint64_t delivered_ = 0;
  std::uint64_t app_sent_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  Conversation conv(in);
  conv.run();
  return 0;
}

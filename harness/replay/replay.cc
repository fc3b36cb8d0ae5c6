// The replay engine (see replay.h).
#include "harness/replay/replay.h"

#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>

#include <fmt/core.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "conformance/runner/kernel_dut.h"
#include "conformance/runner/sim_dut.h"
#include "harness/replay/time_map.h"
#include "harness/replay/translate.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::harness::replay {

namespace {

class Engine {
 public:
  Engine(const Plan& plan, conformance::Dut& dut, const ReplayOptions& opt)
      : plan_(plan),
        dut_(dut),
        opt_(opt),
        map_(plan.times_ns, opt.max_gap ? std::optional<std::int64_t>(opt.max_gap->nanos()) : std::nullopt),
        app_(plan, opt.app, opt.listen.empty() ? plan.listen_ports : opt.listen),
        attr_(plan.self) {
    result_.exchanges = plan.exchanges;
    for (std::size_t i = 0; i < result_.exchanges.size(); ++i) index_[result_.exchanges[i].id] = i;
  }

  Result<ReplayResult, std::string> run() {
    // Linux lets a group open ping sockets only when net.ipv4.ping_group_range
    // includes it (the default, "1 0", includes nobody); the kernel DUT's
    // namespace has its own copy. The simulated DUT ignores shell commands.
    bool echo = std::any_of(plan_.datagrams.begin(), plan_.datagrams.end(),
                            [](const AppDatagram& d) { return d.flow.kind == FlowKey::Kind::Echo; });
    if (echo && opt_.app == AppKind::Capture) dut_.shell("sysctl -qw net.ipv4.ping_group_range='0 2147483647'");
    std::string err;
    dut_.with_api([&](conformance::SocketApi& api) { err = app_.setup(api); });
    if (!err.empty()) return Err{"DUT application: " + err};
    if (opt_.sync_frames) open_sync();
    base_us_ = dut_.now_us() + opt_.start_delay.micros();
    for (const auto& inj : plan_.injections) {
      next_probe_t_ns_ = inj.t_ns;
      wait_until(inj.t_ns);
      inject(inj);
    }
    next_probe_t_ns_.reset();
    wait_until(plan_.last_t_ns, opt_.tail.micros());
    finish();
    return std::move(result_);
  }

 private:
  std::int64_t to_dut_us(std::int64_t cap_ns) const { return base_us_ + (map_.map(cap_ns) + shift_ns_) / 1000; }
  // The application does what is due by now, but nothing the captured
  // host did after the next probe: a real-time DUT woken late must not let
  // a write overtake the frame it came after in the capture.
  void service() {
    std::int64_t t = now_as_capture();
    if (next_probe_t_ns_) t = std::min(t, *next_probe_t_ns_ - 1);
    dut_.with_api([&](conformance::SocketApi& api) { app_.service(api, t); });
  }
  // The latest capture time whose mapped replay time has passed.
  std::int64_t now_as_capture() const {
    std::int64_t now_ns = (dut_.now_us() - base_us_) * 1000 - shift_ns_;
    std::int64_t hi = std::max<std::int64_t>(plan_.last_t_ns, 0) + opt_.tail.nanos() * 4 + 1;
    if (map_.map(hi) <= now_ns) return std::max(hi, now_ns);
    return map_.latest_at_or_before(now_ns, hi);
  }

  void record(const conformance::Frame& fr) {
    auto f = parse_frame(fr.bytes);
    if (!f) return;
    if (sync_port_ && f->ipv4 && f->src == plan_.self && f->proto == wire::kIpProtoUdp && f->udp_sport == sync_port_ &&
        f->udp_dport == kSyncDstPort) {
      ++sync_seen_;  // a marker (sync_frames): no part of the conversation
      return;
    }
    if (f->ipv4 && f->src == plan_.self && f->frag_offset == 0) {
      FlowKey k = flow_of(*f, plan_.self);
      if (f->tcp && !f->is_fragment()) dut_conns_.sent(k, *f->tcp);
      dut_conns_.sent_datagram(k, f->tcp ? f->tcp->seq : 0, f->ip_id);
      if (k.kind == FlowKey::Kind::Udp && f->proto == wire::kIpProtoUdp) ++dut_udp_sent_[k];
    }
    if (f->ipv4 && f->src == plan_.self && f->proto == wire::kIpProtoIcmp) echo_progress(*f);
    if (!compared(*f, plan_.self)) return;
    ExchangeId id = attr_.attribute(*f);
    auto it = index_.find(id);
    if (it == index_.end()) {
      Exchange e;
      e.id = id;
      e.t_ns = (fr.t_us - base_us_) * 1000 - shift_ns_;
      e.probe_text = id.probe_frame ? fmt::format("frame {}", id.probe_frame) : "app " + id.app_flow.to_string();
      e.in_capture = false;
      it = index_.emplace(id, result_.exchanges.size()).first;
      result_.exchanges.push_back(std::move(e));
    }
    result_.exchanges[it->second].actual.push_back(classify(*f));
  }

  // Takes the DUT's frames until `deadline_us` (stopping early once `stop`
  // holds, when given).
  void drain(std::int64_t deadline_us, const std::function<bool()>& stop = nullptr) {
    while (auto f = dut_.next_frame(deadline_us)) {
      record(*f);
      if (stop && stop()) return;
    }
    dut_.advance_to(deadline_us);
  }

  std::int64_t next_step(std::int64_t limit_us) const {
    std::int64_t now = dut_.now_us();
    std::int64_t step = std::min(limit_us, now + std::max<std::int64_t>(1, opt_.tick.micros()));
    if (auto d = app_.next_due()) step = std::min(step, std::max(now + 1, to_dut_us(*d)));
    return step;
  }

  // Services the application until capture time `cap_ns` (plus `extra_us`)
  // has come on the DUT, keeping the captured pace (keep_pace).
  void wait_until(std::int64_t cap_ns, std::int64_t extra_us = 0) {
    for (;;) {
      std::int64_t start = dut_.now_us();
      bool step = keep_pace(cap_ns);
      service();
      // The step happened when the service returned (on the kernel DUT a
      // round trip to its namespace thread, which can run late too).
      if (step) shift_ns_ += (dut_.now_us() - start) * 1000;
      std::int64_t now = dut_.now_us();
      if (now >= to_dut_us(cap_ns) + extra_us) {
        // An application step before `cap_ns` fell due during the service
        // (computed from the time it started): it goes first.
        if (auto d = app_.next_due(); d && *d < cap_ns && (!paced_ns_ || *d > *paced_ns_)) continue;
        drain(now);
        return;
      }
      drain(next_step(to_dut_us(cap_ns) + extra_us));
    }
  }

  // A real-time DUT's engine can wake late (a loaded machine): the step it
  // woke for (the injection due at `cap_ns`, or the application's next
  // action when that comes first) then happens now, and the rest of the
  // replay shifts by the lateness, so the captured gap from it to every
  // later step is kept. Taken at their absolute times, late steps would
  // bunch (two writes captured 1.1 ms apart sent 4 us apart), and what the
  // DUT does depends on those gaps: a sender's loss detection (RACK, RFC
  // 8985 §6.2: a segment is lost when one sent after it is acknowledged
  // more than an RTT plus a reordering window after it was sent), a
  // receiver's ACK schedule. Each step shifts the replay once; a step the
  // application cannot take (still due) is passed over after that. Returns
  // whether a step fell due. The simulated DUT is never late.
  bool keep_pace(std::int64_t cap_ns) {
    std::int64_t step = cap_ns;
    if (auto d = app_.next_due(); d && (!paced_ns_ || *d > *paced_ns_)) step = std::min(step, *d);
    if (paced_ns_ && step <= *paced_ns_) return false;
    std::int64_t late_us = dut_.now_us() - to_dut_us(step);
    if (late_us < 0) return false;
    paced_ns_ = step;
    shift_ns_ += late_us * 1000;
    return true;
  }

  // On a real-time DUT a reader thread takes the frames the DUT sends, and
  // it can run late (a loaded machine): frames the DUT sent before an
  // injection (its answers to the last probe, the data of a write just
  // made) could be taken after it, and so be attributed to the wrong
  // exchange, and the gate and the SACK clamp would not know the DUT had
  // sent them. So before each injection the DUT's application sends a
  // marker datagram (from a port of its own that no flow of the plan uses,
  // to a peer's discard port, RFC 863), and the replay takes frames until
  // the marker comes: the DUT's queue to the TAP keeps its order, so
  // everything sent before it has been taken. Markers are not compared.
  // The time this takes shifts the rest of the replay. When a marker does
  // not come within 20 ms the replay stops syncing, with a note.
  void open_sync() {
    std::set<std::uint16_t> used(plan_.listen_ports.begin(), plan_.listen_ports.end());
    used.insert(plan_.udp_ports.begin(), plan_.udp_ports.end());
    for (const auto& c : plan_.conns) used.insert(c.flow.local_port);
    for (const auto& d : plan_.datagrams) used.insert(d.flow.local_port);
    for (const auto& inj : plan_.injections) {
      if (inj.info.tcp) used.insert(inj.info.tcp->dport);
      used.insert(inj.info.udp_dport);
    }
    std::uint16_t port = 65535;
    while (used.count(port)) --port;
    dut_.with_api([&](conformance::SocketApi& api) {
      auto s = api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
      if (s.ret < 0) return;
      if (api.bind(static_cast<int>(s.ret), plan_.self, port).ret < 0) {
        api.close(static_cast<int>(s.ret));
        return;
      }
      sync_fd_ = static_cast<int>(s.ret);
    });
    if (sync_fd_ < 0 || plan_.peers.empty()) {
      result_.notes.push_back("could not open the marker socket: frames are not synced before injections");
      sync_fd_ = -1;
      return;
    }
    sync_port_ = port;
  }

  void sync_frames() {
    if (sync_fd_ < 0) return;
    std::int64_t start = dut_.now_us();
    static constexpr std::uint8_t kMarker[] = {'s', 'y', 'n', 'c'};
    bool sent = false;
    dut_.with_api([&](conformance::SocketApi& api) {
      sent = api.sendto_bytes(sync_fd_, kMarker, plan_.peers.begin()->first, kSyncDstPort).ret > 0;
    });
    if (sent) ++sync_sent_;
    std::int64_t deadline = start + kSyncLimit.micros();
    auto synced = [&] { return sync_seen_ >= sync_sent_; };
    while (sent && !synced() && dut_.now_us() < deadline) drain(deadline, synced);
    if (!synced() || !sent) {
      result_.notes.push_back(fmt::format("a marker did not come back within {} ms: frames are no longer synced "
                                          "before injections",
                                          kSyncLimit.millis()));
      sync_fd_ = -1;
    }
    shift_ns_ += (dut_.now_us() - start) * 1000;
  }

  // Lets time pass while `cond` holds, up to `limit`; returns whether it
  // still holds. The time spent shifts the rest of the replay.
  bool wait_while(const std::function<bool()>& cond, Duration limit) {
    std::int64_t start = dut_.now_us();
    std::int64_t deadline = start + limit.micros();
    while (cond() && dut_.now_us() < deadline) {
      service();
      drain(next_step(deadline), [&] { return !cond(); });
    }
    shift_ns_ += (dut_.now_us() - start) * 1000;
    return cond();
  }

  // An injected acknowledgment must not run ahead of what the DUT sent: it
  // waits for the DUT to send it, up to `ack_wait` the first time on a
  // connection. When the DUT does not (it sends less than the captured
  // host, e.g. held back by a window or recovery the capture's timing did
  // not impose), the acknowledgment is lowered to what the DUT has sent
  // (clamp_ack): a stack drops an ACK of unsent data, and every later one
  // would be dropped too. After that first time out the connection waits
  // only two ticks before clamping.
  void gate(const Injection& inj) {
    const TcpFields& t = *inj.info.tcp;
    if (!inj.cap_isn) return;
    auto behind = [&] {
      Offsets o = offsets(inj);
      if (!o.seq) return true;
      return (t.flags & wire::kTcpAck) != 0 && dut_conns_.ahead_of_dut(inj.flow, t.ack + *o.seq);
    };
    if (!behind()) return;
    bool first = !clamped_.count(inj.flow);
    if (wait_while(behind, first ? opt_.ack_wait : opt_.tick * 2) && first) {
      clamped_.insert(inj.flow);
      result_.notes.push_back(fmt::format(
          "frame {}: the DUT had not sent what it acknowledges after {} ms; from here on {} acknowledges at most "
          "what the DUT has sent",
          inj.frame_no, opt_.ack_wait.millis(), inj.flow.to_string()));
    }
  }

  void inject(const Injection& inj) {
    if (inj.lost) return;
    sync_frames();
    Bytes frame = inj.frame;
    if (inj.info.tcp) {
      gate(inj);
      Offsets o = offsets(inj);
      const DutConnections::State* st = dut_conns_.find(inj.flow);
      if (o.seq && st && st->snd_max && (inj.info.tcp->flags & wire::kTcpAck)) {
        // Still ahead of the DUT after the wait: from here on the peer's
        // acknowledgments on this connection trail the capture by as much,
        // so a duplicate ACK stays a duplicate and an advance keeps its size
        // (and the DUT about as much in flight as the captured host had).
        // The peer's FIN acknowledges all it got: there the lag shrinks to
        // what the DUT still has not sent.
        std::uint32_t& lag = lag_[inj.flow];
        std::uint32_t ahead = inj.info.tcp->ack + *o.seq - *st->snd_max;
        if (static_cast<std::int32_t>(ahead) > 0) {
          lag += ahead;
          *o.seq -= ahead;
        } else if ((inj.info.tcp->flags & wire::kTcpFin) && lag != 0) {
          std::uint32_t back = std::min<std::uint32_t>(lag, -ahead);
          lag -= back;
          *o.seq += back;
        }
        if (lag != 0) ++result_.clamped;
      }
      if (o.any()) translate_to_dut(frame, o);
      if (o.seq && st && st->snd_max) clamp_ack(frame, *st->snd_max);  // SACK blocks beyond what it sent
    } else if (inj.info.ipv4 && inj.info.proto == wire::kIpProtoUdp && inj.flow.kind == FlowKey::Kind::Udp) {
      gate_udp(inj);
    } else if (inj.info.icmp) {
      gate_icmp(inj);
      if (inj.info.icmp->quoted && inj.info.icmp->inner_src == plan_.self) fix_quote(inj, frame);
    }
    // The DUT's own MAC stands in for the captured one (they are the same
    // unless the DUT could not take it).
    if (!inj.info.eth_dst.is_multicast()) std::copy_n(dut_.dut_mac().octets.begin(), 6, frame.begin());
    dut_.inject(frame);
    attr_.probe(ExchangeId{inj.frame_no, {}}, inj.info);
    // No service() here: the wait for the next frame starts with one, at
    // the same instant (on the kernel DUT every service is a round trip to
    // its namespace thread, which spaced injected bursts ~0.1 ms apart).
  }

  // The translation of `inj`'s numbers: the DUT's ISN and clock against the
  // captured host's, less how far the DUT trails on the connection.
  Offsets offsets(const Injection& inj) const {
    Offsets o = dut_conns_.offsets(inj.flow, inj.cap_isn, inj.cap_ts0);
    if (auto it = lag_.find(inj.flow); o.seq && it != lag_.end()) *o.seq -= it->second;
    return o;
  }

  // Echo requests the DUT has sent completely (all fragments), by
  // identifier and sequence number.
  void echo_progress(const FrameInfo& f) {
    if (f.frag_offset == 0 && f.icmp && f.icmp->type == 8) {
      std::pair<std::uint16_t, std::uint16_t> key{f.icmp->ident, f.icmp->seq};
      if (f.more_frags) echo_frags_[f.ip_id] = key;
      else echo_sent_.insert(key);
    } else if (f.frag_offset != 0 && !f.more_frags) {
      if (auto it = echo_frags_.find(f.ip_id); it != echo_frags_.end()) {
        echo_sent_.insert(it->second);
        echo_frags_.erase(it);
      }
    }
  }

  // An ICMP answer to a datagram of the captured host (an echo reply, an
  // error quoting a UDP datagram or TCP segment) waits, up to `ack_wait`,
  // until the DUT has sent its counterpart: a real-time DUT's datagram can
  // still be on its way when the captured answer is due, and the answer
  // must follow it (and quote it).
  void gate_icmp(const Injection& inj) {
    const IcmpFields& c = *inj.info.icmp;
    std::function<bool()> pending;
    if (c.type == 0) {
      bool ours = std::any_of(plan_.datagrams.begin(), plan_.datagrams.end(), [&](const AppDatagram& d) {
        return d.flow.kind == FlowKey::Kind::Echo && d.flow.local_port == c.ident && d.echo_seq == c.seq;
      });
      if (!ours) return;
      pending = [&] { return !echo_sent_.count({c.ident, c.seq}); };
    } else if (c.quoted && c.inner_src == plan_.self && inj.flow.kind == FlowKey::Kind::Udp) {
      bool ours = std::any_of(plan_.datagrams.begin(), plan_.datagrams.end(),
                              [&](const AppDatagram& d) { return d.flow == inj.flow; });
      if (!ours) return;
      pending = [&] { return !dut_conns_.ip_id(inj.flow, 0); };
    } else if (c.quoted && c.inner_src == plan_.self && c.inner_seq && inj.cap_isn) {
      // A TCP segment: the DUT's counterpart of the quoted one.
      pending = [&] {
        auto o = dut_conns_.offsets(inj.flow, inj.cap_isn, inj.cap_ts0).seq;
        return !o || !dut_conns_.ip_id(inj.flow, *c.inner_seq + *o);
      };
    } else {
      return;
    }
    if (pending() && wait_while(pending, opt_.ack_wait))
      result_.notes.push_back(fmt::format("frame {}: the DUT had not sent what it answers after {} ms", inj.frame_no,
                                          opt_.ack_wait.millis()));
  }

  // A peer's datagram on a flow the captured host's application opened
  // (an answer, as a UDP echo or DNS reply) waits, up to `ack_wait`, until
  // the DUT has sent as many datagrams on it as the captured host had: a
  // real-time DUT's request can still be on its way when the answer is due.
  void gate_udp(const Injection& inj) {
    auto sent_before = static_cast<std::size_t>(
        std::count_if(plan_.datagrams.begin(), plan_.datagrams.end(),
                      [&](const AppDatagram& d) { return d.flow == inj.flow && !d.reply && d.t_ns < inj.t_ns; }));
    if (sent_before == 0) return;
    auto pending = [&] { return dut_udp_sent_[inj.flow] < sent_before; };
    if (pending() && wait_while(pending, opt_.ack_wait))
      result_.notes.push_back(fmt::format("frame {}: the DUT had not sent what it answers after {} ms", inj.frame_no,
                                          opt_.ack_wait.millis()));
  }

  // An ICMP error about a datagram the captured host sent now quotes the
  // one the DUT sent in its place (translate.h translate_icmp_quote).
  void fix_quote(const Injection& inj, Bytes& frame) {
    const IcmpFields& c = *inj.info.icmp;
    QuoteFix fix;
    std::uint32_t dut_seq = 0;
    if (c.inner_seq) {
      fix.seq = dut_conns_.offsets(inj.flow, inj.cap_isn, inj.cap_ts0).seq;
      if (!fix.seq) return;  // the DUT has not opened this connection
      dut_seq = *c.inner_seq + *fix.seq;
    }
    fix.ip_id = dut_conns_.ip_id(inj.flow, dut_seq);
    if (fix.seq || fix.ip_id) translate_icmp_quote(frame, fix);
  }

  void finish() {
    for (const auto& [t, gap] : map_.capped())
      result_.notes.push_back(fmt::format("gap of {:.3f} s before capture time {:.6f} shortened to {:.3f} s",
                                          static_cast<double>(gap) / 1e9, static_cast<double>(t) / 1e9,
                                          static_cast<double>(opt_.max_gap->nanos()) / 1e9));
    for (const auto& n : app_.notes()) result_.notes.push_back(n);
    apply_ack_flights(result_.exchanges, plan_.self, plan_.round_trip_ns);
    for (const auto& e : result_.exchanges) {
      bool same = difference(e).empty();
      (same ? result_.matched : result_.differed)++;
      if (same && e.expected != e.actual) ++result_.matched_by_flight;
    }
  }

  const Plan& plan_;
  conformance::Dut& dut_;
  const ReplayOptions& opt_;
  TimeMap map_;
  ReplayApp app_;
  Attributor attr_;
  DutConnections dut_conns_;
  std::set<FlowKey> clamped_;  // connections whose ACKs once outran the DUT
  std::map<FlowKey, std::uint32_t> lag_;  // bytes the DUT trails the capture by
  std::map<FlowKey, std::size_t> dut_udp_sent_;  // datagrams the DUT sent per UDP flow
  std::set<std::pair<std::uint16_t, std::uint16_t>> echo_sent_;
  std::map<std::uint16_t, std::pair<std::uint16_t, std::uint16_t>> echo_frags_;  // IP id -> (ident, seq)
  std::map<ExchangeId, std::size_t> index_;
  ReplayResult result_;
  std::int64_t base_us_ = 0;
  std::int64_t shift_ns_ = 0;
  std::optional<std::int64_t> next_probe_t_ns_;
  static constexpr std::uint16_t kSyncDstPort = 9;  // discard (RFC 863)
  static constexpr Duration kSyncLimit = Duration::from_millis(20);
  int sync_fd_ = -1;
  std::uint16_t sync_port_ = 0;  // 0: no markers
  std::size_t sync_sent_ = 0;
  std::size_t sync_seen_ = 0;
  std::optional<std::int64_t> paced_ns_;  // the latest step keep_pace has taken (capture time)
};

}  // namespace

conformance::DutNetwork network_for(const Plan& plan) {
  conformance::DutNetwork net;
  net.dut = wire::Ipv4Cidr{plan.self, 24};
  net.dut_mac = plan.self_mac;
  net.neighbours.clear();
  net.onlink_routes.clear();
  for (const auto& [ip, mac] : plan.peers) {
    net.neighbours.emplace_back(ip, mac);
    if (!net.dut.contains(ip)) net.onlink_routes.push_back(wire::Ipv4Cidr{ip, 32});
  }
  net.packetdrill_sysctls = false;
  return net;
}

ReplayOptions real_time_options() {
  ReplayOptions opt;
  opt.max_gap = Duration::from_secs(1);
  opt.tick = Duration::from_millis(1);
  opt.start_delay = Duration::from_millis(50);
  // Shorter than Linux's minimum RTO (200 ms): waiting for the DUT to send
  // what a captured ACK covers must not itself make it retransmit.
  opt.ack_wait = Duration::from_millis(100);
  opt.sync_frames = true;
  opt.real_time_priority = true;
  return opt;
}

namespace {

// Real-time scheduling (SCHED_FIFO) for the calling thread while the scope
// lasts, and for the threads it starts meanwhile (they inherit it). A
// real-time replay must inject each frame at its time: on a loaded machine
// a woken thread of normal priority can wait for the next scheduler tick
// (4 ms at HZ=250), and the DUT's own timers do not wait (a tail loss
// probe, RFC 8985 §7, fired while a captured SACK, due 10 us after the
// segment it follows, waited). Without the privilege it does nothing.
class RealTimeScope {
 public:
  explicit RealTimeScope(bool want) {
    if (!want || ::pthread_getschedparam(::pthread_self(), &policy_, &param_) != 0) return;
    sched_param p{};
    p.sched_priority = kPriority;
    active_ = ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &p) == 0;
  }
  ~RealTimeScope() {
    if (active_) ::pthread_setschedparam(::pthread_self(), policy_, &param_);
  }
  RealTimeScope(const RealTimeScope&) = delete;
  RealTimeScope& operator=(const RealTimeScope&) = delete;

 private:
  static constexpr int kPriority = 20;
  int policy_ = SCHED_OTHER;
  sched_param param_{};
  bool active_ = false;
};

}  // namespace

Result<ReplayResult, std::string> run_replay(const Plan& plan, conformance::Dut& dut, const ReplayOptions& opt) {
  RealTimeScope rt(opt.real_time_priority);
  Engine e(plan, dut, opt);
  return e.run();
}

std::string format_exchange(std::size_t index, const Exchange& e) {
  std::string head = fmt::format("#{} {:.6f} {}", index, static_cast<double>(e.t_ns) / 1e9, e.probe_text);
  std::string diff = difference(e);
  if (!diff.empty()) return fmt::format("{}: DIFFER {}", head, diff);
  if (e.expected != e.actual)
    return fmt::format("{}: match by ACK flight ({}; got {})", head, describe(e.expected, e.probe ? &*e.probe : nullptr),
                       describe(e.actual, e.probe ? &*e.probe : nullptr));
  return fmt::format("{}: match ({})", head, describe(e.expected, e.probe ? &*e.probe : nullptr));
}

std::string summary_line(const ReplayResult& r) {
  std::string s = fmt::format("replay: {} exchanges, {} match, {} differ", r.exchanges.size(), r.matched, r.differed);
  if (r.matched_by_flight) s += fmt::format(" ({} matched by their ACK flight)", r.matched_by_flight);
  return s;
}

nlohmann::json to_json(const ReplayResult& r, const nlohmann::json& header) {
  nlohmann::json j = header;
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < r.exchanges.size(); ++i) {
    const Exchange& e = r.exchanges[i];
    const FrameInfo* p = e.probe ? &*e.probe : nullptr;
    nlohmann::json x;
    x["index"] = i;
    x["time"] = static_cast<double>(e.t_ns) / 1e9;
    x["probe_frame"] = e.id.probe_frame;
    x["probe"] = e.probe_text;
    x["in_capture"] = e.in_capture;
    auto answers = [p](const std::vector<Response>& rs) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& resp : rs) a.push_back(describe(resp, p));
      return a;
    };
    x["expected"] = answers(e.expected);
    x["actual"] = answers(e.actual);
    std::string d = difference(e);
    x["match"] = d.empty();
    if (d.empty() && e.expected != e.actual) x["ack_flight"] = true;
    if (!d.empty()) x["difference"] = d;
    list.push_back(std::move(x));
  }
  j["exchanges"] = std::move(list);
  j["notes"] = r.notes;
  j["summary"] = {{"exchanges", r.exchanges.size()},
                  {"match", r.matched},
                  {"differ", r.differed},
                  {"matched_by_ack_flight", r.matched_by_flight}};
  return j;
}

std::unique_ptr<conformance::Dut> make_dut(const std::string& name, const Plan& plan, std::uint64_t seed,
                                           std::string& why, bool& skip) {
  skip = false;
  conformance::DutNetwork net = network_for(plan);
  if (name == "sim") return std::make_unique<conformance::SimDut>(net, iface::StackConfig{}, seed);
  if (name == "kernel") {
    RealTimeScope rt(true);  // for the DUT's worker and reader threads
    return conformance::make_kernel_dut(net, why, skip);
  }
  why = fmt::format("unknown DUT '{}' (sim, kernel)", name);
  return nullptr;
}

}  // namespace synack::harness::replay

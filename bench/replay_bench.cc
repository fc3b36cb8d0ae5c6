// Replay benchmarks: how fast committed captures (corpus/captures/) go
// through the simulation, in frames per CPU second. The captures are read
// once, outside the timed loops, with the project's pcap reader and the
// replay planner (harness/replay/plan.h), each as its server side sees it.
// Paths are relative to the repository root (scripts/bench runs from there).
//  - BM_ReplayCaptureFrames: the frames the other side sent (the plan's
//    injections) fed straight into one synack socket::Host that owns the
//    captured server address and MAC, one frame per receive() + poll(), the
//    virtual clock at each frame's captured time. This is the replay's sim
//    path without the engine: the engine (harness/replay/replay.h) always
//    attributes and classifies every answer, so it cannot run without the
//    comparison. To keep the conversation coherent anyway, the frames are
//    translated for the host's ISN and timestamps (translate.h) in an
//    untimed first pass; the host is deterministic, so every timed pass on a
//    fresh host with the same seed answers identically (checked: the number
//    of answers must equal the first pass's). The host's application plays
//    the captured one's part (opens, writes, FIN, reads everything), as the
//    replay's `capture` application does, but with no ACK gating: a peer
//    ACK that runs ahead of what the host has sent gets the stack's answer
//    to it. Host construction is outside the timed region.
//    Instances: each capture, and `all` (every capture per pass; the
//    headline figure, aim >= 5M frames/s).
//  - BM_ReplayCommand: the whole `synack replay --dut sim` run (SimDut in a
//    World, the capture application, translation, gating, attribution and
//    the exchange comparison) of one capture, building the DUT included,
//    in injected frames per CPU second.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_util.h"
#include "harness/pcap/pcap_reader.h"
#include "harness/replay/plan.h"
#include "harness/replay/replay.h"
#include "harness/replay/translate.h"
#include "stack/socket/host.h"

namespace synack::bench {
namespace {

using harness::replay::Plan;

struct CaptureSpec {
  const char* file;
  const char* as;  // the server of the captured conversation
};

// Every committed capture and its server (bulk_loss.pcap: 10.200.0.1 sends
// the bulk data to 10.200.0.2).
constexpr CaptureSpec kCaptures[] = {
    {"bulk_loss.pcap", "10.200.0.1"}, {"http.pcapng", "10.200.0.2"},     {"icmp_frag.pcap", "10.200.0.2"},
    {"nmap.pcap", "10.200.0.2"},      {"tcp_rst.pcap", "10.200.0.2"},    {"udp_unreach.pcap", "10.200.0.2"},
};

Result<Plan, std::string> load_plan(const CaptureSpec& c) {
  auto reader = harness::PcapReader::open(std::string("corpus/captures/") + c.file);
  if (!reader) return Err{reader.error().message};
  return harness::replay::build_plan(*reader, *wire::Ipv4Address::parse(c.as));
}

// Counts frames; keeps them only when asked (the translating pass).
class ReplaySink final : public driver::Device {
 public:
  driver::DeviceCaps capabilities() const override { return {}; }
  bool transmit(Instant, ConstBytes frame) override {
    ++frames_;
    if (keep_) kept_.emplace_back(frame.begin(), frame.end());
    return true;
  }
  std::uint64_t frames() const noexcept { return frames_; }
  void keep(bool on) noexcept { keep_ = on; }
  std::vector<Bytes> take() { return std::exchange(kept_, {}); }

 private:
  std::uint64_t frames_ = 0;
  bool keep_ = false;
  std::vector<Bytes> kept_;
};

// A host placed where the plan's captured host was: its address (in a /24)
// and MAC, every peer a static neighbour, listening where it listened. Its
// application does what the captured one did (plan.h AppConn, as the
// replay's `capture` application): opens the captured connections at their
// times, writes the captured stream (each write before the first peer frame
// captured after it), shuts down its side when the captured host sent its
// FIN, and reads everything that arrives.
class ReplayHost {
 public:
  static iface::StackConfig config() {
    iface::StackConfig cfg;
    cfg.name = "replay";
    cfg.seed = 1;
    return cfg;
  }
  explicit ReplayHost(const Plan& plan) : plan_(plan), host_(config()), opened_(plan.conns.size(), false) {
    host_.stack().add_interface(sink, plan.self_mac, {plan.self, 24});
    for (const auto& [ip, mac] : plan.peers) host_.stack().arp().add_static(ip, mac);
    for (std::uint16_t port : plan.listen_ports) {
      int fd = *host_.socket(1, socket::SockType::Stream);
      (void)host_.bind(fd, {wire::Ipv4Address::any(), port});
      (void)host_.listen(fd, 128);
      listeners_.push_back(fd);
    }
    host_.poll(kStart);  // gratuitous ARP out of the way
  }
  // The frame at its captured time, then the application (accepting and
  // reading what the frame brought, and doing what the captured one did
  // before the next peer frame, at `next_t_ns`), as the replay engine
  // services its application right after each injection; then one poll()
  // sends what both queued (what a runtime does per received frame).
  void feed(std::int64_t t_ns, std::int64_t next_t_ns, ConstBytes frame) {
    const Instant now = kStart + Duration::from_nanos(t_ns);
    host_.receive(now, 0, frame);
    service(next_t_ns);
    host_.poll(now);
  }
  // Before the first frame: what the application did until then.
  void start(std::int64_t first_t_ns) {
    service(first_t_ns);
    host_.poll(kStart + Duration::from_nanos(first_t_ns));
  }
  ReplaySink sink;

 private:
  static constexpr Instant kStart = Instant::from_secs(1);
  struct Conn {
    int fd = -1;
    const harness::replay::AppConn* script = nullptr;
    std::size_t next_write = 0;
    std::size_t written = 0;  // of writes[next_write]
    bool fin_done = false;
  };

  // Does what was due before capture time `t_ns`.
  void service(std::int64_t t_ns) {
    for (std::size_t i = 0; i < plan_.conns.size(); ++i) {
      const auto& c = plan_.conns[i];
      if (!c.active || opened_[i] || c.open_t_ns >= t_ns) continue;
      opened_[i] = true;
      int fd = *host_.socket(1, socket::SockType::Stream);
      (void)host_.bind(fd, {plan_.self, c.flow.local_port});
      (void)host_.connect(fd, {c.flow.remote, c.flow.remote_port});
      conns_.push_back(Conn{fd, &c});
    }
    for (int l : listeners_) {
      socket::SockAddr peer;
      while (auto fd = host_.accept(l, &peer)) {
        auto local = host_.getsockname(*fd);
        const harness::replay::AppConn* script = nullptr;
        for (const auto& c : plan_.conns)
          if (!c.active && local && c.flow.remote == peer.addr && c.flow.remote_port == peer.port &&
              c.flow.local_port == local->port)
            script = &c;
        conns_.push_back(Conn{*fd, script});
      }
    }
    for (Conn& c : conns_) drive(c, t_ns);
  }

  void drive(Conn& c, std::int64_t t_ns) {
    if (c.script != nullptr) {
      const auto& w = c.script->writes;
      while (c.next_write < w.size() && w[c.next_write].t_ns < t_ns) {
        ConstBytes rest = ConstBytes(w[c.next_write].data).subspan(c.written);
        auto n = host_.send(c.fd, rest);
        if (!n || *n == 0) break;
        c.written += *n;
        if (c.written == w[c.next_write].data.size()) {
          ++c.next_write;
          c.written = 0;
        }
      }
      if (!c.fin_done && c.next_write == w.size() && c.script->fin_t_ns && *c.script->fin_t_ns < t_ns) {
        c.fin_done = true;
        (void)host_.shutdown(c.fd, socket::Shut::Wr);
      }
    }
    while (auto n = host_.recv(c.fd, buf_)) {
      if (*n == 0) break;
    }
  }

  const Plan& plan_;
  socket::Host host_;
  std::vector<int> listeners_;
  std::vector<bool> opened_;  // per plan conn (active ones)
  std::vector<Conn> conns_;
  std::uint8_t buf_[1 << 16];
};

// The capture time of the peer frame after injection `i` (after the last
// one: past the capture's end, so the application finishes).
std::int64_t next_time(const Plan& plan, std::size_t i) {
  const auto& inj = plan.injections;
  return i + 1 < inj.size() ? inj[i + 1].t_ns : plan.last_t_ns + 1;
}

// One capture ready to feed: the injections translated for the host.
struct PreparedCapture {
  Plan plan;
  std::vector<Bytes> frames;
  std::uint64_t answers = 0;  // frames the host sent in the first pass
};

// The untimed first pass: feeds the injections as the replay engine would,
// translating each TCP segment with the offsets learnt from what the host
// sent so far.
PreparedCapture prepare(Plan plan) {
  using namespace harness::replay;
  PreparedCapture p;
  auto h = std::make_unique<ReplayHost>(plan);
  h->sink.keep(true);
  const std::uint64_t before = h->sink.frames();
  DutConnections conns;
  const auto& injs = plan.injections;
  if (!injs.empty()) h->start(injs.front().t_ns);
  for (std::size_t i = 0; i < injs.size(); ++i) {
    const auto& inj = injs[i];
    Bytes frame = inj.frame;
    if (inj.info.tcp) {
      Offsets o = conns.offsets(inj.flow, inj.cap_isn, inj.cap_ts0);
      if (o.any()) translate_to_dut(frame, o);
    }
    h->feed(inj.t_ns, next_time(plan, i), frame);
    for (const Bytes& out : h->sink.take()) {
      auto f = parse_frame(out);
      if (f && f->ipv4 && f->tcp && f->src == plan.self && !f->is_fragment())
        conns.sent(flow_of(*f, plan.self), *f->tcp);
    }
    p.frames.push_back(std::move(frame));
  }
  p.answers = h->sink.frames() - before;
  h.reset();
  p.plan = std::move(plan);
  return p;
}

// The captures named by `which` ("all": every one), prepared; empty with
// `why` set when one cannot be read.
std::vector<PreparedCapture> prepared(const std::string& which, std::string& why) {
  std::vector<PreparedCapture> out;
  for (const CaptureSpec& c : kCaptures) {
    if (which != "all" && which != c.file) continue;
    auto plan = load_plan(c);
    if (!plan) {
      why = plan.error();
      return {};
    }
    out.push_back(prepare(std::move(*plan)));
  }
  if (out.empty() && why.empty()) why = "no capture named " + which;
  return out;
}

// One timed pass over a prepared capture. Not inlined: `scripts/bench
// --instructions` counts instructions inside this function only, so the
// untimed translating pass (prepare) and host construction stay out.
[[gnu::noinline]] void timed_pass(ReplayHost& h, const PreparedCapture& c) {
  const auto& inj = c.plan.injections;
  if (!inj.empty()) h.start(inj.front().t_ns);
  for (std::size_t i = 0; i < c.frames.size(); ++i) h.feed(inj[i].t_ns, next_time(c.plan, i), c.frames[i]);
}

void BM_ReplayCaptureFrames(benchmark::State& state, const std::string& which) {
  std::string why;
  const std::vector<PreparedCapture> caps = prepared(which, why);
  if (caps.empty()) {
    state.SkipWithError(why.c_str());
    return;
  }
  std::uint64_t frames_per_pass = 0;
  std::uint64_t answers_per_pass = 0;
  for (const auto& c : caps) {
    frames_per_pass += c.frames.size();
    answers_per_pass += c.answers;
  }
  std::uint64_t answers = 0;
  std::unique_ptr<ReplayHost> h;
  for (auto _ : state) {
    for (const auto& c : caps) {
      state.PauseTiming();
      h.reset();
      h = std::make_unique<ReplayHost>(c.plan);
      const std::uint64_t before = h->sink.frames();
      state.ResumeTiming();
      timed_pass(*h, c);
      answers += h->sink.frames() - before;
    }
  }
  h.reset();  // the timer stopped with the loop
  const auto passes = static_cast<std::uint64_t>(state.iterations());
  if (answers != answers_per_pass * passes) state.SkipWithError("a timed pass answered differently from the first");
  const double frames = static_cast<double>(frames_per_pass * passes);
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));
  state.counters["frames/s"] = benchmark::Counter(frames, benchmark::Counter::kIsRate);
  state.counters["frames_per_pass"] = static_cast<double>(frames_per_pass);
  state.counters["answers_per_frame"] = static_cast<double>(answers_per_pass) / static_cast<double>(frames_per_pass);
}
BENCHMARK_CAPTURE(BM_ReplayCaptureFrames, all, std::string("all"));
BENCHMARK_CAPTURE(BM_ReplayCaptureFrames, bulk_loss, std::string("bulk_loss.pcap"));
BENCHMARK_CAPTURE(BM_ReplayCaptureFrames, http, std::string("http.pcapng"));
BENCHMARK_CAPTURE(BM_ReplayCaptureFrames, icmp_frag, std::string("icmp_frag.pcap"));
BENCHMARK_CAPTURE(BM_ReplayCaptureFrames, nmap, std::string("nmap.pcap"));

void BM_ReplayCommand(benchmark::State& state, const CaptureSpec& spec) {
  using namespace harness::replay;
  auto plan = load_plan(spec);
  if (!plan) {
    state.SkipWithError(plan.error().c_str());
    return;
  }
  std::size_t exchanges = 0;
  std::size_t differed = 0;
  for (auto _ : state) {
    std::string why;
    bool skip = false;
    auto dut = make_dut("sim", *plan, 1, why, skip);
    if (!dut) {
      state.SkipWithError(why.c_str());
      return;
    }
    auto r = run_replay(*plan, *dut, ReplayOptions{});
    if (!r) {
      state.SkipWithError(r.error().c_str());
      return;
    }
    exchanges = r->exchanges.size();
    differed = r->differed;
    benchmark::DoNotOptimize(r->matched);
  }
  const double frames = static_cast<double>(plan->injections.size() * static_cast<std::size_t>(state.iterations()));
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));
  state.counters["frames/s"] = benchmark::Counter(frames, benchmark::Counter::kIsRate);
  state.counters["frames_per_run"] = static_cast<double>(plan->injections.size());
  state.counters["exchanges"] = static_cast<double>(exchanges);
  state.counters["differ"] = static_cast<double>(differed);
}
BENCHMARK_CAPTURE(BM_ReplayCommand, http, CaptureSpec{"http.pcapng", "10.200.0.2"});
BENCHMARK_CAPTURE(BM_ReplayCommand, bulk_loss, CaptureSpec{"bulk_loss.pcap", "10.200.0.1"});

}  // namespace
}  // namespace synack::bench

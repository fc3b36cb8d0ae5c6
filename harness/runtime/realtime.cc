// The real-time runtime (see realtime.h).
#include "harness/runtime/realtime.h"

#include <fmt/core.h>
#include <sched.h>
#include <signal.h>

#include <boost/asio/post.hpp>

namespace synack::harness {

namespace {
// Frames read in one go before the apps and the host poll run: amortises
// the step (and the one ACK it sends) over a burst. Below the TAP's queue
// (500 frames), and at ~2 us a frame a step still starts within a
// millisecond, so timers and signals are not starved. 64 was always full
// for a kernel sender at MTU 1500; 256 cut the runtime's CPU per MB by 17%.
constexpr int kReadBatch = 256;
// Steps run back to back while frames are queued after each (see
// drain) before the io_context gets a turn.
constexpr int kInlineSteps = 16;
// Blocks without a probe after a run of probes that found nothing (yield_probe).
constexpr int kMaxProbeBackoff = 64;
}  // namespace

Realtime::Realtime(socket::Host& host, driver::TapDevice& tap, std::size_t iface)
    : host_(host),
      tap_(tap),
      iface_(iface),
      fd_(io_, tap.fd()),
      timer_(io_),
      start_(std::chrono::steady_clock::now()),
      rx_buf_(tap.max_read_len()) {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  wall_epoch_ = Instant::from_nanos(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count());
}

Realtime::~Realtime() {
  // The TAP device owns the descriptor.
  (void)fd_.release();
}

Instant Realtime::now() const {
  auto d = std::chrono::steady_clock::now() - start_;
  return Instant::from_nanos(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

void Realtime::handle_signals(std::FILE* out) {
  signals_ = std::make_unique<boost::asio::signal_set>(io_, SIGINT, SIGTERM, SIGUSR1);
  struct Handler {
    Realtime* rt;
    std::FILE* out;
    void operator()(const boost::system::error_code& ec, int sig) const {
      if (ec) return;
      if (sig == SIGUSR1) {
        std::string table = socket::format_netstat(rt->host_.netstat());
        std::fputs(table.c_str(), out);
        std::fflush(out);
        rt->signals_->async_wait(*this);
        return;
      }
      rt->stop();
    }
  };
  signals_->async_wait(Handler{this, out});
}

bool Realtime::run() {
  start_read();
  schedule_step();
  io_.run();
  return error_.empty();
}

void Realtime::stop() {
  boost::asio::post(io_, [this] {
    stopped_ = true;
    io_.stop();
  });
}

void Realtime::wake() {
  boost::asio::post(io_, [this] { schedule_step(); });
}

void Realtime::start_read() {
  ++stats_.waits;
  fd_.async_read_some(boost::asio::buffer(rx_buf_),
                      [this](const boost::system::error_code& ec, std::size_t n) { on_read(ec, n); });
}

void Realtime::on_read(const boost::system::error_code& ec, std::size_t n) {
  if (stopped_) return;
  if (ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    error_ = fmt::format("reading from TAP '{}': {}", tap_.name(), ec.message());
    io_.stop();
    return;
  }
  ++stats_.wakeups;
  // One clock reading for the whole burst: the frames were all queued
  // before the first read, and the read time is all we know of them.
  Instant t = now();
  on_frame(t, tap_.accept_read(MutBytes(rx_buf_).first(n), rx_meta()));
  drain(t, 1);
}

std::uint64_t Realtime::tx_attempts() const noexcept {
  const auto& s = tap_.stats();
  return s.tx_frames + s.tx_refused + s.tx_errors;
}

// Reads a burst and runs a step, again and again without going back to the
// io_context while frames keep coming: the kernel handles a frame written to
// the TAP synchronously, so its answer (the ACK of a SYN-ACK, the next data)
// is usually queued when the step's write returns, and a trip through the
// io_context would cost a completion and an epoll_wait for nothing. A step
// that wrote nothing after a burst that emptied the queue ends the loop
// without another read: no answer can be queued, and whatever else arrives
// from now on wakes the reactor (edge-triggered: it arrives after the empty
// read), unless the busy poll (spin) finds one within its budget.
// Bounded so that timers, signals and posted work still run.
void Realtime::drain(Instant t, int frames) {
  for (int i = 0;; ++i) {
    auto burst = read_burst(t, kReadBatch - frames);
    if (!burst) return;  // a read error: reported, the loop stops
    frames += burst->frames;
    bool idle = frames == 0;
    if (!idle) {
      const std::uint64_t tx_before = tx_attempts();
      step(t);
      if (stopped_) return;
      idle = burst->drained && tx_attempts() == tx_before;
      frames = 0;
      t = now();
    }
    if (idle) {
      auto got = spin(&t);
      if (!got) return;
      if (!*got) break;
      frames = 1;
    }
    if (i + 1 == kInlineSteps) {
      ++stats_.yields;
      // A frame the spin gave the host is stepped with the next burst.
      boost::asio::post(io_, [this, pending = frames] {
        if (!stopped_) drain(now(), pending);
      });
      return;
    }
  }
  start_read();
}

std::optional<bool> Realtime::spin(Instant* t) {
  if (busy_budget_.count() <= 0) return yield_probe(t);
  ++stats_.spins;
  const Instant start = now();
  Instant end = start + Duration::from_nanos(busy_budget_.count());
  if (armed_ && *armed_ < end) end = *armed_;  // a due timer runs from the io_context
  for (;;) {
    auto r = read_one();
    if (!r) return std::nullopt;
    const Instant n = now();
    if (!r->empty()) {
      ++stats_.spin_hits;
      busy_budget_ = busy_max_;
      *t = n;
      on_frame(n, *r);
      return true;
    }
    ++stats_.empty_reads;
    if (n >= end) break;
    // The peer may be waiting for this CPU (a client on the same one, the
    // kernel's softirq work): let it run, then look again.
    ++stats_.spin_yields;
    (void)::sched_yield();
  }
  busy_budget_ = std::max(busy_budget_ / 2, busy_max_ / 16);
  return false;
}

// The queue was just found empty (or the step wrote nothing after a burst
// that emptied it), so the read comes after the yield, not before.
// Probes that find nothing back off (skip the next 1, 2, 4 ... 64 chances),
// so a peer on another CPU or an idle host costs a probe per 64 blocks at
// most; a hit probes every time again.
std::optional<bool> Realtime::yield_probe(Instant* t) {
  if (!yield_before_block_) return false;
  if (probe_skip_ > 0) {
    --probe_skip_;
    return false;
  }
  ++stats_.probes;
  ++stats_.spin_yields;
  (void)::sched_yield();
  auto r = read_one();
  if (!r) return std::nullopt;
  if (r->empty()) {
    ++stats_.empty_reads;
    probe_backoff_ = std::min(kMaxProbeBackoff, std::max(1, probe_backoff_ * 2));
    probe_skip_ = probe_backoff_;
    return false;
  }
  probe_backoff_ = 0;
  ++stats_.probe_hits;
  *t = now();
  on_frame(*t, *r);
  return true;
}

std::optional<Realtime::Burst> Realtime::read_burst(Instant t, int limit) {
  Burst b;
  for (; b.frames < limit; ++b.frames) {
    auto r = read_one();
    if (!r) return std::nullopt;
    if (r->empty()) {
      ++stats_.empty_reads;
      b.drained = true;
      break;
    }
    on_frame(t, *r);
  }
  return b;
}

std::optional<ConstBytes> Realtime::read_one() {
  ++stats_.reads;
  auto r = tap_.read_frame(rx_buf_, rx_meta());
  if (!r) {
    error_ = r.error().message;
    io_.stop();
    return std::nullopt;
  }
  return ConstBytes(*r);
}

driver::RxMeta* Realtime::rx_meta() noexcept {
  rx_meta_ = {};
  // A capture gets the frames with their checksums complete.
  return trust_checksums_ && pcap_ == nullptr ? &rx_meta_ : nullptr;
}

void Realtime::on_frame(Instant t, ConstBytes frame) {
  if (frame.empty()) return;  // malformed, counted by the device
  if (pcap_) (void)pcap_->write(wall(t), frame);
  host_.receive(t, iface_, frame, rx_meta_);
}

// The applications run before the host is polled, so what they answer to
// the frames just received (an echo, a FIN after EOF, a window reopened by
// reading) leaves in the same segments as the ACKs, as from a stack that
// calls its applications back from the receive path; due timers fire in the
// same poll.
void Realtime::step(Instant t) {
  ++stats_.steps;
  host_.set_now(t);
  for (auto& a : apps_) a->poll(t);
  host_.poll(t);
  tap_.flush();  // the TCP segments the device held to join them (offload)
  if (done_ && done_()) {
    stopped_ = true;
    io_.stop();
    return;
  }
  arm_timer();
}

void Realtime::schedule_step() {
  if (step_posted_) return;
  step_posted_ = true;
  boost::asio::post(io_, [this] {
    step_posted_ = false;
    if (!stopped_) step(now());
  });
}

// Re-arming a steady_timer cancels the pending wait (one more handler) and
// reprograms the reactor's timerfd (a syscall), and a bulk transfer moves the
// retransmission deadline with every ACK. So the timer is only moved earlier:
// a deadline that moved later is met by an early wake-up whose step re-arms
// for the new one; one that vanished costs at most one spurious step.
void Realtime::arm_timer() {
  std::optional<Instant> at = host_.poll_at();
  for (const auto& a : apps_)
    if (auto p = a->poll_at()) at = at ? std::min(*at, *p) : *p;
  if (!at || (armed_ && *armed_ <= *at)) return;
  armed_ = *at;
  ++stats_.timer_arms;
  auto when = start_ + std::chrono::nanoseconds(std::max<std::int64_t>(at->nanos(), 0));
  timer_.expires_at(when);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    armed_.reset();
    ++stats_.timer_steps;
    step(now());
  });
}

}  // namespace synack::harness

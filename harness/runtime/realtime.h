// The real-time runtime: a Boost.Asio io_context drives one socket::Host on
// a TAP device. The TAP descriptor has one async_read_some pending while the
// runtime waits; its completion brings the first frame, the runtime then
// drains the TAP itself without blocking. A steady_timer is armed at the
// earliest of the host's and the applications' poll_at(), and time is the
// steady clock in nanoseconds since the runtime was built.
// After every batch of received frames (up to 256) and every timer expiry
// the applications run (after host.set_now), then the host is polled, so
// their answers leave with the ACKs, then the TAP writes what it held to
// join (offload). The timer is only ever moved earlier (a later deadline is
// met by an early, harmless step). Signals (when enabled): SIGINT and
// SIGTERM stop the loop, SIGUSR1 prints the netstat table to stdout.
// Single-threaded: everything runs on the thread that calls run(); stop()
// and wake() may be called from any thread.
//
// System calls (RuntimeStats counts them): per wait, the read that
// async_read_some tries at once (Boost.Asio 1.74 always does for a
// descriptor; EAGAIN when we drained the queue), then an epoll_wait and the
// reactor's read of the first frame (or, when the first attempt found a
// frame, an epoll_wait(0) of the scheduler's before the completion runs);
// then one read per frame and one that finds the queue empty per burst; one
// write per frame sent (or GSO frame); before each wait, the yield-before-
// blocking probe's sched_yield and read (below), unless busy polling. An
// async_wait would cost the same: the reactor re-arms the descriptor with an
// epoll_ctl for every non-speculative operation instead of trying a read.
//
// Busy polling (set_busy_poll, off by default; Linux's SO_BUSY_POLL for the
// TAP): when the loop would block, it first keeps reading the TAP without
// blocking for up to the budget, yielding the CPU between reads (sched_yield)
// so that a peer on the same CPU runs at once, so a frame that comes within
// it costs a read instead of an epoll_wait, a context switch and, when it was
// sent from another CPU, the wake-up of this one. The budget adapts as the
// guest's haltpoll does: a spin that ends on a frame restores the full
// budget, one that ends empty halves it (never below 1/16): an idle host
// spends little. A spin never runs past the timer's deadline, and the
// inline step bound (kInlineSteps) still hands the io_context its turn.
//
// Yield before blocking (set_yield_before_block, on by default; without
// busy poll): when the loop would block, it first yields the CPU once
// (sched_yield) and reads once more. When synack shares its CPU with its
// peer (a client in the kernel of the same machine), the frame it just
// wrote woke the peer without preempting the runtime, so the peer is
// runnable here: the yield lets it answer at once, and its answer is read
// instead of waited for (an epoll_wait, a switch to the peer and a wake-up
// of the runtime when it sends). Once the runtime no longer sleeps between
// exchanges, the scheduler switches to the woken peer inside the runtime's
// write, and the answer is usually queued when the write returns. Costs two
// system calls per block when the peer is elsewhere or the host is idle, and
// probes that find nothing back off exponentially (up to one in 64 blocks).
// On a CPU shared with a busy unrelated thread, a probe can hand it the
// rest of its slice (well under a millisecond) before the runtime reads
// again; the back-off keeps that rare, set_yield_before_block(false) off.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "harness/pcap/pcap_writer.h"
#include "harness/world/host_node.h"
#include "stack/driver/tap_linux.h"
#include "stack/socket/host.h"

namespace synack::harness {

// Records every frame a device transmits into a pcap writer (the runtime
// records received frames itself), then passes it on.
class CaptureDevice final : public driver::Device {
 public:
  CaptureDevice(driver::Device& inner, PcapWriter* pcap, std::function<Instant(Instant)> wall)
      : inner_(inner), pcap_(pcap), wall_(std::move(wall)) {}
  driver::DeviceCaps capabilities() const override { return inner_.capabilities(); }
  bool can_transmit() const override { return inner_.can_transmit(); }
  bool transmit(Instant now, ConstBytes frame) override {
    if (pcap_) (void)pcap_->write(wall_(now), frame);
    return inner_.transmit(now, frame);
  }

 private:
  driver::Device& inner_;
  PcapWriter* pcap_;
  std::function<Instant(Instant)> wall_;
};

// What the runtime did, for benchmarks and tests: with TapStats (writes)
// they bound the loop's system calls but the timer's (see above):
// waits + 2 * wakeups + reads + tx_writes + timer_arms + spin_yields, of
// which a wake-up whose first attempt found a frame saves a read (a probe's
// read is in reads, its sched_yield in spin_yields).
struct RuntimeStats {
  std::uint64_t steps = 0;
  std::uint64_t waits = 0;        // async reads started (an attempt at once, then epoll)
  std::uint64_t wakeups = 0;      // their completions (one epoll_wait and one read each)
  std::uint64_t reads = 0;        // read() calls of the runtime's own, frames and empty
  std::uint64_t empty_reads = 0;  // of which found the queue empty (EAGAIN)
  std::uint64_t timer_arms = 0;   // steady_timer re-arms (a timerfd_settime each)
  std::uint64_t timer_steps = 0;  // steps run by the timer
  std::uint64_t yields = 0;       // inline step bound reached: continued through the io_context
  std::uint64_t spins = 0;        // busy polls started (each also counted in reads, empty_reads)
  std::uint64_t spin_hits = 0;    // of which ended on a frame
  std::uint64_t spin_yields = 0;  // sched_yield() calls between their reads, and the probes'
  std::uint64_t probes = 0;       // yields before blocking (no busy poll; each also one read)
  std::uint64_t probe_hits = 0;   // of which the read found a frame
};

class Realtime {
 public:
  // `host` must already have `tap` (or a CaptureDevice around it) as
  // interface `iface`.
  Realtime(socket::Host& host, driver::TapDevice& tap, std::size_t iface = 0);
  ~Realtime();
  Realtime(const Realtime&) = delete;
  Realtime& operator=(const Realtime&) = delete;

  // Runs `app` (owned by the runtime). Call before run() or from the loop.
  template <class T, class... Args>
  T& run_app(Args&&... args) {
    auto app = std::make_unique<T>(std::forward<Args>(args)...);
    T& ref = *app;
    apps_.push_back(std::move(app));
    return ref;
  }
  // Received frames are also written to `pcap` (not owned; may be null).
  void set_pcap(PcapWriter* pcap) { pcap_ = pcap; }
  // SIGINT/SIGTERM stop the loop, SIGUSR1 prints netstat to `out`.
  void handle_signals(std::FILE* out = stdout);
  // Whether the stack trusts the TAP's checksum offload (TapDevice::
  // read_frame with RxMeta: TCP/UDP checksums of frames from the kernel are
  // neither completed nor verified, as Linux's CHECKSUM_UNNECESSARY). On by
  // default; off, or while a pcap is attached, every checksum is completed
  // and verified.
  void set_trust_checksums(bool on) { trust_checksums_ = on; }
  // Busy-poll the TAP for up to `budget` before blocking (above); zero: off.
  void set_busy_poll(std::chrono::microseconds budget) { busy_max_ = busy_budget_ = budget; }
  // Without busy poll: yield the CPU once and read again before blocking
  // (above); on by default.
  void set_yield_before_block(bool on) { yield_before_block_ = on; }
  // Called after each step; returning true stops the loop (e.g. a client
  // that finished).
  void set_done(std::function<bool()> done) { done_ = std::move(done); }

  // Runs until stop() or done; returns false when the TAP failed.
  bool run();
  void stop();
  // Asks for a step (apps polled) soon; thread-safe.
  void wake();

  Instant now() const;
  // The wall-clock time for a runtime instant (for pcap timestamps).
  Instant wall(Instant t) const { return t + (wall_epoch_ - Instant::zero()); }
  boost::asio::io_context& io() noexcept { return io_; }
  socket::Host& host() noexcept { return host_; }
  const std::string& error() const noexcept { return error_; }
  std::uint64_t steps() const noexcept { return stats_.steps; }
  const RuntimeStats& stats() const noexcept { return stats_; }
  bool handles_signals() const noexcept { return signals_ != nullptr; }

 private:
  struct Burst {
    int frames = 0;
    bool drained = false;  // ended on an empty queue, not on the batch limit
  };
  void start_read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  // Steps while frames come, then waits again (start_read) or yields.
  void drain(Instant t, int frames);
  // Reads up to `limit` frames into the host; nullopt after a read error
  // (reported, loop stopped).
  std::optional<Burst> read_burst(Instant t, int limit);
  // One non-blocking read (empty: nothing queued); nullopt after a read
  // error (reported, loop stopped).
  std::optional<ConstBytes> read_one();
  // The RxMeta to read the next frame with (reset), or null when not trusting.
  driver::RxMeta* rx_meta() noexcept;
  // Hands a frame read with rx_meta() to the host.
  void on_frame(Instant t, ConstBytes frame);
  // Busy poll: reads until a frame comes (given to the host at *t, true)
  // or the budget is spent (false); nullopt after a read error.
  std::optional<bool> spin(Instant* t);
  // Without busy poll: one sched_yield and one read (yield_before_block_).
  std::optional<bool> yield_probe(Instant* t);
  // Frames the TAP was asked to write so far (sent, refused or failed).
  std::uint64_t tx_attempts() const noexcept;
  void step(Instant t);
  void arm_timer();
  void schedule_step();

  socket::Host& host_;
  driver::TapDevice& tap_;
  std::size_t iface_;
  boost::asio::io_context io_;
  boost::asio::posix::stream_descriptor fd_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<boost::asio::signal_set> signals_;
  std::chrono::steady_clock::time_point start_;
  Instant wall_epoch_;
  std::vector<std::unique_ptr<App>> apps_;
  PcapWriter* pcap_ = nullptr;
  std::function<bool()> done_;
  Bytes rx_buf_;
  std::optional<Instant> armed_;  // the timer's deadline while it is pending
  std::chrono::nanoseconds busy_max_{0}, busy_budget_{0};
  bool trust_checksums_ = true;
  bool yield_before_block_ = true;
  int probe_backoff_ = 0, probe_skip_ = 0;  // yield_probe's back-off after misses
  driver::RxMeta rx_meta_;  // of the frame being read
  bool step_posted_ = false;
  bool stopped_ = false;
  std::string error_;
  RuntimeStats stats_;
};

}  // namespace synack::harness

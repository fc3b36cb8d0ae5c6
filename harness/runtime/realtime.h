// The real-time runtime: a Boost.Asio io_context drives one socket::Host on
// a TAP device. The runtime waits for the TAP descriptor to be readable
// (async_wait), then drains it without blocking, a steady_timer is
// armed at the earliest of the host's and the applications' poll_at(), and
// time is the steady clock in nanoseconds since the runtime was built.
// After every batch of received frames (up to 256) and every timer expiry
// the applications run (after host.set_now), then the host is polled, so
// their answers leave with the ACKs, then the TAP writes what it held to
// join (offload). The timer is only ever moved earlier (a later deadline is
// met by an early, harmless step). Signals (when enabled): SIGINT and
// SIGTERM stop the loop, SIGUSR1 prints the netstat table to stdout.
// Single-threaded: everything runs on the thread that calls run(); stop()
// and wake() may be called from any thread.
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
  std::uint64_t steps() const noexcept { return steps_; }
  bool handles_signals() const noexcept { return signals_ != nullptr; }

 private:
  void start_read();
  void on_readable();
  // Reads up to a batch of frames into the host; how many, nullopt after a
  // read error (reported, loop stopped).
  std::optional<int> read_burst(Instant t);
  void on_frame(Instant t, ConstBytes frame);
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
  bool step_posted_ = false;
  bool stopped_ = false;
  std::string error_;
  std::uint64_t steps_ = 0;
};

}  // namespace synack::harness

// Shared helpers for the synack benchmark suites (bench/*_bench.cc, linked
// into one binary). bench/ may use the OS freely: these helpers read /proc for
// memory figures, read the wall clock, and keep a per-process table of
// figures so that a synack benchmark and the kernel benchmark of the same
// workload, measured in the same run, can report their ratio as a counter.
//
// Ratios: each benchmark records its figure with record_figure(); whichever
// of a pair runs second gets the counter (the binary links host, kernel, sim,
// wire in that order, so the kernel figures exist when the synack ones run
// and the ratio lands on the synack benchmark). Ratios are always
// synack ÷ kernel. scripts/bench recomputes them from the JSON as well, so a
// --benchmark_filter that runs only one side still gives a complete summary.
#pragma once

#include <benchmark/benchmark.h>
#include <unistd.h>

#if __has_include(<valgrind/callgrind.h>)
// valgrind's client-request macros are not -Wall -Wextra clean; they are not ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#include <valgrind/callgrind.h>
#pragma GCC diagnostic pop
#define SYNACK_BENCH_HAVE_CALLGRIND 1
#endif

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

namespace synack::bench {

// Call right before a benchmark's timed loop. Google Benchmark sizes a run by
// running the function with 1, 10, 100, ... iterations and reports only the
// last run, but `scripts/bench --instructions` (callgrind) would count every
// one of them: instructions per reported item then depended on how many sizing
// runs a loaded machine needed. Zeroing callgrind's counters when each run
// starts makes the count and the reported items describe the same run (and
// leaves the run's own setup out). Outside valgrind this is a few instructions.
inline void begin_counted_run() {
#ifdef SYNACK_BENCH_HAVE_CALLGRIND
  CALLGRIND_ZERO_STATS;
#endif
}

// For benchmarks that let Google Benchmark size the run: under
// `scripts/bench --instructions` (which sets SYNACK_BENCH_COUNTING) the run has
// exactly N iterations, so the instructions per item do not depend on how fast
// the (loaded, valgrind-slowed) machine was. Usage:
// BENCHMARK(BM_X)->Apply(counted_iterations<N>).
template <benchmark::IterationCount N>
void counted_iterations(benchmark::internal::Benchmark* b) {
  if (std::getenv("SYNACK_BENCH_COUNTING") != nullptr) b->Iterations(N);
}

// Resident set size of this process in bytes (/proc/self/statm, field 2).
inline std::int64_t rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  long size = 0;
  long resident = 0;
  int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  if (n != 2) return -1;
  return static_cast<std::int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

// Wall-clock seconds since an arbitrary origin (steady clock).
inline double wall_seconds() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

// Figures measured so far in this process, by name, e.g.
// "lifecycles/seq/synack" or "lifecycles/seq/kernel_loopback".
inline std::map<std::string, double>& figures() {
  static std::map<std::string, double> table;
  return table;
}

// Sets counter `name` to figures[synack_key] / figures[kernel_key] when both
// are known.
inline void ratio_counter(benchmark::State& state, const std::string& name, const std::string& synack_key,
                          const std::string& kernel_key) {
  auto& t = figures();
  auto s = t.find(synack_key);
  auto k = t.find(kernel_key);
  if (s == t.end() || k == t.end() || k->second <= 0) return;
  state.counters[name] = s->second / k->second;
}

// The ratios a synack figure is compared with: (counter name, kernel key).
struct RatioSpec {
  const char* counter;
  const char* synack_key;
  const char* kernel_key;
};
inline constexpr RatioSpec kRatios[] = {
    {"x_kernel_loopback", "lifecycles/seq/synack", "lifecycles/seq/kernel_loopback"},
    {"x_kernel_veth", "lifecycles/seq/synack", "lifecycles/seq/kernel_veth"},
    {"x_kernel_loopback", "lifecycles/par/synack", "lifecycles/par/kernel_loopback"},
    {"x_kernel_veth", "lifecycles/par/synack", "lifecycles/par/kernel_veth"},
    {"x_kernel_loopback", "bulk/1500/synack", "bulk/kernel_loopback"},
    {"x_kernel_veth", "bulk/1500/synack", "bulk/1500/kernel_veth"},
    {"x_kernel_loopback", "bulk/9000/synack", "bulk/kernel_loopback"},
    {"x_kernel_veth", "bulk/9000/synack", "bulk/9000/kernel_veth"},
    // tap_bench.cc: synack on a TAP (with the TAP's offload, and "plain"
    // without it) vs the kernel over veth without offloads, same Asio peers.
    {"x_kernel_veth", "tap/k2s/synack", "tap/k2s/kernel_veth"},
    {"x_kernel_veth", "tap/s2k/synack", "tap/s2k/kernel_veth"},
    {"x_kernel_veth", "tap/lifecycles/synack", "tap/lifecycles/kernel_veth"},
    {"x_kernel_veth", "tap/k2s/synack_plain", "tap/k2s/kernel_veth"},
    {"x_kernel_veth", "tap/s2k/synack_plain", "tap/s2k/kernel_veth"},
    // The same with server and client on CPUs of their own (tap_bench.cc).
    {"x_kernel_veth", "tap/k2s/synack/2cpu", "tap/k2s/kernel_veth/2cpu"},
    {"x_kernel_veth", "tap/s2k/synack/2cpu", "tap/s2k/kernel_veth/2cpu"},
    {"x_kernel_veth", "tap/lifecycles/synack/2cpu", "tap/lifecycles/kernel_veth/2cpu"},
    {"x_kernel_veth", "tap/k2s/synack_plain/2cpu", "tap/k2s/kernel_veth/2cpu"},
    {"x_kernel_veth", "tap/s2k/synack_plain/2cpu", "tap/s2k/kernel_veth/2cpu"},
    // With the runtime's busy poll (--busy-poll 50), both layouts.
    {"x_kernel_veth", "tap/k2s/synack_busypoll", "tap/k2s/kernel_veth"},
    {"x_kernel_veth", "tap/s2k/synack_busypoll", "tap/s2k/kernel_veth"},
    {"x_kernel_veth", "tap/lifecycles/synack_busypoll", "tap/lifecycles/kernel_veth"},
    {"x_kernel_veth", "tap/k2s/synack_busypoll/2cpu", "tap/k2s/kernel_veth/2cpu"},
    {"x_kernel_veth", "tap/s2k/synack_busypoll/2cpu", "tap/s2k/kernel_veth/2cpu"},
    {"x_kernel_veth", "tap/lifecycles/synack_busypoll/2cpu", "tap/lifecycles/kernel_veth/2cpu"},
};

// Records a figure and attaches every ratio it completes to `state`.
inline void record_figure(benchmark::State& state, const std::string& key, double value) {
  figures()[key] = value;
  for (const RatioSpec& r : kRatios) {
    if (key == r.synack_key || key == r.kernel_key) ratio_counter(state, r.counter, r.synack_key, r.kernel_key);
  }
}

}  // namespace synack::bench

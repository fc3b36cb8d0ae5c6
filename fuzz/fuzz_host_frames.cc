// A whole Host fed a stream of frames (see fuzz/common/host_fixture.h for the
// state it starts in: listener, UDP socket, an ESTABLISHED connection with
// unacknowledged data, a SYN-SENT connection, a pending ARP resolution).
//
// Input: records [u16 time][u16 length][length bytes of frame], big endian.
//   time   bit 15 clear: advance the clock by the value in microseconds;
//          bit 15 set:   by (value & 0x7fff) milliseconds (up to ~33 s).
//          bits 0-1 also pick an application action after the frame:
//          0 none, 1 send 100 bytes on every TCP connection, 2 answer the
//          last UDP sender, 3 shutdown(SHUT_WR) the newest accepted socket.
//   length bit 15 set: feed the frame raw; clear: normalise it first
//          (normalize_frame in fuzz/common/frames.h: IPv4 total length, UDP
//          length and every checksum recomputed), so that mutations reach
//          TCP/UDP/ICMP state instead of dying on a checksum. Bits 0-14 are
//          the frame length (cut to the bytes left).
//   length exactly 0x8000 (raw, no frame): a timer record. No frame; the
//          clock runs deadline by deadline (poll_at()) through the next
//          `time` seconds when bit 15 of time is set ((time & 0x7fff) s, up
//          to ~9 h), else `time` milliseconds, at most kMaxDeadlines
//          deadlines per record and kMaxTotalDeadlines per input:
//          retransmissions, SYN and SYN-ACK retries, ARP failure,
//          TIME-WAIT and FIN-WAIT-2 expiry, persist probes, reassembly
//          timeouts. Then the application action of bits 0-1 runs.
// There is no timer phase at the end of the input: the input asks for time
// to pass where it wants it (the committed seeds end with "\x82\x58\x80\x00",
// 600 s, where that reaches something), so the fuzzer pays for the
// deadline walk only on inputs that ask for it. (Until 2026-11 every input
// ended with 10 minutes of deadlines; that was over half of the run time.)
// After each frame record the host is polled and the application accepts new
// connections (closing the oldest beyond 12 descriptors) and reads every
// socket.
//
// Speed (libFuzzer's per-input bookkeeping grows with the edges an input
// hits): the fixture is set up once per process and every input starts from
// a copy of it (the set-up's instrumented stack calls cost 4x the copy); its
// set-up and tear-down edges are not the input's coverage (forget_coverage,
// save/restore_coverage in fuzz/common/coverage.h); the driver, the frame
// normaliser, the capture device and the checkers carry no coverage
// instrumentation (FUZZ_NO_COVERAGE): only the stack's edges guide.
//
// Invariants checked after every record (abort = finding):
//   - every StackStats and TcpStats counter never decreases;
//   - tcp_connection_count() <= 3 + frames fed; listener queues <= backlog;
//   - ARP cache entries and waiting packets within their configured bounds;
//   - reassembly memory <= high mark + one fragment;
//   - after poll(now) (and up to 3 more), poll_at() is not <= now (also
//     after every deadline of a timer record);
//   - every frame the host transmits is well formed: Ethernet from our MAC,
//     at most MTU + 14 bytes; IPv4 header checksum verifies; unfragmented
//     TCP/UDP/ICMP checksums verify; ARP parses.
// Within a timer record only the poll_at() progress is checked at each
// deadline; the frames sent meanwhile stay captured, and the full check
// (frames, counters, bounds) runs once at the record's end. Timers only
// send, expire and free, so nothing the full check bounds can grow
// unnoticed in between, and a counter that decreased stays below its
// previous value unless it also increases again within the same record.
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz/common/check.h"
#include "fuzz/common/coverage.h"
#include "fuzz/common/frames.h"
#include "fuzz/common/host_fixture.h"
#include "stack/wire/arp.h"

using namespace synack;
using namespace synack::fuzz;

namespace {

constexpr std::size_t kMaxSteps = 256;
constexpr std::size_t kMaxFds = 12;
constexpr std::uint16_t kTimerRecord = 0x8000;
constexpr int kMaxDeadlines = 200;
constexpr int kMaxTotalDeadlines = 400;

// Every StackStats and TcpStats counter, into `v` (reused between steps).
FUZZ_NO_COVERAGE void counters(const iface::Stack& st, std::vector<std::uint64_t>& v) {
  v.clear();
  st.stats().for_each([&](const char*, const char*, std::uint64_t n) { v.push_back(n); });
  static_assert(sizeof(tcp::TcpStats) % sizeof(std::uint64_t) == 0);
  std::array<std::uint64_t, sizeof(tcp::TcpStats) / sizeof(std::uint64_t)> t{};
  std::memcpy(t.data(), &st.tcp_stats(), sizeof(tcp::TcpStats));
  v.insert(v.end(), t.begin(), t.end());
}

FUZZ_NO_COVERAGE void check_transmitted(ConstBytes frame, std::uint16_t mtu) {
  auto eth = wire::EthernetFrame::checked(frame);
  FUZZ_CHECK(eth.ok(), "host sent a frame of %zu bytes that does not parse as Ethernet", frame.size());
  FUZZ_CHECK(eth->src() == host_fixture::kOurMac, "host sent a frame from another MAC");
  FUZZ_CHECK(frame.size() <= std::size_t{mtu} + 14, "host sent %zu bytes, MTU %u", frame.size(), mtu);
  if (eth->ethertype() == wire::kEtherTypeArp) {
    auto a = wire::ArpPacket::checked(eth->payload());
    FUZZ_CHECK(a.ok() && wire::ArpRepr::parse(*a).ok(), "host sent a malformed ARP packet");
    return;
  }
  FUZZ_CHECK(eth->ethertype() == wire::kEtherTypeIpv4, "host sent ethertype 0x%04x", eth->ethertype());
  auto ip = wire::Ipv4Packet::checked(eth->payload());
  FUZZ_CHECK(ip.ok(), "host sent an IPv4 packet that does not check");
  FUZZ_CHECK(wire::Ipv4Repr::parse(*ip, true).ok(), "host sent an IPv4 header that does not parse/verify");
  if (ip->more_frags() || ip->frag_offset() != 0) return;
  ConstBytes l4 = ip->payload();
  switch (ip->protocol()) {
    case wire::kIpProtoTcp: {
      auto t = wire::TcpPacket::checked(l4);
      FUZZ_CHECK(t.ok() && wire::TcpRepr::parse(*t, ip->src(), ip->dst(), true).ok(),
                 "host sent a TCP segment that does not parse/verify");
      break;
    }
    case wire::kIpProtoUdp: {
      auto u = wire::UdpPacket::checked(l4);
      FUZZ_CHECK(u.ok() && u->verify_checksum(ip->src(), ip->dst()), "host sent a bad UDP datagram");
      break;
    }
    case wire::kIpProtoIcmp: {
      auto m = wire::Icmpv4Packet::checked(l4);
      FUZZ_CHECK(m.ok() && wire::Icmpv4Repr::parse(*m, true).ok(), "host sent a bad ICMP message");
      break;
    }
    default: FUZZ_CHECK(false, "host sent IP protocol %u", ip->protocol());
  }
}

// The fixture, set up once per process. Never changed afterwards: every
// input starts from an identical copy, so an input behaves the same whether
// it runs first or after others. (Copying is ~5x cheaper than setting up:
// the set-up's stack calls are instrumented, every comparison traced.)
FUZZ_NO_COVERAGE const HostFixture& snapshot() {
  static const HostFixture* const fx = [] {
    auto* f = new HostFixture;  // NOLINT: lives for the process
    f->setup();
    f->device().clear();
    return f;
  }();
  return *fx;
}

class Driver {
 public:
  // Starts from a copy of the process's set-up fixture (see snapshot()).
  FUZZ_NO_COVERAGE Driver() : fx_(snapshot()) {
    if (fx_.conn_fd() >= 0) accepted_.push_back(fx_.conn_fd());
    if (fx_.active_fd() >= 0) accepted_.push_back(fx_.active_fd());
    counters(fx_.host().stack(), last_);
    forget_coverage();  // the set-up is the same for every input
  }

  FUZZ_NO_COVERAGE void step(std::uint16_t time, ConstBytes frame_in, bool raw) {
    ++frames_;
    fx_.advance((time & 0x8000) ? Duration::from_millis(time & 0x7fff) : Duration::from_micros(time));
    frame_.assign(frame_in.begin(), frame_in.end());
    if (!raw) normalize_frame(frame_);
    fx_.feed(frame_);
    app(time & 3);
    settle();
    check(frame_.size());
  }

  // A timer record (see the file comment): the clock runs from deadline to
  // deadline through `time`'s horizon, then the application acts once.
  FUZZ_NO_COVERAGE void run_timers(std::uint16_t time) {
    Duration span = (time & 0x8000) ? Duration::from_secs(time & 0x7fff) : Duration::from_millis(time);
    Instant end = fx_.now() + span;
    auto& h = fx_.host();
    for (int n = 0; n < kMaxDeadlines && deadlines_ < kMaxTotalDeadlines; ++n, ++deadlines_) {
      auto at = h.poll_at();
      if (!at || *at > end) break;
      if (*at > fx_.now()) fx_.advance(*at - fx_.now());
      settle();
    }
    if (end > fx_.now()) fx_.advance(end - fx_.now());
    h.poll(fx_.now());
    app(time & 3);
    settle();
    check(0);
  }

 private:
  FUZZ_NO_COVERAGE void app(int action) {
    auto& h = fx_.host();
    while (auto c = h.accept(fx_.listener_fd())) {
      accepted_.push_back(*c);
      if (accepted_.size() > kMaxFds) {
        (void)h.close(accepted_.front());
        accepted_.erase(accepted_.begin());
      }
    }
    auto& buf = buf_;
    std::memset(buf.data(), 0, 16);  // what action 2 sends when nothing was read
    for (int fd : accepted_) {
      for (int i = 0; i < 8; ++i)
        if (auto r = h.recv(fd, buf); !r || *r == 0) break;
      (void)h.poll(fd);
      (void)h.getsockopt(fd, socket::SockOpt::Error);
    }
    for (int i = 0; i < 8; ++i) {
      auto r = h.recvfrom(fx_.udp_fd(), buf);
      if (!r) break;
      last_udp_peer_ = r->second;
    }
    switch (action) {
      case 1: {
        Bytes data(100, 'd');
        for (int fd : accepted_) (void)h.send(fd, data);
        break;
      }
      case 2:
        if (last_udp_peer_) (void)h.sendto(fx_.udp_fd(), ConstBytes(buf.data(), 16), *last_udp_peer_);
        break;
      case 3:
        if (!accepted_.empty()) (void)h.shutdown(accepted_.back(), socket::Shut::Wr);
        break;
      default: break;
    }
  }

  // Polls again while the host says something is due now.
  FUZZ_NO_COVERAGE void settle() {
    auto& h = fx_.host();
    h.poll(fx_.now());
    for (int i = 0; i < 3; ++i) {
      auto at = h.poll_at();
      if (!at || *at > fx_.now()) return;
      h.poll(fx_.now());
    }
    auto at = h.poll_at();
    FUZZ_CHECK(!at || *at > fx_.now(), "poll_at() = %lld ns stays <= now = %lld ns after 4 polls",
               static_cast<long long>(at->nanos()), static_cast<long long>(fx_.now().nanos()));
  }

  FUZZ_NO_COVERAGE void check(std::size_t frame_len) {
    auto& st = fx_.host().stack();
    for (const auto& f : fx_.device().frames()) check_transmitted(f, st.interfaces()[0].mtu);
    fx_.device().clear();
    counters(st, now_);
    FUZZ_CHECK(now_.size() == last_.size(), "counter set changed size");
    for (std::size_t i = 0; i < now_.size(); ++i)
      FUZZ_CHECK(now_[i] >= last_[i], "counter #%zu decreased: %llu -> %llu", i,
                 static_cast<unsigned long long>(last_[i]), static_cast<unsigned long long>(now_[i]));
    last_.swap(now_);
    FUZZ_CHECK(st.tcp_connection_count() <= 3 + frames_, "%zu TCP connections after %zu frames",
               st.tcp_connection_count(), frames_);
    st.for_each_listener([&](iface::Handle, const tcp::Listener& l, bool) {
      FUZZ_CHECK(l.syn_queue_len() <= host_fixture::kBacklog, "SYN queue %zu > backlog", l.syn_queue_len());
      FUZZ_CHECK(l.accept_queue_len() <= host_fixture::kBacklog, "accept queue %zu > backlog",
                 l.accept_queue_len());
    });
    const auto& cfg = st.config();
    FUZZ_CHECK(st.arp().size() <= cfg.arp.max_entries, "ARP cache %zu entries > %zu", st.arp().size(),
               cfg.arp.max_entries);
    FUZZ_CHECK(st.arp().pending_count() <= cfg.arp.max_pending, "ARP pending %zu > %zu", st.arp().pending_count(),
               cfg.arp.max_pending);
    std::size_t bound = cfg.reassembly.high_thresh + frame_len + 20 + 192;
    FUZZ_CHECK(st.reassembler().memory() <= bound, "reassembly memory %zu > %zu", st.reassembler().memory(), bound);
  }

  HostFixture fx_;
  std::vector<int> accepted_;
  std::vector<std::uint64_t> last_, now_;
  Bytes frame_;                         // the record's frame, normalised
  std::array<std::uint8_t, 2048> buf_;  // the application's receive buffer
  std::size_t frames_ = 0;
  int deadlines_ = 0;
  std::optional<socket::SockAddr> last_udp_peer_;
};

// Feeds the records of `in` to `d` (see the file comment for the format).
void run(Driver& d, ConstBytes in) {
  std::size_t pos = 0;
  for (std::size_t steps = 0; steps < kMaxSteps && pos + 4 <= in.size(); ++steps) {
    std::uint16_t time = load_be16(in, pos);
    std::uint16_t len_word = load_be16(in, pos + 2);
    pos += 4;
    if (len_word == kTimerRecord) {
      d.run_timers(time);
      continue;
    }
    std::size_t len = std::min<std::size_t>(len_word & 0x7fff, in.size() - pos);
    d.step(time, in.subspan(pos, len), (len_word & 0x8000) != 0);
    pos += len;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    Driver d;  // forgets the coverage of its set-up
    run(d, ConstBytes(data, size));
    save_coverage();
  }  // the tear-down runs here, inside this input's run, ...
  restore_coverage();  // ... but its edges are not this input's coverage
  return 0;
}

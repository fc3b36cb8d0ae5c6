// TCP configuration, counters and the Context through which a TCP socket
// reaches its environment (time, randomness, configuration, statistics, ISN
// and SYN-cookie secrets). Nothing else in tcp/ touches the outside world.
//
// Defaults follow Linux (net.ipv4.tcp_* sysctls) where the RFCs leave a choice.
#pragma once

#include <cstdint>

#include "stack/base/instant.h"
#include "stack/base/rng.h"
#include "stack/transport/tcp/congestion.h"
#include "stack/transport/tcp/rtt.h"

namespace synack::tcp {

class IsnGenerator;
class SynCookies;

struct TcpConfig {
  // Buffers (SO_RCVBUF / SO_SNDBUF defaults, in Linux's doubled units).
  // Storage is allocated when the connection needs it and released when it
  // closes. Of a receive buffer, half is window space (rcv_space()).
  std::uint32_t rcvbuf = 128 * 1024;
  std::uint32_t sndbuf = 64 * 1024;
  // The largest receive buffer a connection may grow to (Linux tcp_rmem[2]).
  // The window scale offered on the SYN is sized for it, as Linux's
  // tcp_select_initial_window does, so a 6 MiB maximum gives shift 7.
  std::uint32_t rmem_max = 6 * 1024 * 1024;
  // SO_RCVBUF/SO_SNDBUF requests are clamped to this before Linux's
  // doubling (net.core.rmem_max and wmem_max, 212,992 by default), so no
  // application can make a connection reserve unbounded memory.
  std::uint32_t sockopt_buf_max = 212992;
  // Data segments ACKed at once at the start of a connection (Linux's
  // quick-ACK mode, TCP_MAX_QUICKACKS) before delayed ACKs apply.
  std::uint8_t quickacks = 16;

  // RFC 7323 / RFC 2018 options offered in our SYN or SYN-ACK.
  bool window_scaling = true;
  bool sack = true;
  bool timestamps = true;

  // RFC 9293 §3.4.2: TIME-WAIT lasts 2 * MSL.
  Duration msl = Duration::from_secs(30);
  // Linux tcp_syn_retries / tcp_synack_retries.
  int syn_retries = 6;
  int synack_retries = 5;
  // Linux tcp_retries2: data retransmissions before giving up (RFC 1122 R2).
  int retries2 = 15;
  RtoConfig rto{};

  // RFC 1122 4.2.3.2 / RFC 9293 §3.8.6.3: delayed ACK (Linux ATO 40 ms, max 200 ms).
  Duration delayed_ack = Duration::from_millis(40);
  Duration delayed_ack_max = Duration::from_millis(200);
  // Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 socket lives this long.
  Duration fin_timeout = Duration::from_secs(60);

  // RFC 1122 4.2.3.6 keepalive (Linux tcp_keepalive_*), off unless enabled per socket.
  Duration keepalive_idle = Duration::from_secs(7200);
  Duration keepalive_interval = Duration::from_secs(75);
  int keepalive_count = 9;

  // RFC 5961 §7: challenge ACKs sent per second, at most (Linux tcp_challenge_ack_limit).
  std::uint32_t challenge_ack_limit = 1000;
  // RFC 5961 §7 / Linux tcp_invalid_ratelimit: per connection, at most one ACK
  // per interval answers challenges and out-of-window bare segments or SYNs.
  Duration invalid_ratelimit = Duration::from_millis(500);
  // RFC 1337: ignore RSTs in TIME-WAIT (Linux tcp_rfc1337=1 behaviour).
  bool rfc1337 = true;

  CcAlgorithm congestion = CcAlgorithm::Cubic;

  // Listener limits: accept queue bound (somaxconn caps listen()'s backlog),
  // SYN queue bound (tcp_max_syn_backlog), SYN cookies when the SYN queue is full.
  std::uint32_t somaxconn = 4096;
  std::uint32_t max_syn_backlog = 256;
  bool syncookies = true;

  // Persist timer bounds (RFC 9293 §3.8.6.1); probes back off like the RTO.
  Duration persist_min = Duration::from_millis(200);
  Duration persist_max = Duration::from_secs(120);
};

// MIB-style counters (names after Linux /proc/net/snmp and netstat -s).
struct TcpStats {
  std::uint64_t active_opens = 0;
  std::uint64_t passive_opens = 0;
  std::uint64_t attempt_fails = 0;
  std::uint64_t estab_resets = 0;
  std::uint64_t in_segs = 0;
  std::uint64_t out_segs = 0;
  std::uint64_t retrans_segs = 0;
  std::uint64_t retrans_bytes = 0;      // sequence space resent (data, SYN, FIN)
  std::uint64_t out_rsts = 0;
  std::uint64_t in_errs = 0;
  std::uint64_t dropped = 0;            // segments dropped by the acceptability tests
  std::uint64_t paws_rejected = 0;      // RFC 7323 §5
  std::uint64_t challenge_acks = 0;     // RFC 5961
  std::uint64_t challenge_acks_limited = 0;
  std::uint64_t ofo_queued = 0;         // out-of-order segments kept in the assembler
  std::uint64_t ofo_dropped = 0;
  std::uint64_t delayed_acks = 0;
  std::uint64_t timeouts = 0;           // RTO expirations
  std::uint64_t fast_retransmits = 0;
  std::uint64_t sack_recoveries = 0;
  std::uint64_t reno_recoveries = 0;
  std::uint64_t dsacks_sent = 0;
  std::uint64_t keepalive_probes = 0;
  std::uint64_t window_probes = 0;
  std::uint64_t syncookies_sent = 0;
  std::uint64_t syncookies_recv = 0;
  std::uint64_t syncookies_failed = 0;
  std::uint64_t listen_overflows = 0;
  std::uint64_t listen_drops = 0;
  std::uint64_t time_wait_recycled = 0;
};

// Everything a TCP socket may use from its environment, passed to every call.
struct Context {
  Instant now;
  Rng& rng;
  const TcpConfig& config;
  TcpStats& stats;
  const IsnGenerator& isn;
  const SynCookies& cookies;
};

// The bytes of a receive buffer of `rcvbuf` (SO_RCVBUF doubled, as Linux
// counts it) that may be offered as window: half, as Linux with its default
// tcp_adv_win_scale of 1 (and the initial 50 % scaling_ratio of 6.7+)
// reserves the other half for per-segment overhead. So SO_RCVBUF 2048 gives
// 2048 bytes of window space and the default 128 KiB buffer 64 KiB.
constexpr std::uint32_t rcv_space(std::uint32_t rcvbuf) noexcept { return rcvbuf / 2 > 256 ? rcvbuf / 2 : 256; }

// The window in a SYN or SYN-ACK for `space` bytes of window space: at most
// 65535 (never scaled), rounded down to whole segments of `mss` when more
// than one fits (Linux tcp_select_initial_window), e.g. 64240 for 1460.
constexpr std::uint16_t initial_window(std::size_t space, std::uint16_t mss) noexcept {
  std::size_t w = space < 0xffff ? space : 0xffff;
  if (mss > 0 && w > mss) w -= w % mss;
  return static_cast<std::uint16_t>(w);
}

}  // namespace synack::tcp

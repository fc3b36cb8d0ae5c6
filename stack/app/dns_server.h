// A small authoritative DNS responder for the simulation (RFC 1035 §4, §6.2
// in spirit): one UDP socket bound to a port (53 by default) on all
// addresses, a table of A and CNAME records, and one answer per query.
//
// - Authoritative (AA) for every name: a name it does not hold is NXDOMAIN,
//   a name it holds without the asked type is NOERROR with no answer (NODATA).
// - CNAME chains are followed inside the table (at most kMaxChain links) and
//   every link is put in the answer, the A records of the last name after
//   them (RFC 1034 §4.3.2 step 3a). A chain that loops or leaves the table
//   ends the answer where it stops; a dangling target answers NXDOMAIN
//   (RFC 6604: the RCODE speaks of the last name).
// - Names compare case-insensitively (RFC 4343); the question is echoed with
//   the querier's case.
// - Malformed queries with a readable header get FORMERR; responses (QR=1)
//   and datagrams shorter than a header are dropped silently, so two servers
//   can never be made to talk to each other in a loop. Opcodes other than
//   QUERY get NOTIMP, classes other than IN (or ANY) REFUSED.
// - Answers over 512 bytes (RFC 1035 §4.2.1) are sent with TC set and empty
//   answer sections.
//
// - The socket has SO_REUSEADDR, so other sockets may share the port; the
//   server's, bound first, receives the unicast queries.
//
// Driving: the server has no timers, so poll_at() is always nullopt. It is
// readiness-driven: call poll(now) whenever the host may have received a
// datagram (after each world step); poll drains every queued query.
// respond() is the pure query -> answer function behind poll, usable alone.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "stack/app/dns_message.h"
#include "stack/base/instant.h"
#include "stack/socket/host.h"

namespace synack::app {

struct DnsServerStats {
  std::uint64_t queries = 0;           // datagrams read from the socket
  std::uint64_t answered = 0;          // NOERROR answers (with or without records)
  std::uint64_t nxdomain = 0;
  std::uint64_t formerr = 0;
  std::uint64_t notimp = 0;
  std::uint64_t refused = 0;
  std::uint64_t truncated = 0;         // answered with TC
  std::uint64_t ignored_responses = 0; // QR=1 datagrams
  std::uint64_t dropped_short = 0;     // shorter than a header
  std::uint64_t send_errors = 0;
  bool operator==(const DnsServerStats&) const = default;
};

class DnsServer {
 public:
  static constexpr int kMaxChain = 8;
  static constexpr std::uint32_t kDefaultTtl = 300;

  // Opens and binds the socket; bind_error() tells whether that failed.
  DnsServer(socket::Host& host, socket::Pid pid, std::uint16_t port = 53);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Zone data. Names in dotted text; false when a name is not valid.
  bool add_a(std::string_view name, wire::Ipv4Address addr, std::uint32_t ttl = kDefaultTtl);
  // One CNAME per name (RFC 1034 §3.6.2); a second replaces the first.
  bool add_cname(std::string_view name, std::string_view target, std::uint32_t ttl = kDefaultTtl);

  // Answers every queued query.
  void poll(Instant now);
  std::optional<Instant> poll_at() const { return std::nullopt; }  // readiness-driven, see above

  // The answer to one query datagram; nullopt when it is to be dropped.
  // Counts in stats() like poll does.
  std::optional<Bytes> respond(ConstBytes query);

  int fd() const noexcept { return fd_; }
  std::optional<SockError> bind_error() const noexcept { return bind_error_; }
  const DnsServerStats& stats() const noexcept { return stats_; }

 private:
  struct Entry {
    std::vector<std::pair<wire::Ipv4Address, std::uint32_t>> a;  // address, TTL
    std::optional<std::pair<DnsName, std::uint32_t>> cname;       // target, TTL
  };
  Bytes answer(const DnsMessage& query);
  std::optional<Bytes> error_reply(const DnsHeader& h, std::uint8_t rcode);

  socket::Host& host_;
  int fd_ = -1;
  std::optional<SockError> bind_error_;
  std::map<DnsName, Entry> zone_;  // keyed by the lowered name
  DnsServerStats stats_;
  Bytes buf_;
};

}  // namespace synack::app

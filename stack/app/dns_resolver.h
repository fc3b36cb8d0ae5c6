// A stub resolver (RFC 1035 §7, RFC 1123 §6.1.3) for A records over one
// synack host's UDP sockets. Sans-I/O: time is an argument, nothing blocks.
//
// - Each query gets its own UDP socket bound to a random ephemeral port (the
//   stack's seeded Rng picks it) and connected to the server, and a random
//   16-bit ID from the same Rng (RFC 5452 §9: port and ID randomisation).
// - Retransmission: the same datagram (same ID and port, so a late answer to
//   an earlier try is still accepted) after each `timeout`, `attempts` sends
//   in all; then Timeout.
// - A reply is accepted only if it is a parseable response from the server's
//   address and port with our ID and our question (RFC 5452 §4); anything
//   else is dropped and counted, and the query keeps waiting.
// - CNAME chains inside the answer section are followed from the question
//   name (at most max_cname_depth links); the A records of the last name are
//   the result, with the chain and the canonical name.
// - NXDOMAIN, SERVFAIL, REFUSED and other RCODEs end the query with their
//   status; TC ends it with Truncated (no TCP fallback); ICMP port
//   unreachable on the connected socket (ECONNREFUSED, RFC 1122 §4.1.3.3)
//   ends it with ConnRefused.
// - The socket is closed as soon as the query ends; results stay until
//   forget().
//
// Driving: poll(now) reads replies (readiness) and fires retransmissions
// (timers). poll_at() gives only the next retransmission deadline; replies
// need poll() to be called after the host may have received datagrams, i.e.
// after every world step, as DnsServer does.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stack/app/dns_message.h"
#include "stack/base/instant.h"
#include "stack/socket/host.h"

namespace synack::app {

struct ResolverConfig {
  Duration timeout = Duration::from_secs(1);  // per attempt (glibc RES_TIMEOUT default is 5 s)
  int attempts = 3;                           // sends in all
  int max_cname_depth = 8;
};

enum class ResolveStatus : std::uint8_t {
  Ok,           // at least one address
  NoData,       // NOERROR without A records for the (canonical) name
  NxDomain,     // RCODE 3
  ServFail,     // RCODE 2
  Refused,      // RCODE 5
  FormErr,      // RCODE 1: the server did not understand our query
  OtherRcode,   // NOTIMP or anything else; see ResolveResult::rcode
  Truncated,    // TC set: the answer needs TCP, which we do not do
  CnameLoop,    // the chain is longer than max_cname_depth or loops
  Timeout,      // no acceptable reply after all attempts
  ConnRefused,  // ICMP port unreachable: nothing listens on the server port
  NetError,     // another socket error (see ResolveResult::sock_error)
  BadName,      // the name given to resolve() is not a valid domain name
};

std::string_view to_string(ResolveStatus s) noexcept;

struct ResolveResult {
  ResolveStatus status = ResolveStatus::Timeout;
  std::vector<wire::Ipv4Address> addresses;  // in answer order
  DnsName canonical_name;                    // the last name of the CNAME chain
  std::vector<DnsName> cname_chain;          // names that were aliases, in order
  std::uint32_t ttl = 0;                     // smallest TTL of the records used
  std::uint8_t rcode = 0;
  std::optional<SockError> sock_error;
  int attempts = 0;  // datagrams sent
  Instant finished;
};

struct ResolverStats {
  std::uint64_t queries = 0;
  std::uint64_t sent = 0;            // datagrams, retransmissions included
  std::uint64_t retransmits = 0;
  std::uint64_t replies = 0;         // accepted replies
  std::uint64_t malformed = 0;       // did not parse, or not a response
  std::uint64_t wrong_id = 0;
  std::uint64_t wrong_source = 0;
  std::uint64_t wrong_question = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t conn_refused = 0;
  bool operator==(const ResolverStats&) const = default;
};

struct QueryId {
  std::uint32_t value = 0;
  auto operator<=>(const QueryId&) const = default;
};

class StubResolver {
 public:
  StubResolver(socket::Host& host, socket::Pid pid, socket::SockAddr server, ResolverConfig cfg = {});
  ~StubResolver();
  StubResolver(const StubResolver&) = delete;
  StubResolver& operator=(const StubResolver&) = delete;

  // Starts resolving the A records of `name` (dotted text). The first
  // datagram is queued at once; a failure to even send ends the query
  // immediately (its result is then already available).
  QueryId resolve(std::string_view name, Instant now);
  void poll(Instant now);
  std::optional<Instant> poll_at() const;

  std::optional<ResolveResult> result(QueryId id) const;
  bool pending(QueryId id) const;
  void forget(QueryId id);
  // The local address of a pending query's socket (for netstat-like views
  // and tests that need to aim at it).
  std::optional<socket::SockAddr> local_address(QueryId id);

  const ResolverStats& stats() const noexcept { return stats_; }
  const socket::SockAddr& server() const noexcept { return server_; }

 private:
  struct Query {
    DnsName name;
    std::uint16_t dns_id = 0;
    int fd = -1;
    Bytes wire;
    Instant deadline;
    int sent = 0;
    std::optional<ResolveResult> result;
  };
  void start(Query& q, Instant now);
  void send(Query& q, Instant now);
  void read_replies(Query& q, Instant now);
  // True when the datagram ended the query.
  bool handle_reply(Query& q, ConstBytes bytes, const socket::SockAddr& from, Instant now);
  void finish(Query& q, ResolveResult r, Instant now);
  ResolveResult interpret(const Query& q, const DnsMessage& reply) const;

  socket::Host& host_;
  socket::Pid pid_;
  socket::SockAddr server_;
  ResolverConfig cfg_;
  std::map<QueryId, Query> queries_;
  std::uint32_t next_id_ = 1;
  ResolverStats stats_;
  Bytes buf_;
};

}  // namespace synack::app

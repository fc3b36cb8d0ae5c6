#include "stack/app/dns_resolver.h"

#include <algorithm>

namespace synack::app {

namespace {
constexpr std::size_t kRecvBuf = 65535;  // whole datagrams: a cut one would not parse
}  // namespace

std::string_view to_string(ResolveStatus s) noexcept {
  switch (s) {
    case ResolveStatus::Ok: return "ok";
    case ResolveStatus::NoData: return "no data";
    case ResolveStatus::NxDomain: return "NXDOMAIN";
    case ResolveStatus::ServFail: return "SERVFAIL";
    case ResolveStatus::Refused: return "REFUSED";
    case ResolveStatus::FormErr: return "FORMERR";
    case ResolveStatus::OtherRcode: return "other rcode";
    case ResolveStatus::Truncated: return "truncated";
    case ResolveStatus::CnameLoop: return "CNAME loop";
    case ResolveStatus::Timeout: return "timeout";
    case ResolveStatus::ConnRefused: return "connection refused";
    case ResolveStatus::NetError: return "network error";
    case ResolveStatus::BadName: return "bad name";
  }
  return "unknown";
}

StubResolver::StubResolver(socket::Host& host, socket::Pid pid, socket::SockAddr server, ResolverConfig cfg)
    : host_(host), pid_(pid), server_(server), cfg_(cfg), buf_(kRecvBuf) {
  cfg_.attempts = std::max(cfg_.attempts, 1);
}

StubResolver::~StubResolver() {
  for (auto& [id, q] : queries_)
    if (q.fd >= 0) (void)host_.close(q.fd);
}

QueryId StubResolver::resolve(std::string_view name, Instant now) {
  QueryId id{next_id_++};
  Query& q = queries_[id];
  ++stats_.queries;
  auto n = DnsName::from_text(name);
  if (!n) {
    ResolveResult r;
    r.status = ResolveStatus::BadName;
    finish(q, std::move(r), now);
    return id;
  }
  q.name = std::move(*n);
  start(q, now);
  return id;
}

void StubResolver::start(Query& q, Instant now) {
  auto fail = [&](SockError e) {
    ResolveResult r;
    r.status = e == SockError::ConnRefused ? ResolveStatus::ConnRefused : ResolveStatus::NetError;
    r.sock_error = e;
    finish(q, std::move(r), now);
  };
  auto fd = host_.socket(pid_, socket::SockType::Dgram);
  if (!fd) return fail(fd.error());
  q.fd = *fd;
  // Bind to port 0 first: the stack draws a random ephemeral port from its
  // seeded Rng. Connecting then filters datagrams from anyone but the server
  // and lets ICMP errors reach us (Linux reports them on connected sockets).
  if (auto r = host_.bind(q.fd, {wire::Ipv4Address::any(), 0}); !r) return fail(r.error());
  if (auto r = host_.connect(q.fd, server_); !r) return fail(r.error());
  q.dns_id = static_cast<std::uint16_t>(host_.stack().rng().next_u32());
  auto wire = make_query(q.dns_id, q.name).emit();
  if (!wire) return fail(SockError::MsgSize);  // cannot happen for one valid name
  q.wire = std::move(*wire);
  send(q, now);
}

void StubResolver::send(Query& q, Instant now) {
  ++q.sent;
  q.deadline = now + cfg_.timeout;
  auto r = host_.send(q.fd, q.wire);
  if (!r) {
    // A pending ICMP error surfaces on the next send, too.
    if (r.error() == SockError::ConnRefused) ++stats_.conn_refused;
    ResolveResult res;
    res.status = r.error() == SockError::ConnRefused ? ResolveStatus::ConnRefused : ResolveStatus::NetError;
    res.sock_error = r.error();
    return finish(q, std::move(res), now);
  }
  ++stats_.sent;
  if (q.sent > 1) ++stats_.retransmits;
}

void StubResolver::poll(Instant now) {
  for (auto& [id, q] : queries_) {
    if (q.result) continue;
    read_replies(q, now);
    if (q.result || now < q.deadline) continue;
    if (q.sent < cfg_.attempts) {
      send(q, now);
    } else {
      ++stats_.timeouts;
      ResolveResult r;
      r.status = ResolveStatus::Timeout;
      finish(q, std::move(r), now);
    }
  }
}

void StubResolver::read_replies(Query& q, Instant now) {
  while (!q.result) {
    auto r = host_.recvfrom(q.fd, buf_);
    if (!r) {
      if (r.error() == SockError::Again) return;
      ResolveResult res;
      res.sock_error = r.error();
      if (r.error() == SockError::ConnRefused) {
        ++stats_.conn_refused;
        res.status = ResolveStatus::ConnRefused;
      } else {
        res.status = ResolveStatus::NetError;
      }
      return finish(q, std::move(res), now);
    }
    auto [len, from] = *r;
    handle_reply(q, ConstBytes(buf_).first(len), from, now);
  }
}

bool StubResolver::handle_reply(Query& q, ConstBytes bytes, const socket::SockAddr& from, Instant now) {
  // The connected socket already filters by source; checked again because
  // the acceptance rule is this module's contract, not the socket's.
  if (from != server_) {
    ++stats_.wrong_source;
    return false;
  }
  auto msg = DnsMessage::parse(bytes);
  if (!msg || !msg->header.qr) {
    ++stats_.malformed;
    return false;
  }
  if (msg->header.id != q.dns_id) {
    ++stats_.wrong_id;
    return false;
  }
  // RFC 5452 §4.2: the question section must match ours. A FORMERR reply
  // may come without one (the server could not read it), so an empty
  // question section is allowed for error RCODEs only.
  bool empty_ok = msg->questions.empty() && msg->header.rcode != dns_rcode::kNoError;
  bool match = msg->questions.size() == 1 && same_name(msg->questions[0].name, q.name) &&
               msg->questions[0].qtype == dns_type::kA && msg->questions[0].qclass == kDnsClassIn;
  if (!match && !empty_ok) {
    ++stats_.wrong_question;
    return false;
  }
  ++stats_.replies;
  finish(q, interpret(q, *msg), now);
  return true;
}

ResolveResult StubResolver::interpret(const Query& q, const DnsMessage& reply) const {
  ResolveResult r;
  r.rcode = reply.header.rcode;
  switch (reply.header.rcode) {
    case dns_rcode::kNoError: r.status = ResolveStatus::NoData; break;
    case dns_rcode::kNxDomain: r.status = ResolveStatus::NxDomain; break;
    case dns_rcode::kServFail: r.status = ResolveStatus::ServFail; break;
    case dns_rcode::kRefused: r.status = ResolveStatus::Refused; break;
    case dns_rcode::kFormErr: r.status = ResolveStatus::FormErr; break;
    default: r.status = ResolveStatus::OtherRcode; break;
  }
  if (reply.header.tc) {
    r.status = ResolveStatus::Truncated;
    return r;
  }
  // Follow the chain from the question name (RFC 1034 §5.3.3 step 4: an
  // alias restarts the lookup at its target). Only NOERROR and NXDOMAIN
  // carry meaningful chains.
  DnsName name = q.name;
  std::optional<std::uint32_t> ttl;
  auto take_ttl = [&](std::uint32_t t) { ttl = ttl ? std::min(*ttl, t) : t; };
  for (int depth = 0;; ++depth) {
    auto alias = std::find_if(reply.answers.begin(), reply.answers.end(), [&](const DnsRecord& rec) {
      return rec.type == dns_type::kCname && rec.target() && same_name(rec.name, name);
    });
    if (alias == reply.answers.end()) break;
    if (depth >= cfg_.max_cname_depth) {
      r.status = ResolveStatus::CnameLoop;
      return r;
    }
    r.cname_chain.push_back(name);
    take_ttl(alias->ttl);
    name = *alias->target();
  }
  for (const auto& rec : reply.answers) {
    if (rec.address() && same_name(rec.name, name)) {
      r.addresses.push_back(*rec.address());
      take_ttl(rec.ttl);
    }
  }
  r.canonical_name = name;
  r.ttl = ttl.value_or(0);
  if (r.status == ResolveStatus::NoData && !r.addresses.empty()) r.status = ResolveStatus::Ok;
  return r;
}

void StubResolver::finish(Query& q, ResolveResult r, Instant now) {
  r.attempts = q.sent;
  r.finished = now;
  q.result = std::move(r);
  if (q.fd >= 0) {
    (void)host_.close(q.fd);
    q.fd = -1;
  }
  q.wire.clear();
}

std::optional<Instant> StubResolver::poll_at() const {
  std::optional<Instant> at;
  for (const auto& [id, q] : queries_)
    if (!q.result && (!at || q.deadline < *at)) at = q.deadline;
  return at;
}

std::optional<ResolveResult> StubResolver::result(QueryId id) const {
  auto it = queries_.find(id);
  if (it == queries_.end()) return std::nullopt;
  return it->second.result;
}

bool StubResolver::pending(QueryId id) const {
  auto it = queries_.find(id);
  return it != queries_.end() && !it->second.result;
}

void StubResolver::forget(QueryId id) {
  auto it = queries_.find(id);
  if (it == queries_.end()) return;
  if (it->second.fd >= 0) (void)host_.close(it->second.fd);
  queries_.erase(it);
}

std::optional<socket::SockAddr> StubResolver::local_address(QueryId id) {
  auto it = queries_.find(id);
  if (it == queries_.end() || it->second.fd < 0) return std::nullopt;
  auto a = host_.getsockname(it->second.fd);
  if (!a) return std::nullopt;
  return *a;
}

}  // namespace synack::app

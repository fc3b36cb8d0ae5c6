#include "stack/app/dns_server.h"

namespace synack::app {

namespace {
constexpr std::size_t kRecvBuf = 65535;  // a whole UDP datagram, so nothing is cut
constexpr std::uint8_t kOpcodeQuery = 0;
}  // namespace

DnsServer::DnsServer(socket::Host& host, socket::Pid pid, std::uint16_t port) : host_(host), buf_(kRecvBuf) {
  auto fd = host_.socket(pid, socket::SockType::Dgram);
  if (!fd) {
    bind_error_ = fd.error();
    return;
  }
  fd_ = *fd;
  // SO_REUSEADDR lets other sockets (a monitor, a test's forger) share the
  // port. The server's socket was bound first, so unicast queries still
  // reach it: the stack picks the earliest of equally specific sockets.
  (void)host_.setsockopt(fd_, socket::SockOpt::ReuseAddr, 1);
  if (auto r = host_.bind(fd_, {wire::Ipv4Address::any(), port}); !r) bind_error_ = r.error();
}

DnsServer::~DnsServer() {
  if (fd_ >= 0) (void)host_.close(fd_);
}

bool DnsServer::add_a(std::string_view name, wire::Ipv4Address addr, std::uint32_t ttl) {
  auto n = DnsName::from_text(name);
  if (!n) return false;
  zone_[n->lowered()].a.emplace_back(addr, ttl);
  return true;
}

bool DnsServer::add_cname(std::string_view name, std::string_view target, std::uint32_t ttl) {
  auto n = DnsName::from_text(name);
  auto t = DnsName::from_text(target);
  if (!n || !t) return false;
  zone_[n->lowered()].cname = std::pair{std::move(*t), ttl};
  return true;
}

void DnsServer::poll(Instant now) {
  (void)now;  // no timers: answers depend only on the query and the table
  if (fd_ < 0 || bind_error_) return;
  for (;;) {
    auto r = host_.recvfrom(fd_, buf_);
    if (!r) return;  // EAGAIN, or an error that only a connected socket could have
    auto [len, from] = *r;
    auto reply = respond(ConstBytes(buf_).first(len));
    if (!reply) continue;
    if (!host_.sendto(fd_, *reply, from)) ++stats_.send_errors;
  }
}

std::optional<Bytes> DnsServer::error_reply(const DnsHeader& h, std::uint8_t rcode) {
  // RFC 1035 §4.1.1: the ID, opcode and RD are copied into the response.
  DnsMessage m;
  m.header.id = h.id;
  m.header.qr = true;
  m.header.opcode = h.opcode;
  m.header.rd = h.rd;
  m.header.rcode = rcode;
  auto bytes = m.emit();
  if (!bytes) return std::nullopt;
  return std::move(*bytes);
}

std::optional<Bytes> DnsServer::respond(ConstBytes query) {
  ++stats_.queries;
  auto header = peek_header(query);
  if (!header) {
    ++stats_.dropped_short;
    return std::nullopt;
  }
  if (header->qr) {
    ++stats_.ignored_responses;
    return std::nullopt;
  }
  if (header->opcode != kOpcodeQuery) {
    ++stats_.notimp;
    return error_reply(*header, dns_rcode::kNotImp);
  }
  auto msg = DnsMessage::parse(query);
  // RFC 1035 §4.1.1 FORMERR; a query carries exactly one question (RFC 9619).
  if (!msg || msg->questions.size() != 1 || !msg->answers.empty() || !msg->authority.empty()) {
    ++stats_.formerr;
    return error_reply(*header, dns_rcode::kFormErr);
  }
  std::uint16_t qclass = msg->questions[0].qclass;
  if (qclass != kDnsClassIn && qclass != dns_type::kAny) {
    ++stats_.refused;
    auto m = make_response(*msg, dns_rcode::kRefused);
    auto bytes = m.emit();
    if (!bytes) return std::nullopt;
    return std::move(*bytes);
  }
  return answer(*msg);
}

Bytes DnsServer::answer(const DnsMessage& query) {
  const DnsQuestion& q = query.questions[0];
  DnsMessage m = make_response(query, dns_rcode::kNoError);
  m.header.aa = true;
  // Owner names of the chain: the first in the querier's case (it then
  // compresses against the question), the rest as stored.
  DnsName owner = q.name;
  bool found = false;
  for (int link = 0; link <= kMaxChain; ++link) {
    auto it = zone_.find(owner.lowered());
    if (it == zone_.end()) break;
    found = true;
    const Entry& e = it->second;
    if (e.cname && q.qtype != dns_type::kCname) {
      m.answers.push_back(DnsRecord::cname(owner, e.cname->first, e.cname->second));
      owner = e.cname->first;
      found = false;  // the target must exist too
      continue;
    }
    if (q.qtype == dns_type::kCname && e.cname) {
      m.answers.push_back(DnsRecord::cname(owner, e.cname->first, e.cname->second));
    } else if (q.qtype == dns_type::kA || q.qtype == dns_type::kAny) {
      for (const auto& [addr, ttl] : e.a) m.answers.push_back(DnsRecord::a(owner, addr, ttl));
    }
    break;
  }
  // A chain that stops at a link limit is answered as far as it went.
  if (!found && m.answers.empty()) {
    m.header.rcode = dns_rcode::kNxDomain;
    ++stats_.nxdomain;
  } else if (!found && zone_.find(owner.lowered()) == zone_.end()) {
    m.header.rcode = dns_rcode::kNxDomain;  // dangling CNAME target
    ++stats_.nxdomain;
  } else {
    ++stats_.answered;
  }
  auto bytes = m.emit();
  if (bytes && bytes->size() <= kMaxUdpMessage) return std::move(*bytes);
  // RFC 1035 §4.2.1: truncate and set TC; the querier may retry over TCP.
  ++stats_.truncated;
  m.header.tc = true;
  m.answers.clear();
  auto small = m.emit();
  return small ? std::move(*small) : Bytes{};
}

}  // namespace synack::app

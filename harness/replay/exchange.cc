// Exchange classification and comparison (see exchange.h).
#include "harness/replay/exchange.h"

#include <fmt/core.h>

#include <algorithm>
#include <iterator>

#include "stack/wire/ipv4.h"
#include "stack/wire/seq_number.h"
#include "stack/wire/tcp.h"

namespace synack::harness::replay {

namespace {

constexpr std::uint16_t kArpReply = 2;

std::string tcp_class(std::uint16_t flags, std::size_t payload) {
  bool ack = (flags & wire::kTcpAck) != 0;
  std::string c;
  if (flags & wire::kTcpRst) c = ack ? "RST-ACK" : "RST";
  else if (flags & wire::kTcpSyn) c = ack ? "SYN-ACK" : "SYN";
  else if (payload > 0) c = "data";
  else if (ack) c = "ACK";
  else c = "no-flags";
  if (flags & wire::kTcpFin) c += "+FIN";
  return c;
}

std::string option_name(std::uint8_t kind) {
  switch (kind) {
    case wire::kTcpOptMss: return "mss";
    case wire::kTcpOptWindowScale: return "ws";
    case wire::kTcpOptSackPermitted: return "sackOK";
    case wire::kTcpOptSack: return "sack";
    case wire::kTcpOptTimestamps: return "ts";
    default: return fmt::format("opt{}", kind);
  }
}

}  // namespace

std::string describe(const std::vector<Response>& rs, const FrameInfo* probe) {
  if (rs.empty()) return "nothing";
  std::string s;
  // Runs of equal answers print once with a count ("data 1448 ... x7").
  for (std::size_t i = 0; i < rs.size();) {
    std::size_t j = i;
    while (j < rs.size() && rs[j] == rs[i]) ++j;
    if (!s.empty()) s += ", ";
    s += describe(rs[i], probe);
    if (j - i > 1) s += fmt::format(" x{}", j - i);
    i = j;
  }
  return s;
}

Response classify(const FrameInfo& f) {
  Response r;
  if (f.arp) {
    r.cls = f.arp_op == kArpReply ? "ARP reply" : fmt::format("ARP op {}", f.arp_op);
    return r;
  }
  if (!f.ipv4) {
    r.cls = fmt::format("ethertype 0x{:04x}", f.ethertype);
    return r;
  }
  if (f.frag_offset != 0) {
    r.cls = "fragment";
    r.data = f.l4_len;
    return r;
  }
  if (f.tcp) {
    const TcpFields& t = *f.tcp;
    r.cls = tcp_class(t.flags, t.payload_len);
    if (t.flags & wire::kTcpAck) r.ack = t.ack;
    r.window_zero = t.window == 0;
    r.options = t.option_kinds;
    std::sort(r.options.begin(), r.options.end());
    r.options.erase(std::unique(r.options.begin(), r.options.end()), r.options.end());
    r.data = t.payload_len;
    return r;
  }
  if (f.icmp) {
    r.cls = fmt::format("ICMP {}/{}", f.icmp->type, f.icmp->code);
    r.data = f.icmp->payload_len;
    return r;
  }
  if (f.udp_payload_len) {
    r.cls = "UDP";
    r.data = *f.udp_payload_len;
    return r;
  }
  r.cls = fmt::format("IP proto {}", f.proto);
  r.data = f.l4_len;
  return r;
}

std::string describe(const Response& r, const FrameInfo* probe) {
  std::string s = r.cls;
  if (r.cls == "data" || r.cls == "data+FIN" || r.cls == "UDP") s += fmt::format(" {}", r.data);
  else if (r.cls.rfind("ICMP", 0) == 0 || r.cls == "fragment") s += fmt::format(" len {}", r.data);
  if (r.ack) {
    if (probe && probe->tcp) {
      auto rel = static_cast<std::int32_t>(*r.ack - probe->tcp->seq);
      s += rel >= 0 ? fmt::format(" ack=seq+{}", rel) : fmt::format(" ack=seq{}", rel);
    } else {
      s += fmt::format(" ack={}", *r.ack);
    }
  }
  if (r.window_zero) s += *r.window_zero ? " win=0" : " win>0";
  if (!r.options.empty()) {
    s += " <";
    for (std::size_t i = 0; i < r.options.size(); ++i) s += (i ? "," : "") + option_name(r.options[i]);
    s += ">";
  }
  return s;
}

bool compared(const FrameInfo& f, wire::Ipv4Address self) {
  if (f.arp) return f.arp_op == kArpReply && f.arp_sender_ip == self;
  return f.ipv4 && f.src == self;
}

namespace {

bool pure_ack(const Response& r) { return r.cls == "ACK"; }

std::vector<Response> without_pure_acks(const std::vector<Response>& rs) {
  std::vector<Response> out;
  std::copy_if(rs.begin(), rs.end(), std::back_inserter(out), [](const Response& r) { return !pure_ack(r); });
  return out;
}

// What a flight's pure ACKs told the peer by its end.
struct AckOutcome {
  bool any = false;
  std::optional<std::uint32_t> ack;
  bool window_zero = false;
  std::vector<std::uint8_t> options;  // sorted, unique
  bool operator==(const AckOutcome&) const = default;

  void add(const std::vector<Response>& rs) {
    for (const auto& r : rs) {
      if (!pure_ack(r)) continue;
      any = true;
      if (r.ack && (!ack || wire::SeqNumber(*r.ack).gt(wire::SeqNumber(*ack)))) ack = r.ack;
      window_zero = window_zero || r.window_zero.value_or(false);
      std::vector<std::uint8_t> u;
      std::set_union(options.begin(), options.end(), r.options.begin(), r.options.end(), std::back_inserter(u));
      options = std::move(u);
    }
  }
};

struct Flight {
  std::int64_t last_t_ns = 0;
  std::vector<std::size_t> members;
  AckOutcome expected, actual;
};

void close_flight(std::vector<Exchange>& xs, const Flight& f) {
  if (f.expected != f.actual) return;
  for (std::size_t i : f.members) xs[i].flight_acks_agree = true;
}

}  // namespace

void apply_ack_flights(std::vector<Exchange>& xs, wire::Ipv4Address self,
                       const std::map<FlowKey, std::int64_t>& round_trip_ns) {
  std::map<FlowKey, Flight> open;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    Exchange& e = xs[i];
    e.flight_acks_agree = false;
    if (!e.in_capture || !e.probe || !e.probe->tcp || e.probe->is_fragment()) continue;
    FlowKey k = flow_of(*e.probe, self);
    auto rtt = round_trip_ns.find(k);
    std::int64_t gap = rtt == round_trip_ns.end() ? 0 : rtt->second;
    auto it = open.find(k);
    if (it != open.end() && e.t_ns - it->second.last_t_ns > gap) {
      close_flight(xs, it->second);
      open.erase(it);
      it = open.end();
    }
    if (it == open.end()) it = open.emplace(k, Flight{}).first;
    Flight& f = it->second;
    f.last_t_ns = e.t_ns;
    f.members.push_back(i);
    f.expected.add(e.expected);
    f.actual.add(e.actual);
  }
  for (const auto& [k, f] : open) close_flight(xs, f);
}

std::string difference(const Exchange& e) {
  if (e.expected == e.actual) return "";
  if (e.flight_acks_agree && without_pure_acks(e.expected) == without_pure_acks(e.actual)) return "";
  const FrameInfo* p = e.probe ? &*e.probe : nullptr;
  if (e.expected.size() == e.actual.size()) {
    // Name the first differing frame when the shapes agree.
    for (std::size_t i = 0; i < e.expected.size(); ++i) {
      if (e.expected[i] == e.actual[i]) continue;
      std::string where = e.expected.size() > 1 ? fmt::format("frame {} of {}: ", i + 1, e.expected.size()) : "";
      return fmt::format("{}expected {}; got {}", where, describe(e.expected[i], p), describe(e.actual[i], p));
    }
  }
  return fmt::format("expected {}; got {}", describe(e.expected, p), describe(e.actual, p));
}

void Attributor::probe(const ExchangeId& id, const FrameInfo& f) {
  FlowKey k = frags_.flow(f, self_);
  if (k.kind != FlowKey::Kind::None) last_on_flow_[k] = id;
  last_ = id;
  if (k.kind == FlowKey::Kind::Tcp && f.tcp && !f.is_fragment()) delivered(k, id, *f.tcp);
}

void Attributor::delivered(const FlowKey& k, const ExchangeId& id, const TcpFields& t) {
  using wire::SeqNumber;
  if (t.flags & wire::kTcpRst) return;
  bool syn = (t.flags & wire::kTcpSyn) != 0;
  auto len = static_cast<std::uint32_t>(t.payload_len + (syn ? 1 : 0) + ((t.flags & wire::kTcpFin) ? 1 : 0));
  StreamEdge& s = edges_[k];
  if (syn) s = StreamEdge{};  // a new connection on this flow
  if (len == 0) return;
  if (!s.edge) s.edge = t.seq;
  SeqNumber begin(t.seq), end = SeqNumber(t.seq) + len, edge(*s.edge);
  s.by_end[end.raw()] = id;
  if (s.by_end.size() > 4096) s.by_end.erase(s.by_end.begin());
  if (begin.gt(edge)) {
    if (s.ooo.size() < 1024) s.ooo.emplace_back(begin.raw(), end.raw());
    return;
  }
  if (!end.gt(edge)) return;  // nothing new
  edge = end;
  // Join the out-of-order ranges the new edge reaches.
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [b, e] : s.ooo)
      if (!SeqNumber(b).gt(edge) && SeqNumber(e).gt(edge)) {
        edge = SeqNumber(e);
        grew = true;
      }
  }
  std::erase_if(s.ooo, [&](const auto& r) { return !SeqNumber(r.second).gt(edge); });
  s.edge = edge.raw();
  s.reached.emplace_back(edge.raw(), id);
  if (s.reached.size() > 4096) s.reached.pop_front();
}

std::optional<ExchangeId> Attributor::by_ack(const FlowKey& k, const TcpFields& t) {
  using wire::SeqNumber;
  auto it = edges_.find(k);
  if (it == edges_.end() || !(t.flags & wire::kTcpAck)) return std::nullopt;
  StreamEdge& s = it->second;
  bool advances = !s.acked || SeqNumber(t.ack).gt(SeqNumber(*s.acked));
  if (advances) s.acked = t.ack;
  bool pure = t.payload_len == 0 && !(t.flags & (wire::kTcpSyn | wire::kTcpFin | wire::kTcpRst));
  if (!pure) return std::nullopt;
  if (!advances) {
    // A duplicate ACK reporting a SACK block: its first block holds the
    // segment that arrived last (RFC 2018 §4), i.e. the probe it answers.
    if (t.sack.empty()) return std::nullopt;
    auto p = s.by_end.find(t.sack.front().second);
    if (p == s.by_end.end()) return std::nullopt;
    return p->second;
  }
  // Entries below the acknowledgment are no longer needed: ACKs only advance.
  while (!s.reached.empty() && SeqNumber(t.ack).gt(SeqNumber(s.reached.front().first))) s.reached.pop_front();
  if (s.reached.empty()) return std::nullopt;
  return s.reached.front().second;
}

ExchangeId Attributor::attribute(const FrameInfo& f) {
  FlowKey k = frags_.flow(f, self_);
  if (k.kind == FlowKey::Kind::Tcp && f.tcp && !f.is_fragment())
    if (auto id = by_ack(k, *f.tcp)) return *id;
  if (k.kind != FlowKey::Kind::None) {
    if (auto it = last_on_flow_.find(k); it != last_on_flow_.end()) return it->second;
    // Traffic nobody probed for on a flow of its own: the host's application
    // started it (a connect, a datagram, a ping).
    if (k.kind != FlowKey::Kind::Arp) {
      ExchangeId id{0, k};
      last_on_flow_[k] = id;
      return id;
    }
  }
  if (last_) return *last_;
  return ExchangeId{0, FlowKey{}};
}

}  // namespace synack::harness::replay

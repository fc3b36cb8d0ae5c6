// Building a replay plan from a capture (see plan.h).
#include "harness/replay/plan.h"

#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "harness/replay/translate.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/seq_number.h"
#include "stack/wire/tcp.h"

namespace synack::harness::replay {

namespace {

constexpr std::uint16_t kArpRequest = 1;

struct Captured {
  PcapFrame frame;
  FrameInfo info;
};

// The captured host's side of one TCP connection while walking the capture.
struct CapConn {
  std::uint32_t isn = 0;
  std::optional<std::uint32_t> ts0;
  std::size_t app = 0;        // index into Plan::conns
  std::uint64_t written = 0;  // stream bytes already scheduled
  bool fin = false;
};

Result<std::vector<Captured>, std::string> read_all(PcapReader& reader) {
  std::vector<Captured> out;
  for (;;) {
    auto n = reader.next();
    if (!n) return Err{n.error().message};
    if (!*n) break;
    auto info = parse_frame((*n)->data);
    if (!info) continue;
    out.push_back(Captured{std::move(**n), std::move(*info)});
  }
  return out;
}

bool from_self(const FrameInfo& f, wire::Ipv4Address self) {
  if (f.arp) return f.arp_sender_ip == self;
  return f.ipv4 && f.src == self;
}

// A frame the other side sent to `self` that the replay injects.
bool is_probe(const FrameInfo& f, wire::Ipv4Address self) {
  if (f.arp) return f.arp_op == kArpRequest && f.arp_target_ip == self && f.arp_sender_ip != self;
  return f.ipv4 && f.dst == self && f.src != self;
}

std::optional<wire::MacAddress> find_self_mac(const std::vector<Captured>& frames, wire::Ipv4Address self) {
  for (const auto& c : frames)
    if (from_self(c.info, self)) return c.info.arp ? c.info.arp_sender_mac : c.info.eth_src;
  for (const auto& c : frames)
    if (is_probe(c.info, self) && c.info.ipv4 && c.info.eth_dst.is_unicast()) return c.info.eth_dst;
  return std::nullopt;
}

// Peer data segments that never reached `self`: the capture was taken on
// the peer's side of a loss (corpus/record.sh drops segments on the
// receiver's input), so it holds segments the captured host never saw.
// A segment S counts as lost when both
//  - the first acknowledgment `self` sent after S that says anything about
//    S says it is missing: the cumulative ACK is at or below S's start, no
//    SACK block covers S, and a SACK block starts at or beyond S's end
//    (data sent after S had arrived); an ACK covering S says it arrived;
//  - the peer sent S's first byte again later (it saw the loss too).
// The second condition guards against reordering between the capture
// point and the host: a segment overtaken by a later one looks missing for
// a moment (seen at the end of an earlier, unpaced recording of
// bulk_loss.pcap, where the last segment was SACKed before the 18 in front
// of it were acknowledged), but nobody retransmits it.
std::set<std::uint64_t> lost_before_self(const std::vector<Captured>& frames, wire::Ipv4Address self) {
  using wire::SeqNumber;
  struct Seg {
    std::uint64_t frame_no;
    FlowKey flow;
    std::uint32_t begin, end;
  };
  std::map<FlowKey, std::vector<Seg>> open;
  std::vector<Seg> data, missing;
  for (const auto& c : frames) {
    const FrameInfo& f = c.info;
    if (!f.tcp || !f.ipv4 || f.is_fragment()) continue;
    const TcpFields& t = *f.tcp;
    FlowKey k = flow_of(f, self);
    if (is_probe(f, self)) {
      if (t.payload_len == 0 || (t.flags & (wire::kTcpSyn | wire::kTcpRst))) continue;
      Seg s{c.frame.index, k, t.seq, t.seq + static_cast<std::uint32_t>(t.payload_len)};
      open[k].push_back(s);
      data.push_back(s);
      continue;
    }
    auto it = open.find(k);
    if (!from_self(f, self) || it == open.end() || !(t.flags & wire::kTcpAck)) continue;
    std::erase_if(it->second, [&](const Seg& p) {
      if (SeqNumber(t.ack).gt(SeqNumber(p.begin))) return true;  // arrived
      bool beyond = false;
      for (const auto& [l, r] : t.sack) {
        if (SeqNumber(l).le(SeqNumber(p.begin)) && SeqNumber(r).ge(SeqNumber(p.end))) return true;  // arrived
        beyond = beyond || SeqNumber(l).ge(SeqNumber(p.end));
      }
      if (beyond) missing.push_back(p);
      return beyond;
    });
  }
  std::set<std::uint64_t> lost;
  for (const Seg& m : missing)
    for (const Seg& d : data)
      if (d.frame_no > m.frame_no && d.flow == m.flow && SeqNumber(d.begin).le(SeqNumber(m.begin)) &&
          SeqNumber(d.end).gt(SeqNumber(m.begin))) {
        lost.insert(m.frame_no);
        break;
      }
  return lost;
}

// Reassembles the datagrams a host sent from their fragments (RFC 791
// §3.2: by source, destination, protocol and identification; the sender is
// fixed here). Bytes a snap length cut off are zeros.
class DatagramAssembler {
 public:
  struct Done {
    std::int64_t t_ns;
    Bytes l4;  // the transport header and payload
    std::size_t zero_filled;
  };

  std::optional<Done> add(const FrameInfo& f, const Bytes& frame, std::int64_t t) {
    std::size_t captured = frame.size() > f.l4_offset ? std::min(frame.size() - f.l4_offset, f.l4_len) : 0;
    if (!f.is_fragment()) {
      Bytes l4(frame.begin() + static_cast<std::ptrdiff_t>(f.l4_offset),
               frame.begin() + static_cast<std::ptrdiff_t>(f.l4_offset + captured));
      l4.resize(f.l4_len, 0);
      return Done{t, std::move(l4), f.l4_len - captured};
    }
    Key k{f.dst.value, f.proto, f.ip_id};
    Partial& p = partial_[k];
    if (p.l4.empty() && p.got == 0) p.t_ns = t;
    p.t_ns = std::min(p.t_ns, t);
    if (p.l4.size() < f.frag_offset + f.l4_len) p.l4.resize(f.frag_offset + f.l4_len, 0);
    std::copy_n(frame.begin() + static_cast<std::ptrdiff_t>(f.l4_offset), captured,
                p.l4.begin() + static_cast<std::ptrdiff_t>(f.frag_offset));
    p.got += f.l4_len;
    p.zero_filled += f.l4_len - captured;
    if (!f.more_frags) p.total = f.frag_offset + f.l4_len;
    if (!p.total || p.got < *p.total) {
      if (partial_.size() > 64) partial_.erase(partial_.begin());  // bounded: lost fragments
      return std::nullopt;
    }
    Done d{p.t_ns, std::move(p.l4), p.zero_filled};
    d.l4.resize(*p.total);
    partial_.erase(k);
    return d;
  }

 private:
  struct Key {
    std::uint32_t dst;
    std::uint8_t proto;
    std::uint16_t id;
    auto operator<=>(const Key&) const = default;
  };
  struct Partial {
    std::int64_t t_ns = 0;
    Bytes l4;
    std::size_t got = 0;
    std::size_t zero_filled = 0;
    std::optional<std::size_t> total;
  };
  std::map<Key, Partial> partial_;
};

class Builder {
 public:
  Builder(Plan& plan, wire::Ipv4Address self, std::set<std::uint64_t> lost)
      : plan_(plan), attr_(self), self_(self), lost_(std::move(lost)) {}

  void probe(const Captured& c, std::int64_t t) {
    const FrameInfo& f = c.info;
    plan_.peers.emplace(f.arp ? f.arp_sender_ip : f.src, f.arp ? f.arp_sender_mac : f.eth_src);
    Injection inj;
    inj.frame_no = c.frame.index;
    inj.t_ns = t;
    inj.frame = c.frame.data;
    inj.info = f;
    inj.flow = flow_of(f, self_);
    if (f.ipv4 && pad_to_wire(inj.frame, f.ip_offset + f.ip_total_len) > 0) {
      recompute_l4_checksum(inj.frame);
      ++plan_.padded_injections;
    }
    // A datagram to one of self's UDP ports (not an ICMP error quoting one)
    // on a flow self had not sent on: the peer asked, self may serve it.
    if (f.ipv4 && f.proto == wire::kIpProtoUdp && inj.flow.kind == FlowKey::Kind::Udp && !udp_sent_.count(inj.flow))
      udp_asked_.insert(inj.flow);
    // An ICMP error belongs to the connection it quotes: it needs the ISN too.
    if (auto it = conns_.find(inj.flow); (f.tcp || f.icmp) && it != conns_.end()) {
      inj.cap_isn = it->second.isn;
      inj.cap_ts0 = it->second.ts0;
    }
    ExchangeId id{c.frame.index, {}};
    inj.lost = lost_.count(c.frame.index) > 0;
    // A lost segment provoked nothing from the captured host; it is not
    // injected and stays an exchange that expects nothing.
    if (!inj.lost) attr_.probe(id, f);
    else ++plan_.lost_injections;
    Exchange e;
    e.id = id;
    e.t_ns = t;
    e.probe = f;
    e.probe_text = describe(f) + (inj.lost ? " (lost before the captured host: not injected)" : "");
    index_[id] = plan_.exchanges.size();
    plan_.exchanges.push_back(std::move(e));
    plan_.injections.push_back(std::move(inj));
  }

  void answer(const Captured& c, std::int64_t t) {
    const FrameInfo& f = c.info;
    if (f.ipv4 && f.eth_dst.is_unicast()) plan_.peers.emplace(f.dst, f.eth_dst);
    if (f.tcp) track_tcp(f, t, c.frame.data);
    if (f.ipv4 && (f.proto == wire::kIpProtoUdp || f.proto == wire::kIpProtoIcmp)) track_datagram(f, t, c.frame.data);
    if (!compared(f, self_)) return;
    ExchangeId id = attr_.attribute(f);
    auto it = index_.find(id);
    if (it == index_.end()) {
      Exchange e;
      e.id = id;
      e.t_ns = t;
      e.probe_text = "app " + id.app_flow.to_string();
      it = index_.emplace(id, plan_.exchanges.size()).first;
      plan_.exchanges.push_back(std::move(e));
    }
    plan_.exchanges[it->second].expected.push_back(classify(f));
  }

 private:
  void track_tcp(const FrameInfo& f, std::int64_t t, const Bytes& bytes) {
    const TcpFields& tcp = *f.tcp;
    FlowKey k = flow_of(f, self_);
    auto it = conns_.find(k);
    if (tcp.flags & wire::kTcpSyn) {
      if (it == conns_.end() || it->second.isn != tcp.seq) {
        AppConn a;
        a.flow = k;
        a.active = (tcp.flags & wire::kTcpAck) == 0;
        a.open_t_ns = t;
        plan_.conns.push_back(a);
        it = conns_.insert_or_assign(k, CapConn{tcp.seq, tcp.tsval, plan_.conns.size() - 1, 0, false}).first;
        if (!a.active && std::find(plan_.listen_ports.begin(), plan_.listen_ports.end(), tcp.sport) ==
                             plan_.listen_ports.end())
          plan_.listen_ports.push_back(tcp.sport);
      }
    }
    if (it == conns_.end()) return;
    CapConn& cc = it->second;
    AppConn& app = plan_.conns[cc.app];
    // Stream offset of the first payload byte (the SYN takes ISN itself).
    auto start = static_cast<std::int64_t>(wire::SeqNumber(tcp.seq) - wire::SeqNumber(cc.isn + 1));
    if (start < 0 && !(tcp.flags & wire::kTcpSyn)) return;  // older than the connection
    if (tcp.flags & wire::kTcpSyn) start = 0;
    auto end = static_cast<std::uint64_t>(start) + tcp.payload_len;
    // Only segments with data carry stream bytes (a pure ACK after the FIN
    // sits one past the stream's end).
    if (tcp.payload_len > 0 && end > cc.written) {
      StreamWrite w;
      w.t_ns = t;
      for (std::uint64_t off = cc.written; off < end; ++off) {
        // Bytes before this segment (a hole the capture missed) and bytes
        // past the snap length are unknown: zeros.
        std::int64_t i = static_cast<std::int64_t>(off) - start;
        bool known = i >= 0 && static_cast<std::size_t>(i) < tcp.payload_captured;
        w.data.push_back(known ? bytes[tcp.payload_offset + static_cast<std::size_t>(i)] : 0);
        if (!known) ++app.zero_filled;
      }
      cc.written = end;
      app.writes.push_back(std::move(w));
    }
    if ((tcp.flags & wire::kTcpFin) && !cc.fin) {
      cc.fin = true;
      app.fin_t_ns = t;
    }
  }

  // UDP datagrams and echo requests (RFC 792: type 8, code 0) from self.
  void track_datagram(const FrameInfo& f, std::int64_t t, const Bytes& bytes) {
    auto d = datagrams_.add(f, bytes, t);
    if (!d || d->l4.size() < 8) return;
    AppDatagram a;
    a.t_ns = d->t_ns;
    std::size_t len = d->l4.size();
    if (f.proto == wire::kIpProtoUdp) {
      a.flow = FlowKey{FlowKey::Kind::Udp, self_, f.dst, load_be16(d->l4, 0), load_be16(d->l4, 2)};
      // The UDP length field (RFC 768) bounds the payload; the IP length the rest.
      len = std::clamp<std::size_t>(load_be16(d->l4, 4), 8, d->l4.size());
      // An answer on a flow the peer opened: self serves that port.
      if (udp_asked_.count(a.flow)) {
        a.reply = true;
        auto& ports = plan_.udp_ports;
        if (std::find(ports.begin(), ports.end(), a.flow.local_port) == ports.end()) ports.push_back(a.flow.local_port);
      } else {
        udp_sent_.insert(a.flow);
      }
    } else if (d->l4[0] == 8 && d->l4[1] == 0) {
      a.flow = FlowKey{FlowKey::Kind::Echo, self_, f.dst, load_be16(d->l4, 4), 0};
      a.echo_seq = load_be16(d->l4, 6);
    } else {
      return;
    }
    a.payload.assign(d->l4.begin() + 8, d->l4.begin() + static_cast<std::ptrdiff_t>(len));
    a.zero_filled = std::min(d->zero_filled, a.payload.size());
    plan_.datagrams.push_back(std::move(a));
  }

  Plan& plan_;
  DatagramAssembler datagrams_;
  Attributor attr_;
  wire::Ipv4Address self_;
  std::map<FlowKey, CapConn> conns_;
  std::set<FlowKey> udp_sent_;   // UDP flows self sent on first
  std::set<FlowKey> udp_asked_;  // UDP flows the peer sent on first
  std::map<ExchangeId, std::size_t> index_;
  std::set<std::uint64_t> lost_;
};

// The capture's round trip on a TCP connection: from the SYN to the ACK
// that completes the handshake (both hosts' turnaround and the path there
// and back, wherever the capture point was).
void handshake_round_trip(Plan& plan, std::map<FlowKey, std::int64_t>& syn_t, const FrameInfo& f, std::int64_t t) {
  if (!f.tcp || f.is_fragment()) return;
  FlowKey k = flow_of(f, plan.self);
  std::uint16_t flags = f.tcp->flags;
  if ((flags & wire::kTcpSyn) && !(flags & wire::kTcpAck)) {
    syn_t[k] = t;
    plan.round_trip_ns.erase(k);
  } else if (!(flags & (wire::kTcpSyn | wire::kTcpRst)) && (flags & wire::kTcpAck)) {
    if (auto it = syn_t.find(k); it != syn_t.end() && !plan.round_trip_ns.count(k)) plan.round_trip_ns[k] = t - it->second;
  }
}

}  // namespace

Result<Plan, std::string> build_plan(PcapReader& reader, wire::Ipv4Address self) {
  auto frames = read_all(reader);
  if (!frames) return Err{frames.error()};
  Plan plan;
  plan.self = self;
  plan.frames = reader.frames_read();
  auto mac = find_self_mac(*frames, self);
  if (!mac) return Err{fmt::format("{}: no traffic for {} in the capture", reader.name(), self.to_string())};
  plan.self_mac = *mac;
  Instant t0 = frames->empty() ? Instant::zero() : frames->front().frame.timestamp;
  Builder b(plan, self, lost_before_self(*frames, self));
  std::map<FlowKey, std::int64_t> syn_t;
  for (const auto& c : *frames) {
    bool probe = is_probe(c.info, self);
    bool answer = !probe && from_self(c.info, self);
    if (!probe && !answer) continue;
    std::int64_t t = (c.frame.timestamp - t0).nanos();
    ++plan.frames_used;
    plan.times_ns.push_back(t);
    plan.last_t_ns = std::max(plan.last_t_ns, t);
    if (probe) b.probe(c, t);
    else b.answer(c, t);
    handshake_round_trip(plan, syn_t, c.info, t);
  }
  std::sort(plan.times_ns.begin(), plan.times_ns.end());
  if (plan.injections.empty())
    return Err{fmt::format("{}: one-sided capture: nothing from the other side of {} to replay", reader.name(),
                           self.to_string())};
  plan.peers.erase(self);
  return plan;
}

}  // namespace synack::harness::replay

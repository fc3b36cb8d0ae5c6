// Sequence and timestamp translation for the replay (see translate.h).
#include "harness/replay/translate.h"

#include <algorithm>

#include "stack/wire/checksum.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/seq_number.h"
#include "stack/wire/tcp.h"

namespace synack::harness::replay {

namespace {

constexpr std::size_t kUdpChecksum = 6;

// The frame's complete unfragmented TCP/UDP datagram: its summary when all
// of it is in `frame`.
std::optional<FrameInfo> complete_l4(ConstBytes frame, std::uint8_t proto) {
  auto f = parse_frame(frame);
  if (!f || !f->ipv4 || f->is_fragment() || f->proto != proto) return std::nullopt;
  if (f->l4_offset + f->l4_len > frame.size()) return std::nullopt;
  if (proto == wire::kIpProtoTcp && !f->tcp) return std::nullopt;
  return f;
}

void add32(MutBytes b, std::size_t off, std::uint32_t delta) { store_be32(b, off, load_be32(b, off) + delta); }

void fill_checksum(MutBytes frame, const FrameInfo& f, std::size_t field) {
  MutBytes l4 = frame.subspan(f.l4_offset, f.l4_len);
  store_be16(l4, field, 0);
  std::uint64_t ph = wire::pseudo_header_sum(f.src, f.dst, f.proto, static_cast<std::uint32_t>(f.l4_len));
  std::uint16_t c = wire::checksum(l4, ph);
  // RFC 768: a computed UDP checksum of zero is sent as all ones.
  if (f.proto == wire::kIpProtoUdp && c == 0) c = 0xffff;
  store_be16(l4, field, c);
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word m -> m'.
std::uint16_t adjust(std::uint16_t hc, std::uint16_t m, std::uint16_t m2) {
  std::uint32_t sum = static_cast<std::uint16_t>(~hc) + static_cast<std::uint16_t>(~m) + std::uint32_t{m2};
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

void adjust32(MutBytes b, std::size_t csum, std::uint32_t before, std::uint32_t after) {
  std::uint16_t c = load_be16(b, csum);
  c = adjust(c, static_cast<std::uint16_t>(before >> 16), static_cast<std::uint16_t>(after >> 16));
  c = adjust(c, static_cast<std::uint16_t>(before), static_cast<std::uint16_t>(after));
  store_be16(b, csum, c);
}

// Calls fn(kind, offset, length) for each option of the TCP header at
// `l4` (RFC 9293 §3.1: EOL ends the list, NOP is one byte, every other
// option carries its length); stops at the first malformed length.
template <class Fn>
void for_each_tcp_option(ConstBytes frame, std::size_t l4, std::size_t header_len, Fn&& fn) {
  std::size_t end = l4 + header_len;
  for (std::size_t i = l4 + wire::tcp_field::kOptions; i < end;) {
    std::uint8_t kind = frame[i];
    if (kind == wire::kTcpOptEol) return;
    if (kind == wire::kTcpOptNop) {
      ++i;
      continue;
    }
    if (i + 1 >= end || frame[i + 1] < 2 || i + frame[i + 1] > end) return;
    std::size_t len = frame[i + 1];
    fn(kind, i, len);
    i += len;
  }
}

constexpr std::size_t kIcmpHeader = 8;
constexpr std::size_t kTcpChecksum = 16;

}  // namespace

bool translate_icmp_quote(MutBytes frame, const QuoteFix& fix) {
  auto f = parse_frame(frame);
  if (!f || !f->ipv4 || f->is_fragment() || !f->icmp || !f->icmp->quoted) return false;
  if (f->l4_offset + f->l4_len > frame.size()) return false;
  MutBytes msg = frame.subspan(f->l4_offset, f->l4_len);
  MutBytes q = msg.subspan(kIcmpHeader);
  std::size_t ihl = std::size_t{static_cast<std::uint8_t>(q[0] & 0x0f)} * 4;
  if (ihl < wire::ipv4_field::kMinHeaderLen || q.size() < ihl) return false;
  MutBytes inner = q.subspan(ihl);  // the quoted transport bytes
  std::uint8_t proto = q[wire::ipv4_field::kProtocol];
  if (fix.seq && proto == wire::kIpProtoTcp && inner.size() >= 8) {
    std::uint32_t before = load_be32(inner, 4);
    std::uint32_t after = before + *fix.seq;
    store_be32(inner, 4, after);
    if (inner.size() >= kTcpChecksum + 2) adjust32(inner, kTcpChecksum, before, after);
  }
  if (fix.ip_id) store_be16(q, wire::ipv4_field::kIdent, *fix.ip_id);
  store_be16(q, wire::ipv4_field::kChecksum, 0);
  store_be16(q, wire::ipv4_field::kChecksum, wire::checksum(q.first(ihl)));
  store_be16(msg, 2, 0);
  store_be16(msg, 2, wire::checksum(msg));
  return true;
}

bool translate_to_dut(MutBytes frame, const Offsets& off) {
  auto f = complete_l4(frame, wire::kIpProtoTcp);
  if (!f) return false;
  const TcpFields& t = *f->tcp;
  bool acking = (t.flags & wire::kTcpAck) != 0;
  std::size_t o = f->l4_offset;
  if (acking && off.seq) add32(frame, o + wire::tcp_field::kAck, *off.seq);
  // Walk the options again to find SACK blocks and timestamps in place.
  for_each_tcp_option(frame, o, t.header_len, [&](std::uint8_t kind, std::size_t i, std::size_t len) {
    if (kind == wire::kTcpOptSack && off.seq)
      for (std::size_t b = i + 2; b + 8 <= i + len; b += 8) {
        add32(frame, b, *off.seq);
        add32(frame, b + 4, *off.seq);
      }
    if (kind == wire::kTcpOptTimestamps && len == 10 && acking && off.ts) add32(frame, i + 6, *off.ts);
  });
  fill_checksum(frame, *f, wire::tcp_field::kChecksum);
  return true;
}

bool clamp_ack(MutBytes frame, std::uint32_t snd_max) {
  using wire::SeqNumber;
  auto f = complete_l4(frame, wire::kIpProtoTcp);
  if (!f || !(f->tcp->flags & wire::kTcpAck)) return false;
  const SeqNumber limit(snd_max);
  std::size_t o = f->l4_offset;
  bool changed = false;
  if (SeqNumber(f->tcp->ack).gt(limit)) {
    store_be32(frame, o + wire::tcp_field::kAck, snd_max);
    changed = true;
  }
  for_each_tcp_option(frame, o, f->tcp->header_len, [&](std::uint8_t kind, std::size_t i, std::size_t len) {
    if (kind == wire::kTcpOptSack) {
      std::vector<std::pair<std::uint32_t, std::uint32_t>> keep;
      for (std::size_t b = i + 2; b + 8 <= i + len; b += 8) {
        SeqNumber l(load_be32(frame, b)), r(load_be32(frame, b + 4));
        if (r.gt(limit)) r = limit, changed = true;
        if (l.lt(r)) keep.emplace_back(l.raw(), r.raw());
        else changed = true;
      }
      // Rewrite the option in place with the blocks kept, NOPs after it.
      std::fill_n(frame.begin() + static_cast<std::ptrdiff_t>(i), len, wire::kTcpOptNop);
      if (!keep.empty()) {
        frame[i] = wire::kTcpOptSack;
        frame[i + 1] = static_cast<std::uint8_t>(2 + 8 * keep.size());
        for (std::size_t k = 0; k < keep.size(); ++k) {
          store_be32(frame, i + 2 + 8 * k, keep[k].first);
          store_be32(frame, i + 6 + 8 * k, keep[k].second);
        }
      }
    }
  });
  if (changed) fill_checksum(frame, *f, wire::tcp_field::kChecksum);
  return changed;
}

bool recompute_l4_checksum(MutBytes frame) {
  if (auto f = complete_l4(frame, wire::kIpProtoTcp)) {
    fill_checksum(frame, *f, wire::tcp_field::kChecksum);
    return true;
  }
  if (auto f = complete_l4(frame, wire::kIpProtoUdp); f && f->udp_payload_len) {
    // A zero checksum means "none" (RFC 768); keep it that way.
    if (load_be16(frame, f->l4_offset + kUdpChecksum) == 0) return false;
    fill_checksum(frame, *f, kUdpChecksum);
    return true;
  }
  return false;
}

std::size_t pad_to_wire(Bytes& frame, std::size_t wire_len) {
  if (frame.size() >= wire_len) return 0;
  std::size_t added = wire_len - frame.size();
  frame.resize(wire_len, 0);
  return added;
}

void DutConnections::sent(const FlowKey& flow, const TcpFields& t) {
  State& s = conns_[flow];
  if (t.flags & wire::kTcpSyn) {
    // A new SYN (or SYN-ACK) with another ISN starts a new connection.
    if (!s.isn || *s.isn != t.seq) s = State{};
    s.isn = t.seq;
    s.ts0 = t.tsval;
  }
  std::uint32_t len = static_cast<std::uint32_t>(t.payload_len) + ((t.flags & wire::kTcpSyn) ? 1 : 0) +
                      ((t.flags & wire::kTcpFin) ? 1 : 0);
  wire::SeqNumber end = wire::SeqNumber(t.seq) + len;
  if (!s.snd_max || end.gt(wire::SeqNumber(*s.snd_max))) s.snd_max = end.raw();
}

void DutConnections::sent_datagram(const FlowKey& flow, std::uint32_t seq, std::uint16_t ip_id) {
  auto& ids = conns_[flow].ip_ids;
  ids.emplace_back(seq, ip_id);
  if (ids.size() > 64) ids.pop_front();
}

std::optional<std::uint16_t> DutConnections::ip_id(const FlowKey& flow, std::uint32_t seq) const {
  const State* s = find(flow);
  if (!s) return std::nullopt;
  for (auto it = s->ip_ids.rbegin(); it != s->ip_ids.rend(); ++it)
    if (it->first == seq) return it->second;
  return std::nullopt;
}

const DutConnections::State* DutConnections::find(const FlowKey& flow) const {
  auto it = conns_.find(flow);
  return it == conns_.end() ? nullptr : &it->second;
}

Offsets DutConnections::offsets(const FlowKey& flow, std::optional<std::uint32_t> cap_isn,
                                std::optional<std::uint32_t> cap_ts0) const {
  Offsets o;
  const State* s = find(flow);
  if (!s) return o;
  if (s->isn && cap_isn) o.seq = *s->isn - *cap_isn;
  if (s->ts0 && cap_ts0) o.ts = *s->ts0 - *cap_ts0;
  return o;
}

bool DutConnections::ahead_of_dut(const FlowKey& flow, std::uint32_t ack) const {
  const State* s = find(flow);
  if (!s || !s->snd_max) return true;
  return wire::SeqNumber(ack).gt(wire::SeqNumber(*s->snd_max));
}

}  // namespace synack::harness::replay

// Frame summaries for the replay (see frame_info.h).
#include "harness/replay/frame_info.h"

#include <fmt/core.h>

#include <algorithm>

#include "stack/wire/arp.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace synack::harness::replay {

namespace {

constexpr std::size_t kEthHeader = 14;
constexpr std::size_t kUdpHeader = 8;
constexpr std::size_t kIcmpHeader = 8;

bool has(ConstBytes b, std::size_t off, std::size_t len) { return off <= b.size() && len <= b.size() - off; }

wire::MacAddress mac_at(ConstBytes b, std::size_t off) {
  wire::MacAddress m;
  std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(off), 6, m.octets.begin());
  return m;
}

void parse_arp(ConstBytes b, FrameInfo& f) {
  std::size_t o = kEthHeader;
  if (!has(b, o, wire::arp_field::kHeaderLen)) return;
  if (b[o + wire::arp_field::kHardwareLen] != 6 || b[o + wire::arp_field::kProtocolLen] != 4) return;
  f.arp = true;
  f.arp_op = load_be16(b, o + wire::arp_field::kOperation);
  f.arp_sender_mac = mac_at(b, o + wire::arp_field::kSenderHw);
  f.arp_sender_ip = {load_be32(b, o + wire::arp_field::kSenderIp)};
  f.arp_target_ip = {load_be32(b, o + wire::arp_field::kTargetIp)};
}

// TCP options, tolerant: stops at the first malformed or uncaptured option.
void parse_tcp_options(ConstBytes opts, TcpFields& t) {
  for (std::size_t i = 0; i < opts.size();) {
    std::uint8_t kind = opts[i];
    if (kind == wire::kTcpOptEol) break;
    if (kind == wire::kTcpOptNop) {
      ++i;
      continue;
    }
    if (i + 1 >= opts.size() || opts[i + 1] < 2 || i + opts[i + 1] > opts.size()) break;
    std::size_t len = opts[i + 1];
    t.option_kinds.push_back(kind);
    if (kind == wire::kTcpOptTimestamps && len == 10) {
      t.tsval = load_be32(opts, i + 2);
      t.tsecr = load_be32(opts, i + 6);
    }
    if (kind == wire::kTcpOptSack)
      for (std::size_t e = i + 2; e + 8 <= i + len; e += 8) t.sack.emplace_back(load_be32(opts, e), load_be32(opts, e + 4));
    i += len;
  }
}

void parse_tcp(ConstBytes b, FrameInfo& f) {
  std::size_t o = f.l4_offset;
  if (!has(b, o, wire::tcp_field::kMinHeaderLen) || f.l4_len < wire::tcp_field::kMinHeaderLen) return;
  TcpFields t;
  t.sport = load_be16(b, o + wire::tcp_field::kSrcPort);
  t.dport = load_be16(b, o + wire::tcp_field::kDstPort);
  t.seq = load_be32(b, o + wire::tcp_field::kSeq);
  t.ack = load_be32(b, o + wire::tcp_field::kAck);
  t.flags = static_cast<std::uint16_t>(((b[o + wire::tcp_field::kDataOffset] & 0x01) << 8) | b[o + wire::tcp_field::kFlags]);
  t.window = load_be16(b, o + wire::tcp_field::kWindow);
  t.header_len = std::size_t{static_cast<std::uint8_t>(b[o + wire::tcp_field::kDataOffset] >> 4)} * 4;
  if (t.header_len < wire::tcp_field::kMinHeaderLen || t.header_len > f.l4_len) return;
  std::size_t opt_end = std::min(o + t.header_len, b.size());
  parse_tcp_options(b.subspan(o + wire::tcp_field::kOptions, opt_end - (o + wire::tcp_field::kOptions)), t);
  t.payload_len = f.l4_len - t.header_len;
  t.payload_offset = o + t.header_len;
  t.payload_captured = t.payload_offset < b.size() ? std::min(t.payload_len, b.size() - t.payload_offset) : 0;
  f.tcp = std::move(t);
}

void parse_icmp(ConstBytes b, FrameInfo& f) {
  std::size_t o = f.l4_offset;
  if (!has(b, o, kIcmpHeader) || f.l4_len < kIcmpHeader) return;
  IcmpFields c;
  c.type = b[o + wire::icmpv4_field::kType];
  c.code = b[o + wire::icmpv4_field::kCode];
  c.ident = load_be16(b, o + wire::icmpv4_field::kIdent);
  c.seq = load_be16(b, o + wire::icmpv4_field::kIdent + 2);
  c.payload_len = f.l4_len - kIcmpHeader;
  // Errors (unreachable 3, source quench 4, redirect 5, time exceeded 11,
  // parameter problem 12) quote the offending datagram (RFC 792).
  bool error = c.type == 3 || c.type == 4 || c.type == 5 || c.type == 11 || c.type == 12;
  std::size_t q = o + kIcmpHeader;
  if (error && has(b, q, wire::ipv4_field::kMinHeaderLen) && (b[q] >> 4) == 4) {
    std::size_t ihl = std::size_t{static_cast<std::uint8_t>(b[q] & 0x0f)} * 4;
    c.quoted = true;
    c.inner_proto = b[q + wire::ipv4_field::kProtocol];
    c.inner_src = {load_be32(b, q + wire::ipv4_field::kSrc)};
    c.inner_dst = {load_be32(b, q + wire::ipv4_field::kDst)};
    c.inner_ip_id = load_be16(b, q + wire::ipv4_field::kIdent);
    if (has(b, q + ihl, 4)) {
      c.inner_sport = load_be16(b, q + ihl);
      c.inner_dport = load_be16(b, q + ihl + 2);
    }
    if (c.inner_proto == wire::kIpProtoTcp && has(b, q + ihl, 8)) c.inner_seq = load_be32(b, q + ihl + 4);
  }
  f.icmp = c;
}

void parse_ipv4(ConstBytes b, FrameInfo& f) {
  std::size_t o = kEthHeader;
  if (!has(b, o, wire::ipv4_field::kMinHeaderLen) || (b[o] >> 4) != 4) return;
  std::size_t ihl = std::size_t{static_cast<std::uint8_t>(b[o] & 0x0f)} * 4;
  std::size_t total = load_be16(b, o + wire::ipv4_field::kTotalLen);
  if (ihl < wire::ipv4_field::kMinHeaderLen || total < ihl) return;
  f.ipv4 = true;
  f.ip_offset = o;
  f.ip_total_len = total;
  f.proto = b[o + wire::ipv4_field::kProtocol];
  f.ip_id = load_be16(b, o + wire::ipv4_field::kIdent);
  std::uint16_t ff = load_be16(b, o + wire::ipv4_field::kFlagsFrag);
  f.more_frags = (ff & wire::ipv4_field::kFlagMf) != 0;
  f.frag_offset = std::uint32_t{static_cast<std::uint16_t>(ff & wire::ipv4_field::kFragOffsetMask)} * 8;
  f.src = {load_be32(b, o + wire::ipv4_field::kSrc)};
  f.dst = {load_be32(b, o + wire::ipv4_field::kDst)};
  f.l4_offset = o + ihl;
  f.l4_len = total - ihl;
  if (f.frag_offset != 0) return;
  if (f.proto == wire::kIpProtoTcp && !f.more_frags) {
    parse_tcp(b, f);
  } else if (f.proto == wire::kIpProtoUdp && has(b, f.l4_offset, 4) && f.l4_len >= kUdpHeader) {
    f.udp_sport = load_be16(b, f.l4_offset);
    f.udp_dport = load_be16(b, f.l4_offset + 2);
    f.udp_payload_len = f.l4_len - kUdpHeader;
  } else if (f.proto == wire::kIpProtoIcmp) {
    parse_icmp(b, f);
  }
}

}  // namespace

std::optional<FrameInfo> parse_frame(ConstBytes frame) {
  if (frame.size() < kEthHeader) return std::nullopt;
  FrameInfo f;
  f.eth_dst = mac_at(frame, 0);
  f.eth_src = mac_at(frame, 6);
  f.ethertype = load_be16(frame, 12);
  if (f.ethertype == wire::kEtherTypeArp) parse_arp(frame, f);
  if (f.ethertype == wire::kEtherTypeIpv4) parse_ipv4(frame, f);
  return f;
}

std::string FlowKey::to_string() const {
  switch (kind) {
    case Kind::Tcp: return fmt::format("tcp {}:{} {}:{}", local.to_string(), local_port, remote.to_string(), remote_port);
    case Kind::Udp: return fmt::format("udp {}:{} {}:{}", local.to_string(), local_port, remote.to_string(), remote_port);
    case Kind::Echo: return fmt::format("echo {} {} id {}", local.to_string(), remote.to_string(), local_port);
    case Kind::Arp: return fmt::format("arp {} {}", local.to_string(), remote.to_string());
    case Kind::Ip: return fmt::format("ip {} {} proto {}", local.to_string(), remote.to_string(), local_port);
    case Kind::None: break;
  }
  return "none";
}

FlowKey flow_of(const FrameInfo& f, wire::Ipv4Address self) {
  FlowKey k;
  if (f.arp) {
    bool from_self = f.arp_sender_ip == self;
    if (!from_self && f.arp_target_ip != self) return k;
    return FlowKey{FlowKey::Kind::Arp, self, from_self ? f.arp_target_ip : f.arp_sender_ip, 0, 0};
  }
  if (!f.ipv4 || (f.src != self && f.dst != self)) return k;
  bool out = f.src == self;
  wire::Ipv4Address remote = out ? f.dst : f.src;
  auto ports = [&](std::uint16_t s, std::uint16_t d, FlowKey::Kind kind) {
    return FlowKey{kind, self, remote, out ? s : d, out ? d : s};
  };
  if (f.tcp) return ports(f.tcp->sport, f.tcp->dport, FlowKey::Kind::Tcp);
  if (f.udp_payload_len) return ports(f.udp_sport, f.udp_dport, FlowKey::Kind::Udp);
  if (f.icmp) {
    const IcmpFields& c = *f.icmp;
    if (c.type == 0 || c.type == 8) return FlowKey{FlowKey::Kind::Echo, self, remote, c.ident, 0};
    if (c.quoted && (c.inner_src == self || c.inner_dst == self)) {
      bool inner_out = c.inner_src == self;
      wire::Ipv4Address r = inner_out ? c.inner_dst : c.inner_src;
      std::uint16_t lp = inner_out ? c.inner_sport : c.inner_dport;
      std::uint16_t rp = inner_out ? c.inner_dport : c.inner_sport;
      if (c.inner_proto == wire::kIpProtoTcp) return FlowKey{FlowKey::Kind::Tcp, self, r, lp, rp};
      if (c.inner_proto == wire::kIpProtoUdp) return FlowKey{FlowKey::Kind::Udp, self, r, lp, rp};
    }
  }
  if (f.frag_offset != 0) return k;
  return FlowKey{FlowKey::Kind::Ip, self, remote, f.proto, 0};
}

FlowKey FragmentFlows::flow(const FrameInfo& f, wire::Ipv4Address self) {
  if (!f.ipv4 || !f.is_fragment()) return flow_of(f, self);
  Key key{f.src.value, f.dst.value, f.proto, f.ip_id};
  if (f.frag_offset == 0) {
    FlowKey k = flow_of(f, self);
    std::erase_if(known_, [&](const auto& e) { return e.first == key; });
    known_.insert(known_.begin(), {key, k});
    if (known_.size() > 64) known_.pop_back();
    return k;
  }
  for (const auto& [k, flow] : known_)
    if (k == key) return flow;
  return FlowKey{};
}

std::string describe(const FrameInfo& f) {
  if (f.arp) {
    if (f.arp_op == 1) return fmt::format("ARP who-has {} tell {}", f.arp_target_ip.to_string(), f.arp_sender_ip.to_string());
    return fmt::format("ARP {} is-at {}", f.arp_sender_ip.to_string(), f.arp_sender_mac.to_string());
  }
  if (!f.ipv4) return fmt::format("ethertype 0x{:04x}", f.ethertype);
  std::string frag = f.is_fragment() ? fmt::format(" frag id {} off {}{}", f.ip_id, f.frag_offset, f.more_frags ? "+" : "") : "";
  if (f.tcp) {
    const TcpFields& t = *f.tcp;
    std::string s = fmt::format("{}:{} > {}:{} {} seq {}", f.src.to_string(), t.sport, f.dst.to_string(), t.dport,
                                wire::tcp_flags_to_string(t.flags), t.seq);
    if (t.flags & wire::kTcpAck) s += fmt::format(" ack {}", t.ack);
    s += fmt::format(" win {} len {}", t.window, t.payload_len);
    return s;
  }
  if (f.udp_payload_len)
    return fmt::format("{}:{} > {}:{} UDP len {}{}", f.src.to_string(), f.udp_sport, f.dst.to_string(), f.udp_dport,
                       *f.udp_payload_len, frag);
  if (f.icmp)
    return fmt::format("{} > {} ICMP {}/{} len {}{}", f.src.to_string(), f.dst.to_string(), f.icmp->type, f.icmp->code,
                       f.icmp->payload_len, frag);
  return fmt::format("{} > {} proto {} len {}{}", f.src.to_string(), f.dst.to_string(), f.proto, f.l4_len, frag);
}

}  // namespace synack::harness::replay

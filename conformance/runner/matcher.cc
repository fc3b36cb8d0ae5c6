// Packet parsing, building, summaries and matching for the runner.
#include "conformance/runner/matcher.h"

#include "conformance/runner/dut.h"
#include "stack/wire/checksum.h"

namespace synack::conformance {

namespace {

constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::size_t kEthLen = 14;
constexpr std::size_t kIpLen = 20;

std::uint16_t be16(ConstBytes b, std::size_t at) { return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]); }
std::uint32_t be32(ConstBytes b, std::size_t at) {
  return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 | std::uint32_t{b[at + 2]} << 8 | b[at + 3];
}
void put16(Bytes& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xffff);
}
void append16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void append32(Bytes& b, std::uint32_t v) {
  append16(b, v >> 16);
  append16(b, v & 0xffff);
}

std::vector<TcpOption> parse_options(ConstBytes o, bool& bad) {
  std::vector<TcpOption> out;
  std::size_t i = 0;
  while (i < o.size()) {
    std::uint8_t kind = o[i];
    if (kind == 0) break;  // EOL: the rest is padding
    if (kind == 1) {
      out.push_back(TcpOption{});
      ++i;
      continue;
    }
    if (i + 1 >= o.size() || o[i + 1] < 2 || i + o[i + 1] > o.size()) {
      bad = true;
      break;
    }
    std::size_t len = o[i + 1];
    ConstBytes d = o.subspan(i + 2, len - 2);
    TcpOption t;
    if (kind == 2 && len == 4) {
      t.kind = TcpOption::Kind::Mss;
      t.value = be16(d, 0);
    } else if (kind == 3 && len == 3) {
      t.kind = TcpOption::Kind::WScale;
      t.value = d[0];
    } else if (kind == 4 && len == 2) {
      t.kind = TcpOption::Kind::SackOk;
    } else if (kind == 5 && (len - 2) % 8 == 0) {
      t.kind = TcpOption::Kind::Sack;
      for (std::size_t k = 0; k + 8 <= d.size(); k += 8) t.sack_blocks.emplace_back(be32(d, k), be32(d, k + 4));
    } else if (kind == 8 && len == 10) {
      t.kind = TcpOption::Kind::Timestamp;
      t.ts_val = be32(d, 0);
      t.ts_ecr = be32(d, 4);
    } else {
      t.kind = TcpOption::Kind::Md5;  // shown as raw bytes
      static constexpr char kHex[] = "0123456789abcdef";
      t.raw = "kind" + std::to_string(kind) + ":";
      for (auto c : d) t.raw += std::string{kHex[c >> 4], kHex[c & 15]};
    }
    out.push_back(std::move(t));
    i += len;
  }
  return out;
}

void encode_hex(Bytes& out, const std::string& hex) {
  auto val = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(val(hex[i]) << 4 | val(hex[i + 1])));
}

// TCP options for an inbound segment: SACK blocks and TSecr mapped into the DUT's spaces.
Bytes encode_options(const std::vector<TcpOption>& opts, const SeqState& st) {
  Bytes o;
  std::uint32_t isn = st.dut_isn.value_or(0);
  for (const auto& t : opts) {
    using K = TcpOption::Kind;
    switch (t.kind) {
      case K::Nop: o.push_back(1); break;
      case K::Eol: o.push_back(0); break;
      case K::Mss: o.insert(o.end(), {2, 4}); append16(o, t.value); break;
      case K::WScale: o.insert(o.end(), {3, 3, static_cast<std::uint8_t>(t.value)}); break;
      case K::SackOk: o.insert(o.end(), {4, 2}); break;
      case K::Sack:
        o.push_back(5);
        o.push_back(static_cast<std::uint8_t>(2 + 8 * t.sack_blocks.size()));
        for (auto [l, r] : t.sack_blocks) {
          append32(o, l + isn);
          append32(o, r + isn);
        }
        break;
      case K::Timestamp: {
        std::uint32_t ecr = t.ts_ecr;
        if (ecr != 0 && st.ts_offset) ecr = static_cast<std::uint32_t>(ecr + *st.ts_offset);
        else if (ecr != 0 && st.last_dut_tsval) ecr = *st.last_dut_tsval;
        o.insert(o.end(), {8, 10});
        append32(o, t.ts_val);
        append32(o, ecr);
        break;
      }
      case K::Md5: o.insert(o.end(), {19, 18}); encode_hex(o, t.raw); break;
      case K::FastOpen:
        o.push_back(34);
        o.push_back(static_cast<std::uint8_t>(2 + t.raw.size() / 2));
        encode_hex(o, t.raw);
        break;
      case K::FastOpenExp:
        o.push_back(254);
        o.push_back(static_cast<std::uint8_t>(4 + t.raw.size() / 2));
        append16(o, 0xf989);
        encode_hex(o, t.raw);
        break;
    }
  }
  while (o.size() % 4) o.push_back(0);
  return o;
}

// Ethernet + IPv4 (peer -> DUT) around an L4 message whose checksum at
// `csum_at` (or none) covers the pseudo header.
Bytes wrap(Bytes l4, std::uint8_t proto, std::optional<std::size_t> csum_at, const IpInfo& ip,
           const wire::MacAddress& dut_mac) {
  Bytes f(kEthLen + kIpLen);
  std::copy(dut_mac.octets.begin(), dut_mac.octets.end(), f.begin());
  std::copy(kPeerMac.octets.begin(), kPeerMac.octets.end(), f.begin() + 6);
  put16(f, 12, 0x0800);
  f[14] = 0x45;
  std::uint8_t tos = ip.tos.value_or(0);
  if (ip.ecn) {
    switch (*ip.ecn) {
      case IpEcn::Ect0: tos = (tos & ~3) | 2; break;
      case IpEcn::Ect1: tos = (tos & ~3) | 1; break;
      case IpEcn::Ce: tos = tos | 3; break;
      default: break;
    }
  }
  f[15] = tos;
  put16(f, 16, static_cast<std::uint32_t>(kIpLen + l4.size()));
  put16(f, 20, 0x4000);  // DF
  f[22] = ip.ttl.value_or(64);
  f[23] = proto;
  put32(f, 26, kPeerIp.value);
  put32(f, 30, kDutIp.value);
  put16(f, 24, wire::checksum(ConstBytes(f).subspan(kEthLen, kIpLen)));
  if (csum_at) {
    std::uint64_t ph = wire::pseudo_header_sum(kPeerIp, kDutIp, proto, static_cast<std::uint32_t>(l4.size()));
    std::uint16_t c = wire::checksum(l4, ph);
    if (proto == kProtoUdp && c == 0) c = 0xffff;
    put16(l4, *csum_at, c);
  } else {
    put16(l4, 2, wire::checksum(l4));
  }
  f.insert(f.end(), l4.begin(), l4.end());
  return f;
}

std::string print_options(const std::vector<TcpOption>& opts, std::int64_t sack_base) {
  std::string out = "<";
  for (std::size_t i = 0; i < opts.size(); ++i) {
    TcpOption t = opts[i];
    for (auto& [l, r] : t.sack_blocks) {
      l = static_cast<std::uint32_t>(l - sack_base);
      r = static_cast<std::uint32_t>(r - sack_base);
    }
    if (i) out += ",";
    out += t.kind == TcpOption::Kind::Md5 && t.raw.rfind("kind", 0) == 0 ? t.raw : print_tcp_option(t);
  }
  return out + ">";
}

bool option_matches(const TcpOption& want, const TcpOption& got) {
  if (want.kind != got.kind) return false;
  switch (want.kind) {
    case TcpOption::Kind::Mss:
    case TcpOption::Kind::WScale: return want.value == got.value;
    case TcpOption::Kind::Sack: return want.sack_blocks == got.sack_blocks;
    case TcpOption::Kind::Timestamp: return want.ts_ecr == got.ts_ecr;  // TSval: presence only
    case TcpOption::Kind::Md5:
    case TcpOption::Kind::FastOpen:
    case TcpOption::Kind::FastOpenExp: return want.raw.empty() || want.raw == got.raw;
    default: return true;
  }
}

const TcpOption* find_ts(const std::vector<TcpOption>& v) {
  for (const auto& o : v)
    if (o.kind == TcpOption::Kind::Timestamp) return &o;
  return nullptr;
}

}  // namespace

ParsedFrame parse_frame(ConstBytes b) {
  ParsedFrame f;
  if (b.size() < kEthLen) return f;
  f.ethertype = be16(b, 12);
  if (f.ethertype != 0x0800 || b.size() < kEthLen + kIpLen) return f;
  ConstBytes ip = b.subspan(kEthLen);
  std::size_t ihl = (ip[0] & 0x0f) * 4u;
  std::size_t total = be16(ip, 2);
  if ((ip[0] >> 4) != 4 || ihl < kIpLen || total < ihl || total > ip.size()) return f;
  f.kind = ParsedFrame::Kind::OtherIp;
  f.tos = ip[1];
  f.ttl = ip[8];
  f.src = wire::Ipv4Address{be32(ip, 12)};
  f.dst = wire::Ipv4Address{be32(ip, 16)};
  ConstBytes l4 = ip.subspan(ihl, total - ihl);
  std::uint8_t proto = ip[9];
  if (proto == kProtoTcp && l4.size() >= 20) {
    std::size_t off = (l4[12] >> 4) * 4u;
    if (off < 20 || off > l4.size()) return f;
    f.kind = ParsedFrame::Kind::Tcp;
    f.sport = be16(l4, 0);
    f.dport = be16(l4, 2);
    f.seq = be32(l4, 4);
    f.ack = be32(l4, 8);
    f.flags = static_cast<std::uint16_t>(be16(l4, 12) & 0x1ff);
    f.win = be16(l4, 14);
    f.urg = be16(l4, 18);
    f.options = parse_options(l4.subspan(20, off - 20), f.bad_options);
    f.payload_len = l4.size() - off;
  } else if (proto == kProtoUdp && l4.size() >= 8) {
    f.kind = ParsedFrame::Kind::Udp;
    f.sport = be16(l4, 0);
    f.dport = be16(l4, 2);
    f.payload_len = l4.size() - 8;
  } else if (proto == kProtoIcmp && l4.size() >= 8) {
    f.kind = ParsedFrame::Kind::Icmp;
    f.icmp_type = l4[0];
    f.icmp_code = l4[1];
    f.payload_len = l4.size() - 8;
  }
  return f;
}

void SeqState::learn_from_dut(const ParsedFrame& f) {
  if (f.kind != ParsedFrame::Kind::Tcp && f.kind != ParsedFrame::Kind::Udp) return;
  if (f.dst != kPeerIp) return;
  local_port = f.sport;
  remote_port = f.dport;
  if (f.kind != ParsedFrame::Kind::Tcp) return;
  if (f.flags & tcp_flag::kSyn) dut_isn = f.seq;
  if (const TcpOption* ts = find_ts(f.options)) last_dut_tsval = ts->ts_val;
}

std::string tcp_flags_string(std::uint16_t flags) {
  std::string s;
  if (flags & tcp_flag::kFin) s += 'F';
  if (flags & tcp_flag::kSyn) s += 'S';
  if (flags & tcp_flag::kRst) s += 'R';
  if (flags & tcp_flag::kPsh) s += 'P';
  if (flags & tcp_flag::kAck) s += '.';
  if (flags & tcp_flag::kUrg) s += 'U';
  if (flags & tcp_flag::kEce) s += 'E';
  if (flags & tcp_flag::kCwr) s += 'W';
  if (s.empty()) s = "-";
  return s;
}

std::string summarize(const ParsedFrame& f, bool from_dut, const SeqState& st) {
  switch (f.kind) {
    case ParsedFrame::Kind::NonIp: return "ethertype 0x" + [&] {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%04x", f.ethertype);
      return std::string(buf);
    }();
    case ParsedFrame::Kind::OtherIp: return "ip " + f.src.to_string() + " > " + f.dst.to_string();
    case ParsedFrame::Kind::Udp: return "udp (" + std::to_string(f.payload_len) + ")";
    case ParsedFrame::Kind::Icmp:
      return "icmp type " + std::to_string(f.icmp_type) + " code " + std::to_string(f.icmp_code);
    case ParsedFrame::Kind::Tcp: break;
  }
  std::uint32_t isn = st.dut_isn.value_or(0);
  std::uint32_t seq = from_dut ? f.seq - isn : f.seq;
  std::uint32_t end = seq + static_cast<std::uint32_t>(f.payload_len);
  std::string s = tcp_flags_string(f.flags) + " " + std::to_string(seq) + ":" + std::to_string(end) + "(" +
                  std::to_string(f.payload_len) + ")";
  if (f.flags & tcp_flag::kAck) s += " ack " + std::to_string(from_dut ? f.ack : f.ack - isn);
  s += " win " + std::to_string(f.win);
  if (!f.options.empty()) s += " " + print_options(f.options, from_dut ? 0 : isn);
  return s;
}

Bytes build_tcp_frame(const TcpPacketEvent& ev, const SeqState& st, const wire::MacAddress& dut_mac) {
  Bytes opts = encode_options(ev.options, st);
  Bytes l4(20);
  std::uint16_t sport = ev.ports ? ev.ports->src : st.remote_port;
  std::uint16_t dport = ev.ports ? ev.ports->dst : st.local_port;
  put16(l4, 0, sport);
  put16(l4, 2, dport);
  put32(l4, 4, ev.seq_start);
  std::uint32_t ack = ev.ack.value_or(0);
  if ((ev.flag_bits & tcp_flag::kAck) && st.dut_isn) ack += *st.dut_isn;
  put32(l4, 8, ack);
  put16(l4, 12, static_cast<std::uint32_t>((20 + opts.size()) / 4) << 12 | ev.flag_bits);
  put16(l4, 14, ev.win.value_or(0));
  put16(l4, 18, ev.urg.value_or(0));
  l4.insert(l4.end(), opts.begin(), opts.end());
  l4.resize(l4.size() + ev.payload_len, 0);
  return wrap(std::move(l4), kProtoTcp, 16, ev.ip, dut_mac);
}

Bytes build_udp_frame(const UdpPacketEvent& ev, const SeqState& st, const wire::MacAddress& dut_mac) {
  Bytes l4(8 + ev.payload_len, 0);
  put16(l4, 0, ev.ports ? ev.ports->src : st.remote_port);
  put16(l4, 2, ev.ports ? ev.ports->dst : st.local_port);
  put16(l4, 4, static_cast<std::uint32_t>(l4.size()));
  return wrap(std::move(l4), kProtoUdp, 6, ev.ip, dut_mac);
}

Bytes build_icmp_frame(const IcmpPacketEvent& ev, const SeqState& st, const wire::MacAddress& dut_mac) {
  Bytes l4(8, 0);
  l4[0] = ev.type;
  l4[1] = ev.code;
  if (ev.mtu) put16(l4, 6, *ev.mtu);
  if (ev.echo_id) put16(l4, 4, *ev.echo_id);
  if (ev.echoed != IcmpPacketEvent::Echoed::None) {
    // The offending datagram as the DUT sent it: its IPv4 header and 8 bytes.
    std::uint8_t proto = ev.echoed == IcmpPacketEvent::Echoed::TcpSeq ? kProtoTcp : kProtoUdp;
    std::size_t l4len = (proto == kProtoTcp ? 20 : 8) + ev.echoed_len;
    Bytes inner(kIpLen + 8, 0);
    inner[0] = 0x45;
    put16(inner, 2, static_cast<std::uint32_t>(kIpLen + l4len));
    put16(inner, 6, 0x4000);
    inner[8] = 64;
    inner[9] = proto;
    put32(inner, 12, kDutIp.value);
    put32(inner, 16, kPeerIp.value);
    put16(inner, 10, wire::checksum(ConstBytes(inner).subspan(0, kIpLen)));
    put16(inner, 20, st.local_port);
    put16(inner, 22, st.remote_port);
    if (proto == kProtoTcp) put32(inner, 24, ev.echoed_seq_start + st.dut_isn.value_or(0));
    else put16(inner, 24, static_cast<std::uint32_t>(l4len));
    l4.insert(l4.end(), inner.begin(), inner.end());
  }
  return wrap(std::move(l4), kProtoIcmp, std::nullopt, ev.ip, dut_mac);
}

std::string TcpMatcher::check_header(const ParsedFrame& f, const SeqState& st, bool last) const {
  std::uint16_t want = ev_.flag_bits;
  std::uint16_t got = f.flags;
  if (!last) {  // a TSO piece before the last: PSH/FIN may sit on the last piece only
    want &= static_cast<std::uint16_t>(~(tcp_flag::kPsh | tcp_flag::kFin));
    got &= static_cast<std::uint16_t>(~tcp_flag::kPsh);
  }
  if (ignore_psh_) {
    want &= static_cast<std::uint16_t>(~tcp_flag::kPsh);
    got &= static_cast<std::uint16_t>(~tcp_flag::kPsh);
  }
  if (want != got) return "flags " + tcp_flags_string(want) + " expected, got " + tcp_flags_string(got);
  if (ev_.ack && f.ack != *ev_.ack)
    return "ack " + std::to_string(*ev_.ack) + " expected, got " + std::to_string(f.ack);
  if (ev_.win && f.win != *ev_.win)
    return "win " + std::to_string(*ev_.win) + " expected, got " + std::to_string(f.win);
  if (ev_.urg && f.urg != *ev_.urg) return "urg " + std::to_string(*ev_.urg) + " expected";
  if (!ev_.any_options) {
    std::vector<TcpOption> want_opts = ev_.options;
    while (!want_opts.empty() && want_opts.back().kind == TcpOption::Kind::Eol) want_opts.pop_back();
    bool same = want_opts.size() == f.options.size();
    for (std::size_t i = 0; same && i < want_opts.size(); ++i) same = option_matches(want_opts[i], f.options[i]);
    if (!same)
      return "options " + print_options(want_opts, 0) + " expected, got " +
             (f.options.empty() ? std::string("none") : print_options(f.options, 0));
  }
  (void)st;
  return "";
}

TcpMatch TcpMatcher::offer(const ParsedFrame& f, SeqState& st) {
  if (f.kind != ParsedFrame::Kind::Tcp) return {TcpMatch::Outcome::Mismatch, "a TCP segment expected"};
  if ((f.flags & tcp_flag::kSyn) && (ev_.flag_bits & tcp_flag::kSyn)) st.dut_isn = f.seq;
  std::uint32_t rel = f.seq - st.dut_isn.value_or(0);
  std::uint32_t want_seq = ev_.seq_start + covered_;
  if (rel != want_seq)
    return {TcpMatch::Outcome::Mismatch, "seq " + std::to_string(want_seq) + " expected, got " + std::to_string(rel)};
  std::uint32_t remaining = ev_.payload_len - covered_;
  bool piece = !strict_ && f.payload_len > 0 && f.payload_len < remaining;
  if (!piece && f.payload_len != remaining)
    return {TcpMatch::Outcome::Mismatch, "payload length " + std::to_string(remaining) + " expected, got " +
                                             std::to_string(f.payload_len)};
  std::string why = check_header(f, st, !piece);
  if (!why.empty()) return {TcpMatch::Outcome::Mismatch, why};
  if (!st.ts_offset && !ev_.any_options) {
    const TcpOption* want_ts = find_ts(ev_.options);
    const TcpOption* got_ts = find_ts(f.options);
    if (want_ts && got_ts) st.ts_offset = static_cast<std::int64_t>(got_ts->ts_val) - want_ts->ts_val;
  }
  st.learn_from_dut(f);
  covered_ += static_cast<std::uint32_t>(f.payload_len);
  return {piece ? TcpMatch::Outcome::Partial : TcpMatch::Outcome::Match, ""};
}

std::string match_udp(const UdpPacketEvent& ev, const ParsedFrame& f) {
  if (f.kind != ParsedFrame::Kind::Udp) return "a UDP datagram expected";
  if (ev.ports && (f.sport != ev.ports->src || f.dport != ev.ports->dst)) return "UDP ports differ";
  if (f.payload_len != ev.payload_len)
    return "payload length " + std::to_string(ev.payload_len) + " expected, got " + std::to_string(f.payload_len);
  return "";
}

std::string match_icmp(const IcmpPacketEvent& ev, const ParsedFrame& f) {
  if (f.kind != ParsedFrame::Kind::Icmp) return "an ICMP message expected";
  if (f.icmp_type != ev.type || f.icmp_code != ev.code)
    return "ICMP type/code " + std::to_string(ev.type) + "/" + std::to_string(ev.code) + " expected";
  return "";
}

}  // namespace synack::conformance

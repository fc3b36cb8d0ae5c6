// Dissector behind `synack dissect`: walks Ethernet, ARP, IPv4, ICMPv4, UDP
// and TCP with the wire views, parsing without checksum verification and
// reporting each verdict itself (see dissect.h for the value conventions).
#include "harness/dissect.h"

#include <fmt/core.h>

#include <string>
#include <string_view>
#include <utility>

#include "stack/wire/arp.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "stack/wire/udp.h"

namespace synack::harness {
namespace {

using wire::ParseError;

// An object that turns a repeated key into an array of its values.
class Fields {
 public:
  void add(std::string_view key, DissectJson value) {
    auto it = j_.find(key);
    if (it == j_.end()) {
      j_[std::string(key)] = std::move(value);
      return;
    }
    if (!it->is_array()) *it = DissectJson::array({std::move(*it)});
    it->push_back(std::move(value));
  }
  void status(std::string_view key, ChecksumStatus s) { add(key, static_cast<int>(s)); }
  // Only the first error is kept: it names the layer where dissection stopped.
  void error(std::string_view layer, std::string_view reason) {
    if (!j_.contains("error")) j_["error"] = fmt::format("{}: {}", layer, reason);
  }
  void error(std::string_view layer, ParseError e) { error(layer, wire::to_string(e)); }
  DissectJson take() { return std::move(j_); }

 private:
  DissectJson j_ = DissectJson::object();
};

std::string hex(unsigned v, int digits) { return fmt::format("0x{:0{}x}", v, digits); }

ChecksumStatus verdict(bool complete, bool good) {
  if (!complete) return ChecksumStatus::Unverified;
  return good ? ChecksumStatus::Good : ChecksumStatus::Bad;
}

// What the transport dissectors need from the IPv4 layer.
struct IpContext {
  wire::Ipv4Address src;
  wire::Ipv4Address dst;
  ConstBytes payload;        // bytes present, trimmed to the total length
  std::size_t payload_len;   // total length - header length (what the header claims)
  bool complete;             // payload holds the whole (unfragmented) transport message
  bool quoted;               // inside an ICMP error
};

void dissect_ipv4(ConstBytes b, bool capture_cut, bool quoted, Fields& out);

// ICMP types that carry an identifier and a sequence number (RFC 792 echo,
// timestamp, information; RFC 950 address mask), as tshark shows them.
bool has_ident_seq(std::uint8_t type) {
  switch (type) {
    case 0: case 8: case 13: case 14: case 15: case 16: case 17: case 18: return true;
    default: return false;
  }
}
// ICMP errors quote the datagram that caused them (RFC 792).
bool quotes_datagram(std::uint8_t type) {
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

void dissect_icmp(const IpContext& ip, Fields& out) {
  auto p = wire::Icmpv4Packet::checked(ip.payload);
  if (!p) return out.error("icmp", p.error());
  out.add("icmp.type", p->type());
  out.add("icmp.code", p->code());
  if (has_ident_seq(p->type())) {
    out.add("icmp.ident", p->echo_ident());
    out.add("icmp.seq", p->echo_seq());
  }
  out.status("icmp.checksum.status", verdict(ip.complete, p->verify_checksum()));
  if (quotes_datagram(p->type()) && !ip.quoted) dissect_ipv4(p->data(), false, true, out);
}

void dissect_udp(const IpContext& ip, Fields& out) {
  ConstBytes b = ip.payload;
  if (b.size() < wire::udp_field::kHeaderLen) {
    if (!ip.quoted || b.size() < 4) return out.error("udp", ParseError::Truncated);
    out.add("udp.srcport", load_be16(b, wire::udp_field::kSrcPort));  // an 8-byte quote may be cut
    out.add("udp.dstport", load_be16(b, wire::udp_field::kDstPort));
    return;
  }
  std::uint16_t length = load_be16(b, wire::udp_field::kLength);
  std::uint16_t sum = load_be16(b, wire::udp_field::kChecksum);
  out.add("udp.srcport", load_be16(b, wire::udp_field::kSrcPort));
  out.add("udp.dstport", load_be16(b, wire::udp_field::kDstPort));
  out.add("udp.length", length);
  if (!ip.complete) {
    // A first fragment or a cut capture: the view needs the whole datagram.
    out.status("udp.checksum.status", sum == 0 ? ChecksumStatus::NotPresent : ChecksumStatus::Unverified);
    return;
  }
  auto p = wire::UdpPacket::checked(b);
  if (!p) return out.error("udp", p.error());
  // RFC 768: a zero checksum means the sender computed none.
  out.status("udp.checksum.status",
             sum == 0 ? ChecksumStatus::NotPresent : verdict(true, p->verify_checksum(ip.src, ip.dst)));
}

void add_tcp_options(const wire::TcpOptions& options, Fields& out) {
  for (wire::TcpOption o : options) {
    switch (o.kind) {
      case wire::kTcpOptMss: out.add("tcp.options.mss_val", load_be16(o.data, 0)); break;
      case wire::kTcpOptWindowScale: out.add("tcp.options.wscale.shift", o.data[0]); break;
      case wire::kTcpOptSackPermitted: out.add("tcp.options.sack_perm", 1); break;
      case wire::kTcpOptSack:
        for (std::size_t off = 0; off + 8 <= o.data.size(); off += 8) {
          out.add("tcp.options.sack_le", load_be32(o.data, off));
          out.add("tcp.options.sack_re", load_be32(o.data, off + 4));
        }
        break;
      case wire::kTcpOptTimestamps:
        out.add("tcp.options.timestamp.tsval", load_be32(o.data, 0));
        out.add("tcp.options.timestamp.tsecr", load_be32(o.data, 4));
        break;
      default: break;
    }
  }
}

void dissect_tcp(const IpContext& ip, Fields& out) {
  auto p = wire::TcpPacket::checked(ip.payload);
  if (!p) {
    // An ICMP error may quote only the first 8 bytes (RFC 792); tshark then
    // shows the ports only.
    if (!ip.quoted || ip.payload.size() < 4) return out.error("tcp", p.error());
    out.add("tcp.srcport", load_be16(ip.payload, wire::tcp_field::kSrcPort));
    out.add("tcp.dstport", load_be16(ip.payload, wire::tcp_field::kDstPort));
    return;
  }
  out.add("tcp.srcport", p->src_port());
  out.add("tcp.dstport", p->dst_port());
  out.add("tcp.seq_raw", p->seq().raw());
  out.add("tcp.ack_raw", p->ack().raw());
  out.add("tcp.hdr_len", p->header_len());
  out.add("tcp.flags", hex(p->flags(), 4));
  out.add("tcp.window_size_value", p->window());
  out.add("tcp.urgent_pointer", p->urgent());
  if (p->header_len() > ip.payload_len) return out.error("tcp", ParseError::BadLength);
  // The segment length the IP header claims, also when the capture holds less.
  out.add("tcp.len", ip.payload_len - p->header_len());
  auto repr = wire::TcpRepr::parse(*p, ip.src, ip.dst, /*verify_checksum=*/false);
  if (!repr) return out.error("tcp", repr.error());
  add_tcp_options(repr->options, out);
  out.status("tcp.checksum.status", verdict(ip.complete, p->verify_checksum(ip.src, ip.dst)));
}

// The view of an IPv4 datagram, accepting a payload cut short when the
// capture (snaplen) or the ICMP quote explains it. `cut` says whether it was.
wire::ParseResult<wire::Ipv4Packet> ipv4_view(ConstBytes b, bool allow_cut, bool& cut) {
  cut = false;
  auto p = wire::Ipv4Packet::checked(b);
  if (p || p.error() != ParseError::Truncated || !allow_cut) return p;
  auto q = wire::Ipv4Packet::checked_quoted(b);
  cut = q.ok();
  return q;
}

void add_ipv4_header(const wire::Ipv4Packet& p, Fields& out) {
  out.add("ip.src", p.src().to_string());
  out.add("ip.dst", p.dst().to_string());
  out.add("ip.proto", p.protocol());
  out.add("ip.ttl", p.ttl());
  out.add("ip.id", hex(p.ident(), 4));
  out.add("ip.len", p.total_length());
  out.add("ip.hdr_len", p.header_len());
  out.add("ip.dsfield", hex(p.tos(), 2));
  out.add("ip.flags.df", p.dont_frag() ? 1 : 0);
  out.add("ip.flags.mf", p.more_frags() ? 1 : 0);
  out.add("ip.frag_offset", p.frag_offset() / 8);
  out.add("ip.checksum", hex(p.checksum(), 4));
  out.status("ip.checksum.status", verdict(true, p.verify_checksum()));
}

// `capture_cut`: the frame holds fewer bytes than were on the wire.
// `quoted`: the datagram quoted by an ICMP error (may be cut; not recursed).
void dissect_ipv4(ConstBytes b, bool capture_cut, bool quoted, Fields& out) {
  bool cut = false;
  // A datagram longer than the frame is only an error when nothing explains it.
  auto p = ipv4_view(b, /*allow_cut=*/true, cut);
  if (!p) return out.error("ipv4", p.error());
  add_ipv4_header(*p, out);
  if (cut && !capture_cut && !quoted) return out.error("ipv4", ParseError::Truncated);
  auto repr = wire::Ipv4Repr::parse(*p, /*verify_checksum=*/false);
  if (!repr) return out.error("ipv4", repr.error());
  if (p->frag_offset() != 0) return;  // no transport header in a later fragment
  IpContext ip{p->src(), p->dst(), p->payload(), p->total_length() - p->header_len(),
               !cut && !p->more_frags(), quoted};
  switch (p->protocol()) {
    case wire::kIpProtoIcmp: return dissect_icmp(ip, out);
    case wire::kIpProtoUdp: return dissect_udp(ip, out);
    case wire::kIpProtoTcp: return dissect_tcp(ip, out);
    default: return;
  }
}

void dissect_arp(ConstBytes b, Fields& out) {
  auto p = wire::ArpPacket::checked(b);
  if (!p) return out.error("arp", p.error());
  out.add("arp.opcode", p->operation());
  out.add("arp.src.hw_mac", p->sender_hw().to_string());
  out.add("arp.src.proto_ipv4", p->sender_ip().to_string());
  out.add("arp.dst.hw_mac", p->target_hw().to_string());
  out.add("arp.dst.proto_ipv4", p->target_ip().to_string());
}

void dissect_ethernet(ConstBytes b, bool capture_cut, Fields& out) {
  auto f = wire::EthernetFrame::checked(b);
  if (!f) return out.error("ethernet", f.error());
  out.add("eth.src", f->src().to_string());
  out.add("eth.dst", f->dst().to_string());
  // eth.type is the type field of the untagged header: a TPID when tagged.
  out.add("eth.type", hex(load_be16(b, wire::ethernet_field::kEtherType), 4));
  // Wireshark dissects 802.1Q C-tags as "vlan" and 802.1ad S-tags as "ieee8021ad".
  for (std::size_t i = 0; i < f->tag_count(); ++i) {
    wire::VlanTag tag = f->tag(i);
    out.add(tag.tpid == wire::kEtherTypeQinQ ? "ieee8021ad.id" : "vlan.id", tag.vid);
  }
  switch (f->ethertype()) {
    case wire::kEtherTypeIpv4: return dissect_ipv4(f->payload(), capture_cut, false, out);
    case wire::kEtherTypeArp: return dissect_arp(f->payload(), out);
    default: return;
  }
}

}  // namespace

DissectJson dissect_frame(const PcapFrame& frame) {
  Fields out;
  out.add("frame.number", frame.index);
  std::int64_t ns = frame.timestamp.nanos();
  out.add("frame.time_epoch", fmt::format("{}{}.{:09}", ns < 0 ? "-" : "", (ns < 0 ? -ns : ns) / 1000000000,
                                          (ns < 0 ? -ns : ns) % 1000000000));
  out.add("frame.len", frame.original_len);
  out.add("frame.cap_len", frame.data.size());
  dissect_ethernet(frame.data, frame.data.size() < frame.original_len, out);
  return out.take();
}

Result<std::uint64_t, PcapError> dissect_capture(
    PcapReader& reader, const std::function<void(const DissectJson&)>& sink) {
  std::uint64_t n = 0;
  for (;;) {
    auto f = reader.next();
    if (!f) return Err{f.error()};
    if (!f->has_value()) return n;
    sink(dissect_frame(**f));
    ++n;
  }
}

}  // namespace synack::harness

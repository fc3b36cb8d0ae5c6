// Seed generator for the fuzz targets (run by scripts/gen-fuzz-seeds).
//
//   gen_seeds OUT_DIR CAPTURE...
//
// Writes OUT_DIR/fuzz_<target>/<hash>.bin:
//   - from each capture: Ethernet frames, ARP packets, IPv4 datagrams, ICMP
//     messages, UDP datagrams and TCP segments (with the 8-byte address
//     prefix fuzz_udp/fuzz_tcp expect), picked for variety (one per "shape":
//     protocol, flags, option kinds, size class) and capped per capture;
//     small captures (<= 4 KB) whole, and the first frames of larger ones
//     re-written as small pcaps, for fuzz_pcap_file; capture frames
//     re-addressed to the fuzzed host as fuzz_host_frames records (each
//     fuzz_host_frames input also once more with a final 600 s timer record);
//   - scripted fuzz_host_frames conversations built against the same fixture
//     the target uses (fuzz/common/host_fixture.h): data, FIN, RST, new
//     connections, UDP, ICMP echo and errors, fragments, ARP;
//   - a few pseudo-random inputs (fixed seed) for the FuzzedDataProvider
//     targets (fuzz_tcp_conversation, fuzz_reassembly).
// Everything is deterministic: the same captures give the same files.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fuzz/common/frames.h"
#include "fuzz/common/host_fixture.h"
#include "harness/pcap/pcap_reader.h"
#include "harness/pcap/pcap_writer.h"
#include "stack/base/rng.h"
#include "stack/wire/arp.h"

using namespace synack;
using namespace synack::fuzz;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPerCapture = 24;   // per target and capture
constexpr std::size_t kPerTarget = 200;

class SeedSink {
 public:
  explicit SeedSink(fs::path out) : out_(std::move(out)) {}
  // Returns false when the target is full or the input is a duplicate.
  bool put(const std::string& target, ConstBytes data) {
    auto& seen = seen_[target];
    if (seen.size() >= kPerTarget) return false;
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a 64
    for (std::uint8_t b : data) h = (h ^ b) * 1099511628211ULL;
    if (!seen.insert(h).second) return false;
    fs::create_directories(out_ / target);
    char name[32];
    std::snprintf(name, sizeof name, "%016llx.bin", static_cast<unsigned long long>(h));
    std::ofstream f(out_ / target / name, std::ios::binary);
    f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    return true;
  }
  void report() const {
    for (const auto& [t, s] : seen_) std::printf("%-28s %zu seeds\n", t.c_str(), s.size());
  }

 private:
  fs::path out_;
  std::map<std::string, std::set<std::uint64_t>> seen_;
};

// Keeps at most kPerCapture inputs per target, one per shape.
class Picker {
 public:
  explicit Picker(SeedSink& sink) : sink_(sink) {}
  void offer(const std::string& target, const std::string& shape, ConstBytes data) {
    auto& n = count_[target];
    if (n >= kPerCapture || !shapes_.insert(target + "/" + shape).second) return;
    if (sink_.put(target, data)) ++n;
  }

 private:
  SeedSink& sink_;
  std::map<std::string, std::size_t> count_;
  std::set<std::string> shapes_;
};

std::string size_class(std::size_t n) { return n == 0 ? "0" : n < 64 ? "s" : n < 600 ? "m" : "l"; }

Bytes with_addrs(wire::Ipv4Address src, wire::Ipv4Address dst, ConstBytes l4) {
  Bytes b(8);
  store_be32(b, 0, src.value);
  store_be32(b, 4, dst.value);
  b.insert(b.end(), l4.begin(), l4.end());
  return b;
}

// One fuzz_host_frames record.
void append_record(Bytes& out, std::uint16_t time, ConstBytes frame, bool raw = false) {
  std::size_t len = std::min<std::size_t>(frame.size(), 0x7fff);
  std::uint8_t hdr[4];
  store_be16(hdr, 0, time);
  store_be16(hdr, 2, static_cast<std::uint16_t>(len | (raw ? 0x8000 : 0)));
  out.insert(out.end(), hdr, hdr + 4);
  out.insert(out.end(), frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(len));
}

// A fuzz_host_frames timer record: the clock runs deadline by deadline
// through the next `secs` seconds.
void append_timers(Bytes& out, std::uint16_t secs = 600) {
  std::uint8_t rec[4];
  store_be16(rec, 0, static_cast<std::uint16_t>(0x8000 | secs));
  store_be16(rec, 2, 0x8000);
  out.insert(out.end(), rec, rec + 4);
}

// A fuzz_host_frames input twice: as is, and followed by 10 minutes of
// timers (retransmissions, retries, ARP failure, TIME-WAIT); the corpus
// merge keeps the second where the timers reach something.
void put_host(SeedSink& sink, const Bytes& records) {
  sink.put("fuzz_host_frames", records);
  Bytes timed = records;
  append_timers(timed);
  sink.put("fuzz_host_frames", timed);
}

// Points a captured frame at the fuzzed host (MACs and IPv4 addresses); the
// target's normaliser fixes the checksums.
Bytes readdress(ConstBytes frame) {
  Bytes f(frame.begin(), frame.end());
  if (f.size() < 14) return f;
  wire::store_mac(f, 0, host_fixture::kOurMac);
  wire::store_mac(f, 6, host_fixture::kPeerMac);
  if (f.size() >= 34 && load_be16(f, 12) == wire::kEtherTypeIpv4) {
    store_be32(f, 14 + 12, host_fixture::kPeerIp.value);
    store_be32(f, 14 + 16, host_fixture::kOurIp.value);
  }
  return f;
}

void from_capture(const fs::path& path, SeedSink& sink) {
  auto reader = harness::PcapReader::open(path.string());
  if (!reader) {
    std::fprintf(stderr, "gen_seeds: %s\n", reader.error().message.c_str());
    return;
  }
  Picker pick(sink);
  std::vector<harness::PcapFrame> frames;
  while (true) {
    auto n = reader->next();
    if (!n || !*n) break;
    frames.push_back(std::move(**n));
  }
  std::error_code ec;
  auto fsize = fs::file_size(path, ec);
  if (!ec && fsize <= 4096) {
    std::ifstream f(path, std::ios::binary);
    Bytes whole((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    sink.put("fuzz_pcap_file", whole);
  } else {
    auto w = harness::PcapWriter::in_memory(2048);
    for (std::size_t i = 0; i < frames.size() && i < 4; ++i)
      if (frames[i].data.size() <= 600) (void)w.write(Instant::from_secs(1) + Duration::from_millis(static_cast<std::int64_t>(i)), frames[i].data);
    if (w.frames_written() > 0) sink.put("fuzz_pcap_file", w.bytes());
  }
  Bytes host_records;
  std::size_t host_frames = 0;
  for (const auto& fr : frames) {
    ConstBytes b = fr.data;
    if (b.size() > 1600) continue;
    auto eth = wire::EthernetFrame::checked(b);
    if (!eth) continue;
    std::string eshape = std::to_string(eth->ethertype()) + "/" + std::to_string(eth->tag_count());
    pick.offer("fuzz_ethernet", eshape + "/" + size_class(b.size()), b);
    if (host_frames < 12 && b.size() <= 600) {
      append_record(host_records, 1000, readdress(b));
      ++host_frames;
    }
    if (eth->ethertype() == wire::kEtherTypeArp) {
      pick.offer("fuzz_arp", "arp" + std::to_string(b.size() > 14 ? b[21] : 0), eth->payload());
      continue;
    }
    if (eth->ethertype() != wire::kEtherTypeIpv4) continue;
    auto ip = wire::Ipv4Packet::checked(eth->payload());
    if (!ip) continue;
    std::string ishape = std::to_string(ip->protocol()) + "/" + std::to_string(ip->header_len()) + "/" +
                         std::to_string(ip->more_frags() || ip->frag_offset() != 0);
    pick.offer("fuzz_ipv4", ishape + "/" + size_class(ip->payload().size()), ip->bytes());
    if (ip->more_frags() || ip->frag_offset() != 0) continue;
    ConstBytes l4 = ip->payload();
    if (ip->protocol() == wire::kIpProtoIcmp) {
      if (auto m = wire::Icmpv4Packet::checked(l4))
        pick.offer("fuzz_icmpv4", std::to_string(m->type()) + "/" + std::to_string(m->code()), l4);
    } else if (ip->protocol() == wire::kIpProtoUdp) {
      if (wire::UdpPacket::checked(l4))
        pick.offer("fuzz_udp", size_class(l4.size()), with_addrs(ip->src(), ip->dst(), l4));
    } else if (ip->protocol() == wire::kIpProtoTcp) {
      if (auto t = wire::TcpPacket::checked(l4)) {
        std::string kinds;
        if (auto r = wire::TcpRepr::parse(*t, ip->src(), ip->dst(), false))
          for (auto it = r->options.begin(); it != r->options.end(); ++it) kinds += std::to_string((*it).kind) + ",";
        pick.offer("fuzz_tcp", std::to_string(t->flags()) + "/" + kinds + "/" + size_class(t->payload().size()),
                   with_addrs(ip->src(), ip->dst(), l4));
      }
    }
  }
  if (!host_records.empty()) put_host(sink, host_records);
}

// ---- scripted fuzz_host_frames conversations ----

struct Script {
  HostFixture fx;
  Bytes records;
  std::uint32_t peer_seq = host_fixture::kPeerIss + 1;
  std::uint32_t tsval = host_fixture::kPeerTsval + 1;
  std::uint32_t our_ack_point = 0;

  Script() {
    fx.setup();
    our_ack_point = fx.iss().value_or(0) + 1;
  }
  void frame(const Bytes& f, std::uint16_t time = 1000) { append_record(records, time, f); }
  void tcp(std::uint16_t flags, const std::string& data, std::uint32_t ack, std::uint16_t time = 1000) {
    wire::TcpRepr t = peer_segment(peer_seq, ack, flags, ++tsval, fx.our_tsval());
    ConstBytes p(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    frame(build_tcp_frame(host_fixture::kFromPeer, host_fixture::kPeerIp, host_fixture::kOurIp, t, p), time);
    peer_seq += t.segment_len(data.size());
  }
  // The peer's SYN-ACK (ISS `seq`, MSS 1460) answering the fixture's active open.
  wire::TcpRepr syn_ack_to_active_open(std::uint32_t seq) const {
    wire::TcpRepr sa;
    sa.src_port = host_fixture::kActivePeerPort;
    sa.dst_port = fx.active_port();
    sa.seq = wire::SeqNumber(seq);
    sa.ack = wire::SeqNumber(fx.active_iss().value_or(0) + 1);
    sa.flags = wire::kTcpSyn | wire::kTcpAck;
    sa.window = 65535;
    (void)sa.options.push_mss(1460);
    return sa;
  }
};

void scripted(SeedSink& sink) {
  using namespace host_fixture;
  {  // data both ways, then an orderly close from the peer
    Script s;
    std::uint32_t ack = s.our_ack_point + 6;  // "hello\n" acknowledged
    s.tcp(wire::kTcpAck | wire::kTcpPsh, "GET / HTTP/1.0\r\n\r\n", ack);
    s.tcp(wire::kTcpAck | wire::kTcpPsh, "more data", ack, 1);  // app action 1: send 100 bytes
    s.tcp(wire::kTcpAck | wire::kTcpFin, "", ack + 100, 0x8000 | 200);
    put_host(sink, s.records);
  }
  {  // out-of-order data, then the hole filled; SACK blocks
    Script s;
    std::uint32_t ack = s.our_ack_point + 6;
    std::uint32_t base = s.peer_seq;
    s.peer_seq = base + 10;
    s.tcp(wire::kTcpAck, "0123456789", ack);
    s.peer_seq = base;
    s.tcp(wire::kTcpAck, "abcdefghij", ack);
    put_host(sink, s.records);
  }
  {  // RST in window, and an out-of-window RST (challenge ACK)
    Script s;
    s.tcp(wire::kTcpRst, "", 0);
    put_host(sink, s.records);
    Script s2;
    s2.peer_seq += 100000;
    s2.tcp(wire::kTcpRst | wire::kTcpAck, "", s2.our_ack_point);
    put_host(sink, s2.records);
  }
  {  // a second connection to the listener, and a SYN to a closed port
    Script s;
    wire::TcpRepr syn = peer_segment(777, 0, wire::kTcpSyn, 1, 0);
    syn.src_port = 40001;
    (void)syn.options.push_mss(536);
    s.frame(build_tcp_frame(kFromPeer, kPeerIp, kOurIp, syn, {}));
    syn.dst_port = 81;
    s.frame(build_tcp_frame(kFromPeer, kPeerIp, kOurIp, syn, {}));
    put_host(sink, s.records);
  }
  {  // SYN-ACK completing our active open, then data
    Script s;
    wire::TcpRepr sa = s.syn_ack_to_active_open(5555);
    s.frame(build_tcp_frame(kFromPeer, kPeerIp, kOurIp, sa, {}));
    wire::TcpRepr d = sa;
    d.seq = wire::SeqNumber(5556);
    d.flags = wire::kTcpAck | wire::kTcpPsh;
    d.options = {};
    const std::uint8_t msg[] = {'h', 'i'};
    s.frame(build_tcp_frame(kFromPeer, kPeerIp, kOurIp, d, msg));
    put_host(sink, s.records);
  }
  {  // our active open completed, shut down by us (action 3: the newest
     // descriptor is the active one), the peer's FIN-ACK: TIME-WAIT, which
     // the timer record ends 2 MSL later
    Script s;
    wire::TcpRepr sa = s.syn_ack_to_active_open(7777);
    s.frame(build_tcp_frame(kFromPeer, kPeerIp, kOurIp, sa, {}), 1000 | 3);
    wire::TcpRepr fin = sa;
    fin.seq = wire::SeqNumber(7778);
    fin.ack = wire::SeqNumber(s.fx.active_iss().value_or(0) + 2);  // our FIN acknowledged
    fin.flags = wire::kTcpAck | wire::kTcpFin;
    fin.options = {};
    s.frame(build_tcp_frame(kFromPeer, kPeerIp, kOurIp, fin, {}));
    put_host(sink, s.records);
  }
  {  // the peer acknowledges "hello\n" with a zero window, then we have 100
     // bytes to send (action 1): persist probes through the timer record
    Script s;
    wire::TcpRepr t = peer_segment(s.peer_seq, s.our_ack_point + 6, wire::kTcpAck, ++s.tsval, s.fx.our_tsval());
    t.window = 0;
    s.frame(build_tcp_frame(kFromPeer, kPeerIp, kOurIp, t, {}), 1000 | 1);
    put_host(sink, s.records);
  }
  {  // UDP to port 53 (answered by action 2), to a closed port, and ICMP echo
    Script s;
    std::string q = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00";
    ConstBytes qp(reinterpret_cast<const std::uint8_t*>(q.data()), q.size());
    s.frame(build_udp_frame(kFromPeer, kPeerIp, kOurIp, wire::UdpRepr{5353, kUdpPort}, qp), 2);
    s.frame(build_udp_frame(kFromPeer, kPeerIp, kOurIp, wire::UdpRepr{5353, 9999}, qp));
    wire::Icmpv4Repr echo{wire::Icmpv4EchoRequest{1, 1}, qp};
    s.frame(build_icmp_frame(kFromPeer, kPeerIp, kOurIp, echo));
    put_host(sink, s.records);
  }
  {  // ICMP errors quoting our connection's segment (unreachable, frag needed)
    Script s;
    wire::TcpRepr ours;
    ours.src_port = kListenPort;
    ours.dst_port = kPeerPort;
    ours.seq = wire::SeqNumber(s.our_ack_point);
    ours.flags = wire::kTcpAck;
    Bytes quoted_seg(ours.buffer_len(0));
    ours.emit(quoted_seg, {}, kOurIp, kPeerIp);
    wire::Ipv4Repr qip = make_ipv4(kOurIp, kPeerIp, wire::kIpProtoTcp);
    qip.payload_len = static_cast<std::uint16_t>(quoted_seg.size());
    Bytes quoted(qip.buffer_len());
    qip.emit(quoted, quoted_seg);
    wire::Icmpv4Repr unreach{wire::Icmpv4DestUnreachable{wire::Icmpv4UnreachableCode::FragNeeded, 576},
                             ConstBytes(quoted.data(), 28)};
    s.frame(build_icmp_frame(kFromPeer, kPeerIp, kOurIp, unreach));
    wire::Icmpv4Repr port{wire::Icmpv4DestUnreachable{wire::Icmpv4UnreachableCode::PortUnreachable, 0},
                          ConstBytes(quoted.data(), 28)};
    s.frame(build_icmp_frame(kFromPeer, kPeerIp, kOurIp, port));
    put_host(sink, s.records);
  }
  {  // a UDP datagram in two fragments, then a lone fragment left to time out
    Script s;
    Bytes payload(64, 0x5a);
    wire::UdpRepr u{5353, kUdpPort};
    Bytes dgram(u.buffer_len(payload.size()));
    u.emit(dgram, payload, kPeerIp, kOurIp);
    wire::Ipv4Repr a = make_ipv4(kPeerIp, kOurIp, wire::kIpProtoUdp);
    a.dont_frag = false;
    a.ident = 99;
    a.more_frags = true;
    a.payload_len = 40;
    Bytes fa(a.buffer_len());
    a.emit(fa, ConstBytes(dgram.data(), 40));
    wire::Ipv4Repr b = a;
    b.more_frags = false;
    b.frag_offset = 40;
    b.payload_len = static_cast<std::uint16_t>(dgram.size() - 40);
    Bytes fb(b.buffer_len());
    b.emit(fb, ConstBytes(dgram.data() + 40, dgram.size() - 40));
    wire::EthernetRepr eth{kOurMac, kPeerMac, wire::kEtherTypeIpv4, std::nullopt, std::nullopt};
    for (const Bytes* ipb : {&fa, &fb, &fa}) {
      Bytes fr(eth.header_len() + ipb->size());
      eth.emit(fr, *ipb);
      if (ipb == &fa && !s.records.empty()) {  // the repeat: a new ident, left incomplete
        store_be16(fr, 14 + 4, 100);
        append_record(s.records, 0x8000 | 31000, fr);
      } else {
        append_record(s.records, 1000, fr);
      }
    }
    put_host(sink, s.records);
  }
  {  // ARP: a request for us, and the reply resolving 10.0.0.3
    Script s;
    wire::ArpRepr req{wire::ArpOperation::Request, kPeerMac, kPeerIp, wire::MacAddress{}, kOurIp};
    wire::ArpRepr rep{wire::ArpOperation::Reply, wire::MacAddress{{2, 0, 0, 0, 0, 3}}, kUnresolvedIp, kOurMac, kOurIp};
    for (const auto* a : {&req, &rep}) {
      Bytes arp(28);
      a->emit(arp);
      wire::EthernetRepr eth{a == &req ? wire::MacAddress::broadcast() : kOurMac, a->sender_hw,
                             wire::kEtherTypeArp, std::nullopt, std::nullopt};
      Bytes fr(eth.header_len() + arp.size());
      eth.emit(fr, arp);
      s.frame(fr);
    }
    put_host(sink, s.records);
  }
  {  // no frame at all: only the timers run (retransmissions, ARP failure):
     // 5 s, the application's action 1, then (second copy) 600 s more
    Script s;
    append_timers(s.records, 5);  // 5 s; bits 0-1: action 1, send 100 bytes on every connection
    put_host(sink, s.records);
  }
}

void random_seeds(SeedSink& sink, const std::string& target, std::uint64_t seed, int count) {
  Rng rng(seed);
  for (int i = 0; i < count; ++i) {
    Bytes b(64 + rng.below(448));
    for (auto& x : b) x = static_cast<std::uint8_t>(rng.next_u32());
    sink.put(target, b);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gen_seeds OUT_DIR [CAPTURE...]\n");
    return 2;
  }
  SeedSink sink{fs::path(argv[1])};
  scripted(sink);
  for (int i = 2; i < argc; ++i) from_capture(argv[i], sink);
  random_seeds(sink, "fuzz_tcp_conversation", 1, 24);
  random_seeds(sink, "fuzz_reassembly", 2, 12);
  sink.report();
  return 0;
}

// The dissector against tshark 4.0: every field of every frame of the kernel
// captures in corpus/captures/ and of synthetic edge-case frames; and the
// `synack dissect` command's exit codes and error paths.
#include "harness/dissect.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "harness/pcap/pcap_writer.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "stack/wire/udp.h"

namespace synack::harness {
namespace {

namespace fs = std::filesystem;
using namespace synack::wire;

// Every field the dissector prints, in tshark's spelling.
const std::vector<std::string> kFields = {
    "frame.number", "frame.time_epoch", "frame.len", "frame.cap_len", "eth.src", "eth.dst",
    "eth.type", "vlan.id", "ieee8021ad.id", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac",
    "arp.dst.proto_ipv4", "ip.src", "ip.dst", "ip.proto", "ip.ttl", "ip.id", "ip.len", "ip.hdr_len",
    "ip.dsfield", "ip.flags.df", "ip.flags.mf", "ip.frag_offset", "ip.checksum",
    "ip.checksum.status", "icmp.type", "icmp.code", "icmp.ident", "icmp.seq",
    "icmp.checksum.status", "udp.srcport", "udp.dstport", "udp.length", "udp.checksum.status",
    "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.hdr_len", "tcp.flags",
    "tcp.window_size_value", "tcp.urgent_pointer", "tcp.len", "tcp.options.mss_val",
    "tcp.options.wscale.shift", "tcp.options.sack_perm", "tcp.options.sack_le",
    "tcp.options.sack_re", "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr",
    "tcp.checksum.status"};

struct CommandResult {
  int status = -1;
  std::string out;
};

CommandResult run(const std::string& cmd) {
  CommandResult r;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

bool have_tshark() { return run("command -v tshark >/dev/null 2>&1").status == 0; }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

// tshark's rows: one per frame, one string per field ("" when absent,
// comma-joined when repeated).
std::vector<std::vector<std::string>> tshark_rows(const std::string& path) {
  std::string cmd =
      "tshark -r '" + path + "' -n -T fields -o tcp.relative_sequence_numbers:FALSE "
      "-o ip.defragment:FALSE -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE "
      "-o udp.check_checksum:TRUE -E separator=/t";
  for (const auto& f : kFields) cmd += " -e " + f;
  cmd += " 2>/dev/null";
  CommandResult r = run(cmd);
  EXPECT_EQ(r.status, 0) << cmd;
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) rows.push_back(split(line, '\t'));
  return rows;
}

std::vector<DissectJson> dissect_file(const std::string& path) {
  std::vector<DissectJson> out;
  auto reader = PcapReader::open(path);
  EXPECT_TRUE(reader) << reader.error().message;
  if (!reader) return out;
  auto n = dissect_capture(*reader, [&](const DissectJson& j) { out.push_back(j); });
  EXPECT_TRUE(n) << n.error().message;
  return out;
}

// Our value in tshark's text form.
std::string as_text(const DissectJson& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string s;
    for (const auto& e : v) s += (s.empty() ? "" : ",") + as_text(e);
    return s;
  }
  return v.dump();
}

struct FieldTally {
  int compared = 0;  // frames where either side has the field
  int matched = 0;
};

// Compares every field of every frame; returns the per-field tally and adds
// one failure per mismatch (the first 20 are spelled out).
std::map<std::string, FieldTally> compare_with_tshark(const std::string& path) {
  std::map<std::string, FieldTally> tally;
  auto ours = dissect_file(path);
  auto theirs = tshark_rows(path);
  EXPECT_EQ(ours.size(), theirs.size()) << path;
  int reported = 0;
  for (std::size_t i = 0; i < std::min(ours.size(), theirs.size()); ++i) {
    if (theirs[i].size() != kFields.size()) {
      ADD_FAILURE() << path << " frame " << i + 1 << ": tshark printed " << theirs[i].size()
                    << " columns";
      continue;
    }
    bool has_error = ours[i].contains("error");
    for (std::size_t k = 0; k < kFields.size(); ++k) {
      const std::string& f = kFields[k];
      std::string want = theirs[i][k];
      std::string got = ours[i].contains(f) ? as_text(ours[i][f]) : "";
      // tshark prints the SACK-permitted option's bytes; we print 1 (presence).
      if (f == "tcp.options.sack_perm" && !want.empty()) want = "1";
      // A frame we could not dissect to the end: compare what we printed.
      if (has_error && got.empty()) continue;
      if (want.empty() && got.empty()) continue;
      auto& t = tally[f];
      ++t.compared;
      if (want == got) {
        ++t.matched;
      } else if (reported++ < 20) {
        ADD_FAILURE() << path << " frame " << i + 1 << " " << f << ": tshark '" << want
                      << "', synack '" << got << "'";
      }
    }
  }
  return tally;
}

void print_tally(const std::string& title, const std::map<std::string, FieldTally>& tally) {
  std::printf("%s\n", title.c_str());
  for (const auto& f : kFields) {
    auto it = tally.find(f);
    if (it == tally.end()) continue;
    std::printf("  %-30s %6d/%-6d frames match\n", f.c_str(), it->second.matched,
                it->second.compared);
  }
}

TEST(DissectTshark, CorpusCapturesMatchTsharkFieldByField) {
  if (!have_tshark()) GTEST_SKIP() << "tshark is not installed; the comparison needs it";
  fs::path dir = fs::path(SYNACK_SOURCE_DIR) / "corpus" / "captures";
  ASSERT_TRUE(fs::exists(dir)) << dir;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    auto ext = e.path().extension();
    if (ext == ".pcap" || ext == ".pcapng") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  std::map<std::string, FieldTally> total;
  for (const auto& p : files) {
    for (const auto& [f, t] : compare_with_tshark(p.string())) {
      total[f].compared += t.compared;
      total[f].matched += t.matched;
    }
  }
  print_tally("corpus/captures (" + std::to_string(files.size()) + " files):", total);
  // The corpus must exercise the interesting fields at all.
  for (const char* f : {"arp.opcode", "icmp.ident", "udp.checksum.status", "tcp.options.sack_le",
                        "tcp.options.mss_val", "tcp.options.timestamp.tsval"}) {
    EXPECT_GT(total[f].compared, 0) << f;
  }
}

// ---- synthetic frames for the cases the kernel captures do not cover ----

const MacAddress kMacA{{0x02, 0, 0, 0, 0, 0x0a}};
const MacAddress kMacB{{0x02, 0, 0, 0, 0, 0x0b}};
const Ipv4Address kIpA = Ipv4Address::from_octets(192, 0, 2, 1);
const Ipv4Address kIpB = Ipv4Address::from_octets(198, 51, 100, 7);

Bytes ethernet(ConstBytes payload, std::uint16_t type, std::vector<VlanTag> tags = {}) {
  EthernetRepr e{kMacB, kMacA, type, std::nullopt, std::nullopt};
  if (tags.size() >= 1) e.vlan = tags.back();
  if (tags.size() == 2) e.outer_vlan = tags.front();
  Bytes out(e.header_len() + payload.size());
  e.emit(out, payload);
  return out;
}

Bytes ipv4(ConstBytes payload, std::uint8_t proto, Ipv4Repr ip = {}) {
  ip.src = kIpA;
  ip.dst = kIpB;
  ip.protocol = proto;
  ip.payload_len = static_cast<std::uint16_t>(payload.size());
  Bytes out(ip.header_len() + payload.size());
  ip.emit(out, payload);
  return out;
}

Bytes tcp(TcpRepr t, ConstBytes payload = {}) {
  Bytes out(t.header_len() + payload.size());
  t.emit(out, payload, kIpA, kIpB);
  return out;
}

Bytes udp(std::uint16_t sport, std::uint16_t dport, ConstBytes payload) {
  UdpRepr u{sport, dport};
  Bytes out(u.header_len() + payload.size());
  u.emit(out, payload, kIpA, kIpB);
  return out;
}

Bytes icmp(Icmpv4Message m, ConstBytes data) {
  Icmpv4Repr r{m, data};
  Bytes out(r.buffer_len());
  r.emit(out);
  return out;
}

Bytes tcp_ipv4_frame(const TcpRepr& t, ConstBytes payload = {}) {
  return ethernet(ipv4(tcp(t, payload), kIpProtoTcp), kEtherTypeIpv4);
}

TcpRepr basic_tcp() {
  TcpRepr t;
  t.src_port = 40000;
  t.dst_port = 80;
  t.seq = SeqNumber(0xfffffff0);
  t.ack = SeqNumber(12345);
  t.flags = kTcpAck | kTcpPsh;
  t.window = 512;
  return t;
}

// A TCP header with 4 option bytes holding an MSS option of length 3.
Bytes bad_option_frame() {
  Bytes f = tcp_ipv4_frame(basic_tcp());
  Bytes opts{kTcpOptMss, 3, 0, 0};
  f.insert(f.begin() + 14 + 20 + 20, opts.begin(), opts.end());
  f[14 + 20 + 12] = 6 << 4;
  store_be16(f, 14 + 2, 44);
  return f;
}

std::vector<Bytes> synthetic_frames() {
  std::vector<Bytes> frames;
  Bytes hello{'h', 'e', 'l', 'l', 'o'};
  // UDP over one 802.1Q tag, and over two.
  Bytes u = ipv4(udp(5353, 53, hello), kIpProtoUdp);
  frames.push_back(ethernet(u, kEtherTypeIpv4, {VlanTag{3, false, 100, kEtherTypeVlan}}));
  frames.push_back(ethernet(u, kEtherTypeIpv4,
                            {VlanTag{0, false, 20, kEtherTypeVlan}, VlanTag{0, true, 30, kEtherTypeVlan}}));
  frames.push_back(ethernet(u, kEtherTypeIpv4,
                            {VlanTag{0, false, 20, kEtherTypeQinQ}, VlanTag{0, true, 30, kEtherTypeVlan}}));
  // UDP without a checksum (zero), and with a wrong one.
  Bytes nosum = udp(1000, 2000, hello);
  nosum[6] = nosum[7] = 0;
  frames.push_back(ethernet(ipv4(nosum, kIpProtoUdp), kEtherTypeIpv4));
  Bytes badsum = udp(1000, 2000, hello);
  badsum[7] ^= 0x55;
  frames.push_back(ethernet(ipv4(badsum, kIpProtoUdp), kEtherTypeIpv4));
  // TCP: every option we print, three SACK blocks, URG/ECE/CWR/AE, urgent data.
  TcpRepr t = basic_tcp();
  t.flags = kTcpAck | kTcpUrg | kTcpEce | kTcpCwr | kTcpAe;
  t.urgent = 3;
  EXPECT_TRUE(t.options.push_nop() && t.options.push_nop());
  EXPECT_TRUE(t.options.push_timestamps(0xdeadbeef, 7));
  std::vector<SackBlock> sacks{{SeqNumber(100), SeqNumber(200)}, {SeqNumber(300), SeqNumber(400)},
                               {SeqNumber(0xfffffff0), SeqNumber(5)}};
  EXPECT_TRUE(t.options.push_nop() && t.options.push_nop() && t.options.push_sack(sacks));
  frames.push_back(tcp_ipv4_frame(t, hello));
  // SYN with MSS, SACK-permitted, window scale; IPv4 options; DSCP/ECN.
  TcpRepr syn = basic_tcp();
  syn.flags = kTcpSyn;
  EXPECT_TRUE(syn.options.push_mss(536) && syn.options.push_sack_permitted() &&
              syn.options.push_nop() && syn.options.push_wscale(14));
  Ipv4Repr ip_opts;
  ip_opts.tos = 0xb9;
  ip_opts.ttl = 3;
  ip_opts.ident = 0xbeef;
  EXPECT_TRUE(ip_opts.options.append_router_alert(0) && ip_opts.options.pad());
  frames.push_back(ethernet(ipv4(tcp(syn), kIpProtoTcp, ip_opts), kEtherTypeIpv4));
  // Bad TCP checksum; bad IPv4 checksum.
  Bytes bad_tcp = tcp_ipv4_frame(basic_tcp(), hello);
  bad_tcp[14 + 20 + 16] ^= 0xff;
  frames.push_back(bad_tcp);
  Bytes bad_ip = tcp_ipv4_frame(basic_tcp());
  bad_ip[14 + 10] ^= 0x01;
  frames.push_back(bad_ip);
  // A RST padded to the 60-byte Ethernet minimum (padding after the datagram).
  TcpRepr rst = basic_tcp();
  rst.flags = kTcpRst;
  Bytes padded = tcp_ipv4_frame(rst);
  padded.resize(60, 0);
  frames.push_back(padded);
  // ICMP echo request with a bad checksum; an error quoting only 8 bytes of TCP.
  Bytes echo = icmp(Icmpv4EchoRequest{0x1234, 9}, hello);
  echo[2] ^= 0x10;
  frames.push_back(ethernet(ipv4(echo, kIpProtoIcmp), kEtherTypeIpv4));
  Bytes quoted = ipv4(tcp(basic_tcp()), kIpProtoTcp);
  quoted.resize(20 + 8);
  Icmpv4DestUnreachable unreach{Icmpv4UnreachableCode::FragNeeded, 1400};
  frames.push_back(ethernet(ipv4(icmp(unreach, quoted), kIpProtoIcmp), kEtherTypeIpv4));
  // A middle fragment of a UDP datagram: no transport fields.
  Ipv4Repr frag;
  frag.more_frags = true;
  frag.frag_offset = 1480;
  frames.push_back(ethernet(ipv4(Bytes(64, 0xab), kIpProtoUdp, frag), kEtherTypeIpv4));
  // An IPv6 frame (Ethernet fields only) and an unknown IP protocol (GRE).
  frames.push_back(ethernet(Bytes(40, 0x60), 0x86dd));
  frames.push_back(ethernet(ipv4(Bytes(8, 0), 47), kEtherTypeIpv4));
  // Malformed: a bad TCP option list; an IPv4 total length past the frame.
  frames.push_back(bad_option_frame());
  Bytes cut = tcp_ipv4_frame(basic_tcp(), Bytes(100, 1));
  cut.resize(80);
  frames.push_back(cut);
  return frames;
}

TEST(DissectTshark, SyntheticFramesMatchTshark) {
  if (!have_tshark()) GTEST_SKIP() << "tshark is not installed; the comparison needs it";
  PcapWriter w = PcapWriter::in_memory();
  std::int64_t t = 1700000000000000000;
  for (const Bytes& f : synthetic_frames()) {
    ASSERT_TRUE(w.write(Instant::from_nanos(t), f));
    t += 1000001;
  }
  fs::path path = fs::temp_directory_path() / ("synack_dissect_" + std::to_string(::getpid()) + ".pcap");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(w.bytes().data()), static_cast<std::streamsize>(w.bytes().size()));
  auto tally = compare_with_tshark(path.string());
  print_tally("synthetic frames:", tally);
  fs::remove(path);
}

// ---- our own output for the cases tshark cannot arbitrate ----

PcapFrame frame_of(Bytes data, std::uint32_t original_len = 0) {
  PcapFrame f;
  f.index = 1;
  f.original_len = original_len != 0 ? original_len : static_cast<std::uint32_t>(data.size());
  f.data = std::move(data);
  return f;
}

TEST(Dissect, MalformedTcpOptionsNameTheLayer) {
  Bytes f = bad_option_frame();
  DissectJson j = dissect_frame(frame_of(f));
  EXPECT_EQ(j.value("error", ""), "tcp: bad option");
  EXPECT_EQ(j["tcp.srcport"], 40000);
  EXPECT_EQ(j["tcp.hdr_len"], 24);
  EXPECT_FALSE(j.contains("tcp.options.mss_val"));
}

TEST(Dissect, TruncatedLayersAreErrorsUnlessTheSnaplenExplainsThem) {
  Bytes f = tcp_ipv4_frame(basic_tcp(), Bytes(100, 1));
  Bytes cut(f.begin(), f.begin() + 60);
  // Cut by the capture's snaplen: not an error, checksum unverified.
  DissectJson snap = dissect_frame(frame_of(cut, static_cast<std::uint32_t>(f.size())));
  EXPECT_FALSE(snap.contains("error")) << snap.dump();
  EXPECT_EQ(snap["tcp.len"], 100);
  EXPECT_EQ(snap["tcp.checksum.status"], 2);
  // The same bytes claiming to be the whole frame: the IP length lies.
  DissectJson bad = dissect_frame(frame_of(cut));
  EXPECT_EQ(bad.value("error", ""), "ipv4: truncated");
  EXPECT_EQ(bad["ip.len"], 140);
  EXPECT_EQ(dissect_frame(frame_of(Bytes(10, 0))).value("error", ""), "ethernet: truncated");
  Bytes arp = ethernet(Bytes{0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1}, kEtherTypeArp);
  EXPECT_EQ(dissect_frame(frame_of(arp)).value("error", ""), "arp: truncated");
}

TEST(Dissect, RepeatedFieldsBecomeArrays) {
  DissectJson j = dissect_frame(frame_of(synthetic_frames()[5]));
  ASSERT_TRUE(j["tcp.options.sack_le"].is_array());
  EXPECT_EQ(j["tcp.options.sack_le"], DissectJson::array({100, 300, 0xfffffff0u}));
  EXPECT_EQ(j["tcp.options.sack_re"], DissectJson::array({200, 400, 5}));
  EXPECT_EQ(j["tcp.flags"], "0x01f0");
  EXPECT_EQ(j["frame.time_epoch"], "0.000000000");
}

// ---- the command line ----

std::string synack_binary() { return std::string(SYNACK_BINARY_DIR) + "/bin/synack"; }

TEST(DissectCli, TruncatedFilePrintsEarlierFramesThenExits2) {
  if (!fs::exists(synack_binary())) GTEST_SKIP() << "build the synack target first";
  PcapWriter w = PcapWriter::in_memory();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(w.write(Instant::from_secs(i), tcp_ipv4_frame(basic_tcp())));
  Bytes cap = w.take_bytes();
  cap.resize(cap.size() - 10);
  fs::path path = fs::temp_directory_path() / ("synack_cut_" + std::to_string(::getpid()) + ".pcap");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(cap.data()), static_cast<std::streamsize>(cap.size()));
  fs::path err = path.string() + ".err";
  CommandResult r = run(synack_binary() + " dissect '" + path.string() + "' 2>'" + err.string() + "'");
  EXPECT_EQ(r.status, 2);
  auto lines = split(r.out, '\n');
  ASSERT_EQ(lines.size(), 3u) << r.out;  // two frames and the empty tail
  EXPECT_EQ(DissectJson::parse(lines[1])["frame.number"], 2);
  std::ifstream in(err);
  std::string msg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(msg.find(path.string() + ": frame 3: "), std::string::npos) << msg;
  EXPECT_EQ(std::count(msg.begin(), msg.end(), '\n'), 1) << msg;
  fs::remove(path);
  fs::remove(err);
}

TEST(DissectCli, UnreadableInputAndUsageExit2HelpExits0) {
  if (!fs::exists(synack_binary())) GTEST_SKIP() << "build the synack target first";
  CommandResult missing = run(synack_binary() + " dissect /nonexistent/x.pcap 2>&1");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.out.find("/nonexistent/x.pcap: "), std::string::npos) << missing.out;
  EXPECT_EQ(run(synack_binary() + " dissect 2>/dev/null").status, 2);
  CommandResult help = run(synack_binary() + " dissect --help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("FILE"), std::string::npos);
  CommandResult ok = run(synack_binary() + " dissect '" + std::string(SYNACK_SOURCE_DIR) +
                         "/corpus/captures/tcp_rst.pcap'");
  EXPECT_EQ(ok.status, 0);
  EXPECT_EQ(std::count(ok.out.begin(), ok.out.end(), '\n'), 2);
}

}  // namespace
}  // namespace synack::harness

#include "harness/golden/golden.h"

#include <fmt/core.h>

#include <vector>

#include "harness/dissect.h"
#include "harness/pcap/pcap_reader.h"

namespace synack::harness {

namespace {
SimOptions opts(std::uint64_t seed, std::uint32_t loss_ppm = 0, std::uint32_t dup_ppm = 0,
                std::uint32_t reorder_ppm = 0, std::uint32_t corrupt_ppm = 0, std::uint64_t bytes = 1 << 20) {
  SimOptions o;
  o.seed = seed;
  o.faults.delay = Duration::from_micros(50);
  o.faults.loss_ppm = loss_ppm;
  o.faults.dup_ppm = dup_ppm;
  o.faults.reorder_ppm = reorder_ppm;
  o.faults.corrupt_ppm = corrupt_ppm;
  o.bytes = bytes;
  o.pcap = "";  // in memory
  return o;
}

const std::vector<GoldenCase>& table() {
  static const std::vector<GoldenCase> cases = {
      {"ping-clean", "ping", "--seed 1", opts(1)},
      {"ping-loss", "ping", "--seed 2 --loss 0.1", opts(2, 100000)},
      {"udp-faults", "udp", "--seed 3 --loss 0.05 --dup 0.05 --reorder 0.05 --corrupt 0.02",
       opts(3, 50000, 50000, 50000, 20000)},
      {"dns-clean", "dns", "--seed 4", opts(4)},
      {"handshake-clean", "handshake", "--seed 5", opts(5)},
      {"bulk-64k-loss", "bulk", "--seed 6 --bytes 64K --loss 0.05 --reorder 0.02",
       opts(6, 50000, 0, 20000, 0, 64 * 1024)},
  };
  return cases;
}

std::vector<DissectJson> frames_of(ConstBytes pcap) {
  std::vector<DissectJson> out;
  auto r = PcapReader::from_memory(pcap, "golden");
  if (!r) return out;
  while (true) {
    auto f = r->next();
    if (!f || !*f) break;
    out.push_back(dissect_frame(**f));
  }
  return out;
}

std::string value_text(const DissectJson& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

std::string one_line(const DissectJson& f) {
  std::string s;
  for (const char* key : {"frame.number", "frame.time_epoch", "frame.len", "eth.type", "arp.opcode", "ip.src", "ip.dst",
                          "ip.id", "ip.frag_offset", "icmp.type", "icmp.seq", "udp.srcport", "udp.dstport",
                          "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.len",
                          "tcp.window_size_value", "error"}) {
    if (f.contains(key)) s += fmt::format("{}{}={}", s.empty() ? "" : " ", key, value_text(f[key]));
  }
  return s;
}
}  // namespace

std::span<const GoldenCase> golden_cases() { return table(); }

const GoldenCase* find_golden(std::string_view name) {
  for (const auto& c : table())
    if (c.name == name) return &c;
  return nullptr;
}

Bytes run_golden(const GoldenCase& c) {
  const auto* s = find_scenario(c.scenario);
  if (!s) return {};
  return s->run(c.options).pcap_bytes;
}

std::string golden_summary(ConstBytes pcap) {
  std::string out;
  for (const auto& f : frames_of(pcap)) out += one_line(f) + "\n";
  return out;
}

std::optional<std::string> golden_diff(ConstBytes expected, ConstBytes actual) {
  if (expected.size() == actual.size() && std::equal(expected.begin(), expected.end(), actual.begin()))
    return std::nullopt;
  auto a = frames_of(expected), b = frames_of(actual);
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    std::string d = fmt::format("first difference at frame {}:\n", i + 1);
    for (auto& [k, v] : a[i].items()) {
      if (!b[i].contains(k)) d += fmt::format("  {:<32} golden {} | now (absent)\n", k, value_text(v));
      else if (b[i][k] != v) d += fmt::format("  {:<32} golden {} | now {}\n", k, value_text(v), value_text(b[i][k]));
    }
    for (auto& [k, v] : b[i].items())
      if (!a[i].contains(k)) d += fmt::format("  {:<32} golden (absent) | now {}\n", k, value_text(v));
    return d;
  }
  if (a.size() != b.size())
    return fmt::format("the golden capture has {} frames, the new run {} (the first {} are identical)", a.size(),
                       b.size(), n);
  return std::string("the captures differ in bytes that no dissected field shows (file header or padding)");
}

std::string golden_command(const GoldenCase& c) {
  return fmt::format("synack simulate {} {} --pcap {}.pcap", c.scenario, c.flags, c.name);
}

std::filesystem::path golden_dir(const std::filesystem::path& source_root) { return source_root / "corpus" / "golden"; }

}  // namespace synack::harness

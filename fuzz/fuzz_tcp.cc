// TCP header and options (RFC 9293 §3.1, RFC 7323, RFC 2018): input = 4-byte
// source address, 4-byte destination address, then the segment. No crash;
// for every segment that parses, emit(parse(s)) verifies and re-parses to the
// same Repr; with a valid checksum and zero reserved bits the bytes
// round-trip exactly. Option accessors and printers are exercised too.
#include <algorithm>
#include <cstdint>

#include "fuzz/common/check.h"
#include "stack/wire/tcp.h"

using namespace synack;
using namespace synack::wire;

namespace {
void exercise_options(const TcpOptions& o) {
  (void)o.mss();
  (void)o.window_scale();
  (void)o.sack_permitted();
  if (auto s = o.sack_blocks()) FUZZ_CHECK(s->count >= 1 && s->count <= 4, "SACK block count %zu", s->count);
  (void)o.timestamps();
  (void)o.find(0xfe);
  (void)o.to_string();
  std::size_t n = 0;
  for (auto it = o.begin(); it != o.end() && n < 64; ++it, ++n) (void)*it;
  FUZZ_CHECK(n < 64, "option iteration does not terminate");
  // Rebuilding the list option by option gives an equal list.
  TcpOptions copy;
  for (auto it = o.begin(); it != o.end(); ++it) {
    TcpOption opt = *it;
    if (opt.kind == kTcpOptEol) {
      (void)copy.push_eol();
      break;
    }
    bool ok = opt.kind == kTcpOptNop ? copy.push_nop() : copy.push_raw(opt.kind, opt.data);
    FUZZ_CHECK(ok, "re-pushing option kind %u failed", opt.kind);
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  ConstBytes all(data, size);
  Ipv4Address src{load_be32(all, 0)}, dst{load_be32(all, 4)};
  ConstBytes in = all.subspan(8);
  auto p = TcpPacket::checked(in);
  if (!p) return 0;
  (void)tcp_flags_to_string(p->flags());
  bool verified = p->verify_checksum(src, dst);
  auto r = TcpRepr::parse(*p, src, dst, false);
  if (!r) return 0;
  exercise_options(r->options);
  FUZZ_CHECK(r->header_len() == p->header_len(), "repr header %zu != view %zu", r->header_len(), p->header_len());
  Bytes out(r->buffer_len(p->payload().size()));
  r->emit(out, p->payload(), src, dst);
  auto p2 = TcpPacket::checked(out);
  FUZZ_CHECK(p2.ok(), "emitted segment does not check");
  auto r2 = TcpRepr::parse(*p2, src, dst, true);
  FUZZ_CHECK(r2.ok(), "emitted segment fails checksum verification");
  FUZZ_CHECK(*r2 == *r, "re-parsed TcpRepr differs");
  if (verified && p->reserved() == 0) {
    out[tcp_field::kChecksum] = in[tcp_field::kChecksum];  // 0x0000 and 0xffff both verify
    out[tcp_field::kChecksum + 1] = in[tcp_field::kChecksum + 1];
    FUZZ_CHECK(std::equal(out.begin(), out.end(), in.begin(), in.end()), "emit(parse(s)) != s");
  }
  return 0;
}

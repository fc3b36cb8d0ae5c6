// DNS message properties: build -> parse round trips with compression, and
// arbitrary or mutated bytes never crash and re-encode consistently.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "stack/app/dns_message.h"

namespace synack::app {
namespace {

// Labels from a small pool (in mixed case, so suffixes repeat and get
// compressed, sometimes case-differently) or arbitrary bytes.
template <class T, class G>
std::vector<T> draw_vector(std::size_t lo, std::size_t hi, G gen) {
  std::size_t n = *rc::gen::inRange<std::size_t>(lo, hi);
  std::vector<T> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(*gen);
  return out;
}

rc::Gen<std::string> gen_label() {
  return rc::gen::oneOf(
      rc::gen::element<std::string>("www", "WWW", "example", "Example", "com", "org", "cdn", "a", "edge"),
      rc::gen::exec([] {
        std::size_t n = *rc::gen::inRange<std::size_t>(1, 41);
        return *rc::gen::container<std::string>(n, rc::gen::arbitrary<char>());
      }));
}

// At most 4 labels of at most 40 bytes: always within 255.
rc::Gen<DnsName> gen_name() {
  return rc::gen::exec([] { return *DnsName::from_labels(draw_vector<std::string>(0, 5, gen_label())); });
}

rc::Gen<Bytes> gen_bytes(std::size_t max) {
  return rc::gen::exec([max] {
    std::size_t n = *rc::gen::inRange<std::size_t>(0, max + 1);
    return *rc::gen::container<Bytes>(n, rc::gen::arbitrary<std::uint8_t>());
  });
}

rc::Gen<DnsRecord> gen_record() {
  auto a = rc::gen::apply(
      [](DnsName n, std::uint32_t addr, std::uint32_t ttl) { return DnsRecord::a(std::move(n), {addr}, ttl); },
      gen_name(), rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<std::uint32_t>());
  auto cname = rc::gen::apply(
      [](DnsName n, DnsName t, std::uint32_t ttl) { return DnsRecord::cname(std::move(n), std::move(t), ttl); },
      gen_name(), gen_name(), rc::gen::arbitrary<std::uint32_t>());
  // Raw RDATA for types we do not decode (and A in another class).
  auto raw = rc::gen::apply(
      [](DnsName n, std::uint16_t type, std::uint16_t cls, std::uint32_t ttl, Bytes data) {
        if (type == dns_type::kCname) type = dns_type::kTxt;
        if (type == dns_type::kA && cls == kDnsClassIn) cls = 3;  // CHAOS
        return DnsRecord{std::move(n), type, cls, ttl, DnsRawRdata{std::move(data)}};
      },
      gen_name(), rc::gen::arbitrary<std::uint16_t>(), rc::gen::arbitrary<std::uint16_t>(),
      rc::gen::arbitrary<std::uint32_t>(), gen_bytes(30));
  return rc::gen::oneOf(a, cname, raw);
}

rc::Gen<DnsMessage> gen_message() {
  return rc::gen::exec([] {
    DnsMessage m;
    m.header.id = *rc::gen::arbitrary<std::uint16_t>();
    m.header.qr = *rc::gen::arbitrary<bool>();
    m.header.opcode = *rc::gen::inRange<std::uint8_t>(0, 16);
    m.header.aa = *rc::gen::arbitrary<bool>();
    m.header.tc = *rc::gen::arbitrary<bool>();
    m.header.rd = *rc::gen::arbitrary<bool>();
    m.header.ra = *rc::gen::arbitrary<bool>();
    m.header.z = *rc::gen::inRange<std::uint8_t>(0, 8);
    m.header.rcode = *rc::gen::inRange<std::uint8_t>(0, 16);
    std::size_t nq = *rc::gen::inRange<std::size_t>(0, 3);
    for (std::size_t i = 0; i < nq; ++i)
      m.questions.push_back({*gen_name(), *rc::gen::arbitrary<std::uint16_t>(), *rc::gen::arbitrary<std::uint16_t>()});
    m.answers = draw_vector<DnsRecord>(0, 6, gen_record());
    m.authority = draw_vector<DnsRecord>(0, 3, gen_record());
    m.additional = draw_vector<DnsRecord>(0, 3, gen_record());
    return m;
  });
}

// Checks what the fuzz target checks: a parsed message has valid names and
// re-encodes into bytes that parse back to the same message.
void check_reencodes(const DnsMessage& m) {
  auto names_ok = [](const std::vector<DnsRecord>& rs) {
    for (const auto& r : rs) {
      if (r.name.wire_len() > kMaxNameLen) return false;
      if (r.target() && r.target()->wire_len() > kMaxNameLen) return false;
    }
    return true;
  };
  for (const auto& q : m.questions) RC_ASSERT(q.name.wire_len() <= kMaxNameLen);
  RC_ASSERT(names_ok(m.answers) && names_ok(m.authority) && names_ok(m.additional));
  auto again = m.emit();
  RC_ASSERT(again.ok());
  auto back = DnsMessage::parse(*again);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == m);
}

RC_GTEST_PROP(DnsMessageProp, BuildThenParseRoundTrips, ()) {
  DnsMessage m = *gen_message();
  auto bytes = m.emit();
  RC_ASSERT(bytes.ok());
  auto back = DnsMessage::parse(*bytes);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == m);
  // Emitting is deterministic and compression never grows the message.
  RC_ASSERT(*back->emit() == *bytes);
}

RC_GTEST_PROP(DnsMessageProp, EveryTruncationFails, ()) {
  DnsMessage m = *gen_message();
  auto bytes = *m.emit();
  std::size_t len = *rc::gen::inRange<std::size_t>(0, bytes.size());
  RC_ASSERT(!DnsMessage::parse(ConstBytes(bytes).first(len)).ok());
}

RC_GTEST_PROP(DnsMessageProp, ArbitraryBytesNeverCrash, (const Bytes& bytes)) {
  auto m = DnsMessage::parse(bytes);
  if (m) check_reencodes(*m);
}

// Random messages with a few bytes overwritten: most still reach deep into
// the parser (pointers, counts, RDATA) rather than failing at the header.
RC_GTEST_PROP(DnsMessageProp, MutatedMessagesNeverCrash, ()) {
  DnsMessage m = *gen_message();
  auto bytes = *m.emit();
  std::size_t n = *rc::gen::inRange<std::size_t>(1, 5);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t at = *rc::gen::inRange<std::size_t>(0, bytes.size());
    bytes[at] = *rc::gen::element<std::uint8_t>(0x00, 0xc0, 0xc0 | 0x3f, 0x3f, 0x40, 0xff,
                                                *rc::gen::arbitrary<std::uint8_t>());
  }
  auto parsed = DnsMessage::parse(bytes);
  if (parsed) check_reencodes(*parsed);
}

RC_GTEST_PROP(DnsMessageProp, NameTextRoundTripsForPlainLabels, ()) {
  auto labels = draw_vector<std::string>(0, 4, rc::gen::exec([] {
    std::size_t n = *rc::gen::inRange<std::size_t>(1, 20);
    return *rc::gen::container<std::string>(n, rc::gen::element('a', 'b', 'Z', '0', '-', '_'));
  }));
  auto n = *DnsName::from_labels(labels);
  auto back = DnsName::from_text(n.to_text());
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == n);
}

}  // namespace
}  // namespace synack::app

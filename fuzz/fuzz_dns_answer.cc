// libFuzzer target: arbitrary bytes as a DNS message (typically an answer, as
// a stub resolver receives it). Checks that parsing never crashes, that every
// name of a parsed message is within RFC 1035's limits, and that a parsed
// message re-encodes into bytes that parse back to the same message (and
// re-encode to the same bytes: emitting is a function of the message).
#include <cstdint>
#include <cstdlib>

#include "stack/app/dns_message.h"

namespace {

using synack::app::DnsMessage;
using synack::app::DnsName;
using synack::app::DnsRecord;

void require(bool ok) {
  if (!ok) std::abort();
}

void check_name(const DnsName& n) {
  require(n.wire_len() <= synack::app::kMaxNameLen);
  for (const auto& l : n.labels()) require(!l.empty() && l.size() <= synack::app::kMaxLabelLen);
}

void check_records(const std::vector<DnsRecord>& rs) {
  for (const auto& r : rs) {
    check_name(r.name);
    if (const auto* t = r.target()) check_name(*t);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = DnsMessage::parse(synack::ConstBytes(data, size));
  if (!m) {
    (void)synack::app::to_string(m.error());
    return 0;
  }
  for (const auto& q : m->questions) check_name(q.name);
  check_records(m->answers);
  check_records(m->authority);
  check_records(m->additional);
  auto bytes = m->emit();
  require(bytes.ok());
  // The re-encoding may differ from the input (other compression choices),
  // but it must mean the same message and be a fixed point of emit.
  auto back = DnsMessage::parse(*bytes);
  require(back.ok());
  require(*back == *m);
  auto twice = back->emit();
  require(twice.ok() && *twice == *bytes);
  return 0;
}

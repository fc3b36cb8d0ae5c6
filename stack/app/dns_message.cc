#include "stack/app/dns_message.h"

#include <algorithm>
#include <map>

namespace synack::app {

namespace {

// RFC 1035 §4.1.1 flag layout in the second 16-bit word.
constexpr std::uint16_t kQrBit = 0x8000;
constexpr std::uint16_t kAaBit = 0x0400;
constexpr std::uint16_t kTcBit = 0x0200;
constexpr std::uint16_t kRdBit = 0x0100;
constexpr std::uint16_t kRaBit = 0x0080;

namespace field {
constexpr std::size_t kId = 0;
constexpr std::size_t kFlags = 2;
constexpr std::size_t kQdCount = 4;
constexpr std::size_t kAnCount = 6;
constexpr std::size_t kNsCount = 8;
constexpr std::size_t kArCount = 10;
}  // namespace field

// Smallest wire sizes, used to reject counts that cannot fit before
// reserving anything: a root name (1) + QTYPE + QCLASS, and a root name +
// TYPE, CLASS, TTL, RDLENGTH.
constexpr std::size_t kMinQuestion = 1 + 4;
constexpr std::size_t kMinRecord = 1 + 10;

char lower_ascii(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

DnsHeader decode_header(ConstBytes b) noexcept {
  DnsHeader h;
  h.id = load_be16(b, field::kId);
  std::uint16_t f = load_be16(b, field::kFlags);
  h.qr = (f & kQrBit) != 0;
  h.opcode = static_cast<std::uint8_t>((f >> 11) & 0xf);
  h.aa = (f & kAaBit) != 0;
  h.tc = (f & kTcBit) != 0;
  h.rd = (f & kRdBit) != 0;
  h.ra = (f & kRaBit) != 0;
  h.z = static_cast<std::uint8_t>((f >> 4) & 0x7);
  h.rcode = static_cast<std::uint8_t>(f & 0xf);
  return h;
}

std::uint16_t encode_flags(const DnsHeader& h) noexcept {
  std::uint16_t f = 0;
  if (h.qr) f |= kQrBit;
  f |= static_cast<std::uint16_t>((h.opcode & 0xf) << 11);
  if (h.aa) f |= kAaBit;
  if (h.tc) f |= kTcBit;
  if (h.rd) f |= kRdBit;
  if (h.ra) f |= kRaBit;
  f |= static_cast<std::uint16_t>((h.z & 0x7) << 4);
  f |= static_cast<std::uint16_t>(h.rcode & 0xf);
  return f;
}

// Reads names, questions and records from one message; `pos_` is the read
// cursor. Every read checks bounds first.
class Reader {
 public:
  explicit Reader(ConstBytes msg) : msg_(msg) {}

  std::size_t pos() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return msg_.size() - pos_; }
  void seek(std::size_t p) noexcept { pos_ = p; }

  Result<std::uint16_t, DnsError> u16() {
    if (remaining() < 2) return Err{DnsError::Truncated};
    auto v = load_be16(msg_, pos_);
    pos_ += 2;
    return v;
  }
  Result<std::uint32_t, DnsError> u32() {
    if (remaining() < 4) return Err{DnsError::Truncated};
    auto v = load_be32(msg_, pos_);
    pos_ += 4;
    return v;
  }

  // RFC 1035 §4.1.4: a sequence of labels ending in a zero octet, or in a
  // pointer (top bits 11) to an earlier occurrence. The cursor ends after the
  // first pointer, or after the root octet when there is none.
  Result<DnsName, DnsError> name() {
    std::vector<std::string> labels;
    std::size_t wire_len = 1;  // the root octet
    std::size_t at = pos_;
    std::optional<std::size_t> resume;  // where the cursor goes after the name
    std::size_t run_start = pos_;       // first byte of the labels being read
    int jumps = 0;
    for (;;) {
      if (at >= msg_.size()) return Err{DnsError::Truncated};
      std::uint8_t len = msg_[at];
      if ((len & 0xc0) == 0xc0) {
        if (at + 1 >= msg_.size()) return Err{DnsError::Truncated};
        std::size_t target = load_be16(msg_, at) & 0x3fff;
        if (target > at) return Err{DnsError::BadPointer};  // forward, or past the end
        // A pointer must land before the run of labels it ends: then each
        // jump goes strictly lower than the last and no chain can loop.
        // Landing inside the run (or on itself) is a loop.
        if (target >= run_start) return Err{DnsError::PointerLoop};
        if (++jumps > kMaxPointerJumps) return Err{DnsError::PointerLoop};
        if (!resume) resume = at + 2;
        at = target;
        run_start = target;
        continue;
      }
      if ((len & 0xc0) != 0) return Err{DnsError::BadLabelType};
      if (len == 0) {
        pos_ = resume ? *resume : at + 1;
        return DnsName::from_labels(std::move(labels));
      }
      if (at + 1 + len > msg_.size()) return Err{DnsError::Truncated};
      wire_len += 1u + len;
      if (wire_len > kMaxNameLen) return Err{DnsError::NameTooLong};
      labels.emplace_back(reinterpret_cast<const char*>(msg_.data() + at + 1), len);
      at += 1u + len;
    }
  }

  Result<DnsQuestion, DnsError> question() {
    DnsQuestion q;
    auto n = name();
    if (!n) return Err{n.error()};
    q.name = std::move(*n);
    auto t = u16();
    if (!t) return Err{t.error()};
    auto c = u16();
    if (!c) return Err{c.error()};
    q.qtype = *t;
    q.qclass = *c;
    return q;
  }

  // Fills `r` in place (not returned through a Result: moving the RDATA
  // variant through one trips GCC 12's -Wmaybe-uninitialized under ASan).
  Result<void, DnsError> record(DnsRecord& r) {
    auto n = name();
    if (!n) return Err{n.error()};
    r.name = std::move(*n);
    if (remaining() < 10) return Err{DnsError::Truncated};
    r.type = load_be16(msg_, pos_);
    r.rclass = load_be16(msg_, pos_ + 2);
    r.ttl = load_be32(msg_, pos_ + 4);
    std::size_t rdlen = load_be16(msg_, pos_ + 8);
    pos_ += 10;
    if (remaining() < rdlen) return Err{DnsError::Truncated};
    std::size_t end = pos_ + rdlen;
    if (auto ok = rdata(r, end); !ok) return ok;
    pos_ = end;
    return {};
  }

 private:
  Result<void, DnsError> rdata(DnsRecord& r, std::size_t end) {
    std::size_t len = end - pos_;
    if (r.type == dns_type::kA && r.rclass == kDnsClassIn) {
      if (len != 4) return Err{DnsError::BadRdata};
      r.data.emplace<wire::Ipv4Address>(wire::Ipv4Address{load_be32(msg_, pos_)});
      return {};
    }
    if (r.type == dns_type::kCname) {
      // The name must end exactly at the RDATA's end (pointers may leave it).
      Reader sub(msg_.first(end));
      sub.seek(pos_);
      auto n = sub.name();
      if (!n) return Err{n.error() == DnsError::Truncated ? DnsError::BadRdata : n.error()};
      if (sub.pos() != end) return Err{DnsError::BadRdata};
      r.data.emplace<DnsName>(std::move(*n));
      return {};
    }
    auto first = msg_.begin() + static_cast<std::ptrdiff_t>(pos_);
    r.data.emplace<DnsRawRdata>().bytes.assign(first, first + static_cast<std::ptrdiff_t>(len));
    return {};
  }

  ConstBytes msg_;
  std::size_t pos_ = 0;
};

// Writes names with compression: remembers where each name suffix (exact
// bytes) begins, for suffixes starting within the 14-bit pointer range.
class Writer {
 public:
  Bytes& out() noexcept { return out_; }

  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }

  void name(const DnsName& n) {
    const auto& labels = n.labels();
    for (std::size_t i = 0; i < labels.size(); ++i) {
      std::vector<std::string> suffix(labels.begin() + static_cast<std::ptrdiff_t>(i), labels.end());
      if (auto it = seen_.find(suffix); it != seen_.end()) {
        u16(static_cast<std::uint16_t>(0xc000 | it->second));
        return;
      }
      if (out_.size() <= 0x3fff) seen_.emplace(std::move(suffix), static_cast<std::uint16_t>(out_.size()));
      out_.push_back(static_cast<std::uint8_t>(labels[i].size()));
      out_.insert(out_.end(), labels[i].begin(), labels[i].end());
    }
    out_.push_back(0);
  }

  Result<void, DnsError> record(const DnsRecord& r) {
    name(r.name);
    u16(r.type);
    u16(r.rclass);
    u32(r.ttl);
    std::size_t len_at = out_.size();
    u16(0);
    if (const auto* a = std::get_if<wire::Ipv4Address>(&r.data)) {
      u32(a->value);
    } else if (const auto* t = std::get_if<DnsName>(&r.data)) {
      name(*t);
    } else {
      const auto& raw = std::get<DnsRawRdata>(r.data).bytes;
      out_.insert(out_.end(), raw.begin(), raw.end());
    }
    std::size_t rdlen = out_.size() - len_at - 2;
    if (rdlen > 0xffff) return Err{DnsError::TooLarge};
    store_be16(out_, len_at, static_cast<std::uint16_t>(rdlen));
    return {};
  }

 private:
  Bytes out_;
  std::map<std::vector<std::string>, std::uint16_t> seen_;
};

Result<void, DnsError> read_records(Reader& r, std::size_t count, std::vector<DnsRecord>& out) {
  out.resize(count);
  for (auto& rec : out) {
    if (auto ok = r.record(rec); !ok) return ok;
  }
  return {};
}

}  // namespace

std::string_view to_string(DnsError e) noexcept {
  switch (e) {
    case DnsError::Truncated: return "truncated";
    case DnsError::BadPointer: return "bad compression pointer";
    case DnsError::PointerLoop: return "compression pointer loop";
    case DnsError::LabelTooLong: return "label too long";
    case DnsError::EmptyLabel: return "empty label";
    case DnsError::NameTooLong: return "name too long";
    case DnsError::BadLabelType: return "bad label type";
    case DnsError::BadCounts: return "bad section counts";
    case DnsError::BadRdata: return "bad rdata";
    case DnsError::TrailingBytes: return "trailing bytes";
    case DnsError::TooLarge: return "too large";
  }
  return "unknown";
}

Result<DnsName, DnsError> DnsName::from_text(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  std::vector<std::string> labels;
  if (text.empty()) return DnsName{};
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = text.find('.', start);
    std::string_view label = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    labels.emplace_back(label);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return from_labels(std::move(labels));
}

Result<DnsName, DnsError> DnsName::from_labels(std::vector<std::string> labels) {
  std::size_t len = 1;
  for (const auto& l : labels) {
    if (l.empty()) return Err{DnsError::EmptyLabel};
    if (l.size() > kMaxLabelLen) return Err{DnsError::LabelTooLong};
    len += 1 + l.size();
  }
  if (len > kMaxNameLen) return Err{DnsError::NameTooLong};
  DnsName n;
  n.labels_ = std::move(labels);
  return n;
}

std::size_t DnsName::wire_len() const noexcept {
  std::size_t len = 1;
  for (const auto& l : labels_) len += 1 + l.size();
  return len;
}

std::string DnsName::to_text() const {
  if (labels_.empty()) return ".";
  std::string out;
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    if (i != 0) out.push_back('.');
    for (char c : labels_[i]) {
      auto u = static_cast<unsigned char>(c);
      if (c == '.' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (u <= 0x20 || u >= 0x7f) {  // RFC 1035 §5.1 \DDD
        out.push_back('\\');
        out.push_back(static_cast<char>('0' + u / 100));
        out.push_back(static_cast<char>('0' + (u / 10) % 10));
        out.push_back(static_cast<char>('0' + u % 10));
      } else {
        out.push_back(c);
      }
    }
  }
  return out;
}

DnsName DnsName::lowered() const {
  DnsName n = *this;
  for (auto& l : n.labels_) std::transform(l.begin(), l.end(), l.begin(), lower_ascii);
  return n;
}

bool same_name(const DnsName& a, const DnsName& b) noexcept {
  const auto& la = a.labels();
  const auto& lb = b.labels();
  if (la.size() != lb.size()) return false;
  for (std::size_t i = 0; i < la.size(); ++i) {
    if (la[i].size() != lb[i].size()) return false;
    for (std::size_t j = 0; j < la[i].size(); ++j)
      if (lower_ascii(la[i][j]) != lower_ascii(lb[i][j])) return false;
  }
  return true;
}

DnsRecord DnsRecord::a(DnsName name, wire::Ipv4Address addr, std::uint32_t ttl) {
  return DnsRecord{std::move(name), dns_type::kA, kDnsClassIn, ttl, addr};
}

DnsRecord DnsRecord::cname(DnsName name, DnsName target, std::uint32_t ttl) {
  return DnsRecord{std::move(name), dns_type::kCname, kDnsClassIn, ttl, std::move(target)};
}

std::optional<DnsHeader> peek_header(ConstBytes bytes) noexcept {
  if (bytes.size() < kDnsHeaderLen) return std::nullopt;
  return decode_header(bytes);
}

Result<DnsMessage, DnsError> DnsMessage::parse(ConstBytes bytes) {
  if (bytes.size() < kDnsHeaderLen) return Err{DnsError::Truncated};
  DnsMessage m;
  m.header = decode_header(bytes);
  std::size_t qd = load_be16(bytes, field::kQdCount);
  std::size_t an = load_be16(bytes, field::kAnCount);
  std::size_t ns = load_be16(bytes, field::kNsCount);
  std::size_t ar = load_be16(bytes, field::kArCount);
  // Counts that cannot fit are refused before anything is reserved, so a
  // 12-byte message claiming 65535 records costs nothing.
  if (qd * kMinQuestion + (an + ns + ar) * kMinRecord > bytes.size() - kDnsHeaderLen) return Err{DnsError::BadCounts};
  Reader r(bytes);
  r.seek(kDnsHeaderLen);
  m.questions.reserve(qd);
  for (std::size_t i = 0; i < qd; ++i) {
    auto q = r.question();
    if (!q) return Err{q.error()};
    m.questions.push_back(std::move(*q));
  }
  if (auto ok = read_records(r, an, m.answers); !ok) return Err{ok.error()};
  if (auto ok = read_records(r, ns, m.authority); !ok) return Err{ok.error()};
  if (auto ok = read_records(r, ar, m.additional); !ok) return Err{ok.error()};
  if (r.remaining() != 0) return Err{DnsError::TrailingBytes};
  return m;
}

Result<Bytes, DnsError> DnsMessage::emit() const {
  for (std::size_t n : {questions.size(), answers.size(), authority.size(), additional.size()})
    if (n > 0xffff) return Err{DnsError::TooLarge};
  Writer w;
  w.u16(header.id);
  w.u16(encode_flags(header));
  w.u16(static_cast<std::uint16_t>(questions.size()));
  w.u16(static_cast<std::uint16_t>(answers.size()));
  w.u16(static_cast<std::uint16_t>(authority.size()));
  w.u16(static_cast<std::uint16_t>(additional.size()));
  for (const auto& q : questions) {
    w.name(q.name);
    w.u16(q.qtype);
    w.u16(q.qclass);
  }
  for (const auto* section : {&answers, &authority, &additional}) {
    for (const auto& rec : *section) {
      if (auto ok = w.record(rec); !ok) return Err{ok.error()};
    }
  }
  return std::move(w.out());
}

DnsMessage make_query(std::uint16_t id, DnsName name, std::uint16_t qtype) {
  DnsMessage m;
  m.header.id = id;
  m.header.rd = true;
  m.questions.push_back(DnsQuestion{std::move(name), qtype, kDnsClassIn});
  return m;
}

DnsMessage make_response(const DnsMessage& query, std::uint8_t rcode) {
  DnsMessage m;
  m.header.id = query.header.id;
  m.header.qr = true;
  m.header.opcode = query.header.opcode;
  m.header.rd = query.header.rd;
  m.header.rcode = rcode;
  m.questions = query.questions;
  return m;
}

}  // namespace synack::app

// DNS message format: golden bytes, compression, and every way to be malformed.
#include "stack/app/dns_message.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace synack::app {
namespace {

Bytes hex(std::string_view s) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  return out;
}

DnsName name(std::string_view s) { return *DnsName::from_text(s); }
wire::Ipv4Address ip(const char* s) { return *wire::Ipv4Address::parse(s); }

// `dig www.example.com` query bytes as our builder makes them (no EDNS).
const Bytes kQuery = hex(
    "123401000001000000000000"                  // ID 0x1234, RD, QDCOUNT 1
    "03777777076578616d706c6503636f6d00"        // www.example.com
    "00010001");                                // A IN

// Answer for www.example.org with a two-link CNAME chain, compressed the way
// BIND and our emitter do it: owner names point at the question, cdn.example.org
// reuses "example.org" at offset 16, the A owner points into CNAME RDATA.
const Bytes kChainAnswer = hex(
    "4a7b85800001000300000000"                                // QR AA RD RA, 1/3/0/0
    "03777777076578616d706c65036f72670000010001"              // www.example.org A IN
    "c00c000500010000012c00060363646ec010"                    // CNAME cdn.example.org
    "c02d000500010000012c000e04656467650363646e036e657400"    // CNAME edge.cdn.net
    "c03f000100010000003c00045db8d822");                      // A 93.184.216.34

// A real-shaped NXDOMAIN: SOA in the authority section, its RDATA kept raw.
const Bytes kNxDomain = hex(
    "010281830001000000010000"
    "0b6e6f6e6578697374656e74076578616d706c6503636f6d0000010001"
    "c0180006000100000e10002c026e73056963616e6e036f726700036e6f6303646e73c038"
    "78a3f17500001c2000000e100012750000000e10");

DnsMessage chain_message() {
  DnsMessage m;
  m.header = DnsHeader{.id = 0x4a7b, .qr = true, .aa = true, .rd = true, .ra = true};
  m.questions.push_back({name("www.example.org"), dns_type::kA, kDnsClassIn});
  m.answers.push_back(DnsRecord::cname(name("www.example.org"), name("cdn.example.org"), 300));
  m.answers.push_back(DnsRecord::cname(name("cdn.example.org"), name("edge.cdn.net"), 300));
  m.answers.push_back(DnsRecord::a(name("edge.cdn.net"), ip("93.184.216.34"), 60));
  return m;
}

TEST(DnsMessage, QueryGoldenBytes) {
  auto q = make_query(0x1234, name("www.example.com")).emit();
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, kQuery);
  auto m = DnsMessage::parse(kQuery);
  ASSERT_TRUE(m.ok()) << to_string(m.error());
  EXPECT_FALSE(m->header.qr);
  EXPECT_TRUE(m->header.rd);
  EXPECT_EQ(m->questions.at(0).name.to_text(), "www.example.com");
}

TEST(DnsMessage, DigQueryWithEdnsOpt) {
  // dig sets AD (a Z bit for RFC 1035) and adds an OPT record with the root name.
  auto m = DnsMessage::parse(hex("12340120000100000000000103777777076578616d706c6503636f6d0000010001"
                                 "0000291000000000000000"));
  ASSERT_TRUE(m.ok()) << to_string(m.error());
  EXPECT_EQ(m->header.z, 2);
  ASSERT_EQ(m->additional.size(), 1u);
  EXPECT_TRUE(m->additional[0].name.is_root());
  EXPECT_EQ(m->additional[0].type, 41);
  EXPECT_EQ(m->additional[0].rclass, 4096);  // the requestor's UDP payload size
}

TEST(DnsMessage, ChainAnswerGoldenBytes) {
  auto m = DnsMessage::parse(kChainAnswer);
  ASSERT_TRUE(m.ok()) << to_string(m.error());
  EXPECT_EQ(*m, chain_message());
  EXPECT_EQ(m->answers[1].target()->to_text(), "edge.cdn.net");
  EXPECT_EQ(m->answers[2].address()->to_string(), "93.184.216.34");
  auto out = chain_message().emit();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, kChainAnswer);
}

TEST(DnsMessage, NxDomainWithRawSoa) {
  auto m = DnsMessage::parse(kNxDomain);
  ASSERT_TRUE(m.ok()) << to_string(m.error());
  EXPECT_EQ(m->header.rcode, dns_rcode::kNxDomain);
  ASSERT_EQ(m->authority.size(), 1u);
  EXPECT_EQ(m->authority[0].name.to_text(), "example.com");
  EXPECT_EQ(m->authority[0].type, dns_type::kSoa);
  EXPECT_EQ(std::get<DnsRawRdata>(m->authority[0].data).bytes.size(), 44u);
  auto again = m->emit();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, kNxDomain);  // same compression choices as the original
}

TEST(DnsMessage, EveryTruncationIsAnError) {
  for (const Bytes* msg : {&kQuery, &kChainAnswer, &kNxDomain}) {
    for (std::size_t len = 0; len < msg->size(); ++len) {
      auto m = DnsMessage::parse(ConstBytes(*msg).first(len));
      ASSERT_FALSE(m.ok()) << "len " << len;
      auto e = m.error();
      EXPECT_TRUE(e == DnsError::Truncated || e == DnsError::BadCounts || e == DnsError::BadRdata)
          << "len " << len << ": " << to_string(e);
    }
  }
}

TEST(DnsMessage, TrailingBytesRejected) {
  Bytes b = kQuery;
  b.push_back(0);
  EXPECT_EQ(DnsMessage::parse(b).error(), DnsError::TrailingBytes);
}

TEST(DnsMessage, BadCountsRejectedBeforeReading) {
  Bytes b = hex("0000000000ffffffffffffff");  // 65535 of everything in 12 bytes
  EXPECT_EQ(DnsMessage::parse(b).error(), DnsError::BadCounts);
}

// Header with one question whose name starts at offset 12.
Bytes with_question_name(std::string_view name_hex) { return hex("000001000001000000000000" + std::string(name_hex) + "00010001"); }

TEST(DnsMessage, PointerLoopsRejected) {
  EXPECT_EQ(DnsMessage::parse(with_question_name("c00c")).error(), DnsError::PointerLoop);  // to itself
  // A label, then a pointer back to that label: backwards, yet a loop.
  EXPECT_EQ(DnsMessage::parse(with_question_name("0161c00c")).error(), DnsError::PointerLoop);
  // Two pointers at each other: the first points forward.
  EXPECT_EQ(DnsMessage::parse(with_question_name("c00ec00c")).error(), DnsError::BadPointer);
}

TEST(DnsMessage, LongPointerChainsRejected) {
  // Record 1 (TXT, raw) holds at offset 23 a root name and then 70 pointers,
  // each to the one before: every jump is backwards and legal on its own.
  // Record 2's owner points at the last of them: 71 jumps, more than any
  // name needs.
  Bytes msg = hex("000081000000000200000000" "00" "0010" "0001" "00000000" "008d");
  ASSERT_EQ(msg.size(), 23u);
  msg.push_back(0);
  for (std::size_t i = 0; i < 70; ++i) {
    std::size_t to = i == 0 ? 23 : msg.size() - 2;
    msg.push_back(static_cast<std::uint8_t>(0xc0 | (to >> 8)));
    msg.push_back(static_cast<std::uint8_t>(to));
  }
  std::size_t last = msg.size() - 2;
  msg.push_back(static_cast<std::uint8_t>(0xc0 | (last >> 8)));
  msg.push_back(static_cast<std::uint8_t>(last));
  Bytes tail = hex("0010" "0001" "00000000" "0000");
  msg.insert(msg.end(), tail.begin(), tail.end());
  EXPECT_EQ(DnsMessage::parse(msg).error(), DnsError::PointerLoop);
  // With ANCOUNT 1 the chain is only opaque RDATA and the message parses.
  Bytes one(msg.begin(), msg.begin() + static_cast<std::ptrdiff_t>(last + 2));
  one[7] = 1;
  EXPECT_TRUE(DnsMessage::parse(one).ok());
}

TEST(DnsMessage, ForwardPointersRejected) {
  // The question name points at the answer's owner, after it.
  EXPECT_EQ(DnsMessage::parse(hex("000081000001000100000000" "c012" "00010001"
                                  "0161" "00" "0001" "0001" "00000000" "0004" "01020304"))
                .error(),
            DnsError::BadPointer);
  // Outside the message.
  EXPECT_EQ(DnsMessage::parse(with_question_name("c0ff")).error(), DnsError::BadPointer);
}

TEST(DnsMessage, LabelTypeAndLengthLimits) {
  EXPECT_EQ(DnsMessage::parse(with_question_name("4000")).error(), DnsError::BadLabelType);
  EXPECT_EQ(DnsMessage::parse(with_question_name("8000")).error(), DnsError::BadLabelType);
  // 5 labels of 63 bytes: 321 bytes on the wire.
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += "3f" + std::string(126, 'a');
  EXPECT_EQ(DnsMessage::parse(with_question_name(long_name + "00")).error(), DnsError::NameTooLong);
  // Exactly 255: 3 x 63-byte labels, one of 61, the root.
  std::string max_name;
  for (int i = 0; i < 3; ++i) max_name += "3f" + std::string(126, 'b');
  max_name += "3d" + std::string(122, 'b') + "00";
  auto ok = DnsMessage::parse(with_question_name(max_name));
  ASSERT_TRUE(ok.ok()) << to_string(ok.error());
  EXPECT_EQ(ok->questions[0].name.wire_len(), 255u);
}

TEST(DnsMessage, BadRdata) {
  // A with 3 bytes.
  EXPECT_EQ(DnsMessage::parse(hex("000081000000000100000000" "00" "0001" "0001" "00000000" "0003" "010203")).error(),
            DnsError::BadRdata);
  // CNAME whose name runs past RDLENGTH.
  EXPECT_EQ(DnsMessage::parse(hex("000081000000000100000000" "00" "0005" "0001" "00000000" "0002" "0161" "00")).error(),
            DnsError::BadRdata);
  // CNAME with a byte after its name.
  EXPECT_EQ(DnsMessage::parse(hex("000081000000000100000000" "00" "0005" "0001" "00000000" "0002" "0000")).error(),
            DnsError::BadRdata);
}

TEST(DnsName, FromTextAndBack) {
  EXPECT_EQ(name("www.Example.com.").to_text(), "www.Example.com");
  EXPECT_TRUE(name(".").is_root());
  EXPECT_TRUE(name("").is_root());
  EXPECT_EQ(DnsName{}.to_text(), ".");
  EXPECT_EQ(DnsName::from_text("a..b").error(), DnsError::EmptyLabel);
  EXPECT_EQ(DnsName::from_text(".a").error(), DnsError::EmptyLabel);
  EXPECT_EQ(DnsName::from_text(std::string(64, 'x')).error(), DnsError::LabelTooLong);
  std::string too_long;
  for (int i = 0; i < 4; ++i) too_long += std::string(63, 'x') + ".";
  EXPECT_EQ(DnsName::from_text(too_long).error(), DnsError::NameTooLong);
  auto odd = *DnsName::from_labels({"a.b", std::string("\x01\\", 2)});
  EXPECT_EQ(odd.to_text(), "a\\.b.\\001\\\\");
  EXPECT_TRUE(same_name(name("WWW.example.COM"), name("www.EXAMPLE.com")));
  EXPECT_FALSE(same_name(name("www.example.com"), name("www.example.co")));
  EXPECT_EQ(name("A.b").lowered(), name("a.b"));
}

TEST(DnsMessage, CompressionIsCaseExact) {
  DnsMessage m = make_query(1, name("Example.com"));
  m.header.qr = true;
  m.answers.push_back(DnsRecord::a(name("example.com"), ip("192.0.2.1"), 1));
  auto b = m.emit();
  ASSERT_TRUE(b.ok());
  auto back = DnsMessage::parse(*b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, m);
  EXPECT_EQ(back->answers[0].name.labels()[0], "example");
}

TEST(DnsMessage, PeekHeaderAndErrorsHaveNames) {
  EXPECT_FALSE(peek_header(hex("0000")).has_value());
  auto h = peek_header(kChainAnswer);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->id, 0x4a7b);
  EXPECT_TRUE(h->aa);
  EXPECT_EQ(to_string(DnsError::PointerLoop), "compression pointer loop");
  EXPECT_EQ(to_string(DnsError::Truncated), "truncated");
}

}  // namespace
}  // namespace synack::app

namespace synack::app {
namespace {

// The fuzz seeds are real-shaped answers; each must parse and re-encode.
// The generated seeds (*.bin, scripts/gen-fuzz-seeds) are well-formed
// messages; the ones libFuzzer found beside them are arbitrary bytes.
TEST(DnsMessage, FuzzSeedsParse) {
  std::filesystem::path dir = std::filesystem::path(SYNACK_SOURCE_DIR) / "corpus/seeds/fuzz_dns_answer";
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".bin") continue;
    std::ifstream in(e.path(), std::ios::binary);
    Bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto m = DnsMessage::parse(b);
    ASSERT_TRUE(m.ok()) << e.path() << ": " << to_string(m.error());
    auto again = m->emit();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*DnsMessage::parse(*again), *m) << e.path();
    ++n;
  }
  EXPECT_GE(n, 3u);
}

}  // namespace
}  // namespace synack::app

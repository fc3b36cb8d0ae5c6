// Escaping, base64, file names and tallies of the report helpers.
#include "conformance/report/text.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace synack::conformance {
namespace {

TEST(XmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(xml_escape("x\ny\tz"), "x\ny\tz");
  EXPECT_EQ(xml_escape("x\ny\tz", true), "x&#10;y&#9;z");
}

TEST(XmlEscape, ReplacesForbiddenControlsAndInvalidUtf8) {
  EXPECT_EQ(xml_escape(std::string("a\x01" "b\x00" "c", 5)), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
  EXPECT_EQ(xml_escape("\xff"), "\xEF\xBF\xBD");
  EXPECT_EQ(xml_escape("\xC0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong NUL
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(xml_escape("§ é ✓ 😀"), "§ é ✓ 😀");
}

TEST(ValidUtf8, KeepsValidText) {
  EXPECT_EQ(valid_utf8("RFC 9293 §3.5"), "RFC 9293 §3.5");
  EXPECT_EQ(valid_utf8("a\xE2\x82"), "a\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated sequence
}

TEST(Base64, Rfc4648Vectors) {
  auto enc = [](std::string_view s) {
    return base64_encode(ConstBytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  };
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "Zg==");
  EXPECT_EQ(enc("fo"), "Zm8=");
  EXPECT_EQ(enc("foo"), "Zm9v");
  EXPECT_EQ(enc("foob"), "Zm9vYg==");
  EXPECT_EQ(enc("fooba"), "Zm9vYmE=");
  EXPECT_EQ(enc("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(Bytes{0xff, 0xfe, 0xfd}), "//79");
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_FALSE(base64_decode("Zg="));
  EXPECT_FALSE(base64_decode("Z==="));
  EXPECT_FALSE(base64_decode("Zg=a"));
  EXPECT_FALSE(base64_decode("Zg==Zg=="));
  EXPECT_FALSE(base64_decode("Zm9*"));
  ASSERT_TRUE(base64_decode("Zm9vYg=="));
  EXPECT_EQ(*base64_decode("Zm9vYg=="), (Bytes{'f', 'o', 'o', 'b'}));
}

RC_GTEST_PROP(Base64, RoundTrips, (const std::vector<std::uint8_t>& data)) {
  const std::string enc = base64_encode(data);
  RC_ASSERT(enc.size() == (data.size() + 2) / 3 * 4);
  const auto dec = base64_decode(enc);
  RC_ASSERT(dec.has_value());
  RC_ASSERT(*dec == data);
}

RC_GTEST_PROP(XmlEscape, OutputHasNoMarkupAndIsValidUtf8, (const std::string& s)) {
  const std::string e = xml_escape(s, true);
  RC_ASSERT(e.find_first_of("<>\"'\n\t") == std::string::npos);
  RC_ASSERT(valid_utf8(e) == e);
  for (unsigned char c : e) RC_ASSERT(c >= 0x20);
}

TEST(Paths, SafeComponents) {
  EXPECT_EQ(safe_component("tcp/../x y"), "tcp_.._x_y");
  EXPECT_EQ(safe_component(".."), "_");
  EXPECT_EQ(safe_component(""), "_");
  CaseResult r;
  r.dut = "sim";
  r.name = "tcp/handshake.pkt";
  EXPECT_EQ(pcap_relative_path(r), "pcaps/sim/tcp/handshake.pcap");
  r.name = "../../etc/passwd";
  EXPECT_EQ(pcap_relative_path(r), "pcaps/sim/_/_/etc/passwd.pcap");
  r.name = "/abs//x.pkt";
  r.dut = "k/../x";
  EXPECT_EQ(pcap_relative_path(r), "pcaps/k_.._x/abs/x.pcap");
  r.name = "";
  EXPECT_EQ(pcap_relative_path(r), "pcaps/k_.._x/_.pcap");
}

TEST(Classname, RfcThenDirectory) {
  CaseResult r;
  r.name = "tcp/x.pkt";
  EXPECT_EQ(case_classname(r), "tcp");
  r.rfc = "RFC 793";
  EXPECT_EQ(case_classname(r), "RFC 793");
  r = {};
  r.name = "x.pkt";
  EXPECT_EQ(case_classname(r), "conformance");
}

TEST(Format, SecondsAndOffsets) {
  EXPECT_EQ(format_seconds(0.0125), "0.013s");
  EXPECT_EQ(format_seconds(-1), "0.000s");
  EXPECT_EQ(format_offset_us(1234567), "1.234567");
  EXPECT_EQ(format_offset_us(-5), "-0.000005");
}

TEST(Tally, CountsAndFailed) {
  Tally t;
  for (Verdict v : {Verdict::Pass, Verdict::Pass, Verdict::Fail, Verdict::XFail, Verdict::XPass, Verdict::Skip,
                    Verdict::Error}) {
    t.add(v);
  }
  EXPECT_EQ(t.total(), 7u);
  EXPECT_EQ(t.pass, 2u);
  EXPECT_EQ(t.failed(), 3u);
}

}  // namespace
}  // namespace synack::conformance

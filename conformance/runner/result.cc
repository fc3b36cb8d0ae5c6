#include "conformance/runner/result.h"

namespace synack::conformance {

std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::Pass: return "pass";
    case Verdict::Fail: return "fail";
    case Verdict::XFail: return "xfail";
    case Verdict::XPass: return "xpass";
    case Verdict::Skip: return "skip";
    case Verdict::Error: return "error";
  }
  return "?";
}

}  // namespace synack::conformance

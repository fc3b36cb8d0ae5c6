// PacketBuffer properties: headers pushed and consumed in reverse order.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "stack/storage/packet_buffer.h"

namespace synack::storage {
namespace {

// Push then consume the same header sizes gives back the original payload,
// and every header span lies where the data says it does.
RC_GTEST_PROP(PacketBufferProp, PushThenConsumeRoundTrips,
              (const std::vector<std::uint8_t>& payload, const std::vector<std::uint8_t>& sizes)) {
  std::size_t total = 0;
  for (auto s : sizes) total += s;
  PacketBuffer pb(total, payload.size());
  pb.append(payload);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    auto h = pb.push_header(sizes[i]);
    RC_ASSERT(h.ok());
    std::fill(h->begin(), h->end(), static_cast<std::uint8_t>(i));
  }
  RC_ASSERT(pb.headroom() == 0u);
  RC_ASSERT(!pb.push_header(1).ok());
  for (std::size_t i = sizes.size(); i-- > 0;) {
    auto h = pb.consume_header(sizes[i]);
    RC_ASSERT(h.ok());
    RC_ASSERT(std::all_of(h->begin(), h->end(), [&](std::uint8_t b) { return b == i; }));
  }
  RC_ASSERT(std::vector<std::uint8_t>(pb.data().begin(), pb.data().end()) == payload);
}

}  // namespace
}  // namespace synack::storage

// Generators shared by the world's TCP property tests (tcp_conn_prop_test,
// tcp_transfer_prop_test): per-host TCP options and link fault profiles.
#pragma once

#include <rapidcheck.h>

#include <cstdint>

#include "harness/world/host_node.h"

namespace synack::harness::proptest {

struct Side {
  bool sack, timestamps, wscale;
  std::uint32_t mtu;
};

inline rc::Gen<Side> gen_side() {
  return rc::gen::construct<Side>(rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(),
                                  rc::gen::inRange<std::uint32_t>(576, 9001));
}

inline iface::StackConfig config_for(const Side& s) {
  iface::StackConfig c;
  c.tcp.sack = s.sack;
  c.tcp.timestamps = s.timestamps;
  c.tcp.window_scaling = s.wscale;
  return c;
}

inline driver::FaultProfile gen_faults(bool with_loss) {
  driver::FaultProfile f;
  f.loss_ppm = with_loss ? *rc::gen::inRange<std::uint32_t>(0, 300'001) : 0;
  f.dup_ppm = *rc::gen::inRange<std::uint32_t>(0, 200'001);
  f.reorder_ppm = *rc::gen::inRange<std::uint32_t>(0, 200'001);
  f.jitter = Duration::from_micros(*rc::gen::inRange<std::int64_t>(0, 2000));
  return f;
}

}  // namespace synack::harness::proptest

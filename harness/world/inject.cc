#include "harness/world/inject.h"

#include "harness/world/frames.h"

namespace synack::harness {

void inject_tcp(World& world, Link& link, int to_side, HostNode& target, HostNode& peer, wire::Ipv4Address src,
                wire::Ipv4Address dst, const wire::TcpRepr& t, ConstBytes payload) {
  Bytes l4(t.buffer_len(payload.size()));
  t.emit(l4, payload, src, dst);
  wire::Ipv4Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.protocol = wire::kIpProtoTcp;
  Bytes f = build_ipv4_frame(L2{peer.stack().interfaces()[0].mac, target.stack().interfaces()[0].mac}, ip, l4);
  world.schedule_delivery(world.now(), link.id(), to_side, f);
}

}  // namespace synack::harness

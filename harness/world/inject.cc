#include "harness/world/inject.h"

#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"

namespace synack::harness {

void inject_tcp(World& world, Link& link, int to_side, HostNode& target, HostNode& peer, wire::Ipv4Address src,
                wire::Ipv4Address dst, const wire::TcpRepr& t, ConstBytes payload) {
  Bytes l4(t.buffer_len(payload.size()));
  t.emit(l4, payload, src, dst);
  wire::Ipv4Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.protocol = wire::kIpProtoTcp;
  ip.payload_len = static_cast<std::uint16_t>(l4.size());
  Bytes l3(ip.header_len() + l4.size());
  ip.emit(l3, l4);
  wire::EthernetRepr eth{target.stack().interfaces()[0].mac, peer.stack().interfaces()[0].mac, wire::kEtherTypeIpv4,
                         {}, {}};
  Bytes f(eth.header_len() + l3.size());
  eth.emit(f, l3);
  world.schedule_delivery(world.now(), link.id(), to_side, std::move(f));
}

}  // namespace synack::harness

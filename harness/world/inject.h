// Crafted frames for tests that play a peer: a TCP segment delivered to a
// host over its link as if the other end of the link had sent it.
#pragma once

#include "harness/world/host_node.h"
#include "stack/base/bytes.h"
#include "stack/wire/address.h"
#include "stack/wire/tcp.h"

namespace synack::harness {

// Builds Ethernet/IPv4/TCP (checksums filled) from `peer`'s MAC to
// `target`'s, `src` to `dst`, and schedules its delivery now on `link` to
// side `to_side` (the side `target` is attached to).
void inject_tcp(World& world, Link& link, int to_side, HostNode& target, HostNode& peer, wire::Ipv4Address src,
                wire::Ipv4Address dst, const wire::TcpRepr& t, ConstBytes payload = {});

}  // namespace synack::harness

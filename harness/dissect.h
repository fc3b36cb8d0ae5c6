// Frame dissection for `synack dissect`: one JSON object per frame whose keys
// are Wireshark display-filter field names, with the values tshark 4.0 prints
// for them (`tshark -T fields -o tcp.relative_sequence_numbers:FALSE
// -o ip.defragment:FALSE -o {ip,tcp,udp}.check_checksum:TRUE`), so that the
// output can be compared with tshark field by field.
//
// Value conventions:
// - Decimal fields are JSON numbers (frame.len, ip.ttl, tcp.seq_raw, ...).
// - Fields tshark prints in hex are strings in tshark's spelling: eth.type
//   "0x0800", ip.id "0x3e17", ip.dsfield "0x00", ip.checksum "0xe712",
//   tcp.flags "0x0012". Addresses are strings ("02:00:00:c8:00:01",
//   "10.200.0.1"); frame.time_epoch is a string with nine decimals.
// - Booleans are 0/1 (ip.flags.df, ip.flags.mf), as tshark prints them;
//   tcp.options.sack_perm is 1 when the option is present (tshark prints the
//   option's bytes, "0402").
// - ip.frag_offset counts 8-byte units, as tshark 4.0 prints it.
// - A field that occurs more than once becomes an array in order of
//   occurrence: several SACK blocks (tcp.options.sack_le/sack_re), two
//   802.1Q tags (vlan.id; an 802.1ad S-tag is ieee8021ad.id), and the
//   headers quoted by an ICMP error (ip.src, udp.srcport, ... first for the
//   outer datagram, then for the quoted one), as tshark prints a repeated
//   field as comma-separated values.
// - Checksum verdicts (ip/icmp/udp/tcp.checksum.status) use Wireshark's
//   numbers: 0 bad, 1 good, 2 unverified (the bytes needed are not all in the
//   frame: a fragment, or a frame cut by the snaplen), 3 not present (a UDP
//   checksum of zero).
// - Non-first IPv4 fragments carry no transport fields (no reassembly).
// - A frame that does not parse gets an "error" key naming the layer and the
//   reason ("tcp: bad option", "ipv4: truncated"); the fields of the layers
//   before it (and the fixed header of the failing one, when readable) are
//   still given.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>

#include "harness/pcap/pcap_reader.h"
#include "stack/base/result.h"

namespace synack::harness {

using DissectJson = nlohmann::ordered_json;

// Wireshark's proto_checksum_enum_e values.
enum class ChecksumStatus : int { Bad = 0, Good = 1, Unverified = 2, NotPresent = 3 };

// The fields of one frame.
DissectJson dissect_frame(const PcapFrame& frame);

// Dissects every frame of `reader` in file order, handing each object to
// `sink`. Returns the number of frames, or the read error that stopped it
// (after the frames before the damage were handed over).
Result<std::uint64_t, PcapError> dissect_capture(
    PcapReader& reader, const std::function<void(const DissectJson&)>& sink);

}  // namespace synack::harness

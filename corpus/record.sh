#!/usr/bin/env bash
# Records the kernel capture corpus (corpus/captures/) between two private
# network namespaces joined by a veth pair:
#
#   synack-rec-$$-a  veth0 10.200.0.1/24  02:00:00:c8:00:01   (dumpcap runs here)
#   synack-rec-$$-b  veth0 10.200.0.2/24  02:00:00:c8:00:02
# Both serve HTTP on port 80 (python3 http.server; a's paces its bodies, see
# record_bulk_loss); a is the client except for the bulk download.
#
# Captures (one dumpcap run each, on a's veth0):
#   http.pcapng        curl GET of a small file: ARP, handshake, HTTP, FIN close (pcapng)
#   bulk_loss.pcap     b downloads a 2 MB file (1448 segments) from a, whose application
#                      sends a segment per millisecond, while dropping every 50th segment
#                      it receives (nft numgen): SACK blocks, duplicate ACKs,
#                      retransmissions; snaplen 256
#   icmp_frag.pcap     3 ICMP echo requests with 4000 bytes of data (fragmented both ways)
#   udp_unreach.pcap   UDP datagrams to closed ports: ICMP port unreachable quoting them
#   udp_echo.pcap      a UDP echo server on b's port 7 (RFC 862) answers three datagrams
#                      of 5, 300 and 1200 bytes from a's port 40007
#   tcp_rst.pcap       a SYN to a closed port: RST+ACK
#   nmap.pcap          nmap -sS -p 1-200, -sX and -sA probes (only when nmap is installed)
#
# Needs root, iproute2, nftables, dumpcap, python3, curl and chrt (util-linux). Offloads are
# turned off with `ethtool -K` when ethtool exists, otherwise with the same
# ioctls from corpus/offload_off.py. Nothing is installed. The namespaces are
# removed on exit, whatever happens. The captures are real-time recordings:
# rerunning gives equivalent traffic, not identical bytes.
#
# Usage: corpus/record.sh [OUTDIR [NAME...]]   (default: corpus/captures next to this
# script; every capture, or only the NAMEs given, e.g. udp_echo)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/captures}
only=("${@:2}")
ns_a=synack-rec-$$-a
ns_b=synack-rec-$$-b
ip_a=10.200.0.1
ip_b=10.200.0.2
# The bulk download: segment size (the MSS with timestamps on a 1500-byte MTU),
# the body's size in segments, and the sender's gap between segments, in
# seconds (record_bulk_loss).
bulk_mss=1448
bulk_segments=1448
bulk_gap=0.001
work=$(mktemp -d /tmp/synack-rec.XXXXXX)
capture_pid=
server_pids=()

log() { printf 'record: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

cleanup() {
  set +e
  [[ -n $capture_pid ]] && kill -TERM "$capture_pid" 2>/dev/null && wait "$capture_pid" 2>/dev/null
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  ip netns pids "$ns_a" 2>/dev/null | xargs -r kill 2>/dev/null
  ip netns pids "$ns_b" 2>/dev/null | xargs -r kill 2>/dev/null
  ip netns del "$ns_a" 2>/dev/null
  ip netns del "$ns_b" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, raw sockets)"
for tool in ip nft dumpcap python3 curl chrt; do
  command -v "$tool" >/dev/null || die "missing tool: $tool"
done
in_a() { ip netns exec "$ns_a" "$@"; }
in_b() { ip netns exec "$ns_b" "$@"; }

setup_namespaces() {
  ip netns add "$ns_a"
  ip netns add "$ns_b"
  for ns in "$ns_a" "$ns_b"; do
    # No IPv6 chatter (router solicitations, MLD, DAD) in the captures.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip link add veth0 netns "$ns_a" address 02:00:00:c8:00:01 mtu 1500 type veth \
    peer name veth0 netns "$ns_b" address 02:00:00:c8:00:02 mtu 1500
  for ns in "$ns_a" "$ns_b"; do
    if command -v ethtool >/dev/null; then
      ip netns exec "$ns" ethtool -K veth0 rx off tx off sg off tso off gso off gro off
    else
      ip netns exec "$ns" python3 "$here/offload_off.py" veth0
    fi
    ip -n "$ns" link set lo up
  done
  command -v ethtool >/dev/null || log "ethtool not installed: offloads turned off via offload_off.py"
  ip -n "$ns_a" addr add "$ip_a/24" dev veth0
  ip -n "$ns_b" addr add "$ip_b/24" dev veth0
  ip -n "$ns_a" link set veth0 up
  ip -n "$ns_b" link set veth0 up
}

# Serves $work/www over HTTP on port 80 of namespace $1 at address $2.
start_server() {
  local ns=$1 addr=$2
  ip netns exec "$ns" python3 -m http.server 80 --bind "$addr" --directory "$work/www" \
    >>"$work/server.log" 2>&1 &
  server_pids+=("$!")
}

# Like start_server, but the application paces what it sends: each response
# body goes out in writes of $3 bytes (one full segment: the MSS with
# timestamps), each $4 seconds after the one before (slept after the write,
# never caught up, so a stall can only lengthen a gap). See record_bulk_loss.
start_paced_server() {
  local ns=$1 addr=$2 chunk=$3 gap=$4
  ip netns exec "$ns" chrt -f 50 python3 - "$addr" "$work/www" "$chunk" "$gap" >>"$work/server.log" 2>&1 <<'EOF' &
import functools, http.server, sys, time
addr, root, chunk, gap = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
class Paced(http.server.SimpleHTTPRequestHandler):
    def copyfile(self, source, outputfile):
        while data := source.read(chunk):
            time.sleep(gap)
            outputfile.write(data)
handler = functools.partial(Paced, directory=root)
http.server.ThreadingHTTPServer((addr, 80), handler).serve_forever()
EOF
  server_pids+=("$!")
}

start_servers() {
  mkdir -p "$work/www"
  printf 'hello from synack corpus\n' >"$work/www/hello.txt"
  # $bulk_segments full segments (2 MB less 448 bytes) of deterministic,
  # incompressible-looking bytes.
  python3 -c "import random,sys; sys.stdout.buffer.write(random.Random(7).randbytes($bulk_mss*$bulk_segments))" \
    >"$work/www/bulk.bin"
  start_server "$ns_b" "$ip_b"
  start_paced_server "$ns_a" "$ip_a" "$bulk_mss" "$bulk_gap"
  for _ in $(seq 50); do
    in_a curl -s -o /dev/null --max-time 1 "http://$ip_b/hello.txt" &&
      in_b curl -s -o /dev/null --max-time 1 "http://$ip_a/hello.txt" && return 0
    sleep 0.1
  done
  die "http.server did not come up (see $work/server.log)"
}

# start_capture FILE [dumpcap options...]: starts dumpcap on a's veth0 and
# waits until it is capturing.
start_capture() {
  local file=$1
  shift
  rm -f "$file"
  # Started directly, not through in_a: a background function runs in a
  # subshell, so $! would not be dumpcap, and non-interactive shells start
  # background jobs with SIGINT ignored. `ip netns exec` execs dumpcap in place.
  ip netns exec "$ns_a" dumpcap -q -i veth0 -a filesize:3000 "$@" -w "$file" \
    >"$work/dumpcap.log" 2>&1 &
  capture_pid=$!
  for _ in $(seq 100); do
    grep -q "Capturing on" "$work/dumpcap.log" && { sleep 0.3; return 0; }
    kill -0 "$capture_pid" 2>/dev/null || die "dumpcap failed: $(cat "$work/dumpcap.log")"
    sleep 0.1
  done
  die "dumpcap did not start: $(cat "$work/dumpcap.log")"
}

stop_capture() {
  sleep 0.5  # let the last answers arrive
  kill -TERM "$capture_pid"  # dumpcap finishes the file on SIGTERM
  wait "$capture_pid" || true
  capture_pid=
}

flush_neighbours() {
  ip -n "$ns_a" neigh flush all
  ip -n "$ns_b" neigh flush all
}

record_http() {
  flush_neighbours  # so that this capture starts with ARP
  start_capture "$out/http.pcapng"  # dumpcap writes pcapng by default
  in_a curl -s -o /dev/null "http://$ip_b/hello.txt"
  stop_capture
}

# The loss must hit single segments. A sender's own output path (nft output,
# tc egress, qdiscs) still sees TCP's 64 KB GSO super-packets, which the veth
# only cuts into MTU-sized frames when it transmits them, so dropping there
# would lose whole bursts once in a while. Instead a is the sender (its own
# HTTP server) and b, the receiver, drops every 50th segment on input: the
# capture on a then looks like a sender's view of a lossy wire (the segment
# leaves, a SACK duplicate ACK comes back, the segment is retransmitted).
#
# The download is paced by a's application: one full segment every
# $bulk_gap s (start_paced_server), about 20 times the veth's round trip
# (~50 us). The replay (synack replay, harness/replay) feeds its DUT one
# frame at a time at the captured times, and its kernel control must match,
# so every frame must reach the captured hosts' stacks one at a time, too,
# and leave them when the capture says: a paced application does both.
# - The veth has no queue, so a segment is captured as a's stack sends it
#   and b's stack takes it microseconds later; b's ACKs likewise reach a
#   as captured. Pacing the wire instead (netem/tbf on a qdisc) would hold
#   a's segments between its stack and the capture point (dumpcap sees a's
#   frames after its qdisc), and an unpaced sender bursts segments
#   microseconds apart, which the hosts took from their backlogs in one
#   pass and a real-time replay cannot reproduce.
# - Each segment's answer (b's ACK, see below; a SACK duplicate ACK after a
#   loss; a's fast retransmission on it: RACK, RFC 8985, marks the hole
#   lost at once, as it was sent a whole gap before the SACKed segment)
#   comes long before the next segment: no burst, no queue, no window or
#   congestion limit (an application-limited sender), and curl reads each
#   segment as it comes (no zero window).
# - Linux ACKs a full segment with PSH (each write's last) when the
#   application's read empties the receive queue (tcp_cleanup_rbuf,
#   ICSK_ACK_PUSHED), else every second segment, so b ACKs each segment if
#   and only if curl read it before the next arrived; the replaying DUT's
#   application reads before each injection, so curl must always read in
#   time. Both the server and curl run with real-time priority (chrt), so a
#   loaded machine delays neither a read nor a write by a whole gap.
# - Full-size writes only (the body is a whole number of segments), so Nagle
#   holds nothing back on the replaying DUT either.
record_bulk_loss() {
  in_b nft -f - <<EOF
table inet synack_loss {
  chain in {
    type filter hook prerouting priority -300; policy accept;
    tcp sport 80 numgen inc mod 50 == 49 drop
  }
}
EOF
  start_capture "$out/bulk_loss.pcap" -P -s 256
  in_b chrt -f 50 curl -s -o /dev/null --max-time 60 "http://$ip_a/bulk.bin"
  stop_capture
  in_b nft delete table inet synack_loss
}

record_icmp_frag() {
  start_capture "$out/icmp_frag.pcap" -P
  # ping is not always installed: an ICMP echo over a raw socket, 4000 bytes of
  # data, which the kernel fragments at the 1500-byte MTU (and so does b's reply).
  in_a python3 - "$ip_b" <<'EOF'
import socket, struct, sys, time
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack(f"!{len(b)//2}H", b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
sock.settimeout(1.0)
data = bytes(i & 0xff for i in range(4000))
for seq in (1, 2, 3):
    hdr = struct.pack("!BBHHH", 8, 0, 0, 0x5301, seq)
    pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + data), 0x5301, seq) + data
    sock.sendto(pkt, (sys.argv[1], 0))
    try:
        sock.recvfrom(65535)
    except socket.timeout:
        pass
    time.sleep(0.2)
EOF
  stop_capture
}

record_udp_unreach() {
  flush_neighbours
  start_capture "$out/udp_unreach.pcap" -P
  in_a python3 - "$ip_b" <<'EOF'
import socket, sys, time
for port, payload in ((9, b"hello"), (33434, b"x" * 100)):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(payload, (sys.argv[1], port))
    time.sleep(1.1)  # past the ICMP rate limit (net.ipv4.icmp_ratelimit, 1 s)
EOF
  stop_capture
}

record_udp_echo() {
  # b answers every datagram to port 7 with the same bytes (RFC 862 echo).
  in_b python3 - "$ip_b" >>"$work/server.log" 2>&1 <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7))
s.settimeout(5.0)
try:
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)
except socket.timeout:
    pass
EOF
  server_pids+=("$!")
  sleep 0.3
  start_capture "$out/udp_echo.pcap" -P
  in_a python3 - "$ip_a" "$ip_b" <<'EOF'
import socket, sys, time
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.bind((sys.argv[1], 40007))
    s.settimeout(1.0)
    for size in (5, 300, 1200):
        s.sendto(bytes((i * 13) & 0xff for i in range(size)), (sys.argv[2], 7))
        s.recvfrom(65535)
        time.sleep(0.1)
EOF
  stop_capture
}

record_tcp_rst() {
  start_capture "$out/tcp_rst.pcap" -P
  in_a curl -s -o /dev/null --max-time 2 "http://$ip_b:81/" || true  # refused: SYN, RST+ACK
  stop_capture
}

record_nmap() {
  if ! command -v nmap >/dev/null; then
    log "nmap not installed: nmap.pcap not recorded"
    return 0
  fi
  flush_neighbours
  start_capture "$out/nmap.pcap" -P
  in_a nmap -n -sS -p 1-200 --max-retries 1 "$ip_b" >"$work/nmap.log" 2>&1
  in_a nmap -n -Pn -sX -p 79-81 --max-retries 1 "$ip_b" >>"$work/nmap.log" 2>&1
  in_a nmap -n -Pn -sA -p 80,81 --max-retries 1 "$ip_b" >>"$work/nmap.log" 2>&1
  stop_capture
}

mkdir -p "$out"
wanted() { [[ ${#only[@]} -eq 0 || " ${only[*]} " == *" $1 "* ]]; }
setup_namespaces
start_servers
for name in http bulk_loss icmp_frag udp_unreach udp_echo tcp_rst nmap; do
  if wanted "$name"; then "record_$name"; fi
done
chmod a+r "$out"/*.pcap* 2>/dev/null || true
log "captures written to $out:"
ls -l "$out" >&2

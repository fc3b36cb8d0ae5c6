#!/usr/bin/env python3
"""Turns checksum offload, scatter-gather, TSO, GSO and GRO off on one interface.

Used by corpus/record.sh when ethtool is not installed: it issues the same
legacy SIOCETHTOOL requests (ETHTOOL_S*) that `ethtool -K IFACE rx off tx off
sg off tso off gso off gro off` does. With offloads on, a capture taken on a
veth shows unfinished checksums (CHECKSUM_PARTIAL) and super-segments larger
than the MTU, neither of which ever reaches a real wire.

Usage: offload_off.py IFACE   (run inside the interface's network namespace)
"""
import ctypes
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
# <linux/ethtool.h> legacy set commands, in dependency order (TSO needs SG,
# SG needs TX checksumming; switching the dependents off first avoids EINVAL).
REQUESTS = [
    ("tso", 0x1F),  # ETHTOOL_STSO
    ("gso", 0x24),  # ETHTOOL_SGSO
    ("gro", 0x2C),  # ETHTOOL_SGRO
    ("sg", 0x19),  # ETHTOOL_SSG
    ("tx", 0x17),  # ETHTOOL_STXCSUM
    ("rx", 0x15),  # ETHTOOL_SRXCSUM
]


def set_off(sock: socket.socket, iface: str, cmd: int) -> None:
    value = ctypes.create_string_buffer(struct.pack("II", cmd, 0))  # struct ethtool_value
    ifreq = struct.pack("16sP", iface.encode(), ctypes.addressof(value))
    ifreq += b"\0" * (40 - len(ifreq))  # sizeof(struct ifreq) on 64-bit Linux
    fcntl.ioctl(sock.fileno(), SIOCETHTOOL, ifreq)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    iface = sys.argv[1]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name, cmd in REQUESTS:
            try:
                set_off(sock, iface, cmd)
            except OSError as e:
                print(f"offload_off: {iface}: {name} off: {e}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A user-space delaying forwarder for the fleet benchmark.

    delay_forwarder.py CLIENT_NS SERVER_NS ONE_WAY_SECONDS

Attaches to the TUN device `pwt` of each network namespace (made beforehand
with `ip -n NS tuntap add dev pwt mode tun`), then moves every IP packet
read from one device to the other after holding it ONE_WAY_SECONDS: each
direction adds that delay to every packet, SYN included, as netem would
(this kernel has no sch_netem). Prints "ready" once attached; stops when
its standard input closes.
"""

import collections
import ctypes
import fcntl
import os
import select
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

libc = ctypes.CDLL(None, use_errno=True)


def attach(namespace):
    """Opens /dev/net/tun inside `namespace` and attaches it to `pwt`."""
    ns = os.open(f"/run/netns/{namespace}", os.O_RDONLY)
    if libc.setns(ns, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns {namespace}: {os.strerror(err)}")
    os.close(ns)
    tun = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", b"pwt", IFF_TUN | IFF_NO_PI))
    return tun


def main():
    client_ns, server_ns, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
    client, server = attach(client_ns), attach(server_ns)
    other = {client: server, server: client}
    held = {client: collections.deque(), server: collections.deque()}
    poller = select.epoll()
    for fd in (client, server, sys.stdin.fileno()):
        poller.register(fd, select.EPOLLIN)
    print("ready", flush=True)
    while True:
        heads = [q[0][0] for q in held.values() if q]
        timeout = max(0.0, min(heads) - time.monotonic()) if heads else -1
        for fd, _ in poller.poll(timeout):
            if fd == sys.stdin.fileno():
                if not os.read(fd, 4096):
                    return
                continue
            due = time.monotonic() + delay
            while True:
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                held[fd].append((due, packet))
        now = time.monotonic()
        for fd, queue in held.items():
            while queue and queue[0][0] <= now:
                try:
                    os.write(other[fd], queue.popleft()[1])
                except OSError:
                    pass  # the kernel dropped it, as a full link would


if __name__ == "__main__":
    main()

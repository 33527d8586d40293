#!/usr/bin/env python3
"""net_peer.py -- the far end of the virtio-net test, run inside the test's
network namespace: waits on the tap interface for the guest's frame
(EtherType 0x88b5), reports it, then sends the guest a frame of its own
and reports exactly what it sent; then sends a burst of frames (EtherType
0x88b6, random lengths and bytes) and receives the guest's burst (0x88b7),
reporting the count and FNV-1a of each."""
import os, socket, sys, time

ETH_P_ALL, ETYPE, PEER_BURST_TYPE, GUEST_BURST_TYPE, BURST = 0x0003, 0x88B5, 0x88B6, 0x88B7, 32


def fnv1a(data, h=2166136261):
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def bursts(s, guest_mac):
    h = 2166136261
    for i in range(BURST):
        payload = os.urandom(46 + int.from_bytes(os.urandom(2), "big") % 1455)
        f = guest_mac + bytes.fromhex("020000000001") + PEER_BURST_TYPE.to_bytes(2, "big") + payload
        h = fnv1a(f, h)
        s.send(f)
    print(f"peer burst {BURST} fnv {h:#x}", flush=True)
    h, n, deadline = 2166136261, 0, time.time() + 60
    while n < BURST and time.time() < deadline:
        try:
            frame = s.recv(65536)
        except socket.timeout:
            continue
        if len(frame) >= 14 and int.from_bytes(frame[12:14], "big") == GUEST_BURST_TYPE:
            h, n = fnv1a(frame, h), n + 1
    print(f"guest burst {n} fnv {h:#x}", flush=True)

def main():
    ifname = sys.argv[1]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    s.settimeout(1.0)
    print("ready", flush=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            frame = s.recv(65536)
        except socket.timeout:
            continue
        if len(frame) >= 14 and int.from_bytes(frame[12:14], "big") == ETYPE:
            break
    else:
        print("timeout", flush=True)
        return 1
    print("got", frame.hex(), flush=True)
    payload = b"ferry peer frame " + os.urandom(8).hex().encode()
    reply = frame[6:12] + bytes.fromhex("020000000001") + ETYPE.to_bytes(2, "big") + payload
    reply = reply.ljust(60, b"\0")
    time.sleep(0.2)
    s.send(reply)
    print("sent", reply.hex(), flush=True)
    time.sleep(0.2)
    bursts(s, frame[6:12])
    return 0

sys.exit(main())

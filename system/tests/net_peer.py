#!/usr/bin/env python3
"""net_peer.py -- the far end of the virtio-net test, run inside the test's
network namespace: waits on the tap interface for the guest's frame
(EtherType 0x88b5), reports it, then sends the guest a frame of its own
and reports exactly what it sent."""
import os, socket, sys, time

ETH_P_ALL, ETYPE = 0x0003, 0x88B5

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
    return 0

sys.exit(main())

#!/usr/bin/env python3
"""dns_responder.py -- test infrastructure for tests/debian/dns.sh (runs
natively, never under ferry): a tiny UDP DNS server on 127.0.0.1:53 that
answers A and AAAA queries for a few fixed names from its table, NXDOMAIN
for anything else, and an empty answer (NODATA) for other types.

    dns_responder.py READY_FILE     (writes READY_FILE once bound; runs
                                     until killed)
"""
import socket
import struct
import sys

TABLE = {
    "ferry-test.example": {1: ["10.1.2.3"], 28: ["fd00::1234"]},
    "v4only.ferry-test.example": {1: ["10.9.8.7", "10.9.8.6"]},
    "v6only.ferry-test.example": {28: ["fd00::abcd"]},
    "web.ferry-test.example": {1: ["127.0.0.1"]},
}


def parse_name(msg, off):
    labels = []
    while msg[off]:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    return ".".join(labels).lower(), off + 1


def rdata(qtype, text):
    family = socket.AF_INET if qtype == 1 else socket.AF_INET6
    return socket.inet_pton(family, text)


def answer(query):
    qid, flags = struct.unpack(">HH", query[:4])
    name, off = parse_name(query, 12)
    qtype, qclass = struct.unpack(">HH", query[off:off + 4])
    question = query[12:off + 4]
    records = TABLE.get(name)
    rcode = 0 if records is not None else 3
    answers = [] if records is None else records.get(qtype, [])
    rd = flags & 0x0100
    head = struct.pack(">HHHHHH", qid, 0x8400 | rd | 0x0080 | rcode, 1, len(answers), 0, 0)
    body = b""
    for text in answers:
        data = rdata(qtype, text)
        body += struct.pack(">HHHIH", 0xC00C, qtype, qclass, 300, len(data)) + data
    return head + question + body


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 53))
    with open(sys.argv[1], "w") as ready:
        ready.write("ready\n")
    while True:
        query, peer = sock.recvfrom(4096)
        try:
            sock.sendto(answer(query), peer)
        except (IndexError, struct.error, ValueError):
            pass


if __name__ == "__main__":
    main()

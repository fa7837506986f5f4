#!/usr/bin/env python3
"""Write tshark's reassembled bytes of TCP stream N into DIR, one file per
direction, named as tcpflow names them (SRC.PORT-DST.PORT, IPv4 octets
zero-padded to three digits, ports to five).

usage: follow-bytes.py CAPTURE N DIR
Used where tcpflow cannot read a link type (Linux cooked v2)."""
import os
import subprocess
import sys


def name(ep):
    addr, port = ep.rsplit(":", 1)
    if "." in addr and ":" not in addr:
        addr = ".".join("%03d" % int(o) for o in addr.split("."))
    return "%s.%05d" % (addr.strip("[]"), int(port))


def main():
    cap, n, out = sys.argv[1], sys.argv[2], sys.argv[3]
    text = subprocess.run(["tshark", "-r", cap, "-qz",
                           "follow,tcp,raw,%s" % n], capture_output=True,
                          text=True, check=True).stdout
    nodes, data = {}, {0: bytearray(), 1: bytearray()}
    for line in text.splitlines():
        if line.startswith("Node 0: "):
            nodes[0] = name(line[8:])
        elif line.startswith("Node 1: "):
            nodes[1] = name(line[8:])
        elif nodes and line.strip() and not line.startswith("="):
            if all(c in "0123456789abcdef" for c in line.strip()):
                side = 1 if line.startswith("\t") else 0
                data[side] += bytes.fromhex(line.strip())
    os.makedirs(out, exist_ok=True)
    for side in (0, 1):
        if data[side]:
            with open(os.path.join(out, "%s-%s" % (nodes[side],
                                                   nodes[1 - side])),
                      "wb") as f:
                f.write(data[side])


if __name__ == "__main__":
    main()

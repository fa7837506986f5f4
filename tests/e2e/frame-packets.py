#!/usr/bin/env python3
"""frame-packets.py DB PCAP: the frames view's packet lists against tshark.

For every frame carried by several packets, tshark's tcp.segment list of
the packet where it reassembled that WebSocket frame must be the packets
wsautopsy lists (expanded from "a-b" runs); where wsautopsy's list starts
"first,...", its first packet and its tail must match tshark's. Prints the
number of frames compared; exits 1 on a difference.
"""
import sqlite3
import subprocess
import sys


def expand(text):
    out, cut = [], False
    for part in text.split(","):
        if part == "...":
            cut = True
            out.append(None)
        elif "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out, cut


def main():
    db, pcap = sys.argv[1], sys.argv[2]
    rows = sqlite3.connect(db).execute(
        "SELECT direction, frame_index, packet, last_packet, packets"
        " FROM frames WHERE packet <> last_packet AND truncated = 0"
        " ORDER BY packet").fetchall()
    tshark = subprocess.run(
        ["tshark", "-r", pcap, "-Y", "websocket && tcp.segment", "-T",
         "fields", "-e", "frame.number", "-e", "tcp.segment"],
        capture_output=True, text=True, check=True).stdout
    seg = {}
    for line in tshark.splitlines():
        num, _, lst = line.partition("\t")
        seg[int(num)] = [int(x) for x in lst.split(",") if x]
    bad = 0
    for d, idx, first, last, text in rows:
        want = seg.get(last)
        if want is None:
            print("%s frame %d: tshark reassembled nothing in packet %d"
                  % (d, idx, last))
            bad += 1
            continue
        got, cut = expand(text)
        if cut:
            tail = got[2:]
            ok = got[0] == first == want[0] and want[-len(tail):] == tail
        else:
            ok = got == want
        if not ok:
            print("%s frame %d: wsautopsy %s, tshark %s"
                  % (d, idx, text, ",".join(map(str, want))))
            bad += 1
    print(len(rows))
    sys.exit(1 if bad else 0)


main()

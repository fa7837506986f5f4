#!/usr/bin/env python3
"""Frames a capture with one packet dropped decodes after the drop, against
the frames of the whole capture after that packet.

usage: frames-after.py WSA_EVENTS WHOLE DROPPED PACKET
"""
import subprocess
import sys


def frames(events, cap, dropped=0):
    out = subprocess.run([events, cap], capture_output=True, text=True,
                         check=True).stdout
    fr = []
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] != "F":
            continue
        # F conn sender index fin rsv opcode masked len code first last
        first, last = int(f[10]), int(f[11])
        if dropped and first >= dropped:
            first += 1
        if dropped and last >= dropped:
            last += 1
        fr.append((first, f[1], f[2], int(f[4]), int(f[5]), int(f[6]),
                   int(f[7]), int(f[8]), int(f[9]), last))
    return sorted(fr)


def main():
    events, whole, cut, pkt = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    a = [f for f in frames(events, whole) if f[0] > pkt]
    b_all = frames(events, cut, pkt)
    b = [f for f in b_all if f[0] > pkt]
    for f in sorted(set(a) - set(b)):
        print("missing after the gap: %s" % (f,))
    for f in sorted(set(b) - set(a)):
        print("not in the whole capture: %s" % (f,))
    print("packet %d dropped: %d frames after it, %d decoded, %d in all"
          % (pkt, len(a), len(b), len(b_all)))
    return 0 if a == b else 1


if __name__ == "__main__":
    sys.exit(main())

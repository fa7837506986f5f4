#!/usr/bin/env python3
"""Compare wsautopsy's frame list with tshark's, frame for frame.

usage: tshark-frames.py WSA_EVENTS CAPTURE
Prints one line per disagreement and a summary line
"CAPTURE: N frames compared, M agree"; exits 1 on any disagreement.

tshark names a frame by the packet where its last byte arrived, so our
last_pkt is compared with tshark's frame.number. Frames tshark cannot
finish (cut by the end of the capture, or behind a gap) are ours alone and
are not compared.

Known, deliberate difference: after a 64-bit length with the top bit set
(length-msb-set) wsautopsy stops framing that direction, since no later
boundary can be trusted; tshark carries on. Those frames are listed as
"known" and not counted as disagreements.
"""
import subprocess
import sys


def ours(events, cap):
    out = subprocess.run([events, cap], capture_output=True, text=True,
                         check=True).stdout
    frames, ports, stops, clients = [], set(), {}, set()
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "C":
            ports.add(f[3].rsplit(":", 1)[1])
            clients.add(f[2].rsplit(":", 1)[1])
        # X conn kind class code sender rule packet ...
        if f[0] == "X" and f[6] == "length-msb-set":
            stops[f[5]] = min(int(f[7]), stops.get(f[5], 1 << 62))
        if f[0] != "F":
            continue
        # F conn sender index fin rsv opcode masked len code first last
        code = f[9] if f[9] != "-1" else ""
        frames.append((int(f[11]), int(f[4]), int(f[5]), int(f[6]),
                       int(f[7]), int(f[8]), code))
    return frames, ports, stops, clients


def theirs(cap, ports):
    cmd = ["tshark", "-r", cap, "-Y", "websocket", "-T", "fields",
           "-E", "occurrence=a", "-E", "separator=|", "-E", "aggregator=,"]
    for p in sorted(ports):
        cmd += ["-d", "tcp.port==%s,http" % p]
    for fld in ["frame.number", "tcp.srcport", "websocket.fin", "websocket.rsv",
                "websocket.opcode", "websocket.mask",
                "websocket.payload_length", "websocket.payload_length_ext_16",
                "websocket.payload_length_ext_64",
                "websocket.payload.close.status_code"]:
        cmd += ["-e", fld]
    out = subprocess.run(cmd, capture_output=True, text=True,
                         check=True).stdout
    frames = []
    for line in out.splitlines():
        cols = line.split("|")
        pkt = int(cols[0])
        sport = cols[1]
        vals = [c.split(",") if c else [] for c in cols[2:]]
        n = len(vals[0])
        e16, e64, codes = vals[5], vals[6], vals[7]
        i16 = i64 = ic = 0
        for i in range(n):
            plen = int(vals[4][i])
            if plen == 126:
                plen = int(e16[i16]); i16 += 1
            elif plen == 127:
                plen = int(e64[i64]); i64 += 1
            op = int(vals[2][i], 0)
            code = ""
            if op == 8 and plen >= 2 and ic < len(codes):
                code = codes[ic]; ic += 1
            frames.append((pkt, sport, int(vals[0][i] in ("1", "True")),
                           int(vals[1][i], 0), op, int(vals[3][i] in ("1", "True")), plen, code))
    return frames


def main():
    events, cap = sys.argv[1], sys.argv[2]
    a, ports, stops, clients = ours(events, cap)
    b = theirs(cap, ports)
    known = []
    tb = []
    for f in sorted(b):
        sender = "client" if f[1] in clients else "server"
        if sender in stops and f[0] > stops[sender]:
            known.append(f)
            continue
        tb.append((f[0],) + f[2:])
    for f in known:
        print("%s: packet %d: known: tshark frames past a length with the "
              "top bit set, wsautopsy stops framing there" % (cap, f[0]))
    # Frames tshark lists must all be ours, field for field.
    ours_by_key = {}
    for f in a:
        ours_by_key.setdefault(f[0], []).append(f)
    agree, bad = 0, 0
    theirs_by_key = {}
    for f in tb:
        theirs_by_key.setdefault(f[0], []).append(f)
    for pkt, tf in sorted(theirs_by_key.items()):
        of = sorted(ours_by_key.get(pkt, []))
        if sorted(tf) == of:
            agree += len(tf)
        else:
            bad += len(tf)
            print("%s: packet %d: tshark %s, wsautopsy %s" % (cap, pkt, tf, of))
    print("%s: %d frames compared, %d agree (wsautopsy decoded %d)"
          % (cap.rsplit("/", 1)[-1], len(tb), agree, len(a)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

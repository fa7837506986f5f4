#!/usr/bin/env python3
"""Compare wsautopsy's frame list with tshark's, frame for frame.

usage: tshark-frames.py WSA_EVENTS WSAUTOPSY CAPTURE
Prints one line per disagreement, one line per frame of ours tshark does
not show (with the reason), and a summary line
"CAPTURE: N frames compared, M agree (wsautopsy decoded D, S skipped)";
exits 1 on any disagreement or any frame skipped for no known reason.

tshark names a frame by the packet where its last byte arrived, so our
last_pkt is compared with tshark's frame.number. A connection without a
handshake in the capture is compared with tshark decoding its server port
as WebSocket from its first byte (-d tcp.port==PORT,websocket), as tshark
follows no Upgrade there. Frames tshark does not
show are ours alone and are not compared; each is printed with the
reason, taken from wsautopsy's database of the capture:
  - the frame is cut (the capture ends, or loses bytes, inside it): tshark
    shows a frame only once its last byte is there.

Known, deliberate difference: after a 64-bit length with the top bit set
(length-msb-set) wsautopsy stops framing that direction, since no later
boundary can be trusted; tshark carries on. Those frames are listed as
"known" and not counted as disagreements.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile


def ours(events, cap):
    out = subprocess.run([events, cap], capture_output=True, text=True,
                         check=True).stdout
    frames, ports, stops, clients = [], set(), {}, set()
    midstream = set()
    for line in out.splitlines():
        f = line.split("\t")
        # C conn client server websocket handshake_seen ...
        if f[0] == "C":
            ports.add(f[3].rsplit(":", 1)[1])
            clients.add(f[2].rsplit(":", 1)[1])
            if f[4] == "1" and f[5] == "0":
                midstream.add((f[2].rsplit(":", 1)[1],
                               f[3].rsplit(":", 1)[1]))
        # X conn kind class code sender rule packet ...
        if f[0] == "X" and f[6] == "length-msb-set":
            stops[f[5]] = min(int(f[7]), stops.get(f[5], 1 << 62))
        if f[0] != "F":
            continue
        # F conn sender index fin rsv opcode masked len code first last
        code = f[9] if f[9] != "-1" else ""
        frames.append((int(f[11]), int(f[4]), int(f[5]), int(f[6]),
                       int(f[7]), int(f[8]), code, int(f[1]), f[2], int(f[3])))
    return frames, ports, stops, clients, midstream


def why_skipped(wsautopsy, cap):
    """(conn, sender, index) -> why tshark cannot show the frame, or None."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "a.db")
        subprocess.run([wsautopsy, "analyze", "-q", "-o", db, cap],
                       check=True)
        con = sqlite3.connect(db)
        rows = con.execute(
            "SELECT c.conn_no, f.direction, f.frame_index, 0,"
            " f.truncated, f.seen_length, f.payload_length"
            " FROM frames f JOIN connections c"
            " ON c.connection_id = f.connection_id").fetchall()
        con.close()
    why = {}
    for conn, sender, index, hs, cut, seen, plen in rows:
        if cut:
            why[(conn, sender, index)] = (
                "cut after %d of %d payload bytes (capture end or loss): "
                "tshark shows a frame only once its last byte is there"
                % (seen, plen))
        else:
            why[(conn, sender, index)] = None
    return why


def theirs(cap, ports, only=None, ws_port=None):
    """tshark's frames, of the connection on client port only if given;
    ws_port: decoded as WebSocket from the first byte (a connection with no
    handshake for tshark to follow), else ports as HTTP."""
    filt = "websocket"
    if only:
        filt += " && tcp.port == %s" % only
    cmd = ["tshark", "-r", cap, "-Y", filt, "-T", "fields",
           "-E", "occurrence=a", "-E", "separator=|", "-E", "aggregator=,"]
    if ws_port:
        cmd += ["-d", "tcp.port==%s,websocket" % ws_port]
    else:
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
    events, wsautopsy, cap = sys.argv[1], sys.argv[2], sys.argv[3]
    a, ports, stops, clients, midstream = ours(events, cap)
    b = theirs(cap, ports)
    for cport, sport in sorted(midstream):
        # Unless tshark followed an Upgrade wsautopsy could not (a head
        # cut by the snaplen leaves wsautopsy without a handshake).
        if not theirs(cap, ports, cport):
            b += theirs(cap, ports, cport, sport)
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
        ours_by_key.setdefault(f[0], []).append(f[:7])
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
    # Frames of ours in packets where tshark shows none: each says why.
    skipped = [f for f in a if f[0] not in theirs_by_key]
    why = why_skipped(wsautopsy, cap) if skipped else {}
    name = cap.rsplit("/", 1)[-1]
    for f in skipped:
        reason = why.get((f[7], f[8], f[9]))
        if reason is None:
            bad += 1
            reason = "NO KNOWN REASON"
        print("%s: skipped: connection %d %s frame %d (opcode %d, %d bytes, "
              "last packet %d): %s" % (name, f[7], f[8], f[9], f[3], f[5],
                                       f[0], reason))
    print("%s: %d frames compared, %d agree (wsautopsy decoded %d, "
          "%d skipped)" % (name, len(tb), agree, len(a), len(skipped)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

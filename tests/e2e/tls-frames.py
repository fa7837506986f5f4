#!/usr/bin/env python3
"""Check wsautopsy's decryption of a wss:// capture against tshark's.

usage: tls-frames.py WSAUTOPSY CAPTURE KEYLOG
Analyzes CAPTURE with --keylog KEYLOG --payload-cap all, then:
  - bytes: tshark's decrypted streams (follow,tls,raw) that start with
    an HTTP/1.1 GET are parsed here
    into WebSocket frames (opcode, length, unmasked payload), each
    direction after its HTTP head; the frames wsautopsy stored, payloads
    whole, must be the same, in the same order;
  - frames: tshark's WebSocket dissector on the decrypted capture names
    each frame by the packet of its last byte: (packet, opcode, payload
    length) must be wsautopsy's (last_packet, opcode, payload_length).
Prints a summary line "CAPTURE: N frames, M payload bytes agree"; exits
1 on any difference.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile


def tshark(args):
    return subprocess.run(["tshark"] + args, capture_output=True, text=True,
                          check=True).stdout


def frames_of(data):
    """WebSocket frames after the HTTP head: (opcode, length, payload)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return []
    p, out = end + 4, []
    while p + 2 <= len(data):
        b0, b1 = data[p], data[p + 1]
        n, h = b1 & 0x7F, 2
        if n == 126:
            n, h = int.from_bytes(data[p + 2:p + 4], "big"), 4
        elif n == 127:
            n, h = int.from_bytes(data[p + 2:p + 10], "big"), 10
        mask = data[p + h:p + h + 4] if b1 & 0x80 else None
        h += 4 if mask else 0
        if p + h + n > len(data):
            break
        pl = data[p + h:p + h + n]
        if mask:
            pl = bytes(c ^ mask[i % 4] for i, c in enumerate(pl))
        out.append((b0 & 0x0F, n, pl))
        p += h + n
    return out


def tshark_streams(cap, keylog):
    """Per TCP stream with decrypted data, its client and server frames."""
    res = {}
    n = len(set(tshark(["-r", cap, "-T", "fields", "-e",
                        "tcp.stream"]).split()))
    for s in range(n):
        out = tshark(["-r", cap, "-o", "tls.keylog_file:" + keylog, "-qz",
                      "follow,tls,raw,%d" % s])
        side = [b"", b""]
        body = out.split("Node 1:", 1)[1].split("\n", 1)[1] \
            if "Node 1:" in out else ""
        for line in body.splitlines():
            if line.startswith("="):
                break
            i = 1 if line.startswith("\t") else 0
            side[i] += bytes.fromhex(line.strip())
        # tshark's node 0 is whichever spoke first: the client is the
        # side of the GET. WebSocket streams only: HTTP/2 is not decoded.
        if side[1].startswith(b"GET "):
            side.reverse()
        if side[0].startswith(b"GET "):
            res[s] = (frames_of(side[0]), frames_of(side[1]))
    return res


def main():
    wsa, cap, keylog = sys.argv[1:4]
    name = os.path.basename(cap)
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "t.db")
        subprocess.run([wsa, "analyze", "-q", "--payload-cap", "all",
                        "--keylog", keylog, "-o", db, cap], check=True)
        q = sqlite3.connect(db)
        ours = {}
        for cid, dr, op, n, pl in q.execute(
                "SELECT connection_id, direction, opcode, payload_length,"
                " payload_prefix FROM frames ORDER BY connection_id,"
                " direction, frame_index"):
            ours.setdefault((cid, dr), []).append((op, n, pl or b""))
        ws = sorted(q.execute("SELECT last_packet, opcode, payload_length"
                              " FROM frames"))
    theirs = tshark_streams(cap, keylog)
    # Connections in order of their first packet, as tshark's streams.
    conns = sorted({c for c, _ in ours})
    streams = sorted(theirs)
    if len(conns) != len(streams):
        print("%s: %d connections decoded, tshark decrypted %d" %
              (name, len(conns), len(streams)))
        bad += 1
    nbytes = 0
    for c, s in zip(conns, streams):
        for i, dr in enumerate(("client", "server")):
            a, b = ours.get((c, dr), []), theirs[s][i]
            if a != b:
                bad += 1
                print("%s: connection %d %s: %d frames, tshark's bytes give"
                      " %d; first difference at %s" % (
                          name, c, dr, len(a), len(b), next(
                              (k for k in range(min(len(a), len(b)))
                               if a[k] != b[k]), min(len(a), len(b)))))
            nbytes += sum(f[1] for f in a)
    got = []
    for line in tshark(["-r", cap, "-o", "tls.keylog_file:" + keylog, "-Y",
                        "websocket", "-T", "fields", "-E", "occurrence=a",
                        "-e", "frame.number", "-e", "websocket.opcode", "-e",
                        "websocket.payload_length", "-e",
                        "websocket.payload_length_ext_16", "-e",
                        "websocket.payload_length_ext_64"]).splitlines():
        f = line.split("\t")
        ops, l7 = f[1].split(","), f[2].split(",")
        ext = [int(x) for x in (f[3] + "," + f[4]).split(",") if x]
        for op, n in zip(ops, l7):
            n = int(n)
            if n >= 126:
                n = ext.pop(0)
            got.append((int(f[0]), int(op), n))
    if sorted(got) != ws:
        bad += 1
        print("%s: frames differ from tshark's dissector:\n ours   %s\n"
              " tshark %s" % (name, ws, sorted(got)))
    print("%s: %d frames, %d payload bytes agree%s" % (
        name, len(ws), nbytes, "" if not bad else "; %d differences" % bad))
    return 1 if bad else 0


sys.exit(main())

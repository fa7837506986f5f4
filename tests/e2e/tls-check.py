#!/usr/bin/env python3
"""Check a wsautopsy database against a TLS sample's .truth, both ways.

usage: tls-check.py frames|connections DB CAPTURE_NAME TRUTH

frames (tls-tshark.sh): on each connection, each direction's WebSocket
frames tshark decrypted and decoded are ours, in order, field for field:
first packet, last packet, FIN, opcode, MASK, payload length, close
code; and we have no other. tshark names a frame by the first packet of
the record holding its first header byte and by the packet that completed
the record of its last byte (frame.number); wsautopsy names the packets
that carried the ciphertext of those bytes, which lie between the two.

connections (tls-truth.sh): each connection of the truth is in the
database with its clear handshake and decryption state, in the columns
wsautopsy-db(5) documents for them: tls_version ("1.2", "1.3"), tls_cipher
(the cipher suite's IANA or OpenSSL name, or its number), tls_sni and
tls_decrypted (1 when its records were decrypted); a connection whose keys
do not fit (truth state "failed") has a capture-class finding; a
WebSocket connection's verdict is the code of its first close other than
1000 and 1001 that tshark saw, else "normal"; the database has no
connection the truth does not name.

The truth is samples/tls/tls-truth.py's (its header documents the
lines). Prints ok / MISSING / EXTRA lines; exits 1 on any MISSING or
EXTRA."""
import sqlite3
import sys

# IANA and OpenSSL names of the suites the samples use.
SUITES = {
    0x1301: ("TLS_AES_128_GCM_SHA256",),
    0x1302: ("TLS_AES_256_GCM_SHA384",),
    0x1303: ("TLS_CHACHA20_POLY1305_SHA256",),
    0xc02f: ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
             "ECDHE-RSA-AES128-GCM-SHA256"),
    0xcca8: ("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
             "ECDHE-RSA-CHACHA20-POLY1305"),
    0xc027: ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
             "ECDHE-RSA-AES128-SHA256"),
    0x002f: ("TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"),
}


def truth_lines(path):
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        yield line.rstrip("\n").split("\t")


def suite_matches(want, got):
    if got is None:
        return False
    n = int(want, 16)
    got = str(got).strip()
    if got.lower() in (want.lower(), "%04x" % n, str(n)):
        return True
    return got in SUITES.get(n, ())


def check_frames(con, cap, truth):
    want, conns = {}, []
    for f in truth_lines(truth):
        if f[0] == "conn":
            conns.append(f[1])
        elif f[0] == "frame":
            want.setdefault((f[1], f[2]), []).append(
                (int(f[3]), int(f[4]), int(f[5]), int(f[6]), int(f[7]),
                 int(f[8]), None if f[9] == "-" else int(f[9])))
    got = {}
    for r in con.execute(
            "SELECT c.client, f.direction, f.last_packet, f.packet, f.fin,"
            " f.opcode, f.masked, f.payload_length, f.close_code"
            " FROM frames f JOIN connections c"
            " ON c.connection_id = f.connection_id WHERE c.capture = ?"
            " ORDER BY f.connection_id, f.direction, f.frame_index", (cap,)):
        code = None if r[8] in (None, -1) else r[8]
        got.setdefault((r[0], r[1]), []).append(
            (r[2], r[3], r[4], r[5], r[6], int(r[7]), code))
    bad = 0
    for key in sorted(set(want) | set(got)):
        w, g = want.get(key, []), got.get(key, [])
        # Our packets within the records tshark names.
        g = [w[i] if i < len(w) and x[2:] == w[i][2:] and
             w[i][1] <= x[1] <= x[0] <= w[i][0] else x
             for i, x in enumerate(g)]
        if w == g:
            print("ok       %s %s: %d frames" % (key[0], key[1], len(w)))
            continue
        bad += 1
        i = next((i for i, (a, b) in enumerate(zip(w, g)) if a != b),
                 min(len(w), len(g)))
        print("%s %s %s: %d frames of tshark's, %d of ours; first "
              "difference at frame %d: tshark %s, wsautopsy %s" % (
                  "MISSING " if len(w) >= len(g) else "EXTRA   ", key[0],
                  key[1], len(w), len(g), i, w[i] if i < len(w) else None,
                  g[i] if i < len(g) else None))
    print("%s: %d frames of tshark's on %d connections, %d of ours" % (
        cap, sum(map(len, want.values())), len(conns),
        sum(map(len, got.values()))))
    return bad


def check_connections(con, cap, truth):
    cols = [r[1] for r in con.execute("PRAGMA table_info(connections)")]
    missing = [c for c in ("tls_version", "tls_cipher", "tls_sni",
                           "tls_decrypted") if c not in cols]
    for c in missing:
        print("MISSING  column connections.%s" % c)
    if missing:
        return len(missing)
    con.row_factory = sqlite3.Row
    rows = {r["client"]: r for r in con.execute(
        "SELECT * FROM connections WHERE capture = ?", (cap,))}
    lines = list(truth_lines(truth))
    bad = 0
    for f in lines:
        if f[0] != "conn":
            continue
        client, server, ver, suite, sni, _alpn, state = f[1:8]
        r = rows.pop(client, None)
        if r is None:
            print("MISSING  connection %s -> %s" % (client, server))
            bad += 1
            continue
        problems = []
        if r["server"] != server:
            problems.append("server %s" % r["server"])
        if ver != "-" and str(r["tls_version"] or "").rsplit(" ", 1)[-1] \
                != ver:
            problems.append("tls_version %s" % r["tls_version"])
        if suite != "-" and not suite_matches(suite, r["tls_cipher"]):
            problems.append("tls_cipher %s" % r["tls_cipher"])
        if sni != "-" and r["tls_sni"] != sni:
            problems.append("tls_sni %s" % r["tls_sni"])
        if (r["tls_decrypted"] or 0) != (1 if state == "decrypted" else 0):
            problems.append("tls_decrypted %s" % r["tls_decrypted"])
        if state == "failed" and not con.execute(
                "SELECT count(*) FROM findings WHERE connection_id = ?"
                " AND kind = 'capture'", (r["connection_id"],)).fetchone()[0]:
            problems.append("no capture finding for keys that do not fit")
        closes = [int(x[9]) for x in lines if x[0] == "frame" and
                  x[1] == client and x[6] == "8" and x[9] != "-"]
        if any(x[0] == "frame" and x[1] == client for x in lines):
            odd = [c for c in closes if c not in (1000, 1001)]
            verdict = str(odd[0]) if odd else "normal"
            if str(r["verdict"]) != verdict:
                problems.append("verdict %s, not %s" % (r["verdict"],
                                                         verdict))
        if problems:
            bad += 1
            print("MISSING  %s (%s %s %s %s): %s" % (
                client, ver, suite, sni, state, "; ".join(problems)))
        else:
            print("ok       %s %s %s %s" % (client, ver, suite, state))
    for client in rows:
        bad += 1
        print("EXTRA    connection %s" % client)
    return bad


def main():
    what, db, cap, truth = sys.argv[1:5]
    con = sqlite3.connect(db)
    check = {"frames": check_frames, "connections": check_connections}
    return 1 if check[what](con, cap, truth) else 0


if __name__ == "__main__":
    sys.exit(main())

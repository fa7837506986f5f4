#!/usr/bin/env python3
"""Writes samples/README.md: the gallery of samples, what happened on the
wire (from real/TABLE-real.md and viol/TABLE-violations.md) and what
wsautopsy says about each (from a fresh analysis); then the TLS samples
with their key logs (from tls/TABLE-tls.md).

usage: gallery.py WSAUTOPSY SAMPLES_DIR [OUT]   (OUT default: stdout)
The end-to-end test tests/e2e/samples-gallery.sh runs it and compares the
result with the committed samples/README.md, so the gallery stays true."""
import os
import sqlite3
import subprocess
import sys
import tempfile

HEAD = """# Samples

Every capture here was recorded on loopback with tcpdump from real WebSocket
implementations (Debian's python3-websockets 10.4, Node `ws` 8 from npm), in
`real/`, or from a raw peer breaking one rule against them, in `viol/`
(also Tornado, which tolerates some violations).
Beside each capture: the script that recorded it (`real/record-real.sh`,
`viol/record-violations.sh`), and `NAME.truth`, the ground truth established
with tshark, which `make check` compares with wsautopsy's findings
(`tests/e2e/samples-truth.sh`). A `NAME.known` file names a truth line
wsautopsy does not match on purpose.

To record them again (root, network namespace not needed, ports 18001-18406):
`samples/real/record-real.sh build`, `samples/viol/record-violations.sh` and
`samples/real/record-keepalive.sh` (pings left unanswered, proxy idle
timeouts through nginx).

"What wsautopsy says" is the connection verdict and its findings other than
normal closes (class, rule, sender and packet; `<-` the offending frame),
written by `samples/gallery.py` from a fresh analysis; `make check` fails
when this table and the program disagree.

| file | what happened | what wsautopsy says |
|---|---|---|
"""


TLS_HEAD = """
## TLS

`tls/` holds TLS captures recorded on loopback from real TLS stacks
(OpenSSL 3.0 `s_server`/`s_client`, Node https + ws 8 with `--tls-keylog`,
python3-websockets 10.4 with `ssl` `keylog_filename`), each with the key
log its peer wrote, `NAME.keys` (NSS key log format: what
`analyze --keylog NAME.keys` reads; `tls-ws-dsb.pcapng` carries its key log
inside, in a pcapng Decryption Secrets Block). Their `NAME.truth` is
tshark's decryption of the capture (`tls/tls-truth.py`): per connection
the clear handshake and whether it was decrypted, the SHA-256 and length
of each direction's decrypted bytes, the TLS alerts, the WebSocket frames
(with the packets of the records that carried them) and the findings they
imply. Recorded again by `samples/tls/record-tls.sh` (root: it runs in a
network namespace of its own whose loopback segments like a real link;
ports 18401-18425).

| file | what happened |
|---|---|
"""

# The folders of samples, each with the table of what happened in it.
FOLDERS = (("real", "TABLE-real.md"), ("viol", "TABLE-violations.md"))


def happened(samples):
    out = {}
    for folder, table in FOLDERS:
        path = os.path.join(samples, folder, table)
        if not os.path.exists(path):
            continue
        for line in open(path, encoding="utf-8"):
            cols = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cols) >= 3 and cols[0].endswith((".pcap", ".pcapng")):
                out[cols[0]] = "%s (%s)" % (cols[1], cols[2])
    return out


def tls_rows(samples):
    path = os.path.join(samples, "tls", "TABLE-tls.md")
    rows = []
    if not os.path.exists(path):
        return rows
    for line in open(path, encoding="utf-8"):
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cols) >= 3 and cols[0].endswith((".pcap", ".pcapng")):
            rows.append("| tls/%s | %s (%s) |" % (cols[0], cols[1],
                                                  cols[2]))
    return rows


def says(wsa, cap, tmp):
    db = os.path.join(tmp, "g.db")
    if os.path.exists(db):
        os.unlink(db)
    subprocess.run([wsa, "analyze", "-q", "--strict", "-o", db, cap],
                   check=True)
    con = sqlite3.connect(db)
    parts = []
    for cid, verdict, idle in con.execute(
            "SELECT connection_id, verdict, idle_before_end FROM connections "
            "ORDER BY connection_id").fetchall():
        items = []
        for (kind, cls, rule, sender, pkt, osender, opkt, orule,
             lmin, lmax, tolerated, tstack) in con.execute(
                "SELECT kind, class, rule, sender, packet, offending_sender,"
                " offending_packet, offending_rule, limit_min, limit_max,"
                " tolerated_by, tolerated_stack "
                "FROM findings WHERE connection_id = ? ORDER BY packet, kind",
                (cid,)):
            if kind == "close" and cls == "normal":
                continue
            s = "%s %s %s@%s" % (cls, rule or kind, sender, pkt)
            if opkt is not None:
                s += " <- %s %s@%s" % (orule or "frame", osender, opkt)
            if lmin is not None:
                s += " limit %s..%s" % (lmin, lmax)
            if tolerated is not None:
                s += " tolerated by %s%s" % (
                    tolerated, " (%s)" % tstack if tstack else "")
            items.append(s)
        # A quiet spell before an abnormal end: a proxy's idle timeout?
        if idle is not None and idle >= 1:
            items.append("idle %.1f s before the end" % idle)
        parts.append("**%s**%s" % (verdict, ": " + "; ".join(items)
                                   if items else ""))
    con.close()
    return " / ".join(parts) if parts else "no WebSocket connection"


def main():
    wsa, samples = sys.argv[1], sys.argv[2]
    what = happened(samples)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for folder, _ in FOLDERS:
            for name in sorted(os.listdir(os.path.join(samples, folder))):
                if not name.endswith((".pcap", ".pcapng")):
                    continue
                cap = os.path.join(samples, folder, name)
                rows.append("| %s/%s | %s | %s |" % (
                    folder, name, what.get(name, "").replace("|", "/"),
                    says(wsa, cap, tmp).replace("|", "/")))
    text = HEAD + "\n".join(rows) + "\n"
    tls = tls_rows(samples)
    if tls:
        text += TLS_HEAD + "\n".join(tls) + "\n"
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()

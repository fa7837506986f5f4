#!/usr/bin/env python3
"""Compare `wsautopsy messages` payloads with tshark's, byte for byte.

usage: messages-tshark.py WSAUTOPSY DB CAPTURE [KEYLOG|-]

KEYLOG (or "-" for a capture that carries its own secrets) says the
capture is TLS. tshark names a decrypted message by the packets of the
TLS record that completed it, which may come later than the packet of its
last byte (ours); there, a message of ours tshark does not show at its
packet is matched, in order, with an equal one tshark shows later.

tshark shows a data message (text or binary, reassembled from its
fragments, unmasked and inflated) at the packet of its last frame; so is
our last packet. For every packet, each of our text and binary messages
whose whole payload the database holds must be one of tshark's there,
with the same bytes; each message of ours cut to its stored prefix must
be the start of one of tshark's there; and every message tshark shows
must be one of ours. A connection whose handshake the capture lacks is
read by tshark as WebSocket on its server port (-d), as tshark follows
no Upgrade there.

Messages tshark cannot show the same are not compared, each counted with
its reason: bytes lost (gap), a message the capture ends inside
(incomplete), one wsautopsy could not decode (not stored); a compressed
message in several fragments (tshark 4.0 shows it reassembled but still
compressed); one whose fragments tshark did not reassemble (its last
fragment empty). A message tshark shows at the packet of one of those is
theirs alone. After a 64-bit length with the top bit set
(length-msb-set) wsautopsy stops framing that direction, deliberately,
and tshark carries on: its later messages are not compared either. A
message of ours cut to its prefix may be longer than tshark's whole one:
tshark keeps at most 256 KiB of a reassembled message.
With MESSAGES_FULL=1 in the environment, the payloads are `messages
--full`'s, read back whole from the capture: none may be cut then, and
each must equal tshark's (or, past the 256 KiB tshark keeps, start with
it).
Prints one line per disagreement and a summary line; exits 1 on any
disagreement, 2 when nothing could be compared.
"""
import json
import os
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict


FULL = os.environ.get("MESSAGES_FULL") == "1"
TSHARK_KEEPS = 256 * 1024


def ours(wsautopsy, db):
    cmd = [wsautopsy, "messages", "--format", "jsonl", db]
    if FULL:
        cmd.insert(2, "--full")
    out = subprocess.run(cmd, capture_output=True, check=True).stdout
    msgs = []
    for line in out.decode("utf-8").splitlines():
        m = json.loads(line)
        if m["encoding"] == "text":
            m["bytes"] = m["payload"].encode("utf-8")
        else:
            m["bytes"] = bytes.fromhex(m["payload"] or "")
        msgs.append(m)
    return msgs


def from_db(db):
    """Midstream servers' ports; the packet where framing stopped."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = con.execute("SELECT server FROM connections WHERE websocket = 1"
                       " AND handshake_seen = 0").fetchall()
    stop = con.execute("SELECT min(packet) FROM findings WHERE rule ="
                       " 'length-msb-set'").fetchone()[0]
    con.close()
    return sorted({r[0].rsplit(":", 1)[1] for r in rows}), stop


def theirs(cap, keylog, ports):
    cmd = ["tshark", "-n", "-r", cap, "-T", "pdml", "-Y", "websocket"]
    if keylog:
        cmd += ["-o", "tls.keylog_file:" + keylog]
    for p in ports:
        cmd += ["-d", "tcp.port==%s,websocket" % p]
    xml = subprocess.run(cmd, capture_output=True, check=True).stdout
    found = defaultdict(list)  # packet -> [payload bytes]
    for pkt in ET.fromstring(xml).iter("packet"):
        number, last = None, None
        for proto in pkt:
            if proto.get("name") == "geninfo" or number is None:
                for f in proto.iter("field"):
                    if f.get("name") == "frame.number":
                        number = int(f.get("show"))
            if proto.get("name") == "websocket":
                fields = {f.get("name"): f for f in proto.iter("field")}
                op = int(fields["websocket.opcode"].get("show"))
                fin = fields["websocket.fin"].get("show") == "1"
                last = {"op": op, "fin": fin, "payload": None}
                text = fields.get("websocket.payload.text")
                if text is not None:
                    last["payload"] = bytes.fromhex(text.get("value"))
                if fin and op in (0, 1, 2):
                    found[number].append(last)
            elif last is not None and last["payload"] is None:
                for f in proto.iter("field"):
                    if f.get("name") == "data.data":
                        last["payload"] = bytes.fromhex(f.get("value"))
                        break
    out, unreassembled = defaultdict(list), set()
    for number, frames in found.items():
        for fr in frames:
            # A continuation tshark did not reassemble shows no payload.
            if fr["payload"] is None and fr["op"] == 0:
                unreassembled.add(number)
                continue
            out[number].append(fr["payload"] or b"")
    return out, unreassembled


def main():
    wsautopsy, db, cap = sys.argv[1:4]
    tls = len(sys.argv) > 4
    keylog = sys.argv[4] if tls and sys.argv[4] != "-" else None
    mine = ours(wsautopsy, db)
    ports, stop = from_db(db)
    tshark, unreassembled = theirs(cap, keylog, ports)
    bad, compared, prefixes, shorter, later = 0, 0, 0, 0, 0
    unmatched, leftover = [], []
    skipped = defaultdict(int)
    mine_at, skipped_at = defaultdict(list), set()
    for m in mine:
        if m["type"] not in ("text", "binary"):
            continue
        packet = m["packets"][1]
        skipped_at.add(packet)
        if m["gap"]:
            skipped["bytes lost"] += 1
        elif m["incomplete"]:
            skipped["incomplete"] += 1
        elif m["stored"] is None:
            skipped["payload not stored"] += 1
        elif m["compressed"] and m["frames"][0] != m["frames"][1]:
            skipped["compressed in fragments"] += 1
        elif packet in unreassembled and not tshark.get(packet):
            skipped["fragments tshark did not reassemble"] += 1
        else:
            skipped_at.discard(packet)
            mine_at[packet].append(m)
    for packet in sorted(set(mine_at) | set(tshark)):
        left = list(tshark.get(packet, []))
        for m in mine_at.get(packet, []):
            if FULL and m["cut"]:
                unmatched.append((packet, m))
                continue
            if FULL and m["size"] > TSHARK_KEEPS:
                match = [t for t in left if len(t) >= TSHARK_KEEPS - 1024
                         and m["bytes"].startswith(t)]
                if match:
                    left.remove(match[0])
                    compared += 1
                    continue
            if not m["cut"] and m["bytes"] in left:
                left.remove(m["bytes"])
                compared += 1
                continue
            if m["cut"]:
                match = [t for t in left if t.startswith(m["bytes"]) and
                         len(t) <= m["size"]]
                if match:
                    left.remove(match[0])
                    prefixes += 1
                    shorter += len(match[0]) < m["size"]
                    continue
            unmatched.append((packet, m))
        leftover += [(packet, t) for t in left]
    for packet, m in unmatched:
        match = [(p, t) for p, t in leftover if tls and p > packet and (
            t == m["bytes"] if not m["cut"] else t.startswith(m["bytes"]))]
        if match:
            leftover.remove(match[0])
            later += 1
            continue
        bad += 1
        print("%s: connection %d %s message %d (packet %s, %d bytes%s)"
              " is not tshark's: %s" % (
                  cap, m["connection_id"], m["direction"],
                  m["message_id"], packet, m["size"],
                  ", cut" if m["cut"] else "", m["bytes"][:32].hex()))
    for packet, t in leftover:
        if packet in skipped_at:
            skipped["theirs at a packet of one not compared"] += 1
            continue
        if stop is not None and packet > stop:
            skipped["after length-msb-set"] += 1
            continue
        bad += 1
        print("%s: tshark shows a message at packet %s (%d bytes, %s)"
              " wsautopsy does not" % (cap, packet, len(t),
                                       t[:32].hex()))
    why = ", ".join("%d %s" % (n, k) for k, n in sorted(skipped.items()))
    print("%s: %d messages equal tshark's, %d stored prefixes the start of"
          " tshark's (%d of those longer than tshark's), %d of those at a"
          " later TLS record's packet, %d disagree; not compared: %s" % (
              cap, compared + later, prefixes, shorter, later, bad,
              why or "none"))
    if bad:
        return 1
    return 0 if compared + prefixes > 0 else 2


if __name__ == "__main__":
    sys.exit(main())

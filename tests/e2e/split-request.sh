#!/bin/sh
# The Upgrade request split over segments anywhere in its first bytes
# ("G" + "ET / HTTP/1.1", "GET" + " / ...") is still found: the
# connection, its handshake and every frame, as without the split.
. "${top_srcdir}/tests/e2e/lib.sh"
need python3
need sqlite3
SRC=$SAMPLES/real/real-node-plain.pcap
q() { sqlite3 -batch "$1" "SELECT count(*), sum(upgraded), (SELECT count(*) FROM frames) FROM connections WHERE websocket"; }

"$WSAUTOPSY" analyze -q -o "$TMP/orig.db" "$SRC"
want=$(q "$TMP/orig.db")
check "the sample has its WebSocket connection" test "$want" != "0||0"

for k in 1 2 3 4 7 12 21 22 30; do
	python3 - "$SRC" "$TMP/split.pcap" "$k" <<'PYEOF' || bad "split at $k: could not write"
import struct, sys
src, dst, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, "rb").read()
out = bytearray(data[:24])
pos, done = 24, False
endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
linktype = struct.unpack(endian + "I", data[20:24])[0]
assert linktype == 1, "Ethernet expected"
while pos < len(data):
    ts, tu, incl, orig = struct.unpack(endian + "IIII", data[pos:pos + 16])
    pkt = data[pos + 16:pos + 16 + incl]
    pos += 16 + incl
    eth, ip = pkt[:14], pkt[14:]
    if not done and eth[12:14] == b"\x08\x00" and ip[9] == 6:
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        thl = (tcp[12] >> 4) * 4
        payload = tcp[thl:]
        if payload.startswith(b"GET ") and len(payload) > k:
            seq = struct.unpack(">I", tcp[4:8])[0]
            for part, s in ((payload[:k], seq), (payload[k:], seq + k)):
                t = bytearray(tcp[:thl]) + part
                t[4:8] = struct.pack(">I", s & 0xffffffff)
                i = bytearray(ip[:ihl]) + t
                i[2:4] = struct.pack(">H", len(i))
                p = bytes(eth) + bytes(i)
                out += struct.pack(endian + "IIII", ts, tu, len(p), len(p)) + p
            done = True
            continue
    out += struct.pack(endian + "IIII", ts, tu, incl, orig) + pkt
assert done, "no request found"
open(dst, "wb").write(out)
PYEOF
	rm -f "$TMP/split.db"
	"$WSAUTOPSY" analyze -q -o "$TMP/split.db" "$TMP/split.pcap"
	check "split at $k: analyze exit 0" test $? -eq 0
	eq "split at $k: connection, upgrade, frames" "$want" "$(q "$TMP/split.db")"
done
finish

#!/bin/sh
# How a connection ended names its last frame: a clean closing handshake
# (the answering close's detail), an abrupt end (the suspect frame and the
# rule it broke), a connection still open when the capture ended (report).
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need python3

q() { sqlite3 -batch "$1" "$2"; }
# eq DESCRIPTION EXPECTED ACTUAL
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: '$3', expected '$2'"; fi; }

"$WSAUTOPSY" analyze -q -o "$TMP/clean.db" "$SAMPLES/real/real-node-plain.pcap"
eq "clean end: the answer names the end and the last frame" \
    "closing handshake complete; the server ended TCP (FIN) at packet 24, after server frame 7 (packet 23)" \
    "$(q "$TMP/clean.db" "SELECT detail FROM findings WHERE kind = 'close' AND answered = 1")"

# gorilla drops TCP with no close frame after a 64-bit length with the top
# bit set: the suspect frame is named with the rule it broke.
"$WSAUTOPSY" analyze -q -o "$TMP/drop.db" \
    "$SAMPLES/viol/viol-gorilla-length-msb-set.pcap"
eq "abrupt end: suspect frame and its rule" \
    "abrupt-fin|server|12|client|11|length-msb-set|after client frame 1 (packet 11), which broke length-msb-set; idle 0.0 s before the FIN, 0.0 s since the last data frame" \
    "$(q "$TMP/drop.db" "SELECT rule, sender, packet, offending_sender, offending_packet, offending_rule, detail FROM findings WHERE kind = 'abnormal'")"

# The capture stopped while the connection was open: real-node-plain's
# first 20 packets, as a capture cut short would have them.
python3 - "$SAMPLES/real/real-node-plain.pcap" "$TMP/open.pcap" 20 <<'PY'
import struct, sys
src, dst, keep = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, "rb").read()
end = off = 24
order = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
for _ in range(keep):
    end = off + 16 + struct.unpack(order + "I", data[off + 8:off + 12])[0]
    off = end
open(dst, "wb").write(data[:end])
PY
"$WSAUTOPSY" analyze -q -o "$TMP/open.db" "$TMP/open.pcap"
eq "open: a state, not a finding" "open|0" \
    "$(q "$TMP/open.db" "SELECT tcp_end, (SELECT count(*) FROM findings) FROM connections")"
"$WSAUTOPSY" report "$TMP/open.db" >"$TMP/open.txt"
grep -q "^  connection 1: client .*, last frame: client frame 4, packet 20$" \
    "$TMP/open.txt"
check "open: the report names the last frame" test $? -eq 0
"$WSAUTOPSY" report --class 1002 "$TMP/open.db" >"$TMP/open-1002.txt"
grep -q "Open when" "$TMP/open-1002.txt"
check "open: not listed under a class filter" test $? -ne 0
finish

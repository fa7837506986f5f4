#!/bin/sh
# A close frame without a code and no close frame at all are different
# facts (samples/real/real-node-nocode: node ws close() with no code, a
# python-websockets echo server answering with an empty close frame):
# tshark sees two close frames with an empty payload; wsautopsy stores
# them with no code in frames and 1005 (what the receiver reports) in the
# connection's close columns and the close findings; a connection that
# ended with no close frame keeps NULL there.
. "${top_srcdir}/tests/e2e/lib.sh"
need tshark
need sqlite3

CAP=$(sample real-node-nocode.pcap)
q() { sqlite3 -batch "$TMP/n.db" "$1"; }

eq "tshark: two close frames with an empty payload" "10 0
11 0" "$(tshark -r "$CAP" -Y 'websocket.opcode == 8' -T fields \
    -e frame.number -e websocket.payload_length 2>/dev/null | tr '\t' ' ')"

"$WSAUTOPSY" analyze -q -o "$TMP/n.db" "$CAP"
check "analyze: exit 0" test $? -eq 0
eq "frames: the close frames, no code, no reason" "client|10|0||
server|11|0||" "$(q "SELECT direction, packet, payload_length,
    close_code, close_reason FROM frames WHERE opcode = 8 ORDER BY packet")"
eq "connection: 1005 both ways, a normal end" "normal|1005|1005" \
    "$(q "SELECT verdict, close_client, close_server FROM connections")"
eq "findings: two closes reported as 1005" "close|client|1005|10
close|server|1005|11" "$(q "SELECT kind, sender, code, packet FROM findings
    ORDER BY packet")"

# No close frame at all (real-rst: two messages, then a reset): NULL.
"$WSAUTOPSY" analyze -q -o "$TMP/r.db" "$(sample real-rst.pcap)"
eq "no close frame: NULL, not 1005" "1006||" "$(sqlite3 -batch "$TMP/r.db" \
    "SELECT verdict, close_client, close_server FROM connections")"
finish

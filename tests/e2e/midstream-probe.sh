#!/bin/sh
# A capture that starts on the header of a frame longer than the first
# segment (real-large from its packet 8: the 4 MB client frame) is found
# to be WebSocket: the header is taken on trial, its frame is decoded as
# it streams, and the header after it confirms the guess.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3

"$TOOLS/pcap-mangle" "$SAMPLES/real/real-large.pcap" "$TMP/x.pcap" cut 7 \
	2>/dev/null
"$TOOLS/wsa-events" "$TMP/x.pcap" >"$TMP/ev"
check "wsa-events: exit 0" test $? -eq 0
conn1() { grep "^$1	1	" "$TMP/ev" | cut -f 3-; }

# F sender index fin rsv opcode masked len code first last
check "the 4 MB client frame is decoded from the first packet" \
	test "$(conn1 F | grep '^client	0	')" = \
	"$(printf 'client\t0\t1\t0\t2\t1\t4000000\t-1\t1\t141')"
check "the server's 3 MB text frame follows" \
	test "$(conn1 F | grep '^server	0	' | cut -f 5-7)" = \
	"$(printf '1\t0\t3000000')"
check "both close frames (1000) are found" \
	test "$(conn1 F | awk -F '\t' '$5 == 8 { print $1, $8 }' | sort |
	    tr '\n' ' ')" = "client 1000 server 1000 "
check "no violation is found" \
	test "$(grep -c '^X	1	violation' "$TMP/ev")" -eq 0
check "the client is the side that masks" \
	test "$(conn1 C | cut -f 1-2)" = \
	"$(printf '127.0.0.1:37508\t127.0.0.1:18008')"

"$WSAUTOPSY" analyze -q -o "$TMP/a.db" "$TMP/x.pcap"
check "analyze: exit 0" test $? -eq 0
check "analyze: the connection is WebSocket, its handshake not captured" \
	test "$(sqlite3 "$TMP/a.db" "SELECT websocket, handshake_seen
	    FROM connections WHERE first_packet = 1")" = "1|0"
check "analyze: its verdict is a normal close" \
	test "$(sqlite3 "$TMP/a.db" "SELECT verdict FROM connections
	    WHERE first_packet = 1")" = normal
finish

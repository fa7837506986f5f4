#!/bin/sh
# --ws-port decodes a port whose capture starts inside a frame: nothing is
# found without it, and with it the framing is searched for, nothing
# decoded before it is trusted again is blamed on a peer, and the roles
# come from the port (the server is the end on it), not from who spoke
# first.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3

# real-large without its first 11 packets: it starts 200 KB into a 4 MB
# binary frame of random bytes.
"$TOOLS/pcap-mangle" "$SAMPLES/real/real-large.pcap" "$TMP/mid.pcap" cut 11 \
	2>/dev/null
q() { sqlite3 "$1" "$2"; }

"$WSAUTOPSY" analyze -q -o "$TMP/a.db" "$TMP/mid.pcap"
check "without --ws-port: exit 0" test $? -eq 0
check "without --ws-port: the mid-frame connection is not WebSocket" \
	test "$(q "$TMP/a.db" "SELECT count(*) FROM connections
	    WHERE server LIKE '%:18008' AND first_packet = 1")" -eq 0

"$WSAUTOPSY" analyze -q --ws-port 18008 -o "$TMP/b.db" "$TMP/mid.pcap"
check "--ws-port: exit 0" test $? -eq 0
check "--ws-port: the connection is decoded" \
	test "$(q "$TMP/b.db" "SELECT websocket FROM connections
	    WHERE first_packet = 1")" = 1
check "--ws-port: no violation blamed on random payload bytes" \
	test "$(q "$TMP/b.db" "SELECT count(*) FROM findings
	    WHERE connection_id = (SELECT connection_id FROM connections
	    WHERE first_packet = 1) AND kind = 'violation'")" -eq 0
check "--ws-port: the client is the end off the port, though it spoke first" \
	test "$(q "$TMP/b.db" "SELECT client || ' ' || server FROM connections
	    WHERE first_packet = 1")" = "127.0.0.1:37508 127.0.0.1:18008"
check "--ws-port: the client's close frame is found past 3.8 MB of payload" \
	test "$(q "$TMP/b.db" "SELECT close_client FROM connections
	    WHERE first_packet = 1")" = 1000
check "--ws-port: no frame is made up of the client's payload bytes" \
	test "$(q "$TMP/b.db" "SELECT frames_client FROM connections
	    WHERE first_packet = 1")" = 1
check "--ws-port: the server's 3 MB text frame, at its first byte, is decoded" \
	test "$(q "$TMP/b.db" "SELECT frames_server || ' ' || close_server
	    FROM connections WHERE first_packet = 1")" = "2 1000"
check "--ws-port: the capture finding says where the stream was picked up" \
	test "$(q "$TMP/b.db" "SELECT rule || ' ' || sender || ' ' || packet
	    || ' ' || detail FROM findings WHERE kind = 'capture'")" = \
	"capture-gap client 1 the client's stream was picked up inside a frame (3886862 bytes skipped to the first frame boundary)"
check "--ws-port: the second connection is untouched" \
	test "$(q "$TMP/b.db" "SELECT group_concat(code) FROM findings
	    WHERE kind = 'close' AND connection_id = (SELECT max(connection_id)
	    FROM connections)")" = "1000,1000"
finish

#!/bin/sh
# A ring recorded for real: tcpdump -C 1 -W 8 on loopback (-Z root: the
# files after the first are opened after tcpdump would drop to its user)
# while 16 Python websockets clients one after the other send a 2 MB
# message to a websockets echo server that takes 1 MiB and closes 1009
# (about 260 KB of each reach the wire first). Connections cross the
# ring's files; analyze of the ring's
# directory finds what analyze of the files merged by mergecap finds, the
# server's 1009 with its offending frame among it, and names the offending
# packet by its file and its number there.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need tcpdump
need mergecap
need tshark
[ "$(id -u)" -eq 0 ] || { echo "SKIP: tcpdump needs root to capture"; exit 77; }
/usr/bin/python3 -c 'import websockets' 2>/dev/null ||
    { echo "SKIP: python3-websockets not installed (Debian package)"; exit 77; }
PEER=$top_srcdir/samples/real/real-peer.py
port=$((18200 + $$ % 500))
mkdir "$TMP/ring"

tcpdump -i lo -n -U -Z root -C 1 -W 8 -w "$TMP/ring/live.pcap" \
    "tcp port $port" \
    2>"$TMP/td.err" &
td=$!
i=0
until grep -q "listening on" "$TMP/td.err" || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
/usr/bin/python3 "$PEER" server echo "$port" 127.0.0.1 >/dev/null 2>&1 &
srv=$!
i=0
until /usr/bin/python3 -c "import socket; socket.create_connection(
    ('127.0.0.1', $port), 1).close()" 2>/dev/null || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	timeout 20 /usr/bin/python3 "$PEER" client large "$port" 127.0.0.1 \
	    >/dev/null 2>&1
done
sleep 1
kill -INT $td
wait $td
kill $srv 2>/dev/null
wait $srv 2>/dev/null

n=$(ls "$TMP/ring" | wc -l)
check "tcpdump -C 1 wrote a ring of files ($n)" test "$n" -ge 3
# The probe connection that waited for the server is one more connection.
mergecap -w "$TMP/merged.pcap" "$TMP"/ring/live.pcap*
"$WSAUTOPSY" analyze -q -o "$TMP/ring.db" "$TMP/ring"
eq "ring: exit 0" 0 $?
"$WSAUTOPSY" analyze -q -o "$TMP/merged.db" "$TMP/merged.pcap"
q() { sqlite3 -batch "$1" "$2"; }
eq "ring: every file read as one set" "$n" \
    "$(q "$TMP/ring.db" "SELECT files FROM captures")"
c="SELECT count(*) FROM connections WHERE websocket = 1"
eq "ring: the WebSocket connections of the merged files" \
    "$(q "$TMP/merged.db" "$c")" "$(q "$TMP/ring.db" "$c")"
f="SELECT class, code, sender, rule, offending_rule, limit_min, limit_max,
    explanation FROM findings ORDER BY 1, 2, 3, 4"
eq "ring: the findings of the merged files" "$(q "$TMP/merged.db" "$f")" \
    "$(q "$TMP/ring.db" "$f")"
n=$(q "$TMP/ring.db" "SELECT count(*) FROM findings WHERE kind = 'close'
    AND class = '1009' AND sender = 'server' AND offending_packet IS NOT
    NULL")
all=$(q "$TMP/ring.db" "SELECT count(*) FROM findings WHERE kind = 'close'
    AND class = '1009' AND sender = 'server'")
check "ring: the server closed 1009 ($all)" test "$all" -ge 1
eq "ring: each 1009 with its offending frame" "$all" "$n"

# The offending packet, named file:number, is that file's packet from the
# client, as tshark reads the file alone.
name=$(q "$TMP/ring.db" "SELECT offending_packet FROM findings WHERE
    kind = 'close' AND class = '1009' AND offending_packet LIKE '%:%'
    ORDER BY connection_id DESC LIMIT 1")
file=${name%:*}
num=${name##*:}
check "ring: the offending packet is named by its file ($name)" \
    test -f "$TMP/ring/$file"
cport=$(q "$TMP/ring.db" "SELECT c.client FROM connections c JOIN findings
    f USING (connection_id) WHERE f.kind = 'close' AND f.class = '1009'
    AND f.offending_packet = '$name'")
cport=${cport##*:}
eq "ring: $name is the client's" "$cport" \
    "$(tshark -r "$TMP/ring/$file" -Y "frame.number == $num" -T fields \
    -e tcp.srcport 2>/dev/null)"
n=$(q "$TMP/ring.db" "SELECT count(*) FROM connections WHERE websocket = 1
    AND substr(first_packet, 1, instr(first_packet, ':')) !=
    substr(last_packet, 1, instr(last_packet, ':'))")
check "ring: connections that cross files ($n)" test "$n" -ge 1

finish

#!/bin/sh
# replay --reframe against real servers on loopback, started here (Python
# websockets and Tornado, Debian's): a deflate capture replayed to a
# server agreeing the same parameters goes byte for byte, --reframe or
# not; to one agreeing none it is different and names --reframe, and with
# --reframe its messages go uncompressed and the captured 1009 comes again
# from Tornado with the same limit, not from one with a larger limit. The
# recording of a re-encoded replay analyzes with no violation, and tshark
# reads in it the payloads it reads in the capture; the other way, a
# capture with no extension is compressed for a Tornado agreeing deflate.
# A malformed ping goes as captured; Tornado's own 1009 on a captured
# upload reproduces. Only the replayed connection's messages are kept whole.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
/usr/bin/python3 -c 'import websockets' 2>/dev/null ||
    { echo "SKIP: python3-websockets not installed (Debian package)"; exit 77; }
/usr/bin/python3 -c 'import tornado.websocket' 2>/dev/null ||
    { echo "SKIP: python3-tornado not installed (Debian package)"; exit 77; }
. "${top_srcdir}/tests/e2e/replay-lib.sh"

# client_frames DB: the client's frames as a database has them, masks
# and headers included.
client_frames() {
	sqlite3 "$1" "SELECT frame_index, hex(header), hex(mask_key),
	    payload_length, hex(payload_prefix) FROM frames
	    WHERE direction = 'client' ORDER BY frame_index"
}

# Python websockets 10.4's default permessage-deflate (window bits 12
# each way), as real-python-deflate agreed it: the frames go as captured,
# masks included, and nothing is said; --reframe changes nothing.
pyd=$(sample real-python-deflate.pcap)
"$WSAUTOPSY" analyze -q -o "$TMP/pyd.db" "$pyd"
start wsd ws-deflate 1048576
for opt in "" --reframe; do
	replay "$pyd" --connection 1 --to "ws://127.0.0.1:$port/" --speed max \
	    --record "$TMP/pyd-rec$opt.pcap" $opt
	eq "same deflate$opt: reproduced" "0 reproduced: server accepted all \
5 client messages and closed 1000 (captured: nothing)" "$rc $out"
	eq "same deflate$opt: nothing said" "" "$(cat "$TMP/err")"
	"$WSAUTOPSY" analyze -q -o "$TMP/pyd-rec$opt.db" \
	    "$TMP/pyd-rec$opt.pcap"
	eq "same deflate$opt: byte for byte" "$(client_frames "$TMP/pyd.db")" \
	    "$(client_frames "$TMP/pyd-rec$opt.db")"
done

# real-1009-many's connection 2: node ws (maxPayload 65536, deflate)
# closed 1009 on the client's third message, 65712 bytes inflated.
many=$(sample real-1009-many.pcap)
start t64k tornado 65536
replay "$many" --connection 2 --to "ws://127.0.0.1:$port/" --speed max
eq "no deflate: different" "3 different: server agreed other extensions \
or subprotocol, nothing sent; --reframe re-encodes for it (captured: closed \
1009 after client frame 2)" "$rc $out"
check "no deflate: the extensions said" grep -q "the server agreed \
extensions '' and subprotocol ''; the captured one 'permessage-deflate' and \
'': frames as captured would not decode as meant, nothing is sent \
(--reframe re-encodes the client's messages for it)" "$TMP/err"

replay "$many" --connection 2 --to "ws://127.0.0.1:$port/" --reframe
eq "--reframe, Tornado 64 KiB: reproduced" "0 reproduced: server closed \
1009 after client frame 2 (captured: closed 1009 after client frame 2)" \
    "$rc $out"
check "--reframe: said" grep -q "the client's messages are re-encoded for \
it" "$TMP/err"
start t1m tornado 1048576
t1m=$port
replay "$many" --connection 2 --to "ws://127.0.0.1:$port/" --reframe \
    --record "$TMP/many.pcap"
eq "--reframe, Tornado 1 MiB: not reproduced" "1 not reproduced: server \
accepted all 3 client messages and did not close (captured: closed 1009 \
after client frame 2)" "$rc $out"

# The recording: our frames decode with no violation, uncompressed, and
# carry the captured payloads, as we and as tshark read them.
"$WSAUTOPSY" analyze -q --payload-cap all -o "$TMP/many.db" "$TMP/many.pcap"
"$WSAUTOPSY" analyze -q --payload-cap all -o "$TMP/orig.db" "$many"
eq "recording: no violation" 0 "$(sqlite3 "$TMP/many.db" "SELECT count(*)
    FROM findings WHERE kind = 'violation'")"
eq "recording: the client's messages, uncompressed" "0|2|0|4542
1|2|0|1086
2|2|0|65712" "$(sqlite3 "$TMP/many.db" "SELECT message_id, opcode,
    compressed, decoded_size FROM messages WHERE direction = 'client' AND
    opcode IN (1, 2)")"
payloads() {
	sqlite3 "$1" "SELECT hex(payload_prefix) FROM messages m JOIN
	    connections c USING (connection_id) WHERE c.conn_no = $2 AND
	    m.direction = 'client' AND m.opcode IN (1, 2) ORDER BY message_id"
}
eq "recording: the captured payloads" "$(payloads "$TMP/orig.db" 2)" \
    "$(payloads "$TMP/many.db" 1)"
if command -v tshark >/dev/null 2>&1; then
	cport=$(sqlite3 "$TMP/orig.db" "SELECT substr(client,
	    instr(client, ':') + 1) FROM connections WHERE conn_no = 2")
	tshark -r "$many" -Y "tcp.srcport == $cport && websocket.opcode == 2" \
	    -T fields -e data.data >"$TMP/ts-orig" 2>/dev/null
	tshark -r "$TMP/many.pcap" -Y 'websocket.mask == 1 &&
	    websocket.opcode == 2' -T fields -e data.data >"$TMP/ts-rec" \
	    2>"$TMP/ts.err"
	eq "tshark: three messages in the capture" 3 \
	    "$(grep -c . "$TMP/ts-orig")"
	check "tshark: the same payloads in the recording" \
	    cmp -s "$TMP/ts-orig" "$TMP/ts-rec"
	eq "tshark: says nothing" "" "$(grep -v 'Running as user' \
	    "$TMP/ts.err")"
fi

# The other way: real-1009-node (deflate offered, not agreed) to a
# Tornado agreeing it: each message compressed, and back the same.
node=$(sample real-1009-node.pcap)
start td tornado-deflate 1048576
replay "$node" --connection 1 --to "ws://127.0.0.1:$port/" --speed max \
    --reframe --record "$TMP/node.pcap"
eq "to deflate: not reproduced" "1 not reproduced: server accepted all 2 \
client messages and did not close (captured: closed 1009 after client \
frame 1)" "$rc $out"
check "to deflate: re-encoded" grep -q "the server agreed extensions \
'permessage-deflate[^']*' and subprotocol ''; the captured one '' and '': \
the client's messages are re-encoded for it" "$TMP/err"
"$WSAUTOPSY" analyze -q --payload-cap all -o "$TMP/node.db" "$TMP/node.pcap"
"$WSAUTOPSY" analyze -q --payload-cap all -o "$TMP/node0.db" "$node"
eq "to deflate: no violation" 0 "$(sqlite3 "$TMP/node.db" "SELECT count(*)
    FROM findings WHERE kind = 'violation'")"
eq "to deflate: every message compressed" "2|2" "$(sqlite3 "$TMP/node.db" \
    "SELECT count(*), sum(compressed) FROM messages WHERE direction =
    'client' AND opcode IN (1, 2)")"
eq "to deflate: the captured payloads" "$(payloads "$TMP/node0.db" 1)" \
    "$(payloads "$TMP/node.db" 1)"
if command -v tshark >/dev/null 2>&1; then
	tshark -r "$node" -Y 'websocket.mask == 1 && websocket.opcode == 1' \
	    -T fields -e websocket.payload.text >"$TMP/ts-orig" 2>/dev/null
	tshark -r "$TMP/node.pcap" -Y 'websocket.mask == 1 &&
	    websocket.opcode == 1' -T fields -e websocket.payload.text \
	    >"$TMP/ts-rec" 2>/dev/null
	eq "tshark: two texts in the capture" 2 "$(grep -c . "$TMP/ts-orig")"
	check "tshark: inflates the same texts" cmp -s "$TMP/ts-orig" \
	    "$TMP/ts-rec"
fi

# A ping with RSV1 (viol-python-misplaced-rsv1, deflate agreed): to
# Tornado without deflate, the text before it is re-encoded and the ping
# goes as captured, said; Tornado fails the connection on it.
replay "$(sample viol-python-misplaced-rsv1.pcap)" --connection 1 \
    --to "ws://127.0.0.1:$t1m/" --reframe
check "malformed ping: said" grep -q "client frame 1 (a malformed control \
frame) goes as captured" "$TMP/err"
case $rc in
0|3) ok ;;   # Tornado closes 1002, or drops the connection
*) bad "malformed ping: the server took it ($rc $out)" ;;
esac
check "malformed ping: the server failed the connection after it" \
    expr "$out" : '.*after client frame 1 ' >/dev/null

# Tornado's own limit: real-1009-python's 2 MiB frame (cut by the
# capture) against websocket_max_message_size 1 MiB, as captured.
replay "$(sample real-1009-python.pcap)" --connection 1 \
    --to "ws://127.0.0.1:$t1m/"
eq "Tornado 1 MiB: the 1009 again" "0 reproduced: server closed 1009 after \
client frame 1 (captured: closed 1009 after client frame 1)" "$rc $out"
# Only the replayed connection's client messages are kept whole: with a
# second connection of the capture sending one 60 MiB message (deflated
# to 64 KB), replaying the first with --reframe holds no more memory than
# replaying it from its own capture.
if [ -x "$TOOLS/hostile-gen" ] && [ -x /usr/bin/time ] &&
    command -v mergecap >/dev/null; then
	"$TOOLS/hostile-gen" bomb 60M >"$TMP/bomb.pcap" 2>/dev/null
	mergecap -a -F pcapng -w "$TMP/two.pcapng" "$pyd" "$TMP/bomb.pcap"
	for cap in "$pyd" "$TMP/two.pcapng"; do
		/usr/bin/time -f %M -o "$TMP/rss" "$WSAUTOPSY" replay "$cap" \
		    --connection 1 --reframe --speed max \
		    --to "ws://127.0.0.1:$t1m/" >"$TMP/out" 2>"$TMP/err"
		eq "--reframe, ${cap##*/}: reproduced" "0" "$?"
		rss="${rss:+$rss }$(tail -n 1 "$TMP/rss")"
	done
	set -- $rss
	check "--reframe: the other connection's 60 MiB not kept ($1 KiB \
alone, $2 KiB beside it)" test "$2" -lt $(($1 + 30 * 1024))
else
	echo "skip: the memory check needs hostile-gen, /usr/bin/time and mergecap"
fi
finish

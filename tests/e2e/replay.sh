#!/bin/sh
# replay against real servers on loopback, started here: the bundled 1009
# samples reproduce against a server with the captured limit (Python
# websockets max_size 1 MiB; Node ws maxPayload 65536) and do not against
# a larger one; a client's reserved opcode gets node ws's 1002 again; a
# database leads to its capture and refuses one that changed; --record
# writes a capture analyze and tshark read the same verdict in; a server
# that does not switch protocols, a refused port and a public address
# without --yes are errors, the last one before anything is sent.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
. "${top_srcdir}/tests/e2e/replay-lib.sh"
NODE_PEER=$top_srcdir/samples/real/real-peer.js

# Python websockets 10.4, default max_size (1 MiB), as captured: frame 1
# (a 2 MiB text frame, cut by the capture after 256 KB) gets 1009 again.
py=$(sample real-1009-python.pcap)
start py1m ws 1048576
replay "$py" --connection 1 --to "ws://127.0.0.1:$port/"
eq "python 1 MiB: reproduced" "0 reproduced: server closed 1009 after \
client frame 1 (captured: closed 1009 after client frame 1)" "$rc $out"

# The fix: a limit of 4 MiB takes the frame's header; the rest of its
# payload never comes, and the server does not close.
start py4m ws 4194304
replay "$py" --connection 1 --to "ws://127.0.0.1:$port/"
eq "python 4 MiB: not reproduced" "1 not reproduced: server accepted all \
1 client message and did not close (captured: closed 1009 after client \
frame 1)" "$rc $out"

# --record: the replayed conversation as a capture, which analyze finds
# the same verdict in (the server's 1009, offending client frame 1), and
# tshark reads without complaint.
start py1m-rec ws 1048576
replay "$py" --connection 1 --to "ws://127.0.0.1:$port/" \
    --record "$TMP/rec.pcap"
eq "record: reproduced" 0 "$rc"
"$WSAUTOPSY" analyze -q -o "$TMP/rec.db" "$TMP/rec.pcap"
eq "record: analyze finds what replay printed" "server|1009|1|client" \
    "$(sqlite3 "$TMP/rec.db" "SELECT sender, code, offending_frame_index,
    offending_sender FROM findings WHERE kind = 'close' AND NOT answered")"
if command -v tshark >/dev/null 2>&1; then
	tshark -r "$TMP/rec.pcap" -T fields -e websocket.payload.close.status_code \
	    -Y 'websocket.opcode == 8' >"$TMP/tshark.out" 2>"$TMP/tshark.err"
	eq "record: tshark reads it" 0 $?
	eq "record: tshark says nothing" "" \
	    "$(grep -v 'Running as user' "$TMP/tshark.err")"
	eq "record: tshark sees the server's 1009" 1009 "$(cat "$TMP/tshark.out")"
fi

# Pacing: real-keepalive-python's client sends a message, three pings a
# second apart and its close at 5.02 s (five frames); the live server
# answers the close, which ends the replay.
ka=$(sample real-keepalive-python.pcap)
start ka ws 1048576
# took ARGS...: the replay's time in ms in $ms.
took() {
	t0=$(date +%s%N)
	replay "$ka" --connection 1 --to "ws://127.0.0.1:$port/" "$@"
	ms=$((($(date +%s%N) - t0) / 1000000))
}
took --speed 2
eq "speed 2: the client's 1011 answered" "0 reproduced: server accepted \
all 1 client message and closed 1011 (captured: nothing)" "$rc $out"
check "speed 2: half the captured 5 s ($ms ms)" test "$ms" -ge 2450
took --speed max
check "speed max: at once ($ms ms)" test "$ms" -lt 1500
took --speed max --rate 2
check "speed max, rate 2: four gaps of 0.5 s ($ms ms)" test "$ms" -ge 1950

# The database names the capture: the same verdict through it.
cp "$py" "$TMP/cap.pcap"
"$WSAUTOPSY" analyze -q -o "$TMP/cap.db" "$TMP/cap.pcap"
start py1m-db ws 1048576
replay "$TMP/cap.db" --connection 1 --to "ws://127.0.0.1:$port/"
eq "through the database: reproduced" 0 "$rc"
# A capture whose bytes changed since: refused, in one line.
cp "$(sample real-1009-node.pcap)" "$TMP/cap.pcap"
replay "$TMP/cap.db" --connection 1 --to "ws://127.0.0.1:$port/"
eq "changed capture: error" 2 "$rc"
eq "changed capture: one line" 1 "$(wc -l <"$TMP/err")"
check "changed capture: said" grep -q "changed since it was analysed" \
    "$TMP/err"
replay "$TMP/cap.db" --connection 2 --to "ws://127.0.0.1:$port/"
eq "no such connection in the database" 2 "$rc"

# Node ws 8: maxPayload 65536 (real-peer.js max64k), as captured, and a
# client reserved opcode 3 against the plain server.
if [ -d "$top_srcdir/samples/real/node/node_modules/ws" ] &&
    command -v node >/dev/null 2>&1; then
	nport=$(free_port)
	NODE_PATH=$top_srcdir/samples/real/node/node_modules node \
	    "$NODE_PEER" server max64k "$nport" 127.0.0.1 \
	    2>"$TMP/node.err" &
	pids="$pids $!"
	pport=$(free_port)
	NODE_PATH=$top_srcdir/samples/real/node/node_modules node \
	    "$NODE_PEER" server plain "$pport" 127.0.0.1 \
	    2>"$TMP/node-plain.err" &
	pids="$pids $!"
	i=0
	until { grep -q ready "$TMP/node.err" &&
	    grep -q ready "$TMP/node-plain.err"; } || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	replay "$(sample real-1009-node.pcap)" --connection 1 \
	    --to "ws://127.0.0.1:$nport/"
	eq "node maxPayload 64K: reproduced" "0 reproduced: server closed \
1009 after client frame 1 (captured: closed 1009 after client frame 1)" \
	    "$rc $out"
	replay "$(sample real-1009-node.pcap)" --connection 1 \
	    --to "ws://127.0.0.1:$pport/"
	eq "node without maxPayload: not reproduced" 1 "$rc"
	replay "$(sample viol-node-reserved-opcode.pcap)" --connection 1 \
	    --to "ws://127.0.0.1:$pport/" --speed max
	eq "reserved opcode: node ws closes 1002 again" "0 reproduced: \
server closed 1002 after client frame 1 (captured: closed 1002 after \
client frame 1)" "$rc $out"
	# The same frames to a server with another answer: different.
	start py-viol ws 1048576
	replay "$(sample viol-node-reserved-opcode.pcap)" --connection 1 \
	    --to "ws://127.0.0.1:$port/"
	case $rc in
	0) ok ;;   # python websockets closes 1002 too
	*) bad "reserved opcode against python websockets: $rc $out" ;;
	esac
	# --all: real-1009-many's six 1009s (24 clients, 30% with
	# permessage-deflate) against the same kind of server (maxPayload
	# 65536, deflate), compressed frames sent byte for byte as captured.
	dport=$(free_port)
	NODE_PATH=$top_srcdir/samples/real/node/node_modules node \
	    "$NODE_PEER" server max64kdeflate "$dport" 127.0.0.1 \
	    2>"$TMP/node-deflate.err" &
	pids="$pids $!"
	i=0
	until grep -q ready "$TMP/node-deflate.err" || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	many=$(sample real-1009-many.pcap)
	out=$("$WSAUTOPSY" replay "$many" --all --to "ws://127.0.0.1:$dport/" \
	    --speed max 2>"$TMP/err")
	eq "--all: every connection reproduced" 0 $?
	eq "--all: a header and six rows" 7 "$(echo "$out" | wc -l)"
	eq "--all: six 1009s again" 6 "$(echo "$out" | grep -c \
	    '^[0-9]* *reproduced: server closed 1009 after client frame')"
	# Against a server without deflate, the compressed frames are not
	# what it agreed: said, and the worst row (different) is the status.
	out=$("$WSAUTOPSY" replay "$many" --all --to "ws://127.0.0.1:$pport/" \
	    --speed max 2>"$TMP/err")
	eq "--all without deflate: different" 3 $?
	check "--all without deflate: the extensions said" grep -q \
	    "the server agreed extensions '' and subprotocol ''; the captured" \
	    "$TMP/err"

	# wss:// captured, decrypted with its key log, replayed in the clear
	# to the same kind of server (node ws 8, maxPayload 65536).
	replay "$SAMPLES/tls/tls-ws-1009.pcap" --connection 1 \
	    --keylog "$SAMPLES/tls/tls-ws-1009.keys" --to "ws://127.0.0.1:$nport/"
	eq "TLS 1009, decrypted: reproduced" "0 reproduced: server closed \
1009 after client frame 16 (captured: closed 1009 after client frame 16)" \
	    "$rc $out"
	replay "$SAMPLES/tls/tls-ws-1009.pcap" --connection 1 \
	    --to "ws://127.0.0.1:$nport/"
	eq "TLS without keys: error" 2 "$rc"
	check "TLS without keys: --keylog named" grep -q "it is TLS: --keylog" \
	    "$TMP/err"
else
	echo "node ws parts skipped: samples/real/node/node_modules missing" \
	    "(npm ci there)"
fi

# A client side with a gap (real-gap: the client's third frame was not
# captured): said, and the replay stops there; past it with --skip-gaps,
# the client's own close goes and the server answers it.
start gap ws 1048576
replay "$(sample real-gap.pcap)" --connection 1 --to "ws://127.0.0.1:$port/"
eq "gap: stops there" "0 reproduced: server accepted all 2 client messages \
and did not close (captured: nothing)" "$rc $out"
check "gap: said where" grep -q "the captured client side lost 308 bytes at \
stream offset 252 (after client frame 1): the replay stops there" "$TMP/err"
replay "$(sample real-gap.pcap)" --connection 1 --to "ws://127.0.0.1:$port/" \
    --skip-gaps
eq "gap skipped: the client's close answered" "0 reproduced: server \
accepted all 4 client messages and closed 1000 (captured: nothing)" \
    "$rc $out"

# A server that does not switch protocols: its status line, escaped.
start http http
replay "$py" --connection 1 --to "ws://127.0.0.1:$port/x"
eq "404: error" 2 "$rc"
check "404: status line said" grep -q "not 101): HTTP/1.0 404 no such page" \
    "$TMP/err"

# Hostile servers: escapes in the answer reach the terminal escaped; a
# flood of pings and a frame without end stop at the timeout, the pongs
# not piling up.
start esc hostile escapes
replay "$py" --connection 1 --to "ws://127.0.0.1:$port/"
eq "escapes: error" 2 "$rc"
check "escapes: status line said" grep -q "not 101): HTTP/1.1 403" "$TMP/err"
check "escapes: no escape byte on the terminal" \
    test "$(tr -d '\033\007\233' <"$TMP/err" | wc -c)" -eq "$(wc -c <"$TMP/err")"
start flood hostile flood
t0=$(date +%s)
replay "$py" --connection 1 --to "ws://127.0.0.1:$port/" --timeout 3
t1=$(date +%s)
eq "flood: the server started nothing" 1 "$rc"
check "flood: ended by the timeout at the latest" test $((t1 - t0)) -le 6

# Nothing listening.
p=$(free_port)
replay "$py" --connection 1 --to "ws://127.0.0.1:$p/"
eq "refused: error" 2 "$rc"
check "refused: said" grep -q "cannot connect to 127.0.0.1:$p: Connection \
refused" "$TMP/err"

# A public address (TEST-NET-1: nothing answers there) without --yes:
# refused at once, before any connection (a connect would hang).
t0=$(date +%s)
replay "$py" --connection 1 --to "ws://192.0.2.1:9/" --timeout 30
t1=$(date +%s)
eq "public target: error" 2 "$rc"
check "public target: said" grep -q "192.0.2.1 (192.0.2.1) is not a \
loopback or private address: replay there only with --yes" "$TMP/err"
check "public target: nothing tried" test $((t1 - t0)) -le 2

# No default target; names that do not resolve.
replay "$py" --connection 1
eq "no --to: error" 2 "$rc"
check "no --to: said" grep -q "no default target" "$TMP/err"
replay "$py" --connection 1 --to "ws://no-such-host.invalid:80/"
eq "DNS failure: error" 2 "$rc"
check "DNS failure: said" grep -q "cannot resolve no-such-host.invalid" \
    "$TMP/err"
replay "$py" --connection 7 --to "ws://127.0.0.1:$p/"
eq "no such connection" 2 "$rc"
finish

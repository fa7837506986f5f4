#!/bin/sh
# The frames view lists every packet that carried a frame: compared with
# tshark's reassembly (tcp.segment of the packet where tshark completes the
# WebSocket frame) on real captures and on a generated one where many
# connections interleave, so a frame's packets are not consecutive.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need tshark
need python3
MC=${top_builddir}/bench/make-capture

# compare PCAP MIN: every multi-packet frame agrees; at least MIN of them.
compare() {
	rm -f "$TMP/f.db"
	"$WSAUTOPSY" analyze -q -o "$TMP/f.db" "$1"
	check "analyze $(basename "$1")" test $? -eq 0
	out=$(python3 "${top_srcdir}/tests/e2e/frame-packets.py" "$TMP/f.db" \
	    "$1")
	rc=$?
	echo "$out"
	n=$(echo "$out" | tail -n 1)
	check "$(basename "$1"): the packet lists are tshark's" test "$rc" -eq 0
	check "$(basename "$1"): $n frames compared, at least $2" \
	    test "$n" -ge "$2"
}
compare "$SAMPLES/real/real-large.pcap" 3
compare "$SAMPLES/viol/viol-node-1009-continuation.pcap" 1
if [ -x "$MC" ]; then
	"$MC" -s 2 -o "$TMP/mc.pcap" 4M 2>/dev/null
	compare "$TMP/mc.pcap" 100
fi

# A frame in one packet lists that packet; one over several in real-1009-python.
"$WSAUTOPSY" analyze -q -o "$TMP/p.db" "$SAMPLES/real/real-1009-python.pcap"
got=$(sqlite3 -batch "$TMP/p.db" "SELECT frame_index || ':' || packets
    FROM frames WHERE direction = 'client' ORDER BY frame_index")
check "real-1009-python: client frames' packets ($got)" \
    test "$(echo $got)" = "0:8 1:10-11,13-14,17-18"
finish

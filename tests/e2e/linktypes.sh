#!/bin/sh
# Every link layer and IP form that packet.c decodes, made from real
# captures by relink.py: the reassembled streams, the analysis' events
# (frames, messages, findings) and analyze's summary equal the original
# capture's, and tshark decodes the same TCP segments from both files.
# IP fragments (split by relink.py) are counted, said, and never decoded
# as TCP; an IPv6 atomic fragment (RFC 6946) is a whole packet.
. "${top_srcdir}/tests/e2e/lib.sh"
need python3

relink() { python3 "$top_srcdir/tests/e2e/relink.py" "$@"; }
have_tshark=0
command -v tshark >/dev/null 2>&1 && have_tshark=1
have_sqlite=0
command -v sqlite3 >/dev/null 2>&1 && have_sqlite=1

# tshark_segs CAP: every TCP segment tshark decodes (without frame numbers,
# which fragmenting changes), with its payload.
tshark_segs() {
	tshark -r "$1" -Y tcp -T fields -e frame.time_epoch -e tcp.srcport \
	    -e tcp.dstport -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags \
	    -e tcp.len -e tcp.payload 2>/dev/null
}

# snapshot CAP DIR: what wsautopsy (and tshark) make of CAP, in DIR.
snapshot() {
	mkdir -p "$2"
	"$WSAUTOPSY" streams --dump "$2/dump" "$1" >"$2/streams.raw" 2>&1 ||
		echo "streams failed: $?" >>"$2/streams.raw"
	# The summary names the file; everything else must be the same.
	sed "s|^# $1: |# CAPTURE: |" "$2/streams.raw" >"$2/streams"
	"$TOOLS/wsa-events" "$1" >"$2/events" 2>&1 ||
		echo "wsa-events failed: $?" >>"$2/events"
	"$WSAUTOPSY" analyze -o "$2/db" "$1" >"$2/analyze.raw" 2>&1 ||
		echo "analyze failed: $?" >>"$2/analyze.raw"
	sed "s|^$1: ||; s| in [0-9.]*s| in Ts|" "$2/analyze.raw" >"$2/analyze"
	if [ "$have_sqlite" -eq 1 ]; then
		sqlite3 "$2/db" "SELECT kind, class, code, sender, rule, packet,
		    frame_index, time_text FROM findings ORDER BY finding_id;
		    SELECT direction, frame_index, packet, last_packet, opcode,
		    payload_length, time_text FROM frames
		    ORDER BY connection_id, direction, frame_index;" \
		    >"$2/db.rows" 2>&1
	fi
	if [ "$use_tshark" -eq 1 ]; then
		tshark_segs "$1" >"$2/tshark"
		tshark -r "$1" -Y websocket -d "tcp.port==$port,http" \
		    2>/dev/null | wc -l >"$2/tshark.ws"
	fi
}

# same REF DIR WHAT: the snapshot in DIR equals the reference's.
same() {
	for f in streams events analyze db.rows tshark tshark.ws; do
		[ -f "$2/$f" ] || continue
		if ! cmp -s "$1/$f" "$2/$f"; then
			bad "$3: $f differs from the original's"
			diff "$1/$f" "$2/$f" | head -n 10 >&2
			return
		fi
		ok
	done
	if diff -r "$1/dump" "$2/dump" >/dev/null; then
		ok
	else
		bad "$3: reassembled bytes differ from the original's"
	fi
}

# The references: the original captures, and that they hold something.
use_tshark=$have_tshark
for s in v4:real-node-plain v6:real-ipv6; do
	name=${s#*:}
	cap=$SAMPLES/real/$name.pcap
	port=$("$WSAUTOPSY" streams "$cap" | awk 'NR == 2 {
	    n = split($3, a, ":"); print a[n] }')
	eval "port_${s%%:*}=\$port"
	snapshot "$cap" "$TMP/ref-${s%%:*}"
	check "$name: reference has frames" grep -q '^F' "$TMP/ref-${s%%:*}/events"
	check "$name: reference has stream bytes" \
		test -n "$(ls "$TMP/ref-${s%%:*}/dump")"
	if [ "$have_tshark" -eq 1 ]; then
		check "$name: tshark sees WebSocket frames" \
			test "$(cat "$TMP/ref-${s%%:*}/tshark.ws")" -gt 0
	fi
done

# Each form: "IP-VERSION LINK [IPFORM|-] [notshark]"; notshark: tshark
# cannot decode it (Linux's and Windows' AF_INET6 in a NULL header), so
# the original's output is the only oracle.
n=0
while read -r v link form flag; do
	[ -n "$v" ] || continue
	[ "$form" = - ] && form=
	use_tshark=$have_tshark
	[ "$flag" = notshark ] && use_tshark=0
	n=$((n + 1))
	case $v in v4) base=real-node-plain ;; *) base=real-ipv6 ;; esac
	eval "port=\$port_$v"
	what="$base as $link${form:+ $form}"
	out=$TMP/f$n.pcap
	# shellcheck disable=SC2086
	if ! relink "$SAMPLES/real/$base.pcap" "$out" "$link" $form >/dev/null; then
		bad "$what: relink.py failed"
		continue
	fi
	snapshot "$out" "$TMP/s$n"
	same "$TMP/ref-$v" "$TMP/s$n" "$what"
	rm -rf "$TMP/s$n" "$out"
done <<EOF
v4 vlan
v4 qinq
v4 raw101
v4 raw12
v4 raw14
v4 ipv4
v4 null-le:2
v4 null-be:2
v4 loop:2
v4 ether ip4opt
v4 raw101 ip4opt
v6 vlan
v6 qinq
v6 raw101
v6 raw12
v6 ipv6
v6 null-le:30
v6 null-be:24
v6 null-le:10 - notshark
v6 null-le:23 - notshark
v6 loop:24
v6 loop:28
v6 loop:30
v6 ether ip6ext
v6 loop:30 ip6ext
v6 ether ip6atomic
v6 raw101 ip6atomic
EOF
echo "$n converted captures compared with their originals"
check "all forms were tried" test "$n" -eq 27

# Fragments: every segment with payload split into 16-byte IP fragments.
# tshark reassembles them into the original segments; wsautopsy counts
# them, says so, and decodes none of them as TCP.
for v in v4 v6; do
	case $v in v4) base=real-node-plain ;; *) base=real-ipv6 ;; esac
	out=$TMP/frag-$v.pcap
	set -- $(relink "$SAMPLES/real/$base.pcap" "$out" ether frag:16)
	recs=$2 frags=$4 split=$6
	check "$base: relink.py made fragments" test "${frags:-0}" -gt "${split:-0}"
	tcp_ref=$(sed -n 's/.* packets (\([0-9]*\) TCP,.*/\1/p' \
	    "$TMP/ref-$v/streams")
	"$WSAUTOPSY" streams "$out" >"$TMP/fs" 2>&1
	check "$base fragmented: streams exits 0" test $? -eq 0
	check "$base fragmented: every record counted" \
		grep -q "^# $out: $recs packets (" "$TMP/fs"
	check "$base fragmented: $frags fragments counted and said" \
		grep -q " $frags IP fragments not decoded," "$TMP/fs"
	check "$base fragmented: only whole segments decoded as TCP" \
		grep -q " packets ($((tcp_ref - split)) TCP," "$TMP/fs"
	check "$base fragmented: no payload decoded from fragments" \
		awk 'NR == 2 { exit !($6 == 0 && $7 == 0) }' "$TMP/fs"
	"$WSAUTOPSY" analyze -o "$TMP/frag-$v.db" "$out" >"$TMP/fa" 2>&1
	check "$base fragmented: analyze says $frags IP fragments" \
		grep -q "; $frags IP fragments not decoded" "$TMP/fa"
	check "$base fragmented: analyze decodes no frames" \
		grep -q ' 0 frames, ' "$TMP/fa"
	if [ "$have_sqlite" -eq 1 ]; then
		check "$base fragmented: database counts $frags fragments" test \
		    "$(sqlite3 "$TMP/frag-$v.db" 'SELECT fragments FROM captures')" \
		    = "$frags"
	fi
	if [ "$have_tshark" -eq 1 ]; then
		# The fragments are real: reassembled, they are the original.
		tshark_segs "$out" >"$TMP/ft"
		check "$base fragmented: tshark reassembles the original segments" \
			cmp -s "$TMP/ft" "$TMP/ref-$v/tshark"
	fi
done
finish

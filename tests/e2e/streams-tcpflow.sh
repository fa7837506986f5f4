#!/bin/sh
# Reassembled bytes of every direction of every sample equal tcpflow's, and
# reordered/duplicated/truncated variants give the same bytes (with gaps
# reported for the truncated one).
. "${top_srcdir}/tests/e2e/lib.sh"
need tcpflow

# compare_dirs OURS THEIRS: every file tcpflow wrote exists in ours, equal.
compare_dirs() {
	n=0
	for f in "$2"/*; do
		b=$(basename "$f")
		case $b in report.xml|*.xml) continue ;; esac
		n=$((n + 1))
		if ! cmp -s "$f" "$1/$b"; then
			echo "  differs: $b" >&2
			return 1
		fi
	done
	[ "$n" -gt 0 ]
}

for cap in "$SAMPLES"/real-*.pcap "$SAMPLES"/real-*.pcapng; do
	[ -f "$cap" ] || continue
	name=$(basename "$cap")
	case $name in *gap*|*snaplen*|*midstream*) continue ;; esac
	rm -rf "$TMP/ours" "$TMP/theirs"
	"$WSAUTOPSY" streams --dump "$TMP/ours" "$cap" >"$TMP/out" 2>&1 ||
		{ bad "$name: streams failed"; continue; }
	tcpflow -r "$cap" -o "$TMP/theirs" >/dev/null 2>&1
	if ls "$TMP/theirs" | grep -qv '\.xml$'; then
		check "$name: bytes equal tcpflow's" \
			compare_dirs "$TMP/ours" "$TMP/theirs"
	elif command -v tshark >/dev/null 2>&1; then
		# tcpflow reads no Linux cooked v2; tshark's Follow TCP does.
		python3 "$top_srcdir/tests/e2e/follow-bytes.py" "$cap" 0 \
			"$TMP/theirs"
		check "$name: bytes equal tshark's (tcpflow cannot read it)" \
			compare_dirs "$TMP/ours" "$TMP/theirs"
	fi
done

# Variants of one real capture made with pcap-mangle.
base=$SAMPLES/real-node-plain.pcap
[ -f "$base" ] || base=$SAMPLES/real-node-deflate.pcap
rm -rf "$TMP/orig"
"$WSAUTOPSY" streams --dump "$TMP/orig" "$base" >/dev/null
for op in "reorder 1" "reorder 7" "reorder 11" "duplicate 3"; do
	# shellcheck disable=SC2086
	"$TOOLS/pcap-mangle" "$base" "$TMP/v.pcap" $op 2>/dev/null
	rm -rf "$TMP/v"
	"$WSAUTOPSY" streams --dump "$TMP/v" "$TMP/v.pcap" >"$TMP/vout"
	check "$op: same bytes as the original" compare_dirs "$TMP/v" "$TMP/orig"
	check "$op: no gaps reported" grep -q '^# gaps 0 ' "$TMP/vout"
done
"$TOOLS/pcap-mangle" "$base" "$TMP/dup.pcap" duplicate 3 2>/dev/null
"$WSAUTOPSY" streams "$TMP/dup.pcap" >"$TMP/dout"
check "duplicates counted as retransmitted bytes" \
	grep -Eq 'retransmitted bytes [1-9]' "$TMP/dout"

# Snaplen: the same stream lengths, holes where bytes were cut, gaps named.
"$TOOLS/pcap-mangle" "$base" "$TMP/s.pcap" snaplen 120 2>/dev/null
rm -rf "$TMP/s"
"$WSAUTOPSY" streams --dump "$TMP/s" "$TMP/s.pcap" >"$TMP/sout"
check "snaplen: gaps reported" grep -Eq '^# gaps [1-9]' "$TMP/sout"
check "snaplen: cut packets counted" grep -Eq 'cut by snaplen\)' "$TMP/sout"
check "snaplen: nothing claims to be cut when nothing was" \
	grep -q ' 0 cut by snaplen' "$TMP/vout"
for f in "$TMP/orig"/*; do
	b=$(basename "$f")
	# Every byte that was captured is where it belongs.
	check "snaplen: $b keeps its captured bytes in place" \
		cmp -s "$TMP/s/$b" "$f" -n 20
done
finish

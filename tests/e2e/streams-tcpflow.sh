#!/bin/sh
# Reassembled bytes of every direction of every sample equal tcpflow's, and
# reordered/duplicated/truncated variants give the same bytes (with gaps
# reported for the truncated one).
. "${top_srcdir}/tests/e2e/lib.sh"
need tcpflow
need sqlite3

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

for cap in "$SAMPLES"/real/real-*.pcap "$SAMPLES"/real/real-*.pcapng; do
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
base=$SAMPLES/real/real-node-plain.pcap
[ -f "$base" ] || base=$SAMPLES/real/real-node-deflate.pcap
rm -rf "$TMP/orig"
"$WSAUTOPSY" streams --dump "$TMP/orig" "$base" >"$TMP/oout"
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
check "nothing resent, nothing left uncompared" \
	grep -q ', retransmissions not compared 0 (0 bytes), ' "$TMP/oout"
if command -v tshark >/dev/null 2>&1; then
	# Each copy follows its original at once, so the last 64 bytes kept
	# are the original's last 64: what a copy has before them is not
	# compared, and must be said.
	set -- $(tshark -r "$TMP/dup.pcap" -Y tcp.analysis.retransmission \
	    -T fields -e tcp.len 2>/dev/null | awk '$1 > 64 { n++; b += $1 - 64 }
	    END { print n + 0, b + 0 }')
	check "duplicates: $1 retransmissions ($2 bytes) said not compared" \
		grep -q ", retransmissions not compared $1 ($2 bytes), " \
		"$TMP/dout"
	check "duplicates: some resent bytes lie before the kept 64" \
		test "$2" -gt 0
	# analyze says the same, in its summary and in the captures view.
	"$WSAUTOPSY" analyze -o "$TMP/dup.db" "$TMP/dup.pcap" >"$TMP/aout"
	check "analyze: $1 retransmissions ($2 bytes) not compared" \
		grep -q "; $1 retransmissions not compared ($2 bytes)" \
		"$TMP/aout"
	check "captures view: unchecked $1, unchecked_bytes $2" test \
	    "$(sqlite3 -batch "$TMP/dup.db" 'SELECT unchecked, unchecked_bytes,
	    conflicts FROM captures')" = "$1|$2|0"
fi

# Snaplen: every packet cut to 120 bytes. The cut packets are counted
# exactly, each is one gap of exactly the bytes it lost, and the delivered
# bytes equal, in full, tcpflow's for the cut capture and the original's
# with the lost ranges (as tshark places them) zeroed.
"$TOOLS/pcap-mangle" "$base" "$TMP/s.pcap" snaplen 120 2>/dev/null
rm -rf "$TMP/s"
"$WSAUTOPSY" streams --dump "$TMP/s" "$TMP/s.pcap" >"$TMP/sout"
check "snaplen: nothing claims to be cut when nothing was" \
	grep -q ' 0 cut by snaplen), ' "$TMP/vout"
rm -rf "$TMP/s-tcpflow"
tcpflow -r "$TMP/s.pcap" -o "$TMP/s-tcpflow" >/dev/null 2>&1
check "snaplen: bytes equal tcpflow's" compare_dirs "$TMP/s" "$TMP/s-tcpflow"
if command -v tshark >/dev/null 2>&1; then
	# One row per cut packet: where its payload lies and how much of it
	# the capture kept (captured length less the link, IP, TCP headers).
	tshark -r "$TMP/s.pcap" -Y 'frame.cap_len < frame.len' -T fields \
	    -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.seq \
	    -e tcp.len -e frame.cap_len -e ip.hdr_len -e tcp.hdr_len \
	    2>/dev/null >"$TMP/cut"
	ncut=$(wc -l <"$TMP/cut")
	lost=$(awk '{ s += $6 - ($7 - 14 - $8 - $9) } END { print s + 0 }' \
	    "$TMP/cut")
	echo "snaplen: tshark counts $ncut cut packets, $lost bytes lost"
	check "snaplen: the cut capture cuts payload" test "$ncut" -gt 0
	check "snaplen: exactly $ncut cut packets counted" \
		grep -q " $ncut cut by snaplen), " "$TMP/sout"
	check "snaplen: exactly $ncut gaps of $lost bytes" \
		grep -q "^# gaps $ncut ($lost bytes), " "$TMP/sout"
	rm -rf "$TMP/s-expect"
	cp -r "$TMP/orig" "$TMP/s-expect"
	python3 - "$TMP/cut" "$TMP/s-expect" <<'EOF'
import sys

def ep(addr, port):
    return "%s.%05d" % (".".join("%03d" % int(o) for o in addr.split(".")),
                        int(port))

for line in open(sys.argv[1]):
    src, sport, dst, dport, seq, n, cap, iphl, tcphl = line.split()
    kept = int(cap) - 14 - int(iphl) - int(tcphl)
    off = int(seq) - 1 + kept
    with open("%s/%s-%s" % (sys.argv[2], ep(src, sport), ep(dst, dport)),
              "r+b") as f:
        f.seek(off)
        f.write(bytes(int(n) - kept))
EOF
	if compare_dirs "$TMP/s-expect" "$TMP/orig" 2>/dev/null; then
		bad "snaplen: the lost bytes were zeros already: proves nothing"
	else
		ok
	fi
	check "snaplen: bytes equal the original's with the lost bytes zeroed" \
		compare_dirs "$TMP/s" "$TMP/s-expect"
fi
finish

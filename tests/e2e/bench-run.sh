#!/bin/sh
# bench/run on a small make-capture capture, three runs: every row has a
# wall time (n/a only for a tool that is not installed, and says so), the
# -j 1 and -j 2 rows are run in turn, and the ratio line gives the
# run-by-run median between its lowest and highest.
. "${top_srcdir}/tests/e2e/lib.sh"
MC=${top_builddir}/bench/make-capture
FLOOR=${top_builddir}/bench/pcap-floor
[ -x "$MC" ] && [ -x "$FLOOR" ] ||
    { echo "SKIP: bench/make-capture or bench/pcap-floor not built"; exit 77; }
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time not installed"; exit 77; }
need taskset

"$MC" -s 3 -o "$TMP/c.pcap" 2M >"$TMP/c.pcap.summary" 2>&1
check "make-capture 2M" test $? -eq 0
WSAUTOPSY=$WSAUTOPSY PCAP_FLOOR=$FLOOR BENCH_RUNS=3 TMPDIR=$TMP \
    sh "$top_srcdir/bench/run" "$TMP/c.pcap" >"$TMP/out" 2>"$TMP/err"
eq "bench/run: exit status" 0 "$?"

# The order of the runs: -j 1 and -j 2 alternate.
eq "-j 1 and -j 2 in turn" "analyze-1core 1
analyze-j2 1
analyze-1core 2
analyze-j2 2
analyze-1core 3
analyze-j2 3" "$(sed -n 's/^\(analyze-1core\|analyze-j2\): run \([0-9]\) of 3$/\1 \2/p' \
    "$TMP/err")"

# Every row of ours has numbers; a peer tool's is n/a only when missing.
for row in pcap-floor "analyze --payload-cap 0" analyze \
    "-j 1 on one core" "-j 2 on two cores" "4 shards \\+ merge" streams; do
	check "row '$row' has a wall time" grep -Eq \
	    "^$row +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]{2} " "$TMP/out"
done
check "no TLS capture: the tls row says so" grep -q \
    '^tls: analyze --keylog *n/a: *no TLS capture given' "$TMP/out"
for tool in tshark tcpflow; do
	if command -v "$tool" >/dev/null 2>&1; then
		check "$tool row has a wall time" grep -Eq \
		    "^$tool.* [0-9]+\.[0-9]{2} " "$TMP/out"
	else
		check "$tool row: not installed" grep -q "^$tool.*n/a" \
		    "$TMP/out"
	fi
done

# The ratio line: the ratio of the medians, then the runs' own.
line=$(grep '^-j 2 on two cores: ' "$TMP/out")
check "ratio line ($line)" test -n "$line"
set -- $(echo "$line" | sed -n 's/^-j 2 on two cores: \([0-9.]*\)x the speed of -j 1 on one core (run by run: median \([0-9.]*\)x, \([0-9.]*\) to \([0-9.]*\))$/\1 \2 \3 \4/p')
eq "ratio line: four numbers" 4 "$#"
if [ "$#" -eq 4 ]; then
	check "run by run: lowest <= median <= highest" awk -v m="$2" \
	    -v lo="$3" -v hi="$4" 'BEGIN { exit !(lo <= m && m <= hi) }'
	# The ratio of the medians, from the table's two rows.
	one=$(awk '/^-j 1 on one core/ { print $6 }' "$TMP/out")
	two=$(awk '/^-j 2 on two cores/ { print $6 }' "$TMP/out")
	eq "the ratio is of the rows' wall times ($one / $two)" "$1" \
	    "$(awk -v a="$one" -v b="$two" 'BEGIN { printf "%.2f", a / b }')"
fi
finish

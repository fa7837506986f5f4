#!/bin/sh
# analyze -j N: the database is the same for N = 1, 2, 3 and 8 decode
# threads, table by table, on every sample, on a ring read as one capture
# set and on bench/make-capture traffic with many connections to each
# server (where the 1009 bounds come from other connections); -j N starts
# N threads; a bad N is one usage line.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3

# Every row of every table, each column quoted, each line led by its
# table, in a stable order. Left out: finding_id (a row id, in the order
# findings reached the database), the time of the analysis, and the
# resource peaks (with threads, their peaks added). The statement is made
# once, from the first database's columns.
dump() {
	if [ ! -s "$TMP/dump.sql" ]; then
		for t in capture_t capture_file_t capture_span_t \
		    connection_t frame_t message_t finding_t limit_evidence_t; do
			sqlite3 -batch "$1" "SELECT 'SELECT ''$t'',' ||
			    group_concat('quote(' || name || ')', ',') ||
			    ' FROM $t;' FROM pragma_table_info('$t') WHERE
			    name NOT IN ('finding_id', 'analyzed_at',
			    'peak_live', 'peak_ooo_bytes')"
		done >"$TMP/dump.sql"
	fi
	sqlite3 -batch "$1" <"$TMP/dump.sql" | LC_ALL=C sort
}

# Under the sanitizers each run is slower: there every third sample is
# compared, for -j 3 only (the threads' memory and races are what they
# check); everything else for 2, 3 and 8.
sample_jobs="2 3 8"
sample_step=1
if grep -q __asan_init "$WSAUTOPSY" 2>/dev/null; then
	sample_jobs=3
	sample_step=3
fi

# same NAME INPUT...: -j 1 against -j N for N in $jobs.
jobs="2 3 8"
same() {
	name=$1
	shift
	rm -f "$TMP"/j*.db*
	"$WSAUTOPSY" analyze -q -j 1 -o "$TMP/j1.db" "$@" 2>/dev/null
	dump "$TMP/j1.db" >"$TMP/j1"
	check "$name: -j 1 stored rows" test -s "$TMP/j1"
	for j in $jobs; do
		"$WSAUTOPSY" analyze -q -j $j -o "$TMP/j$j.db" "$@" 2>/dev/null
		dump "$TMP/j$j.db" >"$TMP/j$j"
		if cmp -s "$TMP/j1" "$TMP/j$j"; then ok; else
			bad "$name: -j $j differs from -j 1:
$(diff "$TMP/j1" "$TMP/j$j" | head -5 | cut -c1-200)"
		fi
	done
}

count=0
seen=0
jobs=$sample_jobs
for f in $(find "$SAMPLES" -name '*.pcap' -o -name '*.pcapng' | sort); do
	seen=$((seen + 1))
	[ $((seen % sample_step)) -eq 0 ] || continue
	same "$(basename "$f")" "$f"
	count=$((count + 1))
done
jobs="2 3 8"
check "samples compared ($count of $seen)" test "$count" -ge \
    $((100 / sample_step))
same ring "$SAMPLES/ring"

MC=${top_builddir}/bench/make-capture
if [ -x "$MC" ]; then
	"$MC" -s 7 -o "$TMP/b.pcap" 60M 2>/dev/null
	check "make-capture -s 7 60M" test $? -eq 0
	same bench "$TMP/b.pcap"
	eq "bench: connections with one id each, from 1" \
	    "$(sqlite3 -batch "$TMP/j1.db" "SELECT count(*), min(conn_no),
	    max(conn_no) FROM connection_t")" \
	    "$(sqlite3 -batch "$TMP/j3.db" "SELECT count(DISTINCT conn_no),
	    1, count(*) FROM connection_t")"
	check "bench: ids in order of first packet" test "$(sqlite3 -batch \
	    "$TMP/j8.db" "SELECT count(*) FROM connection_t a JOIN
	    connection_t b ON b.conn_no = a.conn_no + 1 WHERE b.first_packet
	    < a.first_packet")" -eq 0
	# Under a cap each worker holds its share of the connections: the
	# reader, which numbers them as they open, evicts as the workers
	# do, so the ids stay one each, up to the count, in order of first
	# packet.
	for j in 3 8; do
		rm -f "$TMP/cap.db"*
		"$WSAUTOPSY" analyze -q -j $j --max-flows 24 -o "$TMP/cap.db" \
		    "$TMP/b.pcap" 2>/dev/null
		check "--max-flows 24 -j $j: connections evicted" test \
		    "$(sqlite3 -batch "$TMP/cap.db" "SELECT cap_flows FROM
		    captures")" -gt 100
		eq "--max-flows 24 -j $j: one id each, none past the count" \
		    "$(sqlite3 -batch "$TMP/cap.db" "SELECT count(*), 1,
		    (SELECT connections FROM captures) FROM connection_t")" \
		    "$(sqlite3 -batch "$TMP/cap.db" "SELECT
		    count(DISTINCT conn_no), min(conn_no), max(conn_no) FROM
		    connection_t")"
		eq "--max-flows 24 -j $j: ids in order of first packet" 0 \
		    "$(sqlite3 -batch "$TMP/cap.db" "SELECT count(*) FROM
		    (SELECT first_packet, lag(first_packet) OVER (ORDER BY
		    conn_no) AS before FROM connection_t) WHERE first_packet
		    < before")"
	done
	n=$(sqlite3 -batch "$TMP/j8.db" "SELECT count(*) FROM findings WHERE
	    class = '1009' AND kind = 'close' AND sender = 'server' AND
	    detail LIKE '%on another connection%'")
	check "bench: 1009 bounds raised by other connections ($n)" \
	    test "$n" -ge 1
	# The ring of the same traffic, read as one set.
	if command -v editcap >/dev/null 2>&1; then
		mkdir "$TMP/ring"
		editcap -c 30000 "$TMP/b.pcap" "$TMP/ring/b.pcap" >/dev/null
		same "bench ring" "$TMP/ring"
	else
		echo "editcap missing (Debian package wireshark-common):" \
		    "the bench ring is not compared"
	fi

	# -j N runs N decode threads besides the reader, the writer and
	# the hash: the most threads seen while it runs.
	# Without -j, as many as the CPUs it may run on: one under taskset.
	for n in 1 3 cpu0; do
		rm -f "$TMP/t.db"*
		if [ $n = cpu0 ]; then
			command -v taskset >/dev/null 2>&1 || continue
			taskset -c 0 "$WSAUTOPSY" analyze -q -o "$TMP/t.db" \
			    "$TMP/b.pcap" &
		else
			"$WSAUTOPSY" analyze -q -j $n -o "$TMP/t.db" \
			    "$TMP/b.pcap" &
		fi
		pid=$!
		most=0
		while kill -0 $pid 2>/dev/null; do
			k=$(ls /proc/$pid/task 2>/dev/null | wc -l)
			[ "$k" -gt "$most" ] && most=$k
			sleep 0.02
		done
		wait $pid
		echo "$n: at most $most threads"
		if [ $n != 3 ]; then
			check "$n: no decode threads ($most)" test "$most" -le 3
		else
			check "-j 3: three decode threads ($most)" test \
			    "$most" -ge 5
		fi
	done
else
	echo "$MC not built: the bench capture is not compared"
fi

for bad in 0 -1 x 257 2x ""; do
	"$WSAUTOPSY" analyze -q -j "$bad" -o "$TMP/bad.db" \
	    "$(sample real-1009-python.pcap)" 2>"$TMP/err"
	eq "-j '$bad': usage error" 1 $?
	eq "-j '$bad': one line" 1 "$(wc -l <"$TMP/err")"
	check "-j '$bad': says what it takes" grep -q \
	    "a number of threads from 1 to 256" "$TMP/err"
	check "-j '$bad': no database" test ! -e "$TMP/bad.db"
done

finish

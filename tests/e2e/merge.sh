#!/bin/sh
# wsautopsy merge: the databases of N shards (analyze --shard K/N) merge
# into one whose every table equals a single run's (merge-lib.sh says what
# is left out), on a real capture, a capture set cut by editcap and
# bench/make-capture traffic where the bounds of a server's limit come
# from connections of other shards; more databases than SQLite attaches
# at once; and each input merge refuses, on one line.
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/merge-lib.sh"
need sqlite3

MANY=$(sample real-1009-many.pcap)
W=$WSAUTOPSY

# A real capture: 4 shards, merged, are the run.
"$W" analyze -q -o "$TMP/one.db" "$MANY"
shards "$TMP/s" 4 "$MANY"
"$W" merge -o "$TMP/all.db" "$TMP/s-1.db" "$TMP/s-2.db" "$TMP/s-3.db" \
    "$TMP/s-4.db" 2>"$TMP/err"
eq "real: merge exit 0" 0 $?
eq "real: nothing said" "" "$(cat "$TMP/err")"
compare_dbs real "$TMP/one.db" "$TMP/all.db"
check "real: no temporary file left" test -z \
    "$(find "$TMP" -name '*.merging*')"

# The bounds of a 1009: a shard alone sees its own connections only; the
# merge gives them back the other shards' evidence.
b1009() {
	sqlite3 -batch "$1" "SELECT c.client, f.limit_min, f.limit_max,
	    f.detail FROM findings f JOIN connections c USING (connection_id)
	    WHERE f.kind = 'close' AND f.class = '1009' ORDER BY 1"
}
for k in 1 2 3 4; do b1009 "$TMP/s-$k.db"; done | sort >"$TMP/alone"
b1009 "$TMP/one.db" | sort >"$TMP/run"
check "real: some 1009's bounds differ in its shard alone" \
    test -n "$(comm -23 "$TMP/alone" "$TMP/run")"
eq "real: the merged bounds are the run's" "$(cat "$TMP/run")" \
    "$(b1009 "$TMP/all.db" | sort)"

# Whatever the order the databases are given in.
"$W" merge -o "$TMP/rev.db" "$TMP/s-4.db" "$TMP/s-2.db" "$TMP/s-3.db" \
    "$TMP/s-1.db"
compare_dbs "real, shards in another order" "$TMP/one.db" "$TMP/rev.db"

# More databases than SQLite attaches at once (10), and more shards than
# bits in a word: 70.
shards "$TMP/t" 70 "$MANY"
"$W" merge -o "$TMP/seventy.db" "$TMP"/t-*.db
eq "70 shards: merge exit 0" 0 $?
compare_dbs "70 shards" "$TMP/one.db" "$TMP/seventy.db"
rm -f "$TMP"/t-3*.db
"$W" merge -o "$TMP/sixty.db" "$TMP"/t-*.db 2>/dev/null
eq "70 shards, 3 and 30-39 missing: the options say which" \
    "--shard 1-2,4-29,40-70/70" \
    "$(sqlite3 "$TMP/sixty.db" "SELECT options FROM captures")"

# Several captures per database (--separate): ids follow as one run's.
NODE=$(sample real-1009-node.pcap)
MASK=$(sample viol-masked-server-python.pcap)
# One packet, a bare ACK: a capture with no connection, between two.
ACK=$TMP/ack.pcap
if command -v editcap >/dev/null 2>&1; then
	editcap -r "$MANY" "$ACK" 3 >/dev/null 2>&1
else
	ACK=$MASK
fi
"$W" analyze -q --separate -o "$TMP/sep.db" "$MANY" "$ACK" "$NODE" "$MASK"
shards "$TMP/p" 4 --separate "$MANY" "$ACK" "$NODE" "$MASK"
"$W" merge -o "$TMP/sepall.db" "$TMP"/p-*.db
eq "--separate: merge exit 0" 0 $?
compare_dbs "--separate" "$TMP/sep.db" "$TMP/sepall.db"
eq "--separate: four captures" 4 \
    "$(sqlite3 "$TMP/sepall.db" "SELECT count(*) FROM captures")"

# A capture analysed whole in two databases is kept once.
cp "$TMP/one.db" "$TMP/copy.db"
"$W" merge -o "$TMP/twice.db" "$TMP/one.db" "$TMP/copy.db"
eq "whole twice: exit 0" 0 $?
compare_dbs "whole twice" "$TMP/one.db" "$TMP/twice.db"

# A capture set (a capture cut by editcap): packets named file:number.
if command -v editcap >/dev/null 2>&1; then
	mkdir "$TMP/ring"
	editcap -c 100 "$MANY" "$TMP/ring/part.pcap" >/dev/null 2>&1
	# Names with a backslash: their display text is escaped once.
	i=0
	for f in "$TMP"/ring/part*; do
		mv "$f" "$TMP/ring/p\\art-$i.pcap"
		i=$((i + 1))
	done
	"$W" analyze -q -o "$TMP/ring.db" "$TMP/ring"
	shards "$TMP/r" 4 "$TMP/ring"
	"$W" merge -o "$TMP/ringall.db" "$TMP"/r-*.db
	eq "set: merge exit 0" 0 $?
	compare_dbs set "$TMP/ring.db" "$TMP/ringall.db"
	check "set: spans and files held" test "$(sqlite3 "$TMP/ringall.db" \
	    "SELECT count(*) FROM capture_span_t")" -ge 2
	check "set: a 1009's detail names a packet by file" \
	    test -n "$(sqlite3 "$TMP/ringall.db" "SELECT 1 FROM findings WHERE
	    class = '1009' AND detail LIKE '%(packet p\\\\art-%.pcap:%'")"
else
	echo "# editcap not installed: the capture set case is skipped"
fi

# make-capture traffic: many connections to servers that refuse over
# 64 KiB, some of whose 1009s are bounded by another shard's connections.
MC=${top_builddir}/bench/make-capture
if [ -x "$MC" ]; then
	"$MC" -s 1 -o "$TMP/mc.pcap" 10M 2>/dev/null
	"$W" analyze -q -o "$TMP/mc.db" "$TMP/mc.pcap"
	shards "$TMP/m" 4 "$TMP/mc.pcap"
	"$W" merge -o "$TMP/mcall.db" "$TMP"/m-*.db
	eq "make-capture: merge exit 0" 0 $?
	compare_dbs make-capture "$TMP/mc.db" "$TMP/mcall.db"
	for k in 1 2 3 4; do b1009 "$TMP/m-$k.db"; done | sort >"$TMP/alone"
	b1009 "$TMP/mc.db" | sort >"$TMP/run"
	n=$(comm -23 "$TMP/alone" "$TMP/run" | wc -l)
	check "make-capture: 1009s bounded by other shards ($n)" \
	    test "$n" -ge 1
	# Raised by what a connection of another shard took: its shard
	# alone bounded it lower (the server's own connections there).
	c=$(comm -13 "$TMP/alone" "$TMP/run" | grep "taken on another" |
	    head -n 1)
	check "make-capture: a 1009 raised by another shard's connection" \
	    test -n "$c"
else
	echo "# $MC not built: the make-capture case is skipped"
fi

# refused NAME EXPECT-IN-LINE FILE-NAMED DB...: exit 2, one line naming
# the file and saying what, and no output left.
refused() {
	name=$1 what=$2 file=$3
	shift 3
	rm -f "$TMP/out.db"
	"$W" merge -o "$TMP/out.db" "$@" 2>"$TMP/err"
	eq "$name: exit 2" 2 $?
	eq "$name: one line" 1 "$(wc -l <"$TMP/err")"
	check "$name: says '$what'" grep -q "$what" "$TMP/err"
	check "$name: names $file" grep -qF "$file" "$TMP/err"
	check "$name: no output" test ! -e "$TMP/out.db"
	check "$name: no temporary file" test -z \
	    "$(find "$TMP" -name '*.merging*')"
}

echo "not a database" >"$TMP/text.db"
refused "not SQLite" "not a SQLite database" text.db "$TMP/s-1.db" \
    "$TMP/text.db"
sqlite3 "$TMP/other.db" "CREATE TABLE t (x)"
refused "another program's" "not a wsautopsy database" other.db \
    "$TMP/s-1.db" "$TMP/other.db"
cp "${top_srcdir}/tests/db/v5-9aeb31e.db" "$TMP/v5.db"
refused "another schema version" "schema version 8, but .*v5.db has 5" \
    s-1.db "$TMP/v5.db" "$TMP/s-1.db"
refused "an older schema version" "schema version 5; merge reads version 8" \
    v5.db "$TMP/v5.db"
cp "$TMP/s-2.db" "$TMP/again.db"
refused "the same shard twice" "shard 2/4 of capture real-1009-many.pcap is in" \
    again.db "$TMP/s-1.db" "$TMP/s-2.db" "$TMP/again.db"
"$W" analyze -q --shard 1/2 -o "$TMP/half.db" "$MANY"
refused "shards of different N" "is cut in 2 shards here but cut in 4 shards in" half.db \
    "$TMP/s-1.db" "$TMP/half.db"
refused "whole and shards" "is whole here but cut in 4 shards in" copy.db \
    "$TMP/s-1.db" "$TMP/copy.db"

# Databases made hostile: evidence no wsautopsy wrote is refused; absurd
# connection numbers merge (an array they indexed asked for 2^62 slots).
cp "$TMP/s-1.db" "$TMP/bad.db"
sqlite3 "$TMP/bad.db" "UPDATE limit_evidence_t SET evidence = 'c 1 2 3'"
refused "unreadable evidence" "bounds evidence this wsautopsy does not read" \
    bad.db "$TMP/s-2.db" "$TMP/bad.db"
cp "$TMP/s-1.db" "$TMP/huge.db"
sqlite3 "$TMP/huge.db" "UPDATE connection_t SET conn_no = conn_no +
    4611686018427387904, first_packet = -first_packet"
"$W" merge -o "$TMP/huge-all.db" "$TMP/huge.db" "$TMP/s-2.db" 2>/dev/null
eq "absurd connection numbers: merged" 0 $?

# The output exists: refused without --force, replaced with it.
"$W" merge -o "$TMP/all.db" "$TMP/s-1.db" 2>"$TMP/err"
eq "existing output: exit 2" 2 $?
check "existing output: says --force" grep -q "exists; --force" "$TMP/err"
compare_dbs "existing output kept" "$TMP/one.db" "$TMP/all.db"
"$W" merge -f -o "$TMP/all.db" "$TMP/s-1.db" "$TMP/s-2.db" "$TMP/s-3.db" \
    "$TMP/s-4.db"
eq "--force: exit 0" 0 $?
compare_dbs "--force" "$TMP/one.db" "$TMP/all.db"

# A shard missing: merged, said, and the capture's options say which.
"$W" merge -o "$TMP/three.db" "$TMP/s-1.db" "$TMP/s-2.db" "$TMP/s-4.db" \
    2>"$TMP/err"
eq "3 of 4: exit 0" 0 $?
eq "3 of 4: one line" 1 "$(wc -l <"$TMP/err")"
check "3 of 4: says which shards" grep -q "shards 1-2,4 of 4 only" "$TMP/err"
eq "3 of 4: the options say so" "--shard 1-2,4/4" \
    "$(sqlite3 "$TMP/three.db" "SELECT options FROM captures")"
"$W" merge -o "$TMP/four.db" "$TMP/three.db" "$TMP/s-3.db"
eq "the missing shard later: exit 0" 0 $?
compare_dbs "the missing shard later" "$TMP/one.db" "$TMP/four.db"

# The merged database reads as any other.
"$W" report "$TMP/all.db" >"$TMP/rep-all" && "$W" report "$TMP/one.db" \
    >"$TMP/rep-one"
eq "report reads the merge as the run" "$(sed 1d "$TMP/rep-one")" \
    "$(sed 1d "$TMP/rep-all")"

finish

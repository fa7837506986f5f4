#!/bin/sh
# Bad input to analyze: one line on stderr naming the file and the problem,
# a non-zero exit, and nothing stored earlier is lost.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3

KEEP=$TMP/keep.db
PLAIN=$SAMPLES/real/real-node-plain.pcap
SMALL=$SAMPLES/real/real-1009-node.pcap
counts() {
	sqlite3 -batch "$1" "SELECT c.capture, c.complete, (SELECT count(*) FROM connections n WHERE n.capture_id = c.capture_id), (SELECT count(*) FROM frames f JOIN connections n USING (connection_id) WHERE n.capture_id = c.capture_id), (SELECT count(*) FROM findings f WHERE f.capture_id = c.capture_id) FROM captures c WHERE c.capture = 'real-node-plain.pcap'"
}
"$WSAUTOPSY" analyze -q -o "$KEEP" "$PLAIN"
stored=$(counts "$KEEP")
eq "stored capture" "real-node-plain.pcap|1|1|14|2" "$stored"

# fails DESCRIPTION NAME PATTERN DB COMMAND...: non-zero exit (no crash),
# one line on stderr naming NAME and matching PATTERN, DB's earlier capture
# intact.
fails() {
	d=$1 name=$2 pat=$3 db=$4; shift 4
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ]; then
		bad "$d: exit status $rc"
	elif [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
		bad "$d: expected one line on stderr, got:"; cat "$TMP/err" >&2
	elif ! grep -qF -- "$name" "$TMP/err" || ! grep -Eqi -- "$pat" "$TMP/err"; then
		bad "$d: message lacks '$name' or '$pat':"; cat "$TMP/err" >&2
	else
		ok
	fi
	[ -n "$db" ] || return 0
	eq "$d: earlier capture intact" "$stored" "$(counts "$db")"
	eq "$d: integrity_check" ok "$(sqlite3 -batch "$db" 'PRAGMA integrity_check')"
}

fails "missing capture" "$TMP/nope.pcap" "no such file" "$KEEP" \
	"$WSAUTOPSY" analyze -q -o "$KEEP" "$TMP/nope.pcap"
printf 'hello, this is text\n' >"$TMP/text.pcap"
fails "text as capture" "$TMP/text.pcap" "not a pcap" "$KEEP" \
	"$WSAUTOPSY" analyze -q -o "$KEEP" "$TMP/text.pcap"
eq "refused captures leave no row" 1 \
	"$(sqlite3 -batch "$KEEP" 'SELECT count(*) FROM captures')"

# A capture cut mid-record: what was read is stored, marked incomplete.
size=$(wc -c <"$PLAIN")
head -c $((size - 7)) "$PLAIN" >"$TMP/cut.pcap"
fails "truncated capture" "$TMP/cut.pcap" "damaged after packet 25" "$KEEP" \
	"$WSAUTOPSY" analyze -q -o "$KEEP" "$TMP/cut.pcap"
eq "truncated capture: stored incomplete with the reason" "cut.pcap|0|1|25" \
	"$(sqlite3 -batch "$KEEP" "SELECT capture, complete, error LIKE '%damaged%', packets FROM captures WHERE capture = 'cut.pcap'")"
eq "truncated capture: the frames before the damage" 14 \
	"$(sqlite3 -batch "$KEEP" "SELECT count(*) FROM frames JOIN connections USING (connection_id) WHERE capture = 'cut.pcap'")"

# Damage early in a file much larger than what libpcap had read: the
# capture is still named by the SHA-256 of the whole file.
if command -v sha256sum >/dev/null 2>&1; then
	{ cat "$PLAIN"; head -c 3000000 /dev/zero | tr '\0' '\377'; } \
	    >"$TMP/tail.pcap"
	fails "damaged capture with a long tail" "$TMP/tail.pcap" "damaged" \
	    "$KEEP" "$WSAUTOPSY" analyze -q -o "$KEEP" "$TMP/tail.pcap"
	eq "damaged capture: hashed whole" \
	    "$(sha256sum <"$TMP/tail.pcap" | cut -d' ' -f1)|0" \
	    "$(sqlite3 -batch "$KEEP" "SELECT sha256, complete FROM captures WHERE capture = 'tail.pcap'")"
fi

# Nothing could be read: no database is left behind (named or default).
"$WSAUTOPSY" analyze -q -o "$TMP/none.db" "$TMP/no-such.pcap" 2>/dev/null
check "missing capture: exit 2" test $? -eq 2
check "missing capture: no database made" test ! -e "$TMP/none.db"
printf 'not a capture at all\n' >"$TMP/text.pcap"
"$WSAUTOPSY" analyze -q "$TMP/text.pcap" 2>/dev/null
check "text file: exit 2" test $? -eq 2
check "text file: no text.db made" sh -c "! ls '$TMP'/text.db* 2>/dev/null"
check "text file: an existing database is kept" test -s "$KEEP"
"$WSAUTOPSY" analyze -q -o "$KEEP" "$TMP/text.pcap" 2>/dev/null
check "text file into an existing database: kept" test -s "$KEEP"

# Database path unwritable: under a regular file (tests may run as root).
: >"$TMP/file"
fails "database under a file" "$TMP/file/x.db" "directory" "" \
	"$WSAUTOPSY" analyze -q -o "$TMP/file/x.db" "$PLAIN"
fails "database in a missing directory" "$TMP/nodir/x.db" "directory|no such" "" \
	"$WSAUTOPSY" analyze -q -o "$TMP/nodir/x.db" "$PLAIN"
check "no directory made" test ! -e "$TMP/nodir"

# Not a SQLite database: refused and left untouched.
printf 'precious text, not a database\n' >"$TMP/text.db"
cp "$TMP/text.db" "$TMP/text.orig"
fails "text file as database" "$TMP/text.db" "not a SQLite database" "" \
	"$WSAUTOPSY" analyze -q -o "$TMP/text.db" "$PLAIN"
check "text file as database: untouched" cmp -s "$TMP/text.db" "$TMP/text.orig"
cp "$SMALL" "$TMP/cap.pcap"
fails "capture as database" "$TMP/cap.pcap" "not a SQLite database" "" \
	"$WSAUTOPSY" analyze -q -o "$TMP/cap.pcap" "$PLAIN"
check "capture as database: untouched" cmp -s "$TMP/cap.pcap" "$SMALL"

# Another program's SQLite database: refused and left untouched.
sqlite3 "$TMP/other.db" 'CREATE TABLE t (a); INSERT INTO t VALUES (42)'
fails "another program's database" "$TMP/other.db" "another program" "" \
	"$WSAUTOPSY" analyze -q -o "$TMP/other.db" "$PLAIN"
eq "another program's database: untouched" "t|42|0" \
	"$(sqlite3 -batch "$TMP/other.db" "SELECT group_concat(name), (SELECT a FROM t), (SELECT application_id FROM pragma_application_id) FROM sqlite_master")"

# Another schema version: refused, its data kept.
cp "$KEEP" "$TMP/v99.db"
sqlite3 "$TMP/v99.db" 'PRAGMA user_version = 99'
fails "schema version 99" "$TMP/v99.db" "version 99" "$TMP/v99.db" \
	"$WSAUTOPSY" analyze -q -o "$TMP/v99.db" "$SMALL"
eq "schema version 99: still 99" 99 "$(sqlite3 -batch "$TMP/v99.db" 'PRAGMA user_version')"
fails "report: schema version 99" "$TMP/v99.db" "version 99" "" \
	"$WSAUTOPSY" report "$TMP/v99.db"

# Two runs writing one database at once. The first is stopped (SIGSTOP)
# while it holds the write lock, so it stays busy as long as needed; the
# second must give up within a few seconds, and the first then completes.
MC=${top_builddir}/bench/make-capture
if [ -x "$MC" ]; then
	"$MC" -s 3 -o "$TMP/big.pcap" 100M >"$TMP/mc.out" 2>&1
	check "make-capture 100M" test $? -eq 0
	conns=$(sed -n 's/^connections //p' "$TMP/mc.out")
	"$WSAUTOPSY" analyze -q -o "$KEEP" "$TMP/big.pcap" 2>"$TMP/err1" &
	pid=$!
	n=0
	while [ "$(sqlite3 -batch "$KEEP" "SELECT count(*) FROM captures WHERE capture = 'big.pcap'")" -eq 0 ] &&
	    kill -0 "$pid" 2>/dev/null && [ "$n" -lt 300 ]; do
		n=$((n + 1)); sleep 0.05
	done
	sleep 0.05
	if kill -STOP "$pid" 2>/dev/null; then
		t0=$(date +%s)
		fails "second writer" "$KEEP" "in use by another wsautopsy run" "" \
		    "$WSAUTOPSY" analyze -q -o "$KEEP" "$SMALL"
		t1=$(date +%s)
		check "second writer gives up within 10 s" test $((t1 - t0)) -le 10
		kill -CONT "$pid"
		wait "$pid"
		check "first writer completes" test $? -eq 0
		check "first writer: nothing on stderr" test ! -s "$TMP/err1"
		eq "first writer: stored complete" "1|$conns" \
		    "$(sqlite3 -batch "$KEEP" "SELECT complete, connections FROM captures WHERE capture = 'big.pcap'")"
		eq "second writer stored nothing" 0 \
		    "$(sqlite3 -batch "$KEEP" "SELECT count(*) FROM captures WHERE capture = 'real-1009-node.pcap'")"
		eq "two writers: earlier capture intact" "$stored" "$(counts "$KEEP")"
		eq "two writers: integrity_check" ok \
		    "$(sqlite3 -batch "$KEEP" 'PRAGMA integrity_check')"
	else
		bad "first writer ended before it could be stopped: $(cat "$TMP/err1")"
		wait "$pid"
	fi
else
	echo "make-capture not built: two-writer check not run"
fi

# Usage errors exit 1 and make no database.
"$WSAUTOPSY" analyze >/dev/null 2>&1
check "analyze with no capture: exit 1" test $? -eq 1
"$WSAUTOPSY" analyze --payload-cap lots -o "$TMP/u.db" "$PLAIN" 2>/dev/null
check "bad --payload-cap: exit 1" test $? -eq 1
"$WSAUTOPSY" analyze --payload-cap 65M -o "$TMP/u.db" "$PLAIN" 2>"$TMP/u.err"
check "--payload-cap above 64M: exit 1" test $? -eq 1
check "--payload-cap above 64M: says the bound" grep -q 'at most 64M' "$TMP/u.err"
"$WSAUTOPSY" analyze --max-inflate 1Q -o "$TMP/u.db" "$PLAIN" 2>/dev/null
check "bad --max-inflate: exit 1" test $? -eq 1
"$WSAUTOPSY" analyze --max-message 1Q -o "$TMP/u.db" "$PLAIN" 2>/dev/null
check "bad --max-message: exit 1" test $? -eq 1
"$WSAUTOPSY" analyze --ws-port 70000 -o "$TMP/u.db" "$PLAIN" 2>/dev/null
check "bad --ws-port: exit 1" test $? -eq 1
check "usage errors make no database" test ! -e "$TMP/u.db"
finish

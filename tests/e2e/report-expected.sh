#!/bin/sh
# wsautopsy report on a database of fixed samples: text, jsonl and csv equal
# tests/expected/report.*, filters select, exit statuses as documented.
# WSA_REGEN=1 rewrites the expected files (read them before committing:
# they are the specification).
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need python3
# The timeline draws Unicode blocks only in a UTF-8 locale: the expected
# text is the ASCII one, whatever the caller's locale.
LC_ALL=C
export LC_ALL

EXP=$top_srcdir/tests/expected
DB=$TMP/r.db
SET="real-node-plain real-1009-node real-1009-python real-rst
viol-node-reserved-opcode viol-node-invalid-utf8-close-reason
viol-bad-accept-node"
caps=
for s in $SET; do caps="$caps $(sample "$s.pcap")"; done
# shellcheck disable=SC2086
"$WSAUTOPSY" analyze -q --separate -o "$DB" $caps
check "analyze the report samples" test $? -eq 0

# same DESCRIPTION EXPECTED-FILE ACTUAL-FILE
same() {
	if [ "${WSA_REGEN:-0}" = 1 ]; then cp "$3" "$2"; ok; return; fi
	if cmp -s "$2" "$3"; then ok; else
		bad "$1 differs from $(basename "$2"):"
		diff -u "$2" "$3" | head -40 >&2
	fi
}

# The report's first line names the database as given: r.db, from $TMP.
(cd "$TMP" && NO_COLOR=1 "$WSAUTOPSY" report r.db) >"$TMP/report.txt"
check "report text: exit 0" test $? -eq 0
same "report text" "$EXP/report.txt" "$TMP/report.txt"
"$WSAUTOPSY" report --format jsonl "$DB" >"$TMP/report.jsonl"
check "report jsonl: exit 0" test $? -eq 0
same "report jsonl" "$EXP/report.jsonl" "$TMP/report.jsonl"
"$WSAUTOPSY" report --format csv "$DB" >"$TMP/report.csv"
check "report csv: exit 0" test $? -eq 0
same "report csv" "$EXP/report.csv" "$TMP/report.csv"
# No terminal, so no colour even without NO_COLOR.
(cd "$TMP" && env -u NO_COLOR "$WSAUTOPSY" report r.db) >"$TMP/nc.txt"
check "no escape sequences when stdout is not a terminal" \
	cmp -s "$TMP/report.txt" "$TMP/nc.txt"

# analyze --report prints the same text report.
# shellcheck disable=SC2086
(cd "$TMP" && NO_COLOR=1 "$WSAUTOPSY" analyze -q --separate --report -o ar.db $caps) \
	>"$TMP/ar.txt"
check "analyze --report: exit 0" test $? -eq 0
sed '1s|: ar\.db$|: r.db|' "$TMP/ar.txt" >"$TMP/ar2.txt"
check "analyze --report: the same text as report" \
	cmp -s "$TMP/report.txt" "$TMP/ar2.txt"

# Every jsonl line is one JSON object with the findings interface's names
# first, the same as the findings view's columns, row for row.
cat >"$TMP/jsonl.py" <<'EOF'
import json, sqlite3, sys
IFACE = ["capture", "connection_id", "client", "server", "kind", "class",
         "code", "sender", "rule", "packet", "frame_index", "time",
         "explanation", "offending_packet", "offending_frame_index",
         "offending_sender", "offending_rule", "limit_min", "limit_max",
         "matching_profiles"]
db, path = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
cur = con.execute("SELECT * FROM findings ORDER BY finding_id")
cols = [d[0] for d in cur.description]
rows = cur.fetchall()
objs = [json.loads(l) for l in open(path, encoding="utf-8")]
assert all(isinstance(o, dict) for o in objs), "a line is not an object"
assert len(objs) == len(rows), "%d lines, %d findings" % (len(objs), len(rows))
for o, r in zip(objs, rows):
    keys = list(o)
    assert keys[:len(IFACE)] == IFACE, "keys %s" % keys
    assert keys == cols, "keys %s, columns %s" % (keys, cols)
    for k in IFACE:
        v = r[cols.index(k)]
        if isinstance(v, float):
            assert abs(o[k] - v) < 1e-6, (k, o[k], v)
        else:
            assert o[k] == v, (k, o[k], v)
    # Bytes are their hex; a time keeps its microseconds.
    for k, v in zip(cols, r):
        if isinstance(v, bytes):
            assert o[k] == v.hex(), (k, o[k], v)
        if k == "time" and v is not None:
            assert o[k] == float(r[cols.index("time_text")]), (o[k], v)
print(len(objs))
EOF
check "jsonl: every line parses, names and values of the findings view" \
	python3 "$TMP/jsonl.py" "$DB" "$TMP/report.jsonl"

# Filters.
nlines() { "$WSAUTOPSY" report --format jsonl "$@" "$DB" | wc -l | tr -d ' '; }
sqlcount() { sqlite3 -batch "$DB" "SELECT count(*) FROM findings WHERE $1"; }
check "--class 1009" test "$(nlines --class 1009)" -eq "$(sqlcount "class = '1009'")"
check "--class 1009 finds some" test "$(sqlcount "class = '1009'")" -gt 0
check "--class 1002,1006" test "$(nlines --class 1002,1006)" -eq \
	"$(sqlcount "class IN ('1002', '1006')")"
"$WSAUTOPSY" report --format jsonl --class 1009 "$DB" | \
	python3 -c 'import json,sys; sys.exit(any(json.loads(l)["class"] != "1009" for l in sys.stdin))'
check "--class 1009: only class 1009" test $? -eq 0
cid=$(sqlite3 -batch "$DB" "SELECT connection_id FROM connections WHERE capture = 'viol-node-reserved-opcode.pcap'")
check "--connection $cid" test "$(nlines --connection "$cid")" -eq \
	"$(sqlcount "connection_id = $cid")"
"$WSAUTOPSY" report --format jsonl --connection "$cid" "$DB" | \
	python3 -c 'import json,sys; sys.exit(any(json.loads(l)["connection_id"] != int(sys.argv[1]) for l in sys.stdin))' "$cid"
check "--connection: only that connection" test $? -eq 0
check "--capture real-rst.pcap" test "$(nlines --capture real-rst.pcap)" -eq \
	"$(sqlcount "capture = 'real-rst.pcap'")"
check "--capture real-1009-node.pcap" test "$(nlines --capture real-1009-node.pcap)" -eq 2
check "--capture and --class together" test \
	"$(nlines --capture real-1009-python.pcap --class 1006)" -eq 1
NO_COLOR=1 "$WSAUTOPSY" report --capture real-rst.pcap "$DB" >"$TMP/rst.txt"
check "text --capture: its incident" grep -q 'abrupt-reset by client at packet 12' "$TMP/rst.txt"
if grep -q 'real-1009-node.pcap' "$TMP/rst.txt"; then
	bad "text --capture: other captures' incidents shown"; else ok; fi

# --fail-on for CI gates.
"$WSAUTOPSY" analyze -q -o "$TMP/n1009.db" "$SAMPLES/real/real-1009-node.pcap"
"$WSAUTOPSY" report --fail-on 1009 "$TMP/n1009.db" >/dev/null
check "--fail-on 1009 on a 1009 sample: exit 3" test $? -eq 3
"$WSAUTOPSY" analyze -q -o "$TMP/plain.db" "$SAMPLES/real/real-node-plain.pcap"
"$WSAUTOPSY" report --fail-on 1009 "$TMP/plain.db" >/dev/null
check "--fail-on 1009 on a clean sample: exit 0" test $? -eq 0
"$WSAUTOPSY" report --fail-on 1002,1009 --format jsonl "$TMP/n1009.db" >/dev/null
check "--fail-on 1002,1009 (jsonl): exit 3" test $? -eq 3
# The gate counts what the report shows: --class narrows it too.
"$WSAUTOPSY" report --fail-on 1009 --class normal "$TMP/n1009.db" >/dev/null
check "--fail-on 1009 --class normal: exit 0" test $? -eq 0
# Rule ids as well as classes; a close matches by its offending rule.
"$WSAUTOPSY" report --fail-on message-too-big "$TMP/n1009.db" >/dev/null
check "--fail-on message-too-big on a 1009 sample: exit 3" test $? -eq 3
"$WSAUTOPSY" report --fail-on reserved-opcode,handshake "$TMP/n1009.db" >/dev/null
check "--fail-on reserved-opcode,handshake on a 1009 sample: exit 0" test $? -eq 0
"$WSAUTOPSY" report --fail-on 'reserved-opcode, 1009' "$TMP/n1009.db" >/dev/null
check "--fail-on 'reserved-opcode, 1009': exit 3" test $? -eq 3

# A reader leaves no -wal or -shm file behind.
rm -f "$TMP/n1009.db-wal" "$TMP/n1009.db-shm"
"$WSAUTOPSY" report "$TMP/n1009.db" >/dev/null
check "report leaves no -wal file" test ! -e "$TMP/n1009.db-wal"
check "report leaves no -shm file" test ! -e "$TMP/n1009.db-shm"

# CSV times are time_text's decimal, not a double's noise.
python3 - "$TMP/report.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert rows, "no rows"
for r in rows:
    assert r["time"] == r["time_text"], (r["time"], r["time_text"])
EOF
check "csv: time is time_text's string" test $? -eq 0

# Caps hit during analysis are in the report, not only in analyze's line.
"${top_builddir}/bench/make-capture" -s 7 -o "$TMP/cap.pcap" 1M >/dev/null
"$WSAUTOPSY" analyze -q --max-flows 2 -o "$TMP/cap.db" "$TMP/cap.pcap"
NO_COLOR=1 "$WSAUTOPSY" report "$TMP/cap.db" >"$TMP/cap.txt"
n=$(sqlite3 -batch "$TMP/cap.db" "SELECT sum(cap_flows) FROM captures")
check "--max-flows 2 hits the flows cap ($n)" test "${n:-0}" -gt 0
check "report says the caps hit" grep -q '^  caps hit: flows [1-9]' "$TMP/cap.txt"

# Exit 2: missing or unreadable database, one line naming it.
# expect STATUS DESCRIPTION NAME-IN-MESSAGE COMMAND...
expect() {
	want=$1 d=$2 name=$3; shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then bad "$d: exit $rc, expected $want"; return; fi
	if [ "$want" -eq 2 ] && { [ "$(wc -l <"$TMP/err")" -ne 1 ] ||
	    ! grep -qF -- "$name" "$TMP/err"; }; then
		bad "$d: expected one line naming $name:"; cat "$TMP/err" >&2
		return
	fi
	ok
}
expect 2 "missing database" "$TMP/nope.db" "$WSAUTOPSY" report "$TMP/nope.db"
check "missing database: not created" test ! -e "$TMP/nope.db"
printf 'not a database at all, just text\n' >"$TMP/text.db"
expect 2 "text file as database" "$TMP/text.db" "$WSAUTOPSY" report "$TMP/text.db"
expect 2 "capture as database" "real-rst.pcap" "$WSAUTOPSY" report "$SAMPLES/real/real-rst.pcap"
sqlite3 "$TMP/other.db" 'CREATE TABLE t (a); INSERT INTO t VALUES (1)'
expect 2 "another program's database" "$TMP/other.db" "$WSAUTOPSY" report "$TMP/other.db"
# A filter naming what the database lacks: exit 2, not an empty report.
expect 2 "no such connection" "no connection 999" "$WSAUTOPSY" report -i 999 "$DB"
expect 2 "no such capture" "no capture named nope.pcap" "$WSAUTOPSY" report -C nope.pcap "$DB"
expect 2 "connection of another capture" "no connection $cid" \
	"$WSAUTOPSY" report -i "$cid" -C real-rst.pcap "$DB"
expect 2 "no such connection (jsonl)" "no connection 999" \
	"$WSAUTOPSY" report --format jsonl -i 999 "$DB"
# Exit 1: usage.
expect 1 "no database" "" "$WSAUTOPSY" report
expect 1 "two databases" "" "$WSAUTOPSY" report "$DB" "$DB"
expect 1 "unknown format" "" "$WSAUTOPSY" report --format xml "$DB"
expect 1 "unknown class" "" "$WSAUTOPSY" report --class 1234 "$DB"
expect 1 "unknown --fail-on class or rule" "" "$WSAUTOPSY" report --fail-on bogus "$DB"
expect 1 "bad connection id" "" "$WSAUTOPSY" report --connection x "$DB"
expect 1 "unknown option" "" "$WSAUTOPSY" report --nosuch "$DB"
expect 0 "--help" "" "$WSAUTOPSY" report --help
finish

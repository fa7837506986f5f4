#!/bin/sh
# wsautopsy browse under tmux: the connection list's timeline. Its
# sparkline has one cell per bucket of `report --timeline --format jsonl`,
# as high as the bucket's total, coloured by its most frequent class; the
# bucket cursor's filter leaves exactly the connections with findings in
# the bucket (checked against SQL over the findings view); the time
# heading names the zone.
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/browse-lib.sh"
need python3
need sqlite3
TZ=UTC
export TZ
MC=${top_builddir}/bench/make-capture

# 39 connections over 2.4 s: 49 buckets of 50 ms, 1009 and normal closes.
check "make-capture" "$MC" -s 7 -o "$TMP/b.pcap" 2M
check "analyze it" "$WSAUTOPSY" analyze -q -o "$TMP/b.db" "$TMP/b.pcap"
"$WSAUTOPSY" report --timeline --format jsonl "$TMP/b.db" >"$TMP/b.jsonl"
check "report --timeline" test -s "$TMP/b.jsonl"

# spark_ok CHARS: row 2's cells between the bars are the buckets' heights,
# eighths of the fullest bucket rounded up, in CHARS (lowest first).
spark_ok() {
	screen >"$TMP/screen"
	python3 - "$TMP/screen" "$TMP/b.jsonl" "$1" <<'PY'
import json, sys
row = open(sys.argv[1], encoding="utf-8").read().split("\n")[1]
chars = sys.argv[3]
rows = [json.loads(l) for l in open(sys.argv[2])]
top = max(r["total"] for r in rows)
want = "".join(" " if r["total"] == 0 else
               chars[(r["total"] * 8 + top - 1) // top - 1] for r in rows)
assert row.startswith("findings per 50 ms |"), row
cells = row[row.index("|") + 1:row.rindex("|")]
if cells != want:
    sys.exit("sparkline %r, the report's buckets %r" % (cells, want))
PY
}

start 200 40 "$TMP/b.db"
check "list" wait_last '^connections 1/39 \[all\] sort:time '
check "sparkline: the report's 49 buckets, their heights" \
    spark_ok '▁▂▃▄▅▆▇█'
check "sparkline: where it starts" wait_row 2 '\| 00:00:00\.000 UTC$'
check "the time heading names the zone" wait_row 3 '^time \(UTC\) +client'

# Colour: each cell in its bucket's most frequent class (1009 bold yellow,
# normal plain); no cursor yet, so nothing reversed.
colours() {
	screen_e >"$TMP/pane_e"
	python3 "${top_srcdir}/tests/e2e/pane-attrs.py" "$TMP/pane_e" \
	    "findings per" >"$TMP/cells" || return 1
	python3 - "$TMP/cells" "$TMP/b.jsonl" "$1" <<'PY'
import json, sys
cells = [l.rstrip("\n").split("\t") for l in open(sys.argv[1],
                                                   encoding="utf-8")]
rows = [json.loads(l) for l in open(sys.argv[2])]
cursor = int(sys.argv[3])
first = [c for c, a in cells].index("|") + 1
order = ["1002", "1007", "1009", "1006", "handshake", "normal",
         "application", "capture", "other"]
for i, r in enumerate(rows):
    a = set(cells[first + i][1].split())
    best = max(order, key=lambda c: (r["counts"][c], -order.index(c)))
    want = {"1", "33"} if r["total"] > 0 and best == "1009" else set()
    if i == cursor:
        want.add("7")
    if a != want:
        sys.exit("bucket %d (%r): attributes %r, not %r" % (i, r, a, want))
PY
}
check "colour: the bucket's most frequent class" colours -1

# } puts the cursor on the first bucket with findings: the status names
# it, the cell is reversed.
keys '}'
check "}: the first bucket with findings" wait_last \
    ' 00:00:00\.500-00:00:00\.550 UTC, 2 findings  '
check "the cursor's cell reversed" colours 10

# conns START: the client endpoints of the connections with a finding in
# the 50 ms bucket at START (epoch ms), by SQL over the findings view.
conns() {
	sqlite3 -batch "$TMP/b.db" "SELECT client FROM connections WHERE
	    connection_id IN (SELECT connection_id FROM findings WHERE
	    time >= $1 / 1000.0 AND time < ($1 + 50) / 1000.0) ORDER BY client"
}
# The list's rows (from row 4) as client endpoints.
shown() {
	screen | sed -n '4,$p' | sed '$d' |
	    sed -n 's/^[0-9:.]* \([0-9.]*:[0-9]*\) -> .*/\1/p' | sort
}
# t, then every bucket with findings in turn (} with the filter on): the
# list is exactly the connections SQL finds for the bucket.
keys t
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["total"]:
        print(round(r["start"] * 1000), r["total"])
' "$TMP/b.jsonl" >"$TMP/busy"
check "buckets with findings" test "$(wc -l <"$TMP/busy")" -ge 20
first=1
while read -r ms total; do
	[ "$first" = 1 ] || keys '}'
	first=0
	conns "$ms" >"$TMP/want"
	n=$(wc -l <"$TMP/want")
	sec=$(printf '%02d.%03d' $(((ms / 1000) % 60)) $((ms % 1000)))
	if wait_last "^connections 1/$n \\[all\\] sort:time 00:00:$sec-[0-9:.]+ UTC, $total findings? \\(only\\)" &&
	    shown >"$TMP/got" && cmp -s "$TMP/want" "$TMP/got"; then
		ok
	else
		bad "bucket $ms: the list is not its $n connections"
		diff "$TMP/want" "$TMP/got" >&2
	fi
done <"$TMP/busy"
keys '}'
check "} past the last: said" wait_last 'no findings after this bucket'
keys ']'
check "]: the bucket after, empty, no connection" \
    wait_last '^connections 0/0 .* 0 findings \(only\)'
check "said" wait_for "no connection matches"
keys t
check "t again: every connection" wait_last '^connections 1/39 \[all\] sort:time 00:00:02\.400-'
keys ?
check "?: the timeline keys" wait_for "timeline: the cursor to the next, previous time bucket"
check "?: the filter key" wait_for "show only the connections with findings in the bucket under"
keys Q
check "exit 0" test "$(wait_exit)" = "EXIT=0"

# ASCII heights when the charset is not UTF-8; no colour with NO_COLOR.
BROWSE_ENV="LC_ALL=C NO_COLOR=1"
start 200 40 "$TMP/b.db"
check "C locale: list" wait_last '^connections 1/39 '
check "C locale: ASCII heights" spark_ok '._:-=+*#'
check "NO_COLOR: no colour" no_colour
keys Q
check "exit 0" test "$(wait_exit)" = "EXIT=0"
BROWSE_ENV=

# Captures days apart: the list dates its times, the heading says the zone.
check "analyze samples days apart" "$WSAUTOPSY" analyze -q -o "$TMP/s.db" \
    "$SAMPLES"/real/*.pcap "$SAMPLES"/viol/*.pcap
start 120 30 "$TMP/s.db"
check "days: list" wait_last '^connections 1/'
check "days: a date in the time column, the zone in its heading" \
    sh -c "tmux -L $SOCK capture-pane -p -t b | sed -n '3p;4p' | tr '\n' '@' |
	grep -Eq '^time \(UTC\) +client.*@20[0-9]{2}-[0-9]{2}-[0-9]{2} '"
check "days: buckets in hours" wait_row 2 '^findings per [0-9]+ h \|'
keys Q
check "exit 0" test "$(wait_exit)" = "EXIT=0"

finish

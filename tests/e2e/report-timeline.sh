#!/bin/sh
# wsautopsy report's timeline: findings per class per time bucket, as a
# text histogram (80 columns, UTF-8 blocks or ASCII, colour only on a
# terminal without NO_COLOR) and as JSON lines, checked bucket by bucket
# against SQL over the findings view.
. "${top_srcdir}/tests/e2e/lib.sh"
need python3
MC=${top_builddir}/bench/make-capture
UTF8=$(locale -a 2>/dev/null | grep -iE '^(c|en_us)\.utf-?8$' | head -n 1)

check "make-capture" "$MC" -s 7 -o "$TMP/b.pcap" 2M
check "analyze it" "$WSAUTOPSY" analyze -q -o "$TMP/b.db" "$TMP/b.pcap"
# Two captures days apart: a width in hours, long quiet runs.
check "analyze samples" "$WSAUTOPSY" analyze -q --separate -o "$TMP/s.db" \
    "$SAMPLES"/real/*.pcap "$SAMPLES"/viol/*.pcap

# ---- The buckets as data, each count against SQL.
buckets() {
	python3 - "$1" "$2" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
lines = open(sys.argv[2]).read().splitlines()
assert 1 <= len(lines) <= 60, len(lines)
rows = [json.loads(l) for l in lines]
w = rows[0]["width"]
assert w in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2,
    5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
    43200, 86400), w
classes = [r[0] for r in db.execute("SELECT DISTINCT class FROM findings")]
for i, r in enumerate(rows):
    assert r["width"] == w
    assert abs(r["start"] - (rows[0]["start"] + i * w)) < 1e-6, r
    # The start is a multiple of the width: round buckets.
    ms, wms = round(r["start"] * 1000), round(w * 1000)
    assert ms % wms == 0, r
    for c in classes:
        (n,) = db.execute("SELECT count(*) FROM findings WHERE class = ?"
            " AND time >= ? AND time < ?", (c, r["start"],
            r["start"] + w)).fetchone()
        assert r["counts"][c] == n, (r, c, n)
    assert r["total"] == sum(r["counts"].values())
(n,) = db.execute("SELECT count(*) FROM findings WHERE time IS NOT NULL"
    ).fetchone()
assert sum(r["total"] for r in rows) == n, n
assert n > 0
PY
}
for x in b s; do
	"$WSAUTOPSY" report --timeline --format jsonl "$TMP/$x.db" >"$TMP/$x.jsonl"
	check "$x: jsonl exit 0" test $? -eq 0
	check "$x: buckets match SQL" buckets "$TMP/$x.db" "$TMP/$x.jsonl"
done
check "s: a width in hours" grep -q '"width":21600.000' "$TMP/s.jsonl"

# ---- Filters: --class only counts that class; the buckets stay.
"$WSAUTOPSY" report --timeline -f jsonl --class 1009 "$TMP/b.db" >"$TMP/c.jsonl"
check "--class: same buckets" test "$(wc -l <"$TMP/c.jsonl")" -eq \
    "$(wc -l <"$TMP/b.jsonl")"
check "--class: only 1009" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert sum(r["counts"]["1009"] for r in rows) == sum(r["total"] for r in rows) > 0
' "$TMP/c.jsonl"

# ---- The text: it starts the report, fits 80 columns, its totals are the
# buckets'.
NO_COLOR=1 "$WSAUTOPSY" report "$TMP/b.db" >"$TMP/b.txt"
check "text: the report starts with the timeline" \
    sh -c "sed -n 3p '$TMP/b.txt' | grep -q '^Timeline: findings per 50 ms from 2024-01-01 00:00 UTC\$'"
for x in b s; do
	LC_ALL=$UTF8 "$WSAUTOPSY" report --timeline "$TMP/$x.db" >"$TMP/$x.tl"
	check "$x: fits 80 columns" test "$(LC_ALL=$UTF8 wc -L <"$TMP/$x.tl")" -le 80
	check "$x: Unicode blocks" grep -q '█' "$TMP/$x.tl"
	check "$x: the totals are the buckets'" python3 -c '
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
bars = [int(m.group(1)) for m in re.finditer(r"[█#]+ +(\d+)", text)]
rows = [json.loads(l) for l in open(sys.argv[2])]
assert bars == [r["total"] for r in rows if r["total"] > 0], (bars,)
' "$TMP/$x.tl" "$TMP/$x.jsonl"
done
check "b: a 1009 bucket" grep -Eq '^  00:00:00\.500 █+ +2 1009:2$' "$TMP/b.tl"
check "s: quiet runs folded" grep -Eq 'buckets without findings\)$' "$TMP/s.tl"

# ---- ASCII when the charset is not UTF-8.
LC_ALL=C "$WSAUTOPSY" report --timeline "$TMP/b.db" >"$TMP/a.tl"
check "C locale: ASCII only" sh -c "! LC_ALL=C grep -q '[^ -~]' '$TMP/a.tl'"
check "C locale: # bars" grep -Eq '^  00:00:00\.500 #+ +2 1009:2$' "$TMP/a.tl"

# ---- Colour: on a terminal only, and not with NO_COLOR set.
tty_report() {
	script -qec "env $1 LC_ALL=$UTF8 '$WSAUTOPSY' report --timeline '$TMP/b.db'" \
	    /dev/null | tr -d '\r' >"$TMP/tty.tl"
}
if command -v script >/dev/null 2>&1; then
	tty_report "-u NO_COLOR"
	check "terminal: 1009 in its colour" grep -q "$(printf '\033')\[1;31m█" "$TMP/tty.tl"
	tty_report "NO_COLOR="
	check "terminal, empty NO_COLOR: colour" grep -q "$(printf '\033')\[" "$TMP/tty.tl"
	tty_report "NO_COLOR=1"
	check "terminal, NO_COLOR: none" sh -c "! grep -q '$(printf '\033')' '$TMP/tty.tl'"
fi
check "not a terminal: no colour" sh -c "! grep -q '$(printf '\033')' '$TMP/b.tl'"

check "--timeline is not csv" sh -c "! '$WSAUTOPSY' report --timeline -f csv '$TMP/b.db' 2>/dev/null"

finish

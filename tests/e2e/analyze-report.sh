#!/bin/sh
# wsautopsy analyze --report tells the captures it just analyzed, not the
# whole database they were added to; --summary-json gives the summary as
# data, parsed back here and checked against the database.
. "${top_srcdir}/tests/e2e/lib.sh"
need python3
need sqlite3

DB=$TMP/a.db
check "a first capture" "$WSAUTOPSY" analyze -q -o "$DB" "$(sample real-rst.pcap)"
NO_COLOR=1 "$WSAUTOPSY" analyze -q --separate --report -o "$DB" \
    "$(sample real-1009-python.pcap)" "$(sample real-node-plain.pcap)" \
    >"$TMP/r.txt"
check "--report: exit 0" test $? -eq 0
check "--report: the two just analyzed" test "$(grep -c '^capture ' "$TMP/r.txt")" -eq 2
check "--report: real-1009-python" grep -q '^capture real-1009-python.pcap:' "$TMP/r.txt"
check "--report: real-node-plain" grep -q '^capture real-node-plain.pcap:' "$TMP/r.txt"
check "--report: not the earlier one" sh -c "! grep -q 'real-rst' '$TMP/r.txt'"
# The counts are those of the two, not of the database's three.
check "--report: their findings only" grep -Eq '^  1006 +1$' "$TMP/r.txt"
check "report: the database has three" test \
    "$("$WSAUTOPSY" report "$DB" | grep -c '^capture ')" -eq 3
# A capture analyzed again is this run's.
NO_COLOR=1 "$WSAUTOPSY" analyze -q --separate --report -o "$DB" "$(sample real-rst.pcap)" \
    >"$TMP/again.txt"
check "again: only it" test "$(grep -c '^capture ' "$TMP/again.txt")" -eq 1
check "again: real-rst" grep -q '^capture real-rst.pcap:' "$TMP/again.txt"

# ---- --summary-json: one object per capture this run stored.
head -c 2500 "$(sample real-node-plain.pcap)" >"$TMP/cut.pcap"
"$WSAUTOPSY" analyze --separate --summary-json -o "$DB" "$(sample real-1009-python.pcap)" \
    "$TMP/cut.pcap" >"$TMP/s.json" 2>"$TMP/s.err"
check "json: exit 2 (the cut capture)" test $? -eq 2
check "json: two lines" test "$(wc -l <"$TMP/s.json")" -eq 2
check "json: no text summary" sh -c "! grep -q 'packets, ' '$TMP/s.json'"
for n in 1 2; do
	sed -n "${n}p" "$TMP/s.json" | python3 -m json.tool >/dev/null
	check "json: line $n parses" test $? -eq 0
done
check "json: what the database holds" python3 - "$TMP/s.json" "$DB" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[2])
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["capture"] for r in rows] == ["real-1009-python.pcap", "cut.pcap"]
for r in rows:
    (k,) = db.execute("SELECT capture_id FROM captures WHERE capture = ?",
        (r["capture"],)).fetchone()
    for col in ("packets", "connections", "ws_connections", "frames",
            "messages", "findings", "cap_flows", "cap_inflate", "complete"):
        (v,) = db.execute("SELECT %s FROM captures WHERE capture_id = ?"
            % col, (k,)).fetchone()
        assert r[col] == v, (r["capture"], col, r[col], v)
    by = dict(db.execute("SELECT class, count(*) FROM findings WHERE"
        " capture_id = ? GROUP BY class", (k,)).fetchall())
    assert r["by_class"] == by, (r["by_class"], by)
py, cut = rows
assert py["by_class"] == {"1009": 1, "1006": 1}
assert py["stacks"] == [{"side": "server", "stack": "python-websockets",
    "connections": 1}], py["stacks"]
assert py["open"] == [] and py["complete"] == 1
assert cut["complete"] == 0 and cut["error"]
assert len(cut["open"]) == 1 and cut["open"][0]["client"].startswith("127.0.0.1:")
PY
check "json: -q keeps it" sh -c "'$WSAUTOPSY' analyze -q --summary-json \
    -o '$TMP/q.db' '$(sample real-rst.pcap)' | python3 -m json.tool >/dev/null"

finish

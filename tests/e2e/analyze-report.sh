#!/bin/sh
# wsautopsy analyze --report tells the captures it just analyzed, not the
# whole database they were added to.
. "${top_srcdir}/tests/e2e/lib.sh"

DB=$TMP/a.db
check "a first capture" "$WSAUTOPSY" analyze -q -o "$DB" "$(sample real-rst.pcap)"
NO_COLOR=1 "$WSAUTOPSY" analyze -q --report -o "$DB" \
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
NO_COLOR=1 "$WSAUTOPSY" analyze -q --report -o "$DB" "$(sample real-rst.pcap)" \
    >"$TMP/again.txt"
check "again: only it" test "$(grep -c '^capture ' "$TMP/again.txt")" -eq 1
check "again: real-rst" grep -q '^capture real-rst.pcap:' "$TMP/again.txt"

finish

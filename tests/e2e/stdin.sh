#!/bin/sh
# A capture read from standard input is evidence as a file is: hashed,
# its size recorded, and two different streams are two captures; the same
# bytes again (from a pipe or from the file) replace the earlier run.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need sha256sum

A=$(sample real-node-plain.pcap)
B=$(sample real-1009-node.pcap)
DB=$TMP/s.db
q() { sqlite3 -batch "$DB" "$1"; }

"$WSAUTOPSY" analyze -q -o "$DB" - <"$A"
check "analyze - (a)" test $? -eq 0
cat "$B" | "$WSAUTOPSY" analyze -q -o "$DB" -
check "analyze - (b, a pipe)" test $? -eq 0
sa=$(sha256sum "$A" | cut -d' ' -f1)
sb=$(sha256sum "$B" | cut -d' ' -f1)
want=$(printf '%s|%s|1\n%s|%s|1' "$sa" "$(wc -c <"$A" | tr -d ' ')" \
    "$sb" "$(wc -c <"$B" | tr -d ' ')" | sort)
eq "two streams, two captures, hashed and sized" "$want" \
    "$(q "SELECT sha256 || '|' || size || '|' || complete FROM captures" |
    sort)"
eq "each with its connection" "2" \
    "$(q "SELECT count(*) FROM captures WHERE connections = 1")"

# The same bytes again: the earlier run of them is replaced.
cat "$A" | "$WSAUTOPSY" analyze -q -o "$DB" -
eq "a again from a pipe: still two captures" "2" \
    "$(q "SELECT count(*) FROM captures")"
"$WSAUTOPSY" analyze -q -o "$DB" "$A"
eq "a from its file: the same capture, now named" \
    "real-node-plain.pcap|$sa" \
    "$(q "SELECT capture || '|' || sha256 FROM captures WHERE sha256 = '$sa'")"
eq "and still two captures" "2" "$(q "SELECT count(*) FROM captures")"
finish

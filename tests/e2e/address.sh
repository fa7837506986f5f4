#!/bin/sh
# A connection has a stable address, CAPTURE:N: the same after the
# capture is analysed again (when connection_id changes), taken by
# report -i with the capture's name or the start of its sha256; an address
# that names none or two connections is one error line and exit 2.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3

A=$(sample real-node-plain.pcap)
B=$(sample real-1009-node.pcap)
DB=$TMP/a.db
q() { sqlite3 -batch "$DB" "$1"; }

"$WSAUTOPSY" analyze -q --separate -o "$DB" "$A" "$B"
id1=$(q "SELECT connection_id FROM connections WHERE address = 'real-1009-node.pcap:1'")
"$WSAUTOPSY" report -i real-1009-node.pcap:1 "$DB" >"$TMP/r1"
check "report -i CAPTURE:N" test $? -eq 0
# Analysed again, in the other order: the ids move, the address does not.
"$WSAUTOPSY" analyze -q --separate -o "$DB" "$B" "$A"
id2=$(q "SELECT connection_id FROM connections WHERE address = 'real-1009-node.pcap:1'")
check "connection_id changed ($id1 -> $id2)" test "$id1" != "$id2"
"$WSAUTOPSY" report -i real-1009-node.pcap:1 "$DB" >"$TMP/r2"
sed "s/connection $id1:/connection $id2:/" "$TMP/r1" | grep -v '^capture\|sha256' >"$TMP/r1n"
grep -v '^capture\|sha256' "$TMP/r2" >"$TMP/r2n"
if diff -u "$TMP/r1n" "$TMP/r2n" >&2; then ok; else
	bad "the address gives the same report before and after"
fi
grep -q "== 1009 close, connection $id2: client 127.0.0.1:36210" "$TMP/r2"
check "the address is that connection" test $? -eq 0
sha=$(q "SELECT substr(sha256, 1, 10) FROM captures WHERE capture = 'real-1009-node.pcap'")
"$WSAUTOPSY" report -i "$sha:1" "$DB" | grep -q "connection $id2:"
check "report -i SHA256-START:N" test $? -eq 0

# Names none, or two (the same capture with other options), or is no address.
for a in nope.pcap:1 real-1009-node.pcap:9 real-1009-node.pcap:x :1; do
	"$WSAUTOPSY" report -i "$a" "$DB" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 0 ] || [ "$(wc -l <"$TMP/err")" -ne 1 ] ||
	    ! grep -q "$a" "$TMP/err"; then
		bad "report -i $a: exit $rc, error '$(cat "$TMP/err")'"
	else ok; fi
done
"$WSAUTOPSY" analyze -q -o "$DB" --strict "$B"
"$WSAUTOPSY" report -i real-1009-node.pcap:1 "$DB" >/dev/null 2>"$TMP/err"
check "two captures of that name: exit 2" test $? -eq 2
grep -q "names 2 connections.*options.*connection_id" "$TMP/err"
check "two captures of that name: says how to tell them apart" test $? -eq 0
finish

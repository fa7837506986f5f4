#!/bin/sh
# report tells a server's 1009 closes once: one combined limit per server
# (the largest limit_min, the smallest limit_max over its server-sent 1009
# closes), the first close in full and the rest counted; when the bounds
# cross, the connections disagree and no single limit is printed.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
MC=${top_builddir}/bench/make-capture
DB=$TMP/m.db
"$MC" -s 7 -o "$TMP/m.pcap" 20M >/dev/null
"$WSAUTOPSY" analyze -q -o "$DB" "$TMP/m.pcap"
check "analyze the generated capture" test $? -eq 0
q() { sqlite3 -batch "$DB" "$1"; }
G="class = '1009' AND kind = 'close' AND sender = 'server'"
closes=$(q "SELECT count(*) FROM findings WHERE $G")
servers=$(q "SELECT count(DISTINCT server) FROM findings WHERE $G")
check "several 1009 closes per server ($closes over $servers)" \
	test "$closes" -gt "$servers"

NO_COLOR=1 "$WSAUTOPSY" report "$DB" >"$TMP/r.txt"
check "report: exit 0" test $? -eq 0
blocks=$(grep -c '^== 1009 close' "$TMP/r.txt")
srv=$(q "SELECT count(DISTINCT server) FROM findings WHERE $G")
cli=$(q "SELECT count(*) FROM findings WHERE class = '1009' AND kind = 'close'
    AND sender = 'client' AND NOT (answered = 1 AND offending_packet IS NULL)")
check "one 1009 block per server ($blocks, $srv servers, $cli client closes)" \
	test "$blocks" -eq $((srv + cli))
check "the rest are counted" grep -q 'more 1009 closes from this server' "$TMP/r.txt"
# Every server's combined line holds max(limit_min) and min(limit_max).
q "SELECT server, max(limit_min), min(limit_max) FROM findings WHERE $G
    GROUP BY server" | while IFS='|' read -r s lo hi; do
	grep -Eq "^  $s +[0-9]+ closes?: limit between $lo and $hi bytes" "$TMP/r.txt" ||
	    echo "$s $lo $hi" >>"$TMP/missing"
done
check "each server's combined limit: $(cat "$TMP/missing" 2>/dev/null)" \
	test ! -e "$TMP/missing"

# Two limits behind one address: one connection took more than another
# refused. The report says so instead of printing a limit.
s=$(q "SELECT server FROM findings WHERE $G GROUP BY server
    HAVING count(*) > 1 LIMIT 1")
lo=$(q "SELECT min(limit_max) FROM findings WHERE $G AND server = '$s'")
cp "$DB" "$TMP/d.db"
sqlite3 -batch "$TMP/d.db" "UPDATE finding_t SET limit_min = $lo + 1000
    WHERE rowid = (SELECT finding_id FROM findings WHERE $G AND
    server = '$s' LIMIT 1)"
NO_COLOR=1 "$WSAUTOPSY" report "$TMP/d.db" >"$TMP/d.txt"
check "disagreeing connections: said" \
	grep -Eq "^  $s +[0-9]+ closes: the connections disagree: one took $((lo + 1000)) bytes, another refused past $lo" "$TMP/d.txt"
finish

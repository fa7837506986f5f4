#!/bin/sh
# A 1009 close's lower bound counts what the server took on other
# connections of the capture, also those that came after the close: the
# end-of-capture pass raises it, and the profiles, detail and remedy follow.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3

# python-websockets (max_size 65536) refuses 70000 bytes on connection 1
# and takes 60000 on connection 2, which starts after connection 1 ended.
"$WSAUTOPSY" analyze -q -o "$TMP/b.db" "$SAMPLES/viol/viol-python-bounds-later.pcap"
check "analyze viol-python-bounds-later" test $? -eq 0
got=$(sqlite3 -batch "$TMP/b.db" "SELECT limit_min, limit_max,
    matching_profiles FROM findings WHERE kind = 'close' AND class = '1009'
    AND sender = 'server'")
if [ "$got" = "60000|69999|netty,jetty" ]; then ok; else
	bad "bounds '$got', expected 60000|69999|netty,jetty"
fi
sqlite3 -batch "$TMP/b.db" "SELECT detail, remedy FROM findings WHERE
    kind = 'close' AND class = '1009' AND sender = 'server'" >"$TMP/text"
grep -q "between 60000 and 69999 bytes; 60000 bytes taken on another connection raise the lower bound" "$TMP/text"
check "detail states the raised bound" test $? -eq 0
grep -q "keep messages to 60000 bytes" "$TMP/text"
check "remedy names the raised bound" test $? -eq 0
# The report reads the same row.
"$WSAUTOPSY" report "$TMP/b.db" | grep -q "between 60000 and 69999 bytes; consistent with netty,jetty"
check "report shows the raised bound" test $? -eq 0

# Real traffic, many connections to one server: node ws 8 (maxPayload
# 65536) refuses six messages just over the limit, three of them random
# bytes compressed (larger on the wire than inflated, which ws counts),
# while other connections have it take messages up to 65387 bytes. Every
# 1009's bounds hold 65536, and no refused message counts as taken.
rm -f "$TMP/m.db"
"$WSAUTOPSY" analyze -q -o "$TMP/m.db" "$SAMPLES/real/real-1009-many.pcap"
check "analyze real-1009-many" test $? -eq 0
mq() { sqlite3 -batch "$TMP/m.db" "$1"; }
got=$(mq "SELECT count(*), sum(limit_min <= 65536 AND limit_max >= 65536),
    sum(limit_basis = 'wire-or-inflated'), max(limit_min), min(limit_max)
    FROM findings WHERE kind = 'close' AND class = '1009'
    AND sender = 'server'")
if [ "$got" = "6|6|3|65387|65604" ]; then ok; else
	bad "real-1009-many bounds '$got', expected 6|6|3|65387|65604"
fi
mq "SELECT detail FROM findings WHERE kind = 'close' AND class = '1009'
    AND sender = 'server' AND limit_basis = 'wire-or-inflated'" >"$TMP/w"
grep -q "bytes on the wire, [0-9]* inflated: a stack that counts the wire size (ws) refused it there" "$TMP/w"
check "real-1009-many: a compressed refusal says both sizes" test $? -eq 0

# A message whose inflation stopped (--max-inflate, or --max-message on a
# compressed message) has a size of at least that much, not that size: the
# closer's limit (python-websockets: 1 MiB, here) is then not bounded above.
# With the whole message inflated, 16 MiB bounds it.
for opt in "" "--max-inflate 512K" "--max-message 768K"; do
	rm -f "$TMP/i.db"
	# shellcheck disable=SC2086
	"$WSAUTOPSY" analyze -q $opt -o "$TMP/i.db" \
	    "$SAMPLES/viol/viol-python-bomb.pcap"
	got=$(sqlite3 -batch "$TMP/i.db" "SELECT coalesce(limit_max, '-'),
	    detail FROM findings WHERE kind = 'close' AND class = '1009'
	    AND sender = 'server'")
	case $opt in
	"") want="16777215|client frame 1 (packet 11) brought the message to 16777216 bytes; the closer's limit is between 5 and 16777215 bytes" ;;
	*) n=${opt##* }; n=$(( ${n%K} * 1024 ))
	   want="-|client frame 1 (packet 11) brought the message past $n bytes, where inflation stopped: its size and the closer's limit are not known" ;;
	esac
	if [ "$got" = "$want" ]; then ok; else
		bad "bomb ${opt:-whole}: '$got', expected '$want'"
	fi
done
finish

#!/bin/sh
# The counts are exact at full speed: analyze a generated capture and
# compare the database with what bench/make-capture says it wrote: every
# connection, frame, data message, compressed and fragmented message, ping
# and close code, and the bytes of every message once inflated. With the
# default share of permessage-deflate, none (-z 0) and all (-z 100), with
# the default payload cap and with none.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
MC=${top_builddir}/bench/make-capture
[ -x "$MC" ] || { echo "SKIP: $MC not built"; exit 77; }

sum() { sed -n "s/^$1 //p" "$2"; }

"$MC" -z 101 -o "$TMP/x.pcap" 1M 2>/dev/null
check "-z 101 refused" test $? -ne 0
"$MC" -z x -o "$TMP/x.pcap" 1M 2>/dev/null
check "-z x refused" test $? -ne 0

for z in 30 0 100; do
	"$MC" -s 3 -z "$z" -o "$TMP/c.pcap" 24M 2>"$TMP/c.sum"
	check "make-capture -z $z" test $? -eq 0
	comp=$(sum compressed_messages "$TMP/c.sum")
	case $z in
	0) eq "-z 0: nothing compressed" 0 "$comp" ;;
	*) check "-z $z: compressed messages ($comp)" test "$comp" -gt 0 ;;
	esac
	closes=$(sed -n 's/^close_\([0-9]*\) \([0-9]*\)$/\1|\2/p' "$TMP/c.sum" |
	    sort)
	for cap in 0 4K; do
		t="-z $z --payload-cap $cap"
		db=$TMP/c-$cap.db
		rm -f "$db"
		"$WSAUTOPSY" analyze -q --payload-cap "$cap" -o "$db" "$TMP/c.pcap"
		check "$t: analyze exit 0" test $? -eq 0
		q() { sqlite3 -batch "$db" "$1"; }
		eq "$t: connections" "$(sum connections "$TMP/c.sum")" \
		    "$(q 'SELECT count(*) FROM connections')"
		eq "$t: frames" "$(sum frames "$TMP/c.sum")" \
		    "$(q 'SELECT count(*) FROM frames')"
		eq "$t: data messages" "$(sum messages "$TMP/c.sum")" \
		    "$(q 'SELECT count(*) FROM messages WHERE opcode IN (1, 2)')"
		eq "$t: compressed messages" "$comp" \
		    "$(q 'SELECT total(compressed) FROM messages' | sed 's/\.0$//')"
		eq "$t: fragmented messages" \
		    "$(sum fragmented_messages "$TMP/c.sum")" \
		    "$(q 'SELECT count(*) FROM messages WHERE opcode IN (1, 2) AND frames > 1')"
		eq "$t: pings" "$(sum pings "$TMP/c.sum")" \
		    "$(q 'SELECT count(*) FROM frames WHERE opcode = 9')"
		eq "$t: close codes" "$closes" \
		    "$(q 'SELECT close_code, count(*) FROM frames WHERE opcode = 8 GROUP BY 1 ORDER BY 1')"
		eq "$t: every message inflated to its size" \
		    "$(sum message_bytes "$TMP/c.sum")" \
		    "$(q 'SELECT sum(decoded_size) FROM messages WHERE opcode IN (1, 2)')"
		eq "$t: no message left undecoded" 0 \
		    "$(q 'SELECT count(*) FROM messages WHERE undecoded OR incomplete OR gap')"
		eq "$t: no inflate error" 0 \
		    "$(q "SELECT count(*) FROM findings WHERE rule = 'inflate-error'")"
		eq "$t: capture complete" 1 \
		    "$(q 'SELECT complete FROM captures')"
	done
done
finish

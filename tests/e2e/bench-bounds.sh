#!/bin/sh
# Size-limit bounds at scale: bench/make-capture's servers all refuse
# messages over 65536 bytes (after inflation) with 1009, on many
# connections at once, some refused messages compressed random bytes
# (larger on the wire than inflated), some fragmented, while other
# connections have messages just under the limit taken. Every server 1009
# must bound the limit around 65536, no two connections of one server may
# contradict each other, the remedy may not ask for more than the server
# takes, and the fragment named is the one that crossed 65536 (or the
# candidates named hold it).
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
MC=${top_builddir}/bench/make-capture
[ -x "$MC" ] || { echo "SKIP: $MC not built"; exit 77; }

for seed in 7 11; do
	rm -f "$TMP/b.db"
	"$MC" -s "$seed" -o "$TMP/b.pcap" 100M 2>/dev/null
	check "make-capture -s $seed 100M" test $? -eq 0
	"$WSAUTOPSY" analyze -q -o "$TMP/b.db" "$TMP/b.pcap"
	check "analyze -s $seed" test $? -eq 0
	q() { sqlite3 -batch "$TMP/b.db" "$1"; }
	t="seed $seed"

	n=$(q "SELECT count(*) FROM findings WHERE kind = 'close'
	    AND class = '1009' AND sender = 'server'")
	check "$t: server 1009 closes ($n)" test "$n" -ge 20
	noise=$(q "SELECT count(*) FROM findings WHERE kind = 'close'
	    AND class = '1009' AND sender = 'server'
	    AND limit_basis = 'wire-or-inflated'")
	check "$t: refused messages larger on the wire ($noise)" \
	    test "$noise" -ge 1

	out=$(q "SELECT connection_id || ': ' || coalesce(limit_min, '-') ||
	    '..' || coalesce(limit_max, '-') FROM findings WHERE kind = 'close'
	    AND class = '1009' AND sender = 'server' AND NOT (limit_min <= 65536
	    AND limit_max >= 65536)")
	if [ -z "$out" ]; then ok; else
		bad "$t: bounds that leave out 65536: $(echo "$out" | head -5)"
	fi

	out=$(q "SELECT server || ': ' || max(limit_min) || ' > ' ||
	    min(limit_max) FROM findings WHERE kind = 'close' AND class = '1009'
	    AND sender = 'server' AND limit_min IS NOT NULL GROUP BY server
	    HAVING max(limit_min) > min(limit_max)")
	if [ -z "$out" ]; then ok; else
		bad "$t: servers whose connections contradict: $out"
	fi

	# The bounds are tight enough to mean something: most closes narrow
	# the limit with what other connections took.
	raised=$(q "SELECT count(*) FROM findings WHERE kind = 'close'
	    AND class = '1009' AND sender = 'server'
	    AND detail LIKE '%taken on another connection raise%'")
	check "$t: bounds raised by other connections ($raised of $n)" \
	    test "$raised" -ge $((n / 2))

	out=$(q "SELECT connection_id || ': ' || remedy FROM findings
	    WHERE kind = 'close' AND class = '1009' AND sender = 'server'
	    AND (remedy_limit IS NULL OR remedy_limit > 65536
	    OR remedy NOT LIKE 'keep messages to ' || remedy_limit || ' bytes%')")
	if [ -z "$out" ]; then ok; else
		bad "$t: remedies over the limit: $(echo "$out" | head -3)"
	fi

	# Fragmented, uncompressed refused messages: the first fragment whose
	# running size passes 65536 crossed the limit.
	q "WITH off AS (SELECT f.connection_id AS conn, f.offending_frame_index
	    AS idx, f.detail FROM findings f WHERE f.kind = 'close'
	    AND f.class = '1009' AND f.sender = 'server'),
	  fr AS (SELECT fr.connection_id AS conn, fr.frame_index AS idx,
	    fr.message_id AS msg, sum(fr.payload_length) OVER (PARTITION BY
	    fr.connection_id, fr.message_id ORDER BY fr.frame_index) AS cum
	    FROM frames fr JOIN off ON off.conn = fr.connection_id
	    WHERE fr.direction = 'client' AND fr.opcode IN (0, 1, 2)),
	  msg AS (SELECT off.conn, off.idx, off.detail, fr.msg FROM off
	    JOIN fr ON fr.conn = off.conn AND fr.idx = off.idx),
	  want AS (SELECT msg.conn, msg.idx, msg.detail, (SELECT count(*)
	    FROM fr WHERE fr.conn = msg.conn AND fr.msg = msg.msg) AS nfrag,
	    (SELECT min(fr.idx) FROM fr WHERE fr.conn = msg.conn
	    AND fr.msg = msg.msg AND fr.cum > 65536) AS crossed FROM msg
	    JOIN messages m ON m.connection_id = msg.conn
	    AND m.direction = 'client' AND m.message_id = msg.msg
	    AND NOT m.compressed)
	  SELECT conn, idx, crossed, detail FROM want WHERE nfrag > 1" \
	    >"$TMP/frag"
	nf=$(wc -l <"$TMP/frag")
	check "$t: fragmented refused messages ($nf)" test "$nf" -ge 3
	exact=0
	while IFS='|' read -r conn idx crossed detail; do
		case $detail in
		*"may have crossed it"*)
			range=${detail#*client frames }
			lo=${range%%-*}
			hi=${range#*-}
			hi=${hi%% *}
			if [ "$crossed" -ge "$lo" ] && [ "$crossed" -le "$hi" ]
			then ok; else
				bad "$t: conn $conn: crossed at $crossed, candidates $lo-$hi"
			fi ;;
		*)
			exact=$((exact + 1))
			if [ "$idx" = "$crossed" ]; then ok; else
				bad "$t: conn $conn: named frame $idx, crossed at $crossed"
			fi ;;
		esac
	done <"$TMP/frag"
	check "$t: fragments decided by the bounds ($exact of $nf)" \
	    test "$exact" -ge 1
	echo "$t: $n server 1009 closes, $noise larger on the wire," \
	    "$raised raised by other connections, $nf fragmented ($exact decided)"
done
finish

#!/bin/sh
# analyze --shard K/N: N runs hold every connection of one run once between
# them, each reading every packet; bad shards are one usage line.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3

q() { sqlite3 -batch "$1" "$2"; }
MANY=$(sample real-1009-many.pcap)

# What a connection and its findings are, whatever their ids. The bounds
# of a server's limit come from all its connections, so a shard's 1009
# bounds may be wider: they are left out here.
conns() {
	q "$1" "SELECT client, server, verdict, frames, bytes, close_client,
	    close_server, first_packet, last_packet, tcp_end, client_stack,
	    server_stack FROM connections"
}
finds() {
	q "$1" "SELECT c.client, f.class, f.code, f.sender, f.rule, f.packet,
	    f.offending_packet, f.offending_rule, f.time_text FROM findings f
	    JOIN connections c USING (connection_id)"
}

for set in many ring; do
	if [ "$set" = many ]; then
		in=$MANY
	else
		in=$SAMPLES/ring
	fi
	"$WSAUTOPSY" analyze -q -o "$TMP/$set.db" "$in"
	: >"$TMP/$set-conns"
	: >"$TMP/$set-finds"
	for k in 1 2 3 4; do
		"$WSAUTOPSY" analyze -q --shard "$k/4" -o "$TMP/$set-$k.db" "$in"
		eq "$set $k/4: exit 0" 0 $?
		eq "$set $k/4: every packet read, the shard recorded" \
		    "$(q "$TMP/$set.db" "SELECT packets, tcp_packets FROM
		    captures")|--shard $k/4" \
		    "$(q "$TMP/$set-$k.db" "SELECT packets, tcp_packets, options
		    FROM captures")"
		conns "$TMP/$set-$k.db" >>"$TMP/$set-conns"
		finds "$TMP/$set-$k.db" >>"$TMP/$set-finds"
	done
	eq "$set: the shards' connections are the run's, each once" \
	    "$(conns "$TMP/$set.db" | sort)" "$(sort "$TMP/$set-conns")"
	eq "$set: the shards' findings are the run's" \
	    "$(finds "$TMP/$set.db" | sort)" "$(sort "$TMP/$set-finds")"
done
check "many: more than one shard holds connections" test \
    "$(for k in 1 2 3 4; do q "$TMP/many-$k.db" "SELECT connections FROM
    captures"; done | grep -cv '^0$')" -gt 1

# --shard 1/1 is the whole run.
"$WSAUTOPSY" analyze -q --shard 1/1 -o "$TMP/one.db" "$MANY"
eq "1/1: every connection" "$(conns "$TMP/many.db" | sort)" \
    "$(conns "$TMP/one.db" | sort)"

for bad in 3/2 0/2 1/0 x 1/ /2 2/2x; do
	"$WSAUTOPSY" analyze -q --shard "$bad" -o "$TMP/bad.db" "$MANY" \
	    2>"$TMP/err"
	eq "--shard $bad: usage error" 1 $?
	eq "--shard $bad: one line" 1 "$(wc -l <"$TMP/err")"
	check "--shard $bad: says what a shard is" grep -q "K/N with 1 <= K <= N" \
	    "$TMP/err"
	check "--shard $bad: no database" test ! -e "$TMP/bad.db"
done

finish

#!/bin/sh
# Nanosecond timestamps keep all nine digits: the times analyze stores
# (frames, findings, connections) and the times streams prints equal
# tshark's frame.time_epoch of the same packets, digit for digit, for a
# nanosecond pcap and a pcapng with nanosecond resolution, from a file
# and from standard input.
. "${top_srcdir}/tests/e2e/lib.sh"
need tshark
need sqlite3

# rows FILE: "packet time" lines to look up in the tshark table.
lookup() {
	awk 'NR == FNR { t[$1] = $2; next }
	    { n++; if (t[$1] != $2) { bad++; print "packet " $1 ": ours " $2 \
	    ", tshark " t[$1] > "/dev/stderr" } }
	    END { print n + 0, bad + 0 }' "$TMP/tshark" "$1"
}

for cap in "$SAMPLES/real/real-ns.pcap" "$SAMPLES/real/real-pcapng.pcapng"; do
	name=$(basename "$cap")
	tshark -r "$cap" -T fields -e frame.number -e frame.time_epoch \
	    2>/dev/null >"$TMP/tshark"
	# The sample must really hold sub-microsecond digits to prove much.
	check "$name: tshark shows sub-microsecond digits" \
		grep -Eq '\.[0-9]{6}([1-9][0-9][0-9]|0[1-9][0-9]|00[1-9])$' \
		"$TMP/tshark"
	rm -f "$TMP/db"
	"$WSAUTOPSY" analyze -q -o "$TMP/db" "$cap"
	sqlite3 -separator ' ' "$TMP/db" "
	    SELECT packet, time_text FROM frames;
	    SELECT packet, time_text FROM findings WHERE packet > 0;
	    SELECT first_packet, printf('%d.%09d', first_sec, first_nsec)
	      FROM connection_t;
	    SELECT last_packet, printf('%d.%09d', last_sec, last_nsec)
	      FROM connection_t;" >"$TMP/ours"
	set -- $(lookup "$TMP/ours")
	echo "$name: $1 stored times compared"
	check "$name: stored times compared" test "$1" -gt 4
	check "$name: every stored time equals tshark's" test "$2" -eq 0
	# streams prints each connection's first and last packet's time.
	sqlite3 -separator ' ' "$TMP/db" "SELECT first_packet, last_packet
	    FROM connection_t ORDER BY conn_no" >"$TMP/pk"
	"$WSAUTOPSY" streams "$cap" >"$TMP/st"
	"$WSAUTOPSY" streams - <"$cap" >"$TMP/stdin"
	for out in st stdin; do
		awk 'NR > 1 && !/^#/ { print $4; print $5 }' "$TMP/$out" \
		    >"$TMP/times"
		awk '{ print $1; print $2 }' "$TMP/pk" | paste -d ' ' - \
		    "$TMP/times" >"$TMP/rows"
		set -- $(lookup "$TMP/rows")
		check "$name: streams ($out) prints times" test "$1" -ge 2
		check "$name: streams ($out) times equal tshark's" \
			test "$2" -eq 0
	done
done
finish

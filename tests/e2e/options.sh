#!/bin/sh
# What changes the findings is recorded with the capture: a BPF filter and
# the options that change what is found. The same bytes analysed with other
# options are another capture (re-analysing without the filter does not
# replace the filtered run); with the same options, a run replaces the
# earlier one. With a filter, the summary counts the packets it took, as
# tcpdump does, of those the file holds.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need tcpdump

F=$(sample real-1009-many.pcap)
DB=$TMP/o.db
q() { sqlite3 -batch "$DB" "$1"; }

# The port of one client, from tcpdump's own view of the capture.
port=$(tcpdump -nr "$F" 'tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack = 0' 2>/dev/null |
    awk 'NR == 1 { n = split($3, a, "."); print a[n] }')
check "a client port ($port)" test -n "$port"
took=$(tcpdump -nr "$F" "tcp port $port" 2>/dev/null | wc -l | tr -d ' ')
all=$(tcpdump -nr "$F" 2>/dev/null | wc -l | tr -d ' ')

out=$("$WSAUTOPSY" analyze -o "$DB" -f "tcp port $port" "$F")
check "analyze -f" test $? -eq 0
case $out in
*": $took of $all packets matched the filter, 1 TCP connection,"*) ok ;;
*) bad "summary with a filter: '$out', expected $took of $all packets" ;;
esac
eq "captures: the filter, the packets read and taken" \
    "-f 'tcp port $port'|$all|$took|1" \
    "$(q "SELECT options || '|' || packets || '|' || packets_matched || '|' ||
    connections FROM captures")"

out=$("$WSAUTOPSY" analyze -o "$DB" "$F")
case $out in
*": $all packets, 24 TCP connections,"*) ok ;;
*) bad "summary without a filter: '$out'" ;;
esac
eq "without the filter: a second capture, the filtered one kept" \
    "|$all|24
-f 'tcp port $port'|$took|1" \
    "$(q "SELECT coalesce(options, '') || '|' || packets_matched || '|' ||
    connections FROM captures ORDER BY connections DESC")"

"$WSAUTOPSY" analyze -q -o "$DB" --strict --max-message 65536 "$F"
"$WSAUTOPSY" analyze -q -o "$DB" -f "tcp port $port" "$F"
eq "same options again: replaced; other options: one more" \
    "-
--max-message 65536 --strict
-f 'tcp port $port'" \
    "$(q "SELECT coalesce(options, '-') FROM captures ORDER BY capture_id")"
finish

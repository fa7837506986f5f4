#!/bin/sh
# On a terminal analyze shows a progress line (bytes of total, packets,
# connections, findings, rate, time left), and clears it before the
# summary; with stderr not a terminal it shows none.
. "${top_srcdir}/tests/e2e/lib.sh"
command -v script >/dev/null 2>&1 || { echo "SKIP: script not installed"; exit 77; }
GEN=$top_builddir/bench/make-capture

# Progress is drawn every 65,536 packets: enough of them.
"$GEN" -s 7 -o "$TMP/c.pcap" 120M 2>/dev/null
# script(1) gives the command a terminal and records what it wrote.
script -q -e -c "'$WSAUTOPSY' analyze -o '$TMP/c.db' '$TMP/c.pcap'" \
	"$TMP/tty.log" >/dev/null 2>&1
check "analyze on a terminal: exit 0" test $? -eq 0
tr '\r' '\n' <"$TMP/tty.log" >"$TMP/lines"
check "progress: percent, MB of total, packets, connections, findings, rate, time left" \
	grep -Eq '^ *[0-9.]+%  [0-9]+/[0-9]+ MB  [0-9]+ packets  [0-9]+ connections  [0-9]+ findings  [0-9]+ MB/s  [0-9]+s left' \
	"$TMP/lines"
check "summary after the progress line" \
	grep -q "c.pcap: .* packets, .* TCP connections" "$TMP/lines"

"$WSAUTOPSY" analyze -o "$TMP/d.db" "$TMP/c.pcap" >"$TMP/out" 2>"$TMP/err"
check "no terminal: no progress line" test ! -s "$TMP/err"
# The summary counts findings per class, and they add up to the total.
line=$(cat "$TMP/out")
total=$(echo "$line" | sed -n 's/.* \([0-9]*\) findings (.*/\1/p')
parts=$(echo "$line" | sed -n 's/.* findings (\([^)]*\)) in .*/\1/p')
check "summary: findings per class ($parts)" test -n "$parts"
check "summary: 1009 among them" sh -c "echo '$parts' | grep -Eq '(^|, )1009 [1-9]'"
sum=$(echo "$parts" | tr ',' '\n' | awk '{ n += $2 } END { print n + 0 }')
check "summary: classes add up to $total" test "$sum" = "$total"
finish

#!/bin/sh
# Memory stays flat whatever the capture's size: analyze (into a database)
# and streams on a 256 MiB and a 768 MiB generated capture peak within a few
# MiB of each other. The bound is the point of the test, so it runs without
# the sanitizers, whose shadow memory and quarantine grow with the work done.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
MC=${top_builddir}/bench/make-capture
[ -x "$MC" ] || { echo "SKIP: $MC not built"; exit 77; }
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time not installed"; exit 77; }
if grep -q __asan_init "$WSAUTOPSY" 2>/dev/null; then
	echo "SKIP: peak RSS under AddressSanitizer says nothing about the bound"
	exit 77
fi

# peak CMD...: runs it, prints its peak RSS in KiB.
peak() {
	/usr/bin/time -f '%M' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/err" ||
	    { bad "$* failed: $(head -c 300 "$TMP/err")"; echo 0; return; }
	tail -n 1 "$TMP/time"
}

for size in 256M 768M; do
	"$MC" -s 5 -o "$TMP/c.pcap" "$size" 2>"$TMP/$size.sum"
	check "make-capture $size" test $? -eq 0
	eval "a_$size=\$(peak \"\$WSAUTOPSY\" analyze -q -o \"\$TMP/\$size.db\" \
	    \"\$TMP/c.pcap\")"
	eval "s_$size=\$(peak \"\$WSAUTOPSY\" streams \"\$TMP/c.pcap\")"
	frames=$(sed -n 's/^frames //p' "$TMP/$size.sum")
	check "$size: every frame stored ($frames)" test "$(sqlite3 -batch \
	    "$TMP/$size.db" 'SELECT count(*) FROM frames')" = "$frames"
	rm -f "$TMP/c.pcap" "$TMP/$size.db" "$TMP/$size.db-wal"
done
echo "analyze peak RSS: 256M $a_256M KiB, 768M $a_768M KiB"
echo "streams peak RSS: 256M $s_256M KiB, 768M $s_768M KiB"
# Three times the bytes, at most 8 MiB more.
check "analyze: flat (256M $a_256M KiB, 768M $a_768M KiB)" \
	test "$a_768M" -gt 0 -a "$a_768M" -le $((a_256M + 8192))
check "streams: flat (256M $s_256M KiB, 768M $s_768M KiB)" \
	test "$s_768M" -gt 0 -a "$s_768M" -le $((s_256M + 8192))
# And within the figure RESOURCES in wsautopsy(1) states for 1 GiB.
check "analyze: under 160 MiB ($a_768M KiB)" test "$a_768M" -lt 163840
finish

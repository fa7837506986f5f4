#!/bin/sh
# One end-to-end analysis under valgrind memcheck: no leak, no invalid read.
. "${top_srcdir}/tests/e2e/lib.sh"
need valgrind

# Sanitizer builds cannot run under valgrind; they check the same things.
if nm "$WSAUTOPSY" 2>/dev/null | grep -q __asan_init; then
	echo "SKIP: AddressSanitizer build"
	exit 77
fi
for cap in real-node-fragments.pcap viol-python-bomb.pcap real-gap.pcap; do
	valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
	    --show-leak-kinds=definite,indirect,possible -q \
	    "$WSAUTOPSY" analyze -q --max-message 1M -o "$TMP/v.db" \
	    "$(sample "$cap")" 2>"$TMP/vg.log"
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q '==[0-9]*==' "$TMP/vg.log"; then
		ok
	else
		bad "$cap: valgrind exit $rc"
		cat "$TMP/vg.log" >&2
	fi
	rm -f "$TMP/v.db"
done
valgrind --error-exitcode=99 --leak-check=full -q "$WSAUTOPSY" report \
	"$TMP/none.db" >/dev/null 2>"$TMP/vg.log"
check "report on a missing database: clean exit 2 under valgrind" \
	test $? -eq 2
finish

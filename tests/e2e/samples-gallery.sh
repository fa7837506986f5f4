#!/bin/sh
# samples/README.md says, for every sample, what wsautopsy says about it;
# the table must match what the program says now.
. "${top_srcdir}/tests/e2e/lib.sh"
need python3

python3 "$top_srcdir/samples/gallery.py" "$WSAUTOPSY" "$SAMPLES" \
	"$TMP/README.md"
if diff -u "$SAMPLES/README.md" "$TMP/README.md" >"$TMP/diff"; then
	ok
else
	bad "samples/README.md is out of date (samples/gallery.py rewrites it):"
	cat "$TMP/diff" >&2
fi
finish

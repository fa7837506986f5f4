#!/bin/sh
# Every sample's expected findings (samples/*.truth: close code, sender,
# offending frame, rule, abnormal ends, handshake failures) are in the
# database `wsautopsy analyze --strict` writes.
. "${top_srcdir}/tests/e2e/lib.sh"
need python3

for truth in "$SAMPLES"/*.truth; do
	base=${truth%.truth}
	cap=
	for ext in pcap pcapng; do
		[ -f "$base.$ext" ] && cap=$base.$ext
	done
	[ -n "$cap" ] || { bad "$truth: no capture beside it"; continue; }
	name=$(basename "$cap")
	"$WSAUTOPSY" analyze -q --strict -o "$TMP/s.db" "$cap" 2>"$TMP/err" ||
		{ bad "$name: analyze failed: $(cat "$TMP/err")"; continue; }
	if python3 "$top_srcdir/tests/e2e/check-truth.py" "$TMP/s.db" "$name" \
	    "$truth" >"$TMP/out" 2>&1; then
		ok
	else
		bad "$name: findings differ from $(basename "$truth")"
		cat "$TMP/out" >&2
	fi
done
finish

#!/bin/sh
# Every TLS sample's truth (samples/tls/*.truth, tshark's decryption) is
# what `wsautopsy analyze --strict --keylog NAME.keys` writes:
#  - each connection with its TLS version, cipher suite and SNI from the
#    clear handshake, decrypted when tshark decrypted it and only then, a
#    capture-class finding when its keys do not fit, the verdict of its
#    closes, and no connection more (tests/e2e/tls-check.py connections);
#  - the findings of the decrypted WebSocket connections (closes,
#    offending frames with their first packet, abnormal ends), and nothing
#    else, through the plain samples' checker (tests/e2e/check-truth.py).
#    Captures with a connection whose keys do not fit or whose handshake is
#    missing also hold a capture-class finding at a packet tshark does not
#    name: their findings are checked by the connection check only.
. "${top_srcdir}/tests/e2e/lib.sh"
need python3

n=0
for truth in "$SAMPLES"/tls/*.truth; do
	name=$(basename "$truth" .truth)
	cap=$(capture_of "$truth")
	n=$((n + 1))
	rm -f "$TMP/t.db"
	# shellcheck disable=SC2046
	if ! "$WSAUTOPSY" analyze -q --strict -o "$TMP/t.db" \
	    $(tls_keylog "$name") "$cap" \
	    2>"$TMP/err"; then
		bad "$name: analyze failed: $(head -3 "$TMP/err")"
		continue
	fi
	if python3 "$top_srcdir/tests/e2e/tls-check.py" connections \
	    "$TMP/t.db" "$(basename "$cap")" "$truth" >"$TMP/out" 2>&1; then
		ok
	else
		bad "$name: connections differ from $name.truth"
		cat "$TMP/out" >&2
	fi
	grep -q '	\(failed\|nohandshake\)$' "$truth" && continue
	grep -E '^(#|close|offending|abnormal|unanswered)' "$truth" \
	    >"$TMP/$name.truth"
	if python3 "$top_srcdir/tests/e2e/check-truth.py" "$TMP/t.db" \
	    "$(basename "$cap")" "$TMP/$name.truth" >"$TMP/out" 2>&1; then
		ok
	else
		bad "$name: findings differ from $name.truth"
		cat "$TMP/out" >&2
	fi
done
check "all TLS samples compared ($n)" test "$n" -ge 17
finish

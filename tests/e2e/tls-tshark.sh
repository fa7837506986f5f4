#!/bin/sh
# The TLS samples' ground truth is tshark's, and so are wsautopsy's frames.
# For each capture of samples/tls:
#  - samples/tls/tls-truth.py, reading it through tshark with its key log
#    (tls.keylog_file; the DSB sample's own secrets block), writes its
#    committed .truth again, the comment line aside;
#  - `wsautopsy analyze --keylog NAME.keys` finds every WebSocket frame
#    tshark decrypted and decoded, field for field, and no other
#    (tests/e2e/tls-check.py frames);
#  - `wsautopsy streams --keylog NAME.keys --dump DIR` writes each
#    direction's decrypted bytes, whose length and SHA-256 are the ones
#    tshark's follow,tls,raw gives.
. "${top_srcdir}/tests/e2e/lib.sh"
need tshark
need python3

# tls_opts NAME: the tls-truth.py options record-tls.sh gives it.
tls_opts() {
	case $1 in
	tls-ws-1009) echo --offending client message-too-big ;;
	tls-ws-1002) echo --offending client reserved-opcode ;;
	tls-ws-dsb) echo --no-keylog ;;
	tls-ws-midstream) echo --server-port 18420 ;;
	esac
}

n=0
for truth in "$SAMPLES"/tls/*.truth; do
	name=$(basename "$truth" .truth)
	cap=$(capture_of "$truth")
	n=$((n + 1))
	# shellcheck disable=SC2046
	python3 "$SAMPLES/tls/tls-truth.py" "$cap" "$SAMPLES/tls/$name.keys" \
	    comment $(tls_opts "$name") 2>"$TMP/err" | grep -v '^#' >"$TMP/got"
	grep -v '^#' "$truth" >"$TMP/want"
	if [ -s "$TMP/got" ] && diff -u "$TMP/want" "$TMP/got" >&2; then ok; else
		bad "$name: tls-truth.py from tshark differs from $name.truth"
		cat "$TMP/err" >&2
	fi

	rm -f "$TMP/t.db"
	# shellcheck disable=SC2046
	if ! "$WSAUTOPSY" analyze -q -o "$TMP/t.db" $(tls_keylog "$name") "$cap" \
	    2>"$TMP/err"; then
		bad "$name: analyze failed: $(head -3 "$TMP/err")"
		continue
	fi
	if python3 "$top_srcdir/tests/e2e/tls-check.py" frames "$TMP/t.db" \
	    "$(basename "$cap")" "$truth" >"$TMP/out" 2>&1; then ok; else
		bad "$name: wsautopsy's frames are not tshark's"
		grep -v '^ok' "$TMP/out" >&2
	fi

	# Decrypted bytes, direction by direction.
	grep '^bytes' "$truth" >"$TMP/bytes" || continue
	keys=
	[ "$name" = tls-ws-dsb ] || keys=$SAMPLES/tls/$name.keys
	rm -rf "$TMP/dump"
	mkdir "$TMP/dump"
	# shellcheck disable=SC2046
	# (The DSB sample's keys are its own: streams reads them given any
	# --keylog, here an empty one.)
	if ! "$WSAUTOPSY" streams --keylog "${keys:-/dev/null}" --dump "$TMP/dump" "$cap" \
	    >/dev/null 2>"$TMP/err"; then
		bad "$name: streams --keylog --dump failed: $(head -3 "$TMP/err")"
		continue
	fi
	while IFS="	" read -r _ client who len sha; do
		cport=${client##*:}
		if [ "$who" = client ]; then
			f=$(ls "$TMP/dump" | grep "\.0*$cport-" | head -1)
		else
			f=$(ls "$TMP/dump" | grep -- "-.*\.0*$cport\$" | head -1)
		fi
		if [ -z "$f" ]; then
			bad "$name: no dump of the $who bytes of $client"
			continue
		fi
		eq "$name $client $who: decrypted bytes" "$len $sha" \
		    "$(wc -c <"$TMP/dump/$f" | tr -d ' ') $(sha256sum <"$TMP/dump/$f" | cut -d' ' -f1)"
	done <"$TMP/bytes"
done
check "all TLS samples compared ($n)" test "$n" -ge 17
finish

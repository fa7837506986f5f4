#!/bin/sh
# The real samples' ground truth is tshark's: samples/real/real-truth.py,
# reading each capture through tshark, writes every .truth line that is
# committed (the comment line aside), with the options record-real.sh
# gives it.
. "${top_srcdir}/tests/e2e/lib.sh"
need tshark
need python3

n=0
for f in "$SAMPLES"/real/real-*.truth; do
	name=$(basename "$f" .truth)
	cap=$SAMPLES/real/$name.pcap
	[ -f "$cap" ] || cap=$SAMPLES/real/$name.pcapng
	case $name in
	real-1009-python|real-1009-node)
		set -- --offending client message-too-big ;;
	real-1009-fragments|real-1009-many)
		set -- --offending client message-too-big --limit 65536 ;;
	real-refused)
		set -- --handshake server handshake-refused ;;
	real-midstream)
		set -- --no-handshake 18007 ;;
	*)
		set -- ;;
	esac
	python3 "$SAMPLES/real/real-truth.py" "$cap" comment "$@" |
	    grep -v '^#' >"$TMP/got" 2>"$TMP/err"
	grep -v '^#' "$f" >"$TMP/want"
	if diff -u "$TMP/want" "$TMP/got" >&2; then ok; else
		bad "$name: real-truth.py from tshark differs from $name.truth"
	fi
	n=$((n + 1))
done
check "all real samples compared ($n)" test "$n" -ge 20
finish

#!/bin/sh
# Every sample's expected findings (samples/*/*.truth: close code, sender,
# offending frame, rule, abnormal ends, handshake failures) are in the
# database `wsautopsy analyze --strict` writes, and nothing else is.
. "${top_srcdir}/tests/e2e/lib.sh"
need python3

for truth in "$SAMPLES"/*/*.truth; do
	# The ring's truth numbers the packets of its files merged into one
	# (mergecap): tests/e2e/capture-set.sh checks it against the set.
	[ "$truth" = "$SAMPLES/ring/ring.truth" ] && continue
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

# The check is strict: a truth that leaves out a finding, names another
# rule for an offending frame, or mistakes an unanswered close for an
# abrupt end must fail it.
# strict_fails NAME DESCRIPTION SED-EXPRESSION
strict_fails() {
	sed "$3" "$(sample "$1.truth")" >"$TMP/$1.truth"
	"$WSAUTOPSY" analyze -q --strict -o "$TMP/n.db" "$(sample "$1.pcap")" \
	    2>/dev/null || { bad "$1: analyze failed"; return; }
	if python3 "$top_srcdir/tests/e2e/check-truth.py" "$TMP/n.db" \
	    "$1.pcap" "$TMP/$1.truth" >"$TMP/out" 2>&1; then
		bad "$1: a truth with $2 passed"
	else
		ok
	fi
	rm -f "$TMP/n.db"
}
strict_fails real-gap "no capture-gap line" '/capture-gap/d'
strict_fails viol-node-length-msb-set "message-too-big for length-msb-set" \
    's/^offending\tclient\tlength-msb-set/offending\tclient\tmessage-too-big/'
strict_fails real-1009-python "abrupt-reset for close-unanswered" \
    's/^unanswered\tclient/abnormal\tclient/'
strict_fails viol-node-invalid-close-code "no code for a 1005 sent" \
    's/^close\tclient\t1005/close\tclient\t-/'
finish

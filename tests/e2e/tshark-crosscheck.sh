#!/bin/sh
# For every sample, the frames tshark decodes (packet, FIN, RSV, opcode,
# MASK, payload length, close code) equal wsautopsy's, frame for frame.
. "${top_srcdir}/tests/e2e/lib.sh"
need tshark
need python3

total=0
for cap in "$SAMPLES"/*.pcap "$SAMPLES"/*.pcapng; do
	[ -f "$cap" ] || continue
	if python3 "$top_srcdir/tests/e2e/tshark-frames.py" \
	    "$TOOLS/wsa-events" "$cap" >"$TMP/out" 2>&1; then
		ok
	else
		bad "$(basename "$cap"): frames differ from tshark's"
		cat "$TMP/out" >&2
	fi
	tail -n 1 "$TMP/out"
	n=$(tail -n 1 "$TMP/out" | sed -n 's/.*: \([0-9]*\) frames compared.*/\1/p')
	total=$((total + ${n:-0}))
done
echo "frames compared in all: $total"
check "tshark decoded frames to compare" test "$total" -gt 0
finish

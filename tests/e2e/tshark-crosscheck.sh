#!/bin/sh
# For every sample, the frames tshark decodes (packet, FIN, RSV, opcode,
# MASK, payload length, close code) equal wsautopsy's, frame for frame.
# Frames of wsautopsy's that tshark does not show are listed with the
# reason, and their number per sample is fixed here: a frame skipped that
# this table does not expect fails the test. The TLS samples, which tshark
# decodes only with their key logs, are tls-tshark.sh's.
. "${top_srcdir}/tests/e2e/lib.sh"
need tshark
need python3

# SAMPLE SKIPPED: frames tshark cannot show, and why.
expected_skips() {
	case $1 in
	# The client's 2 MiB text frame never finished: the client was stuck
	# on a zero window when the capture ended.
	real-1009-python.pcap) echo 1 ;;
	# The same in the file of samples/ring that holds that connection's
	# frames (its handshake is in the file before).
	ring_184639.pcap) echo 1 ;;
	*) echo 0 ;;
	esac
}

total=0
skipped=0
for cap in "$SAMPLES"/real/*.pcap "$SAMPLES"/real/*.pcapng \
    "$SAMPLES"/viol/*.pcap "$SAMPLES"/viol/*.pcapng; do
	[ -f "$cap" ] || continue
	name=$(basename "$cap")
	if python3 "$top_srcdir/tests/e2e/tshark-frames.py" \
	    "$TOOLS/wsa-events" "$WSAUTOPSY" "$cap" >"$TMP/out" 2>&1; then
		ok
	else
		bad "$name: frames differ from tshark's"
		cat "$TMP/out" >&2
	fi
	grep ': skipped: ' "$TMP/out"
	tail -n 1 "$TMP/out"
	n=$(tail -n 1 "$TMP/out" | sed -n 's/.*: \([0-9]*\) frames compared.*/\1/p')
	s=$(tail -n 1 "$TMP/out" | sed -n 's/.*, \([0-9]*\) skipped)$/\1/p')
	check "$name: $(expected_skips "$name") frames skipped, not ${s:-?}" \
		test "${s:-x}" = "$(expected_skips "$name")"
	total=$((total + ${n:-0}))
	skipped=$((skipped + ${s:-0}))
done
echo "frames compared in all: $total; skipped (tshark cannot show them): $skipped"
check "tshark decoded frames to compare" test "$total" -gt 0
finish

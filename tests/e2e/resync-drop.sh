#!/bin/sh
# One lost segment: after it, the frames decoded are those of the whole
# capture, no fewer and none made up of payload bytes, and the real close
# frames are kept. real-large's frames are megabytes of random bytes, in
# which plausible-looking headers abound: packets 8, 153 and 278 carry a
# frame header (resynchronisation through 4, 3 and 2 MB of payload), the
# others only payload (the framing survives the gap).
. "${top_srcdir}/tests/e2e/lib.sh"
need python3

for d in 8 9 100 141 153 200 262 278 300 346; do
	"$TOOLS/pcap-mangle" "$SAMPLES/real/real-large.pcap" "$TMP/d.pcap" drop $d \
		2>/dev/null
	if python3 "$top_srcdir/tests/e2e/frames-after.py" "$TOOLS/wsa-events" \
	    "$SAMPLES/real/real-large.pcap" "$TMP/d.pcap" $d >"$TMP/out" 2>&1; then
		ok
	else
		bad "packet $d dropped: the frames after it differ"
	fi
	cat "$TMP/out"
	"$TOOLS/wsa-events" "$TMP/d.pcap" >"$TMP/ev"
	check "packet $d dropped: both sides' close frames (1000) are kept" \
		test "$(awk -F '\t' '$1 == "F" && $7 == 8 && $10 == 1000' \
		    "$TMP/ev" | wc -l)" -eq 4
done
finish

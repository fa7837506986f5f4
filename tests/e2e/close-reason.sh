#!/bin/sh
# A close frame's reason is stored as sent: frames.close_reason_raw holds
# the bytes after the code, whole for a close frame over 125 bytes (a
# control-frame-too-long violation) up to the payload cap, checked against
# tshark's websocket.payload on real captures (a raw client's 200-byte
# reason to Node ws and python-websockets, and every other close sample).
. "${top_srcdir}/tests/e2e/lib.sh"
need tshark
need sqlite3
need python3

# same CAPTURE [ANALYZE-OPTIONS] [KEEP]: every close frame's code and
# reason as stored equal tshark's unmasked payload, the reason cut at KEEP
# bytes of payload (default: none).
same() {
	cap=$1 keep=${3:-0}
	rm -f "$TMP/c.db"
	# shellcheck disable=SC2086
	"$WSAUTOPSY" analyze -q ${2:-} -o "$TMP/c.db" "$cap" 2>"$TMP/err" ||
	    { bad "$(basename "$cap"): analyze failed: $(cat "$TMP/err")"; return; }
	tshark -r "$cap" -Y 'websocket.opcode == 8' -T json -x \
	    --no-duplicate-keys -J "frame websocket" >"$TMP/c.json" 2>/dev/null
	if python3 - "$TMP/c.db" "$TMP/c.json" "$keep" <<'PY'; then ok; else bad "$(basename "$cap") ${2:-}: the stored reasons are not the bytes sent"; fi
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
keep = int(sys.argv[3])
def walk(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "websocket.payload_raw":
                out.append(bytes.fromhex(v[0] if isinstance(v[0], str) else v[0][0]))
            else:
                walk(v, out)
    elif isinstance(node, list):
        for n in node:
            walk(n, out)
want = []
for pkt in json.load(open(sys.argv[2])):
    layers = pkt["_source"]["layers"]
    num = int(layers["frame"]["frame.number"])
    ws = layers.get("websocket")
    for w in ws if isinstance(ws, list) else [ws]:
        if w.get("websocket.opcode") != "8":
            continue
        pls = []
        walk(w, pls)
        want += [(num, p) for p in pls]
got = db.execute("SELECT packet, close_code, close_reason_raw FROM frames"
                 " WHERE opcode = 8 ORDER BY packet, offset").fetchall()
assert len(want) == len(got) > 0, (want, got)
for (num, pl), (pkt, code, raw) in zip(want, got):
    assert num == pkt, (num, pkt)
    if len(pl) < 2:
        assert code is None and raw is None, (pkt, code, raw)
        continue
    reason = pl[2:keep] if keep else pl[2:]
    assert code == pl[0] << 8 | pl[1], (pkt, code)
    assert raw == reason, (pkt, len(raw), len(reason), raw, reason)
    print("packet %d: code %d, %d reason bytes as sent" % (pkt, code, len(raw)))
PY
}

for impl in node python; do
	cap=$(sample "viol-$impl-close-reason-too-long.pcap")
	same "$cap"
	check "$impl: the 200 bytes, none cut" test "$(sqlite3 "$TMP/c.db" \
	    "SELECT length(close_reason_raw) FROM frames WHERE opcode = 8 AND
	    direction = 'client'")" = 200
	check "$impl: the display text whole too" test "$(sqlite3 "$TMP/c.db" \
	    "SELECT length(close_reason) FROM frames WHERE opcode = 8 AND
	    direction = 'client'")" = 200
	check "$impl: the violation named" test "$(sqlite3 "$TMP/c.db" \
	    "SELECT count(*) FROM findings WHERE rule = 'control-frame-too-long'
	    AND sender = 'client'")" = 1
	# The payload cap bounds it; a valid close frame's 125 bytes always fit.
	same "$cap" "--payload-cap 150" 150
	same "$cap" "--payload-cap 16" 125
done
for cap in "$SAMPLES"/viol/viol-*close*.pcap "$(sample real-1009-python.pcap)"; do
	same "$cap"
done

finish

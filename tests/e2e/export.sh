#!/bin/sh
# wsautopsy export, on real bytes:
#  - on real samples of several stacks (python websockets, Node ws, both
#    ways; permessage-deflate; binary; fragments; several connections; IPv6;
#    a capture started mid-stream; capture loss; TLS with its key log), the HAR is valid HAR 1.2 for har-validator
#    (Debian's node-har-validator), and python's json reads it back with
#    every message of `messages --format jsonl` in it, in the same order,
#    with the same direction, time, opcode and bytes (base64 decoded); the
#    --dir files hold the same bytes under names that follow the rule
#    (tests/e2e/export-check.py);
#  - payloads are whole, read again from the capture (equal to
#    `messages --full`); with --stored, a message the database holds only
#    the start of is marked in the HAR, said on stderr and listed in
#    OUT/TRUNCATED;
#  - hostile payloads (quotes, backslashes, control bytes, invalid UTF-8,
#    NUL, </script>) round-trip exactly;
#  - errors: one line naming what is wrong, the documented status, nothing
#    left behind;
#  - README's HAR example prints what the README shows.
# Headless Chromium cannot be the consumer here: DevTools imports a HAR
# only through its Network panel (drag and drop, or the Import button);
# neither a command-line switch nor the DevTools protocol loads one.
. "${top_srcdir}/tests/e2e/lib.sh"
need python3
need sqlite3
CHECK=$top_srcdir/tests/e2e/export-check.py

if command -v node >/dev/null 2>&1 &&
    NODE_PATH=/usr/share/nodejs node -e "require('har-validator')" \
    2>/dev/null; then
	validator=1
	cat >"$TMP/validate.js" <<'EOF'
const har = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
require('har-validator').har(har).then(() => process.exit(0), (e) => {
	console.error(JSON.stringify(e.errors || e.message));
	process.exit(1);
});
EOF
else
	validator=0
	echo "har-validator not installed (./quickstart check installs" \
	    "node-har-validator): HAR validation skipped"
fi
valid() { NODE_PATH=/usr/share/nodejs node "$TMP/validate.js" "$1"; }

# The validator is live: a HAR missing a field it requires is refused.
if [ "$validator" = 1 ]; then
	printf '{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"time":0}]}}' \
	    >"$TMP/broken.har"
	if valid "$TMP/broken.har" 2>/dev/null; then
		bad "har-validator accepts an entry without request"
	else ok; fi
fi

# 1. Samples: each exported whole (HAR and --dir), checked against messages.
n=0
for name in real-1009-python real-node-deflate real-python-deflate \
    real-node-python real-python-node real-node-fragments real-1009-many \
    real-ipv6 real-large real-midstream real-gap tls-ws-1009 tls-ws-1002; do
	cap=$(sample "$name.pcap")
	[ -f "$cap" ] || { bad "$name: no sample"; continue; }
	key=""
	case $name in tls-*) key=$(tls_keylog "$name") ;; esac
	# shellcheck disable=SC2086
	"$WSAUTOPSY" analyze -q $key -o "$TMP/$name.db" "$cap" >/dev/null 2>&1
	db=$TMP/$name.db
	"$WSAUTOPSY" export --har "$TMP/$name.har" "$db" &&
	    "$WSAUTOPSY" export --dir "$TMP/$name.d" "$db" 2>"$TMP/$name.err"
	check "$name: export" test $? -eq 0
	ids=$(sqlite3 "$db" "SELECT group_concat(connection_id) FROM
	    connections WHERE websocket = 1")
	"$WSAUTOPSY" messages -f jsonl --full -i "$ids" "$db" >"$TMP/$name.jsonl"
	if python3 "$CHECK" "$TMP/$name.har" "$TMP/$name.jsonl" \
	    "$TMP/$name.d" >"$TMP/out"; then ok; else
		bad "$name: the export differs from messages"
		cat "$TMP/out" >&2
	fi
	tail -n 1 "$TMP/out"
	if [ "$validator" = 1 ]; then
		check "$name: har-validator accepts the HAR" valid "$TMP/$name.har"
	fi
	n=$((n + 1))
done
eq "samples exported" 13 "$n"

# A refused handshake (403) is no WebSocket: exported when named, with its
# status and no message.
"$WSAUTOPSY" analyze -q -o "$TMP/refused.db" "$(sample real-refused.pcap)"
err_refused=$("$WSAUTOPSY" export --har "$TMP/refused.har" "$TMP/refused.db" 2>&1)
eq "real-refused: no WebSocket connection to export by default" \
    "wsautopsy: $TMP/refused.db: no WebSocket connection" "$err_refused"
"$WSAUTOPSY" export -i 1 --har "$TMP/refused.har" "$TMP/refused.db"
eq "real-refused -i 1: status and messages" "403 0" "$(python3 -c 'import json,sys
e = json.load(open(sys.argv[1]))["log"]["entries"][0]
print(e["response"]["status"], len(e["_webSocketMessages"]))' "$TMP/refused.har")"
if [ "$validator" = 1 ]; then
	check "real-refused: har-validator accepts the HAR" valid "$TMP/refused.har"
fi

# What the samples hold: binary messages, several connections, TLS as wss.
python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["log"]["entries"]
sys.exit(0 if any(m["opcode"] == 2 for x in e for m in x["_webSocketMessages"]) else 1)
' "$TMP/real-node-deflate.har"
check "real-node-deflate: binary messages, in base64" test $? -eq 0
eq "real-1009-many: an entry per WebSocket connection" \
    "$(sqlite3 "$TMP/real-1009-many.db" "SELECT count(*) FROM connections WHERE websocket = 1")" \
    "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["log"]["entries"]))' "$TMP/real-1009-many.har")"
check "real-1009-many: a subdirectory per connection" \
    test -d "$TMP/real-1009-many.d/connection-2"
grep -q '"url":"wss://' "$TMP/tls-ws-1009.har"
check "tls-ws-1009: a wss:// URL" test $? -eq 0
grep -q '"url":"ws://' "$TMP/real-node-python.har"
check "real-node-python: a ws:// URL" test $? -eq 0

# The verdict travels: _wsautopsyFindings are the findings view's rows.
python3 -c '
import json, sqlite3, sys
e = json.load(open(sys.argv[1]))["log"]["entries"][0]
db = sqlite3.connect(sys.argv[2])
want = db.execute("SELECT class, code, sender, packet, offending_packet, "
    "offending_rule FROM findings WHERE connection_id = ? ORDER BY "
    "finding_id", (e["_wsautopsyConnection"]["connection_id"],)).fetchall()
got = [(f["class"], f["code"], f["sender"], f["packet"],
    f["offending_packet"], f["offending_rule"]) for f in e["_wsautopsyFindings"]]
sys.exit(0 if got == want and any(f[0] == "1009" for f in got) else 1)
' "$TMP/real-1009-python.har" "$TMP/real-1009-python.db"
check "real-1009-python: _wsautopsyFindings are the findings, the 1009 among them" \
    test $? -eq 0

# 2. Cut payloads: the 2 MiB message of real-1009-python, stored 4096 bytes,
# is whole by default (read again from the capture), cut with --stored.
P=$TMP/real-1009-python
check "whole from the capture: nothing cut, nothing said" test ! -s "$P.err" -a \
    ! -e "$P.d/TRUNCATED"
eq "whole from the capture: the whole message in its file" 255986 \
    "$(wc -c <"$P.d/0003-client-text.txt")"
"$WSAUTOPSY" export --stored --har "$P.har" -f "$P.db" &&
    "$WSAUTOPSY" export --stored --dir "$P.d" -f "$P.db" 2>"$P.err"
check "--stored: export" test $? -eq 0
grep -q '"_wsautopsyTruncated":true,"_wsautopsySize":255986' "$P.har"
check "HAR: the cut message says so, with its size" test $? -eq 0
eq "--dir: TRUNCATED names it" "$(printf '0003-client-text.txt\t4096\t255986')" \
    "$(cat "$P.d/TRUNCATED")"
eq "--dir: one line on stderr" \
    "wsautopsy: $P.d: 1 message cut short: the database holds only its first bytes (analyze --payload-cap keeps more); listed in $P.d/TRUNCATED" \
    "$(cat "$P.err")"
check "--dir: no TRUNCATED when nothing is cut" \
    test ! -e "$TMP/real-node-python.d/TRUNCATED" -a ! -s "$TMP/real-node-python.err"
"$WSAUTOPSY" analyze -q --payload-cap 1M -o "$TMP/full.db" \
    "$(sample real-1009-python.pcap)"
"$WSAUTOPSY" export --dir "$TMP/full.d" "$TMP/full.db" 2>"$TMP/err"
check "--payload-cap 1M: nothing cut, nothing said" test ! -s "$TMP/err" -a \
    ! -e "$TMP/full.d/TRUNCATED"
eq "--payload-cap 1M: the whole message in its file" 255986 \
    "$(wc -c <"$TMP/full.d/0003-client-text.txt")"

# 3. Hostile bytes round-trip: the HAR and the files hold the generator's.
GEN=$TOOLS/hostile-gen
if [ -x "$GEN" ]; then
	"$GEN" breakers >"$TMP/b.pcap"
	"$WSAUTOPSY" analyze -q -o "$TMP/b.db" "$TMP/b.pcap"
	"$WSAUTOPSY" export --har "$TMP/b.har" "$TMP/b.db" &&
	    "$WSAUTOPSY" export --dir "$TMP/b.d" "$TMP/b.db"
	check "breakers: export" test $? -eq 0
	"$WSAUTOPSY" messages -f jsonl "$TMP/b.db" >"$TMP/b.jsonl"
	if python3 "$CHECK" "$TMP/b.har" "$TMP/b.jsonl" "$TMP/b.d" \
	    >"$TMP/out"; then ok; else
		bad "breakers: the export differs from messages"
		cat "$TMP/out" >&2
	fi
	if [ "$validator" = 1 ]; then
		check "breakers: har-validator accepts the HAR" valid "$TMP/b.har"
	fi
	python3 - "$TMP/b.har" "$TMP/b.d" <<'EOF'
import base64, json, os, sys
e = json.load(open(sys.argv[1], encoding="utf-8"))["log"]["entries"][0]
def data(m):
    if m.get("_wsautopsyEncoding") == "base64":
        return base64.b64decode(m["data"])
    return m["data"].encode("utf-8")
got = [data(m) for m in e["_webSocketMessages"]]
want = [
    b"\"quoted\" 'single' back\\slash \\\" \\u0041 </script><script>"
    b"alert(1)</script> <!-- --> \xe2\x80\xa8\xe2\x80\xa9 tab\tnl\ncr\r"
    b"{\"json\":\"no\"",
    b"{\"a\":\"</script>\",\"b\":[1,2.5e3,null],\"c\":\"\\u0000\\\"\"}",
    bytes(range(1, 32)) + b"\x7f\"",
    b"nul\0\"\\\0x",
    b"\"\xc3(\\\xff\xfe\xed\xa0\x80</script>",
    bytes(range(256)),
]
bad = 0
for i, (g, w) in enumerate(zip(got, want)):
    if g != w:
        print("message %d: %r, the generator wrote %r" % (i, g, w))
        bad += 1
names = sorted(os.listdir(sys.argv[2]))
if len(got) != len(want) or names[:6] != ["0001-client-text.txt",
        "0002-server-text.json", "0003-client-text.txt",
        "0004-client-text.txt", "0005-server-text.txt",
        "0006-client-binary.bin"]:
    print("messages or names: %d, %s" % (len(got), names))
    bad += 1
for name, w in zip(names, want):
    if open(os.path.join(sys.argv[2], name), "rb").read() != w:
        print("%s: not the generator's bytes" % name)
        bad += 1
ctl = [data(m) for m in e["_wsautopsyControlMessages"]]
if ctl[:2] != [b"\"ping\\", b"\"ping\\"] or \
        ctl[2] != b"\x0f\xa0bye \"now\" \\ </script>":
    print("control messages: %r" % ctl)
    bad += 1
sys.exit(1 if bad else 0)
EOF
	check "breakers: every payload is the generator's, byte for byte" \
	    test $? -eq 0
else
	echo "hostile-gen not built: hostile payloads are skipped"
fi

# 4. Selection: -i, addresses, --capture, standard output.
M=$TMP/real-1009-many.db
"$WSAUTOPSY" export -i 2,3 --har - "$M" >"$TMP/23.har"
eq "-i 2,3: two entries" "2 3" "$(python3 -c 'import json,sys
print(*[e["_wsautopsyConnection"]["connection_id"] for e in json.load(open(sys.argv[1]))["log"]["entries"]])' "$TMP/23.har")"
"$WSAUTOPSY" export -i real-1009-many.pcap:2 --har - "$M" >"$TMP/a2.har"
"$WSAUTOPSY" export -i "$(sqlite3 "$M" "SELECT connection_id FROM connections WHERE address = 'real-1009-many.pcap:2'")" \
    --har - "$M" >"$TMP/i2.har"
check "-i CAPTURE:N is its connection_id" cmp -s "$TMP/a2.har" "$TMP/i2.har"
"$WSAUTOPSY" export -i 2 --dir "$TMP/one.d" "$M" 2>/dev/null
check "-i 2 --dir: no subdirectory for one connection" \
    test -z "$(ls "$TMP/one.d" | grep connection-)" -a \
    -n "$(ls "$TMP/one.d" | grep '^0001-client-')"
cp "$(sample real-node-plain.pcap)" "$(sample real-node-python.pcap)" "$TMP/"
"$WSAUTOPSY" analyze -q --separate -o "$TMP/two.db" "$TMP/real-node-plain.pcap" \
    "$TMP/real-node-python.pcap"
"$WSAUTOPSY" export --capture real-node-python.pcap --har "$TMP/two.har" \
    "$TMP/two.db"
check "--capture: exported" test $? -eq 0
eq "--capture: that capture's connections" "real-node-python.pcap" \
    "$(python3 -c 'import json,sys
print(*sorted({e["_wsautopsyConnection"]["capture"] for e in json.load(open(sys.argv[1]))["log"]["entries"]}))' "$TMP/two.har")"

# 5. Errors: one line, the status, nothing left behind.
err() {
	want=$1; what=$2; shift 2
	"$WSAUTOPSY" export "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	eq "$what: exit" "$want" "$rc"
	eq "$what: one line on stderr" 1 "$(wc -l <"$TMP/err")"
	check "$what: nothing on stdout" test ! -s "$TMP/out"
}
mkdir "$TMP/e"
err 1 "neither --har nor --dir" "$P.db"
err 1 "both --har and --dir" --har "$TMP/e/x.har" --dir "$TMP/e/x" "$P.db"
err 2 "missing database" --har "$TMP/e/x.har" "$TMP/none.db"
err 2 "not a database" --har "$TMP/e/x.har" "$(sample real-rst.pcap)"
grep -q 'not a SQLite database' "$TMP/err"
check "not a database: named" test $? -eq 0
err 2 "unknown connection" -i 999 --har "$TMP/e/x.har" "$P.db"
grep -q 'no connection 999' "$TMP/err"
check "unknown connection: named" test $? -eq 0
err 2 "unknown capture" --capture nosuch.pcap --dir "$TMP/e/x" "$P.db"
err 2 "several captures, none chosen" --har "$TMP/e/x.har" "$TMP/two.db"
grep -q 'holds 2 captures' "$TMP/err"
check "several captures: said" test $? -eq 0
err 2 "connection outside --capture" -i 1 --capture real-node-python.pcap \
    --har "$TMP/e/x.har" "$TMP/two.db"
err 2 "connections of two captures" -i "$(sqlite3 "$TMP/two.db" "SELECT group_concat(connection_id) FROM connections")" \
    --har "$TMP/e/x.har" "$TMP/two.db"
echo keep >"$TMP/e/x.har"
err 2 "HAR exists" --har "$TMP/e/x.har" "$P.db"
eq "HAR exists: untouched" keep "$(cat "$TMP/e/x.har")"
"$WSAUTOPSY" export -f --har "$TMP/e/x.har" "$P.db"
check "-f replaces the HAR" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/e/x.har"
mkdir "$TMP/e/out"
echo keep >"$TMP/e/out/mine"
err 2 "OUT not empty" --dir "$TMP/e/out" "$P.db"
grep -q 'not empty (-f replaces it)' "$TMP/err"
check "OUT not empty: said" test $? -eq 0
eq "OUT not empty: untouched" mine "$(ls "$TMP/e/out")"
"$WSAUTOPSY" export -f --dir "$TMP/e/out/" "$P.db" 2>/dev/null
eq "-f replaces OUT and all it held" \
    "0001-client-text.txt 0002-server-text.txt 0003-client-text.txt 0004-server-close.bin" \
    "$(ls "$TMP/e/out" | paste -sd ' ' -)"
mkdir "$TMP/e/empty"
"$WSAUTOPSY" export --dir "$TMP/e/empty" "$P.db" 2>/dev/null
check "an empty OUT is filled" test -f "$TMP/e/empty/0001-client-text.txt"
echo file >"$TMP/e/plain"
err 2 "unwritable HAR (a file for a directory)" --har "$TMP/e/plain/x.har" "$P.db"
err 2 "unwritable OUT (a file for a directory)" --dir "$TMP/e/plain/x" "$P.db"
err 2 "OUT a file" -f --dir "$TMP/e/plain" "$P.db"
eq "nothing left behind" "empty out plain x.har" \
    "$(ls "$TMP/e" | paste -sd ' ' -)"
(umask 027 && "$WSAUTOPSY" export --har "$TMP/e/m.har" "$P.db" &&
    "$WSAUTOPSY" export --dir "$TMP/e/m" "$P.db" 2>/dev/null)
eq "the HAR and OUT get the modes the umask gives, as a new file's" \
    "640 750 640" "$(stat -c %a "$TMP/e/m.har" "$TMP/e/m" \
    "$TMP/e/m/0001-client-text.txt" | paste -sd ' ' -)"
eq "and no temporary name is left beside them" "empty m m.har out plain x.har" \
    "$(ls "$TMP/e" | paste -sd ' ' -)"

# 6. README's example, run as written on a copy of its sample.
readme_example export-1009
finish

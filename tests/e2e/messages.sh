#!/bin/sh
# wsautopsy messages, on real bytes:
#  - on every sample (real, violations, TLS with its key log), the payloads
#    of the text and binary messages equal tshark's, unmasked and inflated,
#    byte for byte; a payload cut to its stored prefix is the start of
#    tshark's (tests/e2e/messages-tshark.py, which says what it cannot
#    compare and why);
#  - the text, jsonl and csv formats say the same bytes (json and csv read
#    back by python3, tests/e2e/messages-formats.py; jsonl by jq too);
#  - -i, --capture, --dir, --type, --since/--until and --grep select what
#    they say, on the 2 MiB message of real-1009-python too, with the line
#    saying how many messages could match beyond their stored prefix;
#  - terminal-steering bytes, NUL and invalid UTF-8 are escaped in the text
#    format; --pretty indents JSON without changing it;
#  - errors: one line naming what is wrong, the documented exit status;
#  - README's "What did the client send before the 1009?" prints what the
#    README shows.
. "${top_srcdir}/tests/e2e/lib.sh"
need python3
need sqlite3
FORMATS=$top_srcdir/tests/e2e/messages-formats.py

msgs() { "$WSAUTOPSY" messages "$@"; }

# 1. Every sample against tshark.
if command -v tshark >/dev/null 2>&1; then
	compared=0
	for cap in "$SAMPLES"/real/*.pcap "$SAMPLES"/real/*.pcapng \
	    "$SAMPLES"/viol/*.pcap "$SAMPLES"/tls/*.pcap "$SAMPLES"/tls/*.pcapng; do
		[ -f "$cap" ] || continue
		name=$(basename "$cap")
		name=${name%.*}
		key=""
		opt=""
		case $name in
		tls-ws-dsb) key=- ;;
		tls-* | tls1[23]-*)
			key=$SAMPLES/tls/$name.keys
			opt="--keylog $key" ;;
		esac
		# shellcheck disable=SC2086
		"$WSAUTOPSY" analyze -q $opt -o "$TMP/$name.db" "$cap" \
		    >/dev/null 2>&1
		if [ ! -f "$TMP/$name.db" ]; then
			bad "$name: analyze wrote no database"
			continue
		fi
		# shellcheck disable=SC2086
		python3 "$top_srcdir/tests/e2e/messages-tshark.py" "$WSAUTOPSY" \
		    "$TMP/$name.db" "$cap" $key >"$TMP/cmp" 2>&1
		rc=$?
		tail -n 1 "$TMP/cmp"
		case $rc in
		0) ok; compared=$((compared + 1)) ;;
		2) ;;  # no WebSocket message tshark and we both show
		*) bad "$name: messages differ from tshark's"; cat "$TMP/cmp" >&2 ;;
		esac
	done
	check "samples compared with tshark ($compared)" test "$compared" -gt 40
else
	echo "tshark not installed: the comparison with tshark is skipped"
fi

# 2. The three formats, on hostile bytes and on samples.
GEN=$TOOLS/hostile-gen
if [ -x "$GEN" ]; then
	"$GEN" escapes >"$TMP/esc.pcap"
	"$WSAUTOPSY" analyze -q -o "$TMP/esc.db" "$TMP/esc.pcap"
else
	echo "hostile-gen not built: hostile payloads are skipped"
fi
cp "$SAMPLES/real/real-1009-python.pcap" "$TMP/"
"$WSAUTOPSY" analyze -q -o "$TMP/p.db" "$TMP/real-1009-python.pcap"
for db in "$TMP/esc.db" "$TMP/p.db" "$TMP/real-node-deflate.db" \
    "$TMP/real-1009-many.db" "$TMP/viol-node-invalid-utf8-text.db" \
    "$TMP/tls-ws-echo.db"; do
	[ -f "$db" ] || continue
	msgs "$db" >"$TMP/t" && msgs -f jsonl "$db" >"$TMP/j" &&
	    msgs -f csv "$db" >"$TMP/c"
	check "$(basename "$db"): three formats" test $? -eq 0
	if python3 "$FORMATS" "$TMP/t" "$TMP/j" "$TMP/c" >"$TMP/out"; then ok
	else bad "$(basename "$db"): formats differ"; cat "$TMP/out" >&2; fi
	if command -v jq >/dev/null 2>&1; then
		# jq and python read the same payloads from every line.
		jq -r '[.connection_id, .direction, .message_id,
		    (.payload | @base64)] | @tsv' <"$TMP/j" >"$TMP/jq" 2>&1
		check "$(basename "$db"): jq parses every line" test $? -eq 0
		python3 -c '
import base64, json, sys
for line in open(sys.argv[1], "rb"):
    m = json.loads(line)
    print("%d\t%s\t%d\t%s" % (m["connection_id"], m["direction"],
        m["message_id"], base64.b64encode(m["payload"].encode()).decode()))
' "$TMP/j" >"$TMP/py"
		check "$(basename "$db"): jq and python agree" cmp -s "$TMP/jq" \
		    "$TMP/py"
	else
		echo "jq not installed (./quickstart check installs it): skipped"
	fi
done

# Hostile bytes never reach the terminal raw.
if [ -f "$TMP/esc.db" ]; then
	msgs "$TMP/esc.db" >"$TMP/t"
	python3 -c '
import sys
data = open(sys.argv[1], "rb").read()
text = data.decode("utf-8")
raw = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0]
sys.exit(1 if raw else 0)
' "$TMP/t"
	check "text format: no raw control byte, valid UTF-8" test $? -eq 0
	grep -qF '  \x1b]0;pwned\x07\x1b[2J\x1b[31m' "$TMP/t"
	check "text format: an ESC sequence is shown escaped" test $? -eq 0
	grep -qF '  bad\xc3(\xff\xfe\x1b[31m' "$TMP/t"
	check "text format: invalid UTF-8 as \\xNN" test $? -eq 0
	grep -qF '00000000: 6100 1b5b 324a 00ff c328 0708 7f7a       a..[2J...(...z' \
	    "$TMP/t"
	check "text format: binary with NUL as a hex dump" test $? -eq 0
fi

# 3. Filters on real-1009-python: hello both ways, a 2 MiB text message of
# which 4096 bytes are stored, the server's 1009 close.
P=$TMP/p.db
count() { grep -c '^== connection' "$TMP/out"; }
msgs "$P" >"$TMP/out"
eq "all messages" 4 "$(count)"
eq "wire order" "client 0,server 0,client 1,server 1" \
    "$(sed -n 's/^== connection 1 (real-1009-python.pcap) \([a-z]*\) message \([0-9]*\):.*/\1 \2/p' \
    "$TMP/out" | paste -sd, -)"
grep -q '^== connection 1 (real-1009-python.pcap) client message 1: 2026-11-26T15:42:10.557817000Z, text, 255986 bytes, frame 1, packets 10\.\.18, incomplete, first 4096 of 255986 bytes$' "$TMP/out"
check "the 2 MiB message says it is cut to its first 4096 bytes" test $? -eq 0
msgs --dir client "$P" >"$TMP/out"
eq "--dir client" 2 "$(count)"
check "--dir client: no server message" test -z "$(grep ' server message' "$TMP/out")"
msgs --type control "$P" >"$TMP/out"
eq "--type control: the close" 1 "$(count)"
grep -q 'server message 1: .*, close, 2 bytes' "$TMP/out"
check "--type control is the 1009 close" test $? -eq 0
grep -qx '  00000000: 03f1                                     ..' "$TMP/out"
check "the close's payload: 1009 as a hex dump" test $? -eq 0
msgs --type text "$P" >"$TMP/out"
eq "--type text" 3 "$(count)"
msgs --type binary "$P" >"$TMP/out"
eq "--type binary: none here" 0 "$(count)"
msgs --type binary "$TMP/real-node-deflate.db" -f jsonl >"$TMP/out" 2>/dev/null
check "--type binary: real-node-deflate's binary messages" \
    test "$(grep -c '"type":"binary"' "$TMP/out")" -eq "$(wc -l <"$TMP/out")" -a \
    "$(wc -l <"$TMP/out")" -gt 0
msgs --grep 'hel+o' "$P" >"$TMP/out"
eq "--grep hel+o" 2 "$(count)"
grep -q '^# 1 message did not match' "$TMP/out"
check "--grep hel+o: the 2 MiB message could hold it beyond its prefix" \
    test $? -eq 0
msgs --grep 'z' "$P" >"$TMP/out"
eq "--grep z: the 2 MiB message" 1 "$(count)"
check "--grep z: every cut message matched, no 'beyond' line" \
    test -z "$(grep '^#' "$TMP/out")"
msgs --grep '^z{4096}$' "$P" >"$TMP/out"
eq "--grep matches the 4096 stored bytes of the 2 MiB message" 1 "$(count)"
msgs --grep 'y' "$P" >"$TMP/out"
eq "--grep y: no message" 0 "$(count)"
eq "--grep y: the 2 MiB message could match beyond its prefix" \
    "# 1 message did not match within the stored prefix but is longer: it could match beyond it (analyze --payload-cap stores more)" \
    "$(tail -n 1 "$TMP/out")"
msgs --grep 'y' -f jsonl "$P" >"$TMP/out" 2>"$TMP/err"
check "--grep with jsonl: stdout stays JSON (empty here)" test ! -s "$TMP/out"
grep -q '^# 1 message did not match' "$TMP/err"
check "--grep with jsonl: the 'beyond' line on stderr" test $? -eq 0
msgs --grep 'hello' --dir server "$P" >"$TMP/out"
eq "--grep and --dir together" 1 "$(count)"
# A regex on the bytes, past a NUL: the hostile binary message holds
# "a", NUL, ESC "[2J", NUL ... "z" last.
if [ -f "$TMP/esc.db" ]; then
	msgs --grep '\[2J' --type binary "$TMP/esc.db" >"$TMP/out"
	eq "--grep past a NUL byte" 1 "$(count)"
	msgs --grep 'z$' --type binary "$TMP/esc.db" >"$TMP/out"
	eq "--grep: \$ is the end of the stored bytes, past NULs" 1 "$(count)"
fi

# Times: the client's 2 MiB message starts at 1795707730.557817000.
msgs --since 1795707730.557817 "$P" >"$TMP/out"
eq "--since its start (epoch)" 2 "$(count)"
msgs --since 2026-11-26T15:42:10.557817Z "$P" >"$TMP/out2"
check "--since in ISO 8601 is the same" cmp -s "$TMP/out" "$TMP/out2"
msgs --since '2026-11-26 15:42:10.557818' "$P" >"$TMP/out"
eq "--since a microsecond later" 1 "$(count)"
msgs --until 1795707730.557817 "$P" >"$TMP/out"
eq "--until its start: it is included" 3 "$(count)"
msgs --since 2026-11-26 --until 2026-11-26T15:42:10.55Z "$P" >"$TMP/out"
eq "--since a date, --until a time" 2 "$(count)"

# Connections and captures: real-1009-many has several connections; a
# database of two captures.
M=$TMP/real-1009-many.db
if [ -f "$M" ]; then
	n2=$(sqlite3 "$M" "SELECT count(*) FROM messages WHERE connection_id = 2")
	msgs -i 2 -f jsonl "$M" >"$TMP/out"
	eq "-i 2: its messages" "$n2" "$(wc -l <"$TMP/out")"
	check "-i 2: only connection 2" test -z "$(grep -v '"connection_id":2,' "$TMP/out")"
	n23=$(sqlite3 "$M" "SELECT count(*) FROM messages WHERE connection_id IN (2, 3)")
	msgs -i 2,3 -f jsonl "$M" >"$TMP/out"
	eq "-i 2,3" "$n23" "$(wc -l <"$TMP/out")"
	msgs -i 2 -i 3 -f jsonl "$M" >"$TMP/out2"
	check "-i 2 -i 3 is -i 2,3" cmp -s "$TMP/out" "$TMP/out2"
	msgs -i real-1009-many.pcap:2 -f jsonl "$M" >"$TMP/out2"
	addr2=$(sqlite3 "$M" "SELECT connection_id FROM connections WHERE address = 'real-1009-many.pcap:2'")
	eq "-i CAPTURE:N" "$(sqlite3 "$M" "SELECT count(*) FROM messages WHERE connection_id = $addr2")" \
	    "$(wc -l <"$TMP/out2")"
fi
cp "$SAMPLES/real/real-node-plain.pcap" "$TMP/"
"$WSAUTOPSY" analyze -q -o "$TMP/two.db" "$TMP/real-1009-python.pcap" \
    "$TMP/real-node-plain.pcap" --separate 2>/dev/null ||
    "$WSAUTOPSY" analyze -q -o "$TMP/two.db" "$TMP/real-1009-python.pcap" \
    "$TMP/real-node-plain.pcap"
msgs --capture real-node-plain.pcap -f csv "$TMP/two.db" >"$TMP/out"
check "--capture: only that capture's messages" test -z \
    "$(sed 1d "$TMP/out" | grep -v '^[0-9]*,real-node-plain.pcap,')"
check "--capture: some" test "$(sed 1d "$TMP/out" | wc -l)" -gt 0

# --pretty: a JSON text message, indented, is the same JSON.
D=$TMP/real-node-deflate.db
if [ -f "$D" ]; then
	msgs --pretty -i 1 --dir server "$D" |
	    awk '/^== / { n++ } n == 1 && !/^== / { print }' >"$TMP/pretty"
	msgs -f jsonl -i 1 --dir server "$D" | head -n 1 >"$TMP/first"
	python3 -c '
import json, sys
shown = json.loads(open(sys.argv[1]).read())
want = json.loads(json.loads(open(sys.argv[2]).read())["payload"])
lines = open(sys.argv[1]).read().splitlines()
sys.exit(0 if shown == want and len(lines) > 2 else 1)
' "$TMP/pretty" "$TMP/first"
	check "--pretty: the payload's JSON, on several lines" test $? -eq 0
fi

# 4. Errors: one line, the documented status.
err() {
	want=$1; what=$2; shift 2
	msgs "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	eq "$what: exit" "$want" "$rc"
	eq "$what: one line on stderr" 1 "$(wc -l <"$TMP/err")"
	check "$what: nothing on stdout" test ! -s "$TMP/out"
}
err 2 "missing database" "$TMP/none.db"
err 2 "not a database" "$TMP/real-1009-python.pcap"
err 2 "unknown connection" -i 999 "$P"
grep -q 'no connection 999' "$TMP/err"
check "unknown connection: named" test $? -eq 0
err 2 "unknown address" -i nosuch.pcap:1 "$P"
err 2 "unknown capture" --capture nosuch.pcap "$P"
err 1 "bad regex" --grep '(' "$P"
grep -q "bad regex '('" "$TMP/err"
check "bad regex: named" test $? -eq 0
err 1 "bad time" --since yesterday "$P"
err 1 "bad ISO time" --until 2026-13-01T00:00:00Z "$P"
err 1 "bad direction" --dir both "$P"
err 1 "bad type" --type ping "$P"
err 1 "bad format" -f xml "$P"

# 5. README's example, run as written on a copy of its sample.
readme_block recipe messages-1009 >"$TMP/recipe.sh"
readme_block output messages-1009 >"$TMP/want"
check "README has the messages example and its output" test -s \
    "$TMP/recipe.sh" -a -s "$TMP/want"
if command -v jq >/dev/null 2>&1; then
	mkdir -p "$TMP/readme/samples/real"
	cp "$SAMPLES/real/real-1009-python.pcap" "$TMP/readme/samples/real/"
	bindir=$(cd "$(dirname "$WSAUTOPSY")" && pwd)
	(cd "$TMP/readme" && PATH=$bindir:$PATH &&
	    wsautopsy analyze -q samples/real/real-1009-python.pcap &&
	    sh "$TMP/recipe.sh") >"$TMP/got" 2>&1
	if diff -u "$TMP/want" "$TMP/got" >&2; then ok; else
		bad "README's messages example prints something else"
	fi
else
	echo "jq not installed (./quickstart check installs it): README example skipped"
fi
finish

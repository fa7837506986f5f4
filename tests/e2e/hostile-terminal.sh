#!/bin/sh
# Bytes from the wire that would steer a terminal (ESC sequences, C0 and C1
# controls, bidirectional overrides), NUL and invalid UTF-8, in the request
# target, header values, payloads and a close reason: the report prints
# them escaped, JSON and CSV stay valid, the database keeps the exact
# bytes as BLOBs beside escaped display text, and the browser (in tmux)
# shows them escaped in every view without a raw escape reaching the pane.

. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need python3
GEN=$TOOLS/hostile-gen
[ -x "$GEN" ] || { echo "SKIP: hostile-gen not built"; exit 77; }
NO_COLOR=1
export NO_COLOR

"$GEN" escapes >"$TMP/esc.pcap"
"$WSAUTOPSY" analyze -q -o "$TMP/esc.db" "$TMP/esc.pcap" 2>"$TMP/err"
rc=$?
check "analyze: exit 0 (was $rc)" test "$rc" -eq 0
check "analyze: nothing on stderr" test ! -s "$TMP/err"

# same WHAT GOT WANT
same() {
	if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi
}
q() { sqlite3 "$TMP/esc.db" "$1"; }

# clean FILE [crlf]: valid UTF-8 with no C0 control but tab and newline
# (and carriage return before a newline with crlf), no DEL and no C1
# control (U+0080-U+009F).
clean() {
	python3 - "$@" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
if len(sys.argv) > 2:
    data = data.replace(b"\r\n", b"\n")
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("not UTF-8: %s" % e)
for i, ch in enumerate(text):
    o = ord(ch)
    if (o < 0x20 and ch not in "\t\n") or 0x7f <= o <= 0x9f:
        sys.exit("raw control U+%04X at character %d: %r" %
                 (o, i, text[max(0, i - 20):i + 20]))
EOF
}

# ---- The database: exact bytes in BLOBs, escaped text beside them. ----

reason=1B5D303B70776E6564071B5B324A00FFC32878
same "close reason BLOB in findings" \
	"$(q "SELECT hex(reason_raw) FROM closes WHERE sender = 'client'")" \
	"$reason"
same "close reason BLOB in frames" \
	"$(q "SELECT hex(close_reason_raw) FROM frames WHERE opcode = 8
	    AND direction = 'client'")" "$reason"
same "close frame as sent: code 4000 then the reason" \
	"$(q "SELECT hex(payload_prefix) FROM messages WHERE opcode = 8
	    AND direction = 'client' AND connection_id = 1")" "0FA0$reason"
same "payload BLOBs, unmasked, both ways" \
	"$(q "SELECT group_concat(direction || ':' || hex(payload_prefix), ' ')
	    FROM (SELECT * FROM messages WHERE opcode IN (1, 2)
	    AND connection_id = 1 ORDER BY direction, message_id)")" \
	"client:1B5D303B70776E6564071B5B324A1B5B33316D client:61001B5B324A00FFC32807087F7A client:626164C328FFFE1B5B33316D server:1B5D303B70776E6564071B5B324A1B5B33316D"
same "frame header BLOB" \
	"$(q "SELECT hex(header) FROM frames WHERE direction = 'client'
	    AND frame_index = 1 AND connection_id = 1")" "828E37FA213D"
same "close reason text, escaped" \
	"$(q "SELECT reason FROM closes WHERE sender = 'client'")" \
	'\x1b]0;pwned\x07\x1b[2J\x00\xff\xc3(x'
same "findings: invalid UTF-8 in the text message and the reason" \
	"$(q "SELECT group_concat(rule, ' ') FROM (SELECT rule FROM findings
	    WHERE kind = 'violation' ORDER BY rule)")" \
	"invalid-utf8-close-reason invalid-utf8-text"
# Header values are display text: C1 controls and the right-to-left
# override as \u and four hex digits, bytes that are not UTF-8 as \xNN.
same "request and response text columns, escaped" \
	"$(q "SELECT path, host, user_agent, origin, server_header,
	    status_reason FROM connections WHERE client = '10.0.0.1:40000'")" \
	'/chat\xff\xfe?q=\u009b31mred|host\u009b2J\xc3(.example|agent\u202e-rtl\xff|http://origin\xc0\xaf|srv\u009b2J\xfe|Switching \u009b\xff'
# sqlite3 prints BLOBs raw: leave them out and check the text columns.
q "SELECT c.*, f.*, m.* FROM connections c
    LEFT JOIN (SELECT connection_id, reason, explanation, detail
    FROM findings) f USING (connection_id)
    LEFT JOIN (SELECT connection_id, close_reason, direction
    FROM frames) m USING (connection_id)" >"$TMP/text"
check "no raw control byte in any text column" clean "$TMP/text"

# The closing reason as the connection row shows it: cut at the NUL.
same "connection's close reason text keeps the bytes after NUL" \
	"$(q "SELECT close_reason_client FROM connections
	    WHERE client = '10.0.0.1:40000'")" \
	'\x1b]0;pwned\x07\x1b[2J\x00\xff\xc3(x'

# A request whose target and header values hold raw ESC sequences,
# answered 101, and a request with a NUL in Host and a 64 KiB header line,
# answered 431: both are dropped today without a row or a finding (the
# head parser fails on the control byte or the line length and the
# session ignores the rest of the connection, frames included).
same "raw ESC in the handshake: connection and frames stored" \
	"$(q "SELECT websocket, frames FROM connections
	    WHERE client = '10.0.0.5:40005'")" "1|3"
same "raw ESC in the handshake: values escaped" \
	"$(q "SELECT host FROM connections
	    WHERE client = '10.0.0.5:40005'")" \
	'host\x1b]0;pwned\x07\x1b[2J\x1b[31m.example'
same "64 KiB header line: the connection and a finding" \
	"$(q "SELECT count(*) > 0 FROM findings f JOIN connections c
	    USING (connection_id) WHERE c.client = '10.0.0.9:40009'")" \
	"1"

# ---- The report. ----

"$WSAUTOPSY" report "$TMP/esc.db" >"$TMP/report.txt" 2>"$TMP/err"
check "report text: exit 0" test $? -eq 0
check "report text: no raw control byte, valid UTF-8" clean "$TMP/report.txt"
check "report text: the close reason, escaped" \
	grep -Fq '"\x1b]0;pwned\x07\x1b[2J\x00\xff\xc3(x"' "$TMP/report.txt"

"$WSAUTOPSY" report --format jsonl "$TMP/esc.db" >"$TMP/report.jsonl" \
    2>"$TMP/err"
check "report jsonl: exit 0" test $? -eq 0
check "report jsonl: no raw control byte" clean "$TMP/report.jsonl"
check "report jsonl: every line is a JSON object, none carries a control" \
	python3 - "$TMP/report.jsonl" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1], "rb"):
    obj = json.loads(line.decode("utf-8"))
    assert isinstance(obj, dict), line
    for k, v in obj.items():
        if isinstance(v, str):
            bad = [c for c in v if ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f]
            assert not bad, (k, v)
    n += 1
assert n == 8, "%d findings, expected 8" % n
EOF

"$WSAUTOPSY" report --format csv "$TMP/esc.db" >"$TMP/report.csv" 2>"$TMP/err"
check "report csv: exit 0" test $? -eq 0
check "report csv: no raw control byte but CRLF" clean "$TMP/report.csv" crlf
check "report csv: one row per finding, the reason's bytes in hex" \
	python3 - "$TMP/report.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert len(rows) == 9, len(rows)
assert len(set(len(r) for r in rows)) == 1, [len(r) for r in rows]
raw = [dict(zip(rows[0], r))["reason_raw"] for r in rows[1:]]
want = "1b 5d 30 3b 70 77 6e 65 64 07 1b 5b 32 4a 00 ff c3 28 78"
assert want in raw, raw
EOF

# ---- A file name is as untrusted as a payload. ----
# Evidence named e<ESC>]0;PWNED<BEL>x.pcap must not retitle the terminal:
# analyze's summary line, its errors, report (the capture's name, the
# database's name) and report's errors print it escaped.
bad_name=$(printf 'e\033]0;PWNED\007x')
mkdir -p "$TMP/names"
cp "$(sample real-1009-node.pcap)" "$TMP/names/$bad_name.pcap"
(cd "$TMP/names" && "$WSAUTOPSY" analyze -o "$bad_name.db" "$bad_name.pcap") \
	>"$TMP/name.out" 2>"$TMP/name.err"
check "analyze of a hostile name: exit 0" test $? -eq 0
check "analyze summary: no raw control byte" clean "$TMP/name.out"
check "analyze summary: the name, escaped" \
	grep -Fq 'e\x1b]0;PWNED\x07x.pcap: ' "$TMP/name.out"
(cd "$TMP/names" && "$WSAUTOPSY" report "$bad_name.db") >"$TMP/name.rep" 2>&1
check "report of a hostile name: exit 0" test $? -eq 0
check "report: no raw control byte" clean "$TMP/name.rep"
check "report: the capture's name, escaped" \
	grep -Fq 'capture e\x1b]0;PWNED\x07x.pcap:' "$TMP/name.rep"
printf 'garbage' >"$TMP/names/$bad_name.bad.pcap"
(cd "$TMP/names" && "$WSAUTOPSY" analyze -o n2.db "$bad_name.bad.pcap") \
	>"$TMP/name.out" 2>"$TMP/name.err"
check "analyze of a hostile unreadable name: exit 2" test $? -eq 2
check "analyze error: no raw control byte" clean "$TMP/name.err"
check "analyze error: names the file, escaped" \
	grep -Fq 'e\x1b]0;PWNED\x07x.bad.pcap' "$TMP/name.err"
(cd "$TMP/names" && "$WSAUTOPSY" report "$bad_name.missing.db") \
	>/dev/null 2>"$TMP/name.err"
check "report of a hostile missing name: exit 2" test $? -eq 2
check "report error: no raw control byte" clean "$TMP/name.err"
(cd "$TMP/names" && "$WSAUTOPSY" report -C "$bad_name.pcap" --format xml \
	"$bad_name.db") >/dev/null 2>"$TMP/name.err"
check "usage error: no raw control byte" clean "$TMP/name.err"
"$WSAUTOPSY" report -C "$bad_name.nope" "$TMP/names/$bad_name.db" \
	>/dev/null 2>"$TMP/name.err"
check "report -C of a hostile missing capture: exit 2" test $? -eq 2
check "report -C error: no raw control byte" clean "$TMP/name.err"

# ---- The browser: every view of the same database in tmux. ----

# browse-lib.sh skips (exit 77) without tmux or a UTF-8 locale: here that
# would hide the checks above, so those cases end the test instead.
if ! command -v tmux >/dev/null 2>&1 || ! locale -a 2>/dev/null |
    grep -qiE '^(c|en_us)\.utf-?8$'; then
	echo "no tmux or no UTF-8 locale: the browser's part skipped"
	finish
fi
. "${top_srcdir}/tests/e2e/browse-lib.sh"

# pane_ok [list]: the title is tmux's own (no OSC reached the terminal),
# and capture-pane -e holds no escape but SGR, and SGR only of what the
# program draws here: bold, dim, underline, reverse, magenta (1007), cyan
# (handshake). Red and yellow are the 1002 and 1009 counts of the list's
# first row, which the payloads' ESC [31m must not reach anywhere else.
pane_ok() {
	tmux -L "$SOCK" display -p -t b '#{pane_title}' >"$TMP/title"
	if grep -q pwned "$TMP/title"; then
		echo "title changed: $(cat "$TMP/title")" >&2
		return 1
	fi
	screen_e >"$TMP/pane"
	python3 - "$TMP/pane" "${1:-}" <<'PY'
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8")
allowed = {"", "0", "1", "2", "4", "7", "22", "24", "27", "35", "36", "39",
           "49"}
for row, line in enumerate(text.split("\n")):
    for m in re.finditer("\x1b\\[([0-9;]*)m", line):
        for p in m.group(1).split(";"):
            ok = p in allowed or (sys.argv[2] == "list" and row == 0 and
                                  p in ("31", "33"))
            if not ok:
                sys.exit("row %d: SGR %s: %r" % (row + 1, p, line))
    rest = re.sub("\x1b\\[[0-9;]*m", "", line)
    for i, ch in enumerate(rest):
        if ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f:
            sys.exit("row %d: raw U+%04X: %r" % (row + 1, ord(ch), rest))
PY
}

start 120 40 "$TMP/esc.db"
check "browse: list" wait_for "esc.pcap  3 connections"
check "browse: list, host escaped" wait_for 'host\u009b2J\xc3('
check "browse: list, no raw escape" pane_ok list
keys Enter
check "browse: connection 1" wait_last "^connection 1 [a-z]+ frame [0-9]+ \\(1/6\\) "
check "browse: request target escaped" wait_for '/chat\xff\xfe?q=\u009b31mred'
check "browse: bidi override escaped" wait_for 'agent\u202e-rtl\xff'
check "browse: payload preview escaped" \
    wait_for '\x1b]0;pwned\x07\x1b[2J\x1b[31m'
check "browse: NUL and controls escaped" \
    wait_for 'a\x00\x1b[2J\x00\xff\xc3(\x07\x08\x7fz'
check "browse: connection 1, no raw escape" pane_ok
# Every frame of connection 1, its whole text, and the help over it.
for i in 1 2 3 4 5 6; do
	keys Enter
	check "browse: frame $i" wait_last "^frame (client|server) [0-9]+ of connection 1 "
	check "browse: frame $i, no raw escape" pane_ok
	keys G
	check "browse: frame $i end" wait_last 'lines [0-9]+-([0-9]+)/\1 '
	check "browse: frame $i end, no raw escape" pane_ok
	keys ?
	check "browse: frame $i help" wait_last "^help for the frame"
	check "browse: frame $i help, no raw escape" pane_ok
	keys q q j
	check "browse: frame $i back" wait_last "^connection 1 [a-z]+ frame "
done
keys g Enter
check "browse: frame text escaped" wait_for 'text (escaped):'
check "browse: frame text" wait_for '  \x1b]0;pwned\x07\x1b[2J\x1b[31m'
check "browse: frame hex" \
    wait_for '000000  1b 5d 30 3b 70 77 6e 65 64 07 1b 5b 32 4a 1b 5b'
keys q j Enter
check "browse: binary frame" wait_last '^frame client 1 of connection 1 '
check "browse: binary preview, bytes never decoded" \
    wait_for 'bytes (binary, escaped):'
check "browse: binary preview escaped" \
    wait_re '^  a\\x00\\x1b\[2J\\x00\\xff\\xc3\(\\x07\\x08\\x7fz *$'
check "browse: binary frame, no raw escape" pane_ok
keys q G k Enter
check "browse: close reason escaped" \
    wait_for 'close code 4000, reason "\x1b]0;pwned\x07\x1b[2J\x00\xff\xc3(x"'
check "browse: close frame, no raw escape" pane_ok
keys q ?
check "browse: connection help, no raw escape" pane_ok
keys q q j Enter
# Raw ESC sequences in the handshake itself.
check "browse: connection 2" wait_last "^connection 2 [a-z]+ frame [0-9]+ \\(1/3\\) "
check "browse: handshake values escaped" \
    wait_for 'Host: host\x1b]0;pwned\x07\x1b[2J\x1b[31m.example'
check "browse: connection 2, no raw escape" pane_ok
for i in 1 2 3; do
	keys Enter
	check "browse: connection 2 frame $i" wait_last "^frame (client|server) [0-9]+ of connection 2 "
	check "browse: connection 2 frame $i, no raw escape" pane_ok
	keys q j
done
keys q j Enter
check "browse: connection 3 (64 KiB header line)" wait_last "^connection 3 "
check "browse: connection 3, no raw escape" pane_ok
keys Q
check "browse: exit 0" test "$(wait_exit)" = "EXIT=0"
check "browse: nothing on stderr" test ! -s "$TMP/stderr"

# A backslash from the wire reads doubled, so the text "\x1b" is not an
# ESC; an escaped newline still breaks the line, a sent "\n" text does not.
"$GEN" long-head 100 >"$TMP/long.pcap"
"$WSAUTOPSY" analyze -q -o "$TMP/long.db" "$TMP/long.pcap"
start 120 40 "$TMP/long.db"
check "browse: long-head list" wait_for "long.pcap  1 connection"
keys Enter
check "browse: preview doubles wire backslashes" \
	wait_for 'C:\\new\\x1b\nline2'
keys Enter
check "browse: text view doubles wire backslashes" wait_for '  C:\\new\\x1b'
check "browse: text view breaks at the newline" wait_re '^  line2 *$'
keys Q
check "browse: long-head exit 0" test "$(wait_exit)" = "EXIT=0"

# Escapes all through a text and a binary message longer than the stored
# prefix (4 KiB): the frame view shows every stored byte escaped, says it
# is a prefix, and no page of it lets an escape reach the pane raw.
"$GEN" long-escapes 6144 >"$TMP/le.pcap"
"$WSAUTOPSY" analyze -q -o "$TMP/le.db" "$TMP/le.pcap"
same "long escapes: both prefixes stored" \
	"$(q2() { sqlite3 "$TMP/le.db" "$1"; }; q2 "SELECT group_concat(opcode
	    || ':' || payload_length || ':' || length(payload_prefix), ' ')
	    FROM frames WHERE opcode IN (1, 2)")" "1:6144:4096 2:6144:4096"
# pages WHAT: from the top, each page free of raw escapes, to the end.
pages() {
	keys g
	pg=0
	while :; do
		pane_ok || { bad "$1: page $pg lets an escape through"; return; }
		screen | tail -n 1 | grep -Eq 'lines [0-9]+-([0-9]+)/\1 ' && break
		pg=$((pg + 1))
		[ "$pg" -le 100 ] || { bad "$1: no end after 100 pages"; return; }
		keys Space
		wait_last "lines $((pg * 38 + 1))-" >/dev/null 2>&1
	done
	ok
}
# the_end KIND: the last page holds the marker of byte 3584 in the preview
# (not a hex dump row) and the preview ends with the last stored unit.
the_end() {
	screen >"$TMP/end"
	grep -v '^  [0-9a-f]\{6\}  ' "$TMP/end" | grep -q '@03584@' &&
	    sed '$d' "$TMP/end" | grep -v '^ *$' | tail -n 3 | sed 's/^  //' |
	    tr -d '\n' | grep -q "$1"'------$'
}
start 120 40 "$TMP/le.db"
check "long escapes: list" wait_last '^connections 1/1 '
keys Enter Enter
check "long escapes: text frame" wait_last '^frame client 0 of connection 1 '
pages "long escapes: text frame"
check "long escapes: text, the last stored byte shown" the_end '\\u202e--'
keys / 'first 4096 of 6144 bytes; escaped' Enter
check "long escapes: text, said to be a prefix" \
    wait_for 'text (the stored prefix: the first 4096 of 6144 bytes; escaped):'
keys / '@04096@' Enter
check "long escapes: text, nothing past the prefix" \
    wait_last "no match for '@04096@'"
keys q j Enter
check "long escapes: binary frame" wait_last '^frame client 1 of connection 1 '
pages "long escapes: binary frame"
check "long escapes: binary, the last stored byte shown" the_end '\\x00\\xff'
keys / 'binary, escaped' Enter
check "long escapes: binary, said to be a prefix, never decoded" \
    wait_for 'bytes (the stored prefix: the first 4096 of 6144 bytes; binary, escaped):'
check "long escapes: binary, C1 and bidi bytes as \\xNN" \
    wait_for '\x1b[31m\xc2\x9b\xe2\x80\xae\x00\xff------'
keys / '@04096@' Enter
check "long escapes: binary, nothing past the prefix" \
    wait_last "no match for '@04096@'"
keys Q
check "long escapes: exit 0" test "$(wait_exit)" = "EXIT=0"

finish

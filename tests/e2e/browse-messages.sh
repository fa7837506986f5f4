#!/bin/sh
# wsautopsy browse's message view (m in a connection), in tmux, on real
# recordings: its entries against wsautopsy messages, wrapping at two
# widths, the finding's message marked, s (the exact bytes, against
# messages --format jsonl), y and Y (the filters given to tshark select
# exactly the packets), J (the indentation of messages --pretty), / n N
# across connections (from the connection list too), a sub-protocol's
# reading, a hostile payload escaped, NO_COLOR.
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/browse-lib.sh"
need python3
need sqlite3

PY=$(sample real-1009-python.pcap)
DF=$(sample real-node-deflate.pcap)
check "analyze 1009" "$WSAUTOPSY" analyze -q -o "$TMP/p.db" "$PY"
check "analyze deflate" "$WSAUTOPSY" analyze -q -o "$TMP/d.db" "$DF"
# Two files in one database: a capture set of two connections.
check "analyze a set" "$WSAUTOPSY" analyze -q -o "$TMP/s.db" "$DF" "$PY"
mkdir "$TMP/out"
# The browser runs in $TMP/out, where s saves by default.
BROWSE_ENV="cd $TMP/out &&"

# exited_clean: the browser exited 0 and wrote nothing on its standard
# error (under the sanitizers, no report).
exited_clean() {
	test "$(wait_exit)" = "EXIT=0" && ! test -s "$TMP/stderr"
}
# n_until_connection_2: n, at most 12 times, until the search reaches
# connection 2's messages.
n_until_connection_2() {
	i=0
	while [ "$i" -lt 12 ] && ! screen | tail -n 1 |
	    grep -q '/hello: connection 2 '; do
		keys n
		sleep 0.2
		i=$((i + 1))
	done
}
# entries X0: the screen's entries as JSON lines: dir, size, type, mark,
# the payload (its lines from column X0 joined), the note after it.
entries() {
	screen >"$TMP/scr"
	python3 - "$TMP/scr" "$1" <<'EOF'
import json, re, sys
x0 = int(sys.argv[2])
rows = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").split("\n")[1:-1]
out, cur = [], None
for r in rows:
    m = re.match(r"^([* ]) (->|<-) +\S+ +(\S+) (\S+) *", r)
    if m:
        cur = {"mark": m.group(1) == "*", "dir": m.group(2),
               "size": m.group(3), "type": m.group(4), "lines": [],
               "note": None}
        out.append(cur)
    if cur is None or r.strip() == "":
        continue
    p = r[x0:]
    if re.match(r"^\.\.\. \d+ more byte", p):
        cur["note"] = p
    else:
        cur["lines"].append(p)
for e in out:
    e["payload"] = "".join(e["lines"])
    print(json.dumps(e))
EOF
}
# messages_text DB: the payload line of each text message, as messages
# prints it (two spaces before it), in wire order.
messages_text() {
	"$WSAUTOPSY" messages "$1" | awk '/^== / { t = ($0 ~ /, text, /); next }
	    t { sub(/^  /, ""); print; t = 0 }'
}

# ---- The 1009 recording at 100 columns: the entries, the marked ones.
start 100 30 "$TMP/p.db"
check "list" wait_last '^connections 1/1 '
keys Enter
check "connection" wait_last '^connection 1 client frame 0 \(1/4\)  Enter:frame m:msgs'
keys m
check "m: the message view" wait_last '^connection 1 client message 0 \(1/4\)'
check "a head row" wait_row 1 '^  dir time [A-Z]+ +size type +payload \(connection 1\)$'
entries 37 >"$TMP/e100"
"$WSAUTOPSY" messages -f jsonl "$TMP/p.db" >"$TMP/p.jsonl"
check "dir, size and type of every message, in wire order, as messages" \
    python3 - "$TMP/e100" "$TMP/p.jsonl" <<'EOF'
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
m = [json.loads(l) for l in open(sys.argv[2])]
got = [(x["dir"], x["size"], x["type"]) for x in e]
want = [("->" if x["direction"] == "client" else "<-", str(x["size"]),
         x["type"]) for x in m]
sys.exit(0 if got == want else "%s != %s" % (got, want))
EOF
# text_entries FILE: the payload of each whole text entry.
text_entries() {
	python3 -c 'import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["type"] == "text" and e["note"] is None: print(e["payload"])' "$1"
}
text_entries "$TMP/e100" >"$TMP/t.screen"
messages_text "$TMP/p.db" | awk 'length($0) < 63' >"$TMP/t.msgs"
check "the text payloads as messages prints them" sh -c \
    "test -s $TMP/t.msgs && diff -u $TMP/t.msgs $TMP/t.screen >&2"
# wrapped W X0 EXPECT_LINES: the long message's four lines are full to the
# width, are the first bytes of the payload, and the note counts the rest.
wrapped() {
	entries "$2" >"$TMP/ew"
	python3 - "$TMP/ew" "$TMP/p.jsonl" "$1" "$2" <<'EOF'
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
m = [json.loads(l) for l in open(sys.argv[2])]
w, x0 = int(sys.argv[3]), int(sys.argv[4])
big = [x for x in e if x["size"] == "255986"][0]
msg = [x for x in m if x["size"] == 255986][0]
avail = w - x0
assert len(big["lines"]) == 4, big["lines"]
assert all(len(l) == avail for l in big["lines"]), big["lines"]
assert msg["payload"].startswith(big["payload"])
want = "... %d more bytes" % (255986 - 4 * avail)
assert big["note"] == want, (big["note"], want)
assert big["mark"], "the 1009 message is marked"
EOF
}
check "100 columns: four lines of 63, the rest counted, marked" wrapped 100 37
check "the close marked, its code shown" python3 -c 'import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
c = [x for x in e if x["type"] == "close"]
sys.exit(0 if len(c) == 1 and c[0]["mark"] and c[0]["payload"] == "1009"
    else "%s" % c)' "$TMP/e100"
check "the hello messages are not marked" sh -c \
    "! grep '\"payload\": \"hello\"' $TMP/e100 | grep -q '\"mark\": true'"
tmux -L "$SOCK" resize-window -t b -x 80 -y 24
check "80 columns: redrawn" wait_row 1 '^  dir time [A-Z]+ +size type'
check "80 columns: four lines of 46, the rest counted" wrapped 80 34
check "80 columns: fits" fits 80 24 "connection 1 client message 0"
tmux -L "$SOCK" resize-window -t b -x 100 -y 30
check "100 again" wait_row 4 '^\* -> .* 255986 text   z+$'
# The colour of each side: the client green, the server cyan.
check "server in cyan" has_attr '<- ' 'hello' 36
keys j
check "j: the server's hello" wait_last '^connection 1 server message 0 \(2/4\)'
check "client in green" has_attr '-> ' 'hello' 32
keys j
check "the long one selected" wait_last \
    '^connection 1 client message 1 \(3/4\) prefix stored \[1009 '

# ---- y and Y: the filters select exactly the packets, as tshark reads them
# (client message 1 spans three runs of packets: the {a..b, c..d} set).
keys y
check "y: a popup" wait_for "Wireshark display filter: the packets of client message 1"
# popup: the text of the popup on screen, its wrapped lines joined.
popup() {
	screen | awk '/^  Wireshark display filter:/ { on = 1; next }
	    /^  \(any key closes\)/ { exit }
	    on { sub(/^  /, ""); printf "%s%s", sep, $0; sep = " " }'
}
filter=$(popup)
check "y: a filter on frame.number: $filter" test -n "$filter"
check "y: the packets as a set of three runs" expr "$filter" : \
    'frame\.number in {[0-9]*\.\.[0-9]*, [0-9]*\.\.[0-9]*, [0-9]*\.\.[0-9]*}$'
want=$(sqlite3 "$TMP/p.db" "SELECT group_concat(packets, ',') FROM frames
    WHERE connection_id = 1 AND direction = 'client' AND message_id = 1" |
    python3 -c 'import sys
out = []
for r in sys.stdin.read().strip().split(","):
    a, _, b = r.partition("-")
    out += range(int(a), int(b or a) + 1)
print(" ".join(map(str, out)))')
if command -v tshark >/dev/null 2>&1; then
	got=$(tshark -r "$PY" -Y "$filter" -T fields -e frame.number 2>/dev/null |
	    tr '\n' ' ' | sed 's/ $//')
	check "y: tshark selects the message's packets ($want): $got" \
	    test "$got" = "$want"
else
	echo "# tshark not installed: the filters are not given to it"
fi
keys x
check "any key closes the popup" wait_last '^connection 1 client message 1 '
keys Y
check "Y: a popup" wait_for "Wireshark display filter: the packets of connection 1"
cfilter=$(popup)
check "Y: endpoints and a range: $cfilter" test -n "$cfilter"
if command -v tshark >/dev/null 2>&1; then
	got=$(tshark -r "$PY" -Y "$cfilter" -T fields -e frame.number 2>/dev/null |
	    wc -l)
	all=$(tshark -r "$PY" -Y "tcp.stream == 0" -T fields -e frame.number \
	    2>/dev/null | wc -l)
	check "Y: tshark selects the connection's $all packets: $got" \
	    test "$got" -eq "$all" -a "$all" -gt 0
fi
keys x

# ---- s: the bytes stored, exactly, under a name that says they are a prefix.
keys s
check "s: a prompt with a default name" wait_last \
    '^save the stored prefix of the payload to: c1-0001-client-text-first-4096-of-255986\.txt$'
keys Enter
check "s: saved" wait_last 'saved 4096 of 255986 bytes \(all stored\) to c1-0001-client-text-first-4096-of-255986\.txt$'
# same_payload JSONL DIR ID FILE: FILE holds the message's payload as
# messages --format jsonl gives it (text, or hex for anything else).
same_payload() {
	python3 -c 'import json, sys
m = [json.loads(l) for l in open(sys.argv[1])]
m = [x for x in m if x["direction"] == sys.argv[2] and
     x["message_id"] == int(sys.argv[3])][0]
p = m["payload"].encode() if m["encoding"] == "text" else \
    bytes.fromhex(m["payload"])
sys.exit(open(sys.argv[4], "rb").read() != p)' "$@"
}
check "s: the bytes messages --format jsonl holds" same_payload \
    "$TMP/p.jsonl" client 1 "$TMP/out/c1-0001-client-text-first-4096-of-255986.txt"
keys s Enter
check "s again: asks before overwriting" wait_last \
    'c1-0001-client-text-first-4096-of-255986\.txt exists: overwrite it\? \(y/n\)'
keys n
check "n: not saved" wait_last 'not saved$'
keys Enter
check "Enter: the message's first frame" wait_last '^frame client 1 of connection 1 '
keys q
check "q: back to the messages" wait_last '^connection 1 client message 1 \(3/4\)'
keys q
check "q: the connection" wait_last '^connection 1 '
keys Q
check "exit 0, nothing on stderr" exited_clean

# ---- permessage-deflate at 200 columns: inflated text as messages prints
# it, binary as bytes, J the indentation of messages --pretty, s binary.
"$WSAUTOPSY" messages -f jsonl "$TMP/d.db" >"$TMP/d.jsonl"
start 200 60 "$TMP/d.db"
check "deflate: list" wait_last '^connections 1/1 '
keys Enter m
check "deflate: messages" wait_last '^connection 1 server message 0 \(1/14\)'
entries 37 >"$TMP/e200"
text_entries "$TMP/e200" >"$TMP/d.screen"
messages_text "$TMP/d.db" >"$TMP/d.msgs"
check "deflate: the inflated text payloads as messages prints them" sh -c \
    "test -s $TMP/d.msgs && diff -u $TMP/d.msgs $TMP/d.screen >&2"
check "deflate: binary payloads as bytes" python3 - "$TMP/e200" "$TMP/d.jsonl" <<'EOF'
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
m = [json.loads(l) for l in open(sys.argv[2])]
def shown(b):
    return "".join("\\\\" if c == 0x5c else chr(c) if 0x20 <= c < 0x7f
                   else "\\x%02x" % c for c in b)
n = 0
for x, y in zip(e, m):
    if y["type"] != "binary":
        continue
    b = bytes.fromhex(y["payload"])
    # The screen keeps no trailing blank.
    want = shown(b).rstrip(" ")
    if x["note"] is None:
        assert x["payload"] == want, (x["payload"], want)
    else:
        assert want.startswith(x["payload"]), (x["payload"], want)
    n += 1
assert n > 0
EOF
keys J
check "J: JSON indented" wait_last 'JSON indented$'
"$WSAUTOPSY" messages --pretty -i 1 --dir server "$TMP/d.db" |
    awk 'NR > 1 && /^== / { exit } NR > 1 { sub(/^  /, ""); print }' \
    >"$TMP/pretty"
screen | sed -n '2,$p' | awk '/^  <- |^  -> |^\* / && n++ { exit }
    { print substr($0, 38) }' | sed 's/ *$//' >"$TMP/pretty.screen"
check "J: the lines of messages --pretty" sh -c "test \$(wc -l <$TMP/pretty) \
    -gt 3 && diff -u $TMP/pretty $TMP/pretty.screen >&2"
keys J
check "J again: as sent" wait_last 'JSON as sent$'
keys j s
check "s: a binary message's default name" wait_last \
    '^save the payload to: c1-0001-server-binary\.bin$'
keys Enter
check "s: saved whole" wait_last 'saved 8 bytes to c1-0001-server-binary\.bin$'
check "s: the binary bytes of messages --format jsonl" same_payload \
    "$TMP/d.jsonl" server 1 "$TMP/out/c1-0001-server-binary.bin"
keys Q
check "deflate: exit 0, nothing on stderr" exited_clean

# ---- / n N across the connections of a capture set; y names the file.
start 160 40 "$TMP/s.db"
check "set: list" wait_last '^connections 1/2 '
keys Enter m
check "set: messages of connection 1" wait_row 1 'payload \(connection 1\)$'
keys / hello Enter
check "/: the first match from the selection" wait_last \
    '/hello: connection 1 server message 0 \([0-9]+ searched in their stored prefix only: wsautopsy messages --full --grep\)$'
n_until_connection_2
check "n: on into connection 2" wait_last '/hello: connection 2 client message 0'
check "n: its message view open" wait_row 1 'payload \(connection 2\)$'
keys C-l
check "n: the match selected" wait_last '^connection 2 client message 0 '
check "n: the match underlined" has_attr '-> ' 'hello' 4
keys N
check "N: back to connection 1's last match" wait_last \
    '/hello: connection 1 [a-z]+ message [0-9]+'
check "N: connection 1's view" wait_row 1 'payload \(connection 1\)$'
keys g y
check "set: y names the file" wait_for "in real-node-deflate.pcap: frame.number == "
sfilter=$(popup | sed 's/^in real-node-deflate\.pcap: //')
if command -v tshark >/dev/null 2>&1; then
	got=$(tshark -r "$DF" -Y "$sfilter" -T fields -e frame.number 2>/dev/null)
	want=$(python3 -c 'import json, sys
m = [json.loads(l) for l in open(sys.argv[1])][0]
print(str(m["packets"][0]).split(":")[-1])' "$TMP/d.jsonl")
	check "set: tshark selects packet $want of that file: $got" \
	    test "$got" = "$want"
fi
keys x / no-such-text Enter
check "/: no match said" wait_last "no stored payload holds 'no-such-text'"
keys q
check "q: the connection" wait_last '^connection 1 '
keys Q
check "set: exit 0, nothing on stderr" exited_clean

# ---- / in the connection list: a connection's own text selects it, a
# payload alone opens its message view on the match, n N go on there.
start 160 40 "$TMP/s.db"
check "list /: list" wait_last '^connections 1/2 '
keys / hello Enter
check "list /: a payload match opens the message" wait_last \
    '/hello: connection 1 server message 0 \([0-9]+ searched in their stored prefix only: wsautopsy messages --full --grep\)$'
check "list /: in connection 1's message view" wait_row 1 \
    'payload \(connection 1\)$'
keys C-l
check "list /: the match selected" wait_last '^connection 1 server message 0 '
n_until_connection_2
check "list /, then n: on into connection 2" wait_last \
    '/hello: connection 2 client message 0'
check "list /, then n: its message view" wait_row 1 'payload \(connection 2\)$'
keys q q
check "q q: the list, on connection 2" wait_last '^connections 2/2 .*/hello'
keys / 18009 Enter
check "list /: an endpoint selects its connection" wait_last \
    '^connections 2/2 \[all\] sort:time /18009 '
check "list /: and stays in the list" wait_row 1 '2 connections'
keys g / hello Enter
check "list / from the top: connection 1's message" wait_last \
    '/hello: connection 1 server message 0 '
keys q q N
check "list N: the previous match wraps to connection 2's last" wait_last \
    '/hello: connection 2 [a-z]+ message [0-9]+ \(search wrapped\)'
want=$("$WSAUTOPSY" messages --format jsonl -i 2 --grep hello "$TMP/s.db" |
    tail -n 1 | python3 -c 'import json, sys
m = json.loads(sys.stdin.read())
print(m["direction"], m["message_id"])' 2>/dev/null)
got=$(screen | tail -n 1 | sed -n 's|.*/hello: connection 2 \([a-z]*\) message \([0-9]*\).*|\1 \2|p')
check "list N: the last message messages --grep finds ($want, got $got)" test "$got" = "$want"
keys q q / no-such-text Enter
check "list /: no match said" wait_last \
    "no match for 'no-such-text' \(nor in a stored payload\)"
keys Q
check "list /: exit 0, nothing on stderr" exited_clean

# ---- A payload holding escape sequences reaches the screen escaped.
cp "$TMP/p.db" "$TMP/h.db"
sqlite3 "$TMP/h.db" "UPDATE message_t SET payload_prefix = CAST(char(27) ||
    ']0;pwned' || char(7) || char(27) || '[2J' AS BLOB) WHERE
    connection_id = 1 AND direction = 0 AND message_id = 0"
start 100 30 "$TMP/h.db"
check "hostile: list" wait_last '^connections 1/1 '
keys Enter m
check "hostile: escaped" wait_for '\x1b]0;pwned\x07\x1b[2J'
check "hostile: title untouched" title_untouched pwned
check "hostile: no raw escapes" no_raw_escapes
keys Q
check "hostile: exit 0, nothing on stderr" exited_clean

# ---- A sub-protocol: each message's reading (messages --proto) on its
# first line, a Socket.IO recording from the real libraries.
SIO=$(sample proto-socketio.pcap)
check "analyze socket.io" "$WSAUTOPSY" analyze -q -o "$TMP/sio.db" "$SIO"
start 120 40 "$TMP/sio.db"
check "socket.io: list" wait_last '^connections 1/1 '
keys Enter m
check "socket.io: messages" wait_last '^connection 1 '
"$WSAUTOPSY" messages --proto "$TMP/sio.db" | sed -n 's/^  proto: //p' |
    head -n 4 >"$TMP/sio.proto"
check "socket.io: four readings from messages --proto" test "$(wc -l <"$TMP/sio.proto")" -eq 4
while IFS= read -r line; do
	check "socket.io: the view reads '$line'" wait_for "$line"
done <"$TMP/sio.proto"
keys Q
check "socket.io: exit 0, nothing on stderr" exited_clean

# ---- NO_COLOR: no colour anywhere in the view; the arrows still tell.
BROWSE_ENV="cd $TMP/out && NO_COLOR=1"
start 100 30 "$TMP/p.db"
check "NO_COLOR: list" wait_last '^connections 1/1 '
keys Enter m
check "NO_COLOR: messages" wait_last '^connection 1 client message 0 '
check "NO_COLOR: no colour" no_colour
a=$(attrs_at 255986 '*')
check "NO_COLOR: the marked message stands out ($a)" test -n "$a"
keys Q
check "NO_COLOR: exit 0, nothing on stderr" exited_clean

finish

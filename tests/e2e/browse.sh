#!/bin/sh
# wsautopsy browse under tmux: keys in, screen text out.
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/browse-lib.sh"

check "analyze two samples" "$WSAUTOPSY" analyze -q --separate -o "$TMP/x.db" \
    "$SAMPLES/real/real-1009-python.pcap" "$SAMPLES/real/real-node-plain.pcap"

# Not a terminal: one line, exit 1.
"$WSAUTOPSY" browse "$TMP/x.db" >"$TMP/out" 2>"$TMP/err" </dev/null
check "no terminal: exit 1" test $? -eq 1
check "no terminal: one line" test "$(wc -l <"$TMP/err")" -eq 1
check "no terminal: says why" grep -q "needs a terminal" "$TMP/err"

# A file that is no capture, and one that is missing: analyze's words and
# exit status, and no database left beside them.
printf 'not a capture at all\n' >"$TMP/bad.pcap"
"$WSAUTOPSY" analyze "$TMP/bad.pcap" 2>"$TMP/analyze-err"
astatus=$?
start 100 30 "$TMP/bad.pcap"
check "bad capture: analyze's exit status" test "$(wait_exit)" = "EXIT=$astatus"
check "bad capture: analyze's message" cmp "$TMP/analyze-err" "$TMP/stderr"
check "bad capture: no database beside it" test ! -e "$TMP/bad.db"
start 100 30 "$TMP/missing.db"
check "missing: analyze's exit status" test "$(wait_exit)" = "EXIT=$astatus"
check "missing: not created" test ! -e "$TMP/missing.db"
check "missing: says so" grep -q "missing.db: no such file (" "$TMP/stderr"

start 100 30 "$TMP/x.db"
check "first screen" wait_for "connections 1/2 [all] sort:time"
# Two captures: the header names the selection's, which : searches.
check "capture of the selection" \
    wait_for "real-node-plain.pcap (of 2 captures)  2 connections"
keys j
check "capture of the selection follows it" \
    wait_for "real-1009-python.pcap (of 2 captures)  2 connections"
# Packet 16 is in both captures; the selection's holds it in connection 1.
keys : 16 Enter
check ": in the list, this capture" wait_last "packet 16: connection 1"
check "counts per class" wait_for "1009:1"
check "both connections" sh -c "tmux -L $SOCK capture-pane -p -t b |
    grep -c '127.0.0.1:180' | grep -qx 2"
keys 4
check "filter 1009" wait_for "connections 1/1 [1009]"
check "1009 connection shown" wait_for "-> 127.0.0.1:18009"
check "normal connection hidden" sh -c "! tmux -L $SOCK capture-pane -p \
    -t b | grep -qF 127.0.0.1:18007"
keys ?
check "help from the key table" wait_for "only 1009 (message too big)"
keys q
keys Enter
check "connection view" wait_last "^connection 1 [a-z]+ frame [0-9]+ \(1/4\)"
check "handshake shown" wait_for "-> GET / HTTP/1.1  Host: 127.0.0.1:18009"
check "accept checked" wait_for "accept check: correct"
check "verdict box" wait_for "+-- verdict 1009: close message-too-big"
check "rfc section" wait_for "RFC 6455 7.4.1"
# ? adds the rules of the findings shown: id, RFC section, explanation.
keys ?
check "help: the keys first" wait_for "  ]            next frame with a finding"
keys G
check "help: the connection's rules" \
    wait_for "  1009 message-too-big  RFC 6455 7.4.1"
check "help: the rule's explanation" wait_for \
    "      a message (decoded, after inflation) was larger than the receiver"
check "help: the 1006 rule too" wait_for "  1006 close-unanswered  RFC 6455 5.5.1"
keys q
keys ]
check "] jumps to the finding" wait_last "^connection 1 [a-z]+ frame [0-9]+ \(3/4\)"
check "finding marked" wait_for "[1009 message-too-big]"
keys Enter
check "frame view" wait_for "client -> server frame 1 of connection 1"
check "offending header bytes" \
    wait_for "header bytes: 81 ff 00 00 00 00 00 20 00 00"
check "64-bit length decoded" wait_for "length  2097152   64-bit length"
check "the packets that carried it" wait_for \
    "carried by packets 10-11,13-14,17-18 (10 the first header byte, 18 the last"
check "payload hex" wait_for "000000  7a 7a 7a 7a"
check "finding explained" wait_for "finding 1009 close: message-too-big"
keys ?
check "help: the frame's rule" wait_for "  1009 message-too-big  RFC 6455 7.4.1"
check "help: only the frame's" sh -c "! tmux -L $SOCK capture-pane -p -t b |
    grep -qF close-unanswered"
check "help: the frame view's own keys" wait_for "  /            search the page"
keys q
check "help: back to the frame" wait_for "finding 1009 close: message-too-big"
# Only tmux's own SGR sequences may appear: no other escape, no control.
tmux -L "$SOCK" capture-pane -p -e -t b | sed 's/\x1b\[[0-9;]*m//g' \
    >"$TMP/raw"
check "no raw escapes" sh -c "! LC_ALL=C grep -q \"\$(printf '\\033')\" \
    $TMP/raw"
keys G
check "frame view scrolls to the end" wait_last 'lines [0-9]+-([0-9]+)/\1 '
# : in the frame view opens the frame carrying the packet, in this
# connection's capture only (packet 16 is also a frame of the other one).
keys :
check ": names the capture" wait_last "^packet of real-1009-python.pcap:"
keys 16 Enter
check ": in the frame view, this capture" \
    wait_last "packet 16: client frame 1 of connection 1"
keys : 9 Enter
check ": in the frame view opens that frame" \
    wait_for "server -> client frame 0 of connection 1"
keys : 20 Enter
check ": a packet that carries no frame" \
    wait_last "packet 20 carries no frame; it is in connection 1"
keys q
check "q: the connection, that frame selected" \
    wait_last "^connection 1 [a-z]+ frame [0-9]+ \(2/4\)"
keys ]
check "back to the connection" wait_last "^connection 1 [a-z]+ frame [0-9]+ \(3/4\)"
tmux -L "$SOCK" resize-window -t b -x 80 -y 24
check "80x24 redraw" wait_last "^connection 1 [a-z]+ frame [0-9]+ \(3/4\)" 
check "80x24 fits" fits 80 24 "(3/4)"
tmux -L "$SOCK" resize-window -t b -x 200 -y 60
check "200x60 redraw" wait_last "^connection 1 [a-z]+ frame [0-9]+ \(3/4\)"
check "200x60 fits" fits 200 60 "(3/4)"
check "200x60 timeline" wait_for "<-"
keys :
keys 9 Enter
check ": jumps to a packet" wait_last "^connection 1 [a-z]+ frame [0-9]+ \(2/4\)"
keys q
check "back to the list, filter kept" wait_for "connections 1/1 [1009]"
keys 1 / 18007 Enter
check "search" wait_for "connections 1/2 [all] sort:time /18007"
keys Q
check "Q exits 0" test "$(wait_exit)" = "EXIT=0"

# A database someone else made: escape sequences in every text column
# and in the payload must reach the screen escaped.
if command -v sqlite3 >/dev/null 2>&1; then
	cp "$TMP/x.db" "$TMP/h.db"
	sqlite3 "$TMP/h.db" "UPDATE connection_t SET host = 'h' ||
	    char(27) || ']0;pwned' || char(7), path = '/' || char(27) ||
	    '[2J', user_agent = char(27) || '[31mred'; UPDATE frame_t SET
	    payload_prefix = CAST(char(27) || ']0;pwned' || char(7) ||
	    char(27) || '[2J' AS BLOB) WHERE opcode = 1 AND frame_index = 0;"
	start 200 30 "$TMP/h.db"
	check "hostile: list" wait_for 'h\x1b]0;pwned\x07/\x1b[2J'
	keys 4 Enter
	check "hostile: handshake" wait_for 'User-Agent: \x1b[31mred'
	check "hostile: preview" wait_for '\x1b]0;pwned\x07\x1b[2J'
	keys Enter
	check "hostile: frame view" wait_for 'client -> server frame 0'
	keys G
	check "hostile: frame text" wait_for '\x1b]0;pwned\x07\x1b[2J'
	check "hostile: title untouched" title_untouched pwned
	check "hostile: no raw escapes" no_raw_escapes
	keys Q
	check "hostile: exit 0" test "$(wait_exit)" = "EXIT=0"
fi

# : across connections of one capture, from the frame view: the stack
# becomes list, that connection (the frame selected), that frame.
"$WSAUTOPSY" analyze -q --separate -o "$TMP/y.db" "$SAMPLES/real/real-large.pcap" \
    "$SAMPLES/real/real-1009-python.pcap"
start 100 30 "$TMP/y.db"
check "packets: list" wait_for "connections 1/3"
keys Enter
check "packets: connection 1" wait_last "^connection 1 [a-z]+ frame [0-9]+ \(1/4\)"
keys Enter
check "packets: frame" wait_for "client -> server frame 0 of connection 1"
keys : 10 Enter
check "packets: the frame of this capture spanning packet 10" \
    wait_last "packet 10: client frame 0 of connection 1"
keys : 349 Enter
check "packets: another connection's frame" \
    wait_for "server -> client frame 0 of connection 2"
keys q
check "packets: its connection below, the frame selected" \
    wait_last "^connection 2 [a-z]+ frame [0-9]+ \(2/4\)"
keys q
check "packets: the list, that connection selected" \
    wait_last "^connections 2/3 "
keys Enter
check "packets: connection 2 again" wait_last "^connection 2 [a-z]+ frame [0-9]+ \(1/4\)"
keys : 10 Enter
check "packets: from the connection view to another connection" \
    wait_last "^connection 1 [a-z]+ frame [0-9]+ \(1/4\)"
keys q
check "packets: then the list, connection 1 selected" \
    wait_last "^connections 1/3 "
keys Q
check "packets: exit 0" test "$(wait_exit)" = "EXIT=0"

# Frames that share a packet: a close and a text frame in one segment,
# and a close in the segment that ends a long frame.
"$WSAUTOPSY" analyze -q --separate -o "$TMP/s.db" \
    "$SAMPLES/viol/viol-node-frame-after-close.pcap" "$SAMPLES/real/real-1009-node.pcap"
start 100 30 "$TMP/s.db"
check "shared: list" wait_last "^connections 1/2 "
keys Enter j j Enter
check "shared: the close" wait_for "client -> server frame 1 of connection 1"
check "shared: one packet" \
    wait_for "carried by packet 11 (the header and the whole payload)"
check "shared: the frame after it" wait_for "packet 11 also carries client frame 2"
keys q j Enter
check "shared: the frame after the close" \
    wait_for "client -> server frame 2 of connection 1"
check "shared: the close before it" \
    wait_for "packet 11 also carries client frame 1"
keys q q j Enter j j Enter
check "shared: a long frame" wait_for "client -> server frame 1 of connection 2"
check "shared: its last packet" wait_for "packet 17 also carries client frame 2"
keys Q
check "shared: exit 0" test "$(wait_exit)" = "EXIT=0"

# A capture set (samples/ring): packets named file:number, as the database
# names them, in the timeline, the verdict and the frame view.
"$WSAUTOPSY" analyze -q -o "$TMP/ring.db" "$SAMPLES/ring"
off=$(sqlite3 -batch "$TMP/ring.db" "SELECT offending_packet FROM findings
    WHERE class = '1009'")
last=$(sqlite3 -batch "$TMP/ring.db" "SELECT f.last_packet FROM frames f
    JOIN findings k ON k.connection_id = f.connection_id AND
    k.offending_frame_index = f.frame_index AND f.direction = 'client'
    WHERE k.class = '1009'")
start 110 30 "$TMP/ring.db"
check "ring: list" wait_for "sort:time"
keys 4 Enter
check "ring: the verdict names the file" \
    wait_for "offending frame: client frame 1 (packet $off)"
check "ring: the timeline names the file" wait_re " -> [0-9:.]+ +$off text"
keys ]
keys Enter
check "ring: the frame view names both ends" \
    wait_for "($off the first header byte,"
check "ring: ... in their files" wait_for "$last the last payload byte)"
keys : "$off" Enter
check "ring: a packet asked for as FILE:NUMBER" \
    wait_last "packet $off: client frame 1 of connection"
keys : 4 Enter
check "ring: a bare number is not enough in a set" \
    wait_last "not FILE:NUMBER: 4"
keys Q
check "ring: exit 0" test "$(wait_exit)" = "EXIT=0"

# permessage-deflate: RSV1 shown as RSV1 in the timeline and the frame view.
"$WSAUTOPSY" analyze -q -o "$TMP/d.db" "$SAMPLES/real/real-node-deflate.pcap"
start 120 40 "$TMP/d.db"
check "deflate: list" wait_for "sort:time"
keys Enter
check "deflate: timeline shows RSV1" wait_for "F1---"
# The inflated text from the message, labelled; never the compressed bytes.
check "deflate: timeline previews the inflated text" \
    wait_for "inflated: hello from the node client"
check "deflate: no compressed preview" sh -c "! tmux -L $SOCK capture-pane \
    -p -t b | grep -qF '\\xaaV*'"
keys Enter
check "deflate: frame view RSV1" \
    wait_for "RSV1-3  100 RSV1: compressed (permessage-deflate)"
check "deflate: one packet carried it" \
    wait_for "carried by packet 8 (the header and the whole payload)"
check "deflate: hex dump keeps the wire bytes" \
    wait_for "unmasked (compressed, as sent):"
check "deflate: hex dump bytes" wait_for "000000  aa 56 2a a9 2c 48 55 b2"
check "deflate: text view says inflated" wait_for \
    "text (inflated with permessage-deflate: 52 bytes decoded, 52 stored; JSON):"
check "deflate: text view shows the inflated JSON" \
    wait_for '"server": "node-ws",'
keys Q
check "deflate: exit 0" test "$(wait_exit)" = "EXIT=0"

# A large generated capture: the first screen within 2 seconds, and the
# biggest connection's timeline pages without loading it.
MC=${top_builddir}/bench/make-capture
if [ -x "$MC" ]; then
	"$MC" -s 1 -o "$TMP/big.pcap" "${BROWSE_BIG_SIZE:-200M}" 2>/dev/null
	check "analyze the large capture" "$WSAUTOPSY" analyze -q \
	    -o "$TMP/big.db" "$TMP/big.pcap"
	rm -f "$TMP/big.pcap"
	t0=$(date +%s%N)
	start 120 40 "$TMP/big.db"
	# The 2 s promise is for the real build; a sanitizer build is several
	# times slower and only has to get there.
	slow=2
	[ "$W" -gt 5 ] && slow=$W
	check "large: first screen" wait_for "sort:time" "$slow"
	t1=$(date +%s%N)
	echo "large: first screen after $(((t1 - t0) / 1000000)) ms"
	keys s s Enter
	check "large: biggest connection" wait_for "connection " "$slow"
	keys G
	sleep 0.2
	check "large: end of the timeline" sh -c "tmux -L $SOCK capture-pane \
	    -p -t b | tail -n 1 | grep -Eq '\\(([0-9]+)/\\1\\) '"
	keys :
	keys 1000000 Enter
	check "large: packet jump" wait_last "packet 1000000" "$slow"
	keys Q
	check "large: exit 0" test "$(wait_exit)" = "EXIT=0"
fi

finish

#!/bin/sh
# wsautopsy browse under tmux: what a new user hit (keys other browsers
# taught them, the normal close, binary previews, one frame numbering).
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/browse-lib.sh"

check "analyze a normal session" "$WSAUTOPSY" analyze -q -o "$TMP/p.db" \
    "$SAMPLES/real/real-node-plain.pcap"
start 100 40 "$TMP/p.db"
check "list" wait_last "^connections 1/1 "
keys Enter G Enter
check "the server's close" wait_for "server -> client frame 7 of connection 1"
# A close without a rule: its explanation once, no empty labels.
check "normal close: the finding" wait_for "finding normal close"
check "normal close: said once" sh -c "tmux -L $SOCK capture-pane -p -t b |
    grep -c \"server answered the peer's close\" | grep -qx 1"
check "normal close: no empty parentheses" sh -c "! tmux -L $SOCK \
    capture-pane -p -t b | grep -qF '()'"
check "normal close: no empty cause" sh -c "! tmux -L $SOCK capture-pane \
    -p -t b | grep -Eq '^ *(cause|remedy):\$'"
# One numbering: the connection's status names the frame as the frame
# view and the report do (from 0 in its direction).
keys q
check "status: the frame as the report numbers it" \
    wait_last '^connection 1 server frame 7 \(14/14\) '
# tig's next and previous: J (^N) and K (^P) from the frame view.
keys Enter K
check "K: the previous frame" wait_for "client -> server frame 5 of connection 1"
keys C-p
check "^P: the one before" wait_for "server -> client frame 6 of connection 1"
keys J
check "J: the next frame" wait_for "client -> server frame 5 of connection 1"
keys C-n J
check "J: the last" wait_for "server -> client frame 7 of connection 1"
check "J: says it is the last" wait_last "the last one"
# Esc, Left and Backspace go back as q does, and never quit.
keys Escape
check "Esc: back" wait_last '^connection 1 server frame 7 '
keys Enter
check "Enter again" wait_for "server -> client frame 7 of connection 1"
keys Left
check "Left: back" wait_last '^connection 1 server frame 7 '
keys BSpace
check "Backspace: back" wait_last '^connections 1/1 '
keys Escape Left
sleep 0.3
check "Esc on the list does not quit" wait_last '^connections 1/1 '
check "still running" test ! -s "$TMP/exit"
keys ?
check "help names the keys" wait_for "q Esc Left BS"
keys Escape
keys Q
check "exit 0" test "$(wait_exit)" = "EXIT=0"

# Search and class keys cover what the report shows: verdicts, close
# codes, rule ids, capture names, every finding's class.
# Names that say nothing of the findings, so only the findings can match.
cp "$SAMPLES/viol/viol-node-unmasked-client-frame.pcap" "$TMP/u.pcap"
cp "$SAMPLES/real/real-1009-python.pcap" "$TMP/m.pcap"
"$WSAUTOPSY" analyze -q --separate -o "$TMP/v.db" "$SAMPLES/viol/viol-bad-accept-node.pcap" \
    "$TMP/u.pcap" "$TMP/m.pcap" "$SAMPLES/real/real-node-plain.pcap"
hs=$(sqlite3 "$TMP/v.db" "SELECT count(DISTINCT connection_id) FROM findings
    WHERE class = 'handshake'")
start 120 30 "$TMP/v.db"
check "find: list" wait_last '^connections 1/'
check "find: handshake findings counted" wait_for "handshake:$hs"
keys 6
check "find: 6 takes every connection with a handshake finding" \
    wait_last "^connections 1/$hs \\[handshake\\]"
keys 1 / unmasked Enter
check "find: a rule id" wait_last '^connections [0-9]+/[0-9]+ \[all\] sort:time /unmasked'
check "find: a rule id matches" sh -c "! tmux -L $SOCK capture-pane -p -t b |
    tail -n 1 | grep -q 'no match'"
keys '&'
check "find: only the unmasked" wait_last "^connections 1/1 .*/unmasked \\(only\\)"
keys / 1009 Enter
check "find: a close code" wait_last '^connections 1/1 \[all\] .*/1009 \(only\)'
keys / real-node-plain Enter
check "find: a capture name" wait_last '^connections 1/1 \[all\] .*/real-node-plain \(only\)'
keys Q
check "find: exit 0" test "$(wait_exit)" = "EXIT=0"


# / n N in the frames: payload text (as stored), in wire order, wrapping.
start 120 40 "$TMP/p.db"
check "payload: list" wait_last "^connections 1/1 "
keys Enter / subscribe Enter
check "payload: / selects the first frame holding it" \
    wait_last '^connection 1 client frame 1 \(5/14\) '
keys n
check "payload: n the next" wait_last '^connection 1 server frame 3 \(6/14\) '
keys N
check "payload: N the previous" wait_last '^connection 1 client frame 1 \(5/14\) '
keys N
check "payload: N wraps to the last" wait_last 'server frame 5 \(10/14\) .*search wrapped'
keys / no-such-text Enter
check "payload: no match said" wait_last "no payload holds 'no-such-text'"
# Binary payloads are bytes: escaped, never decoded as text.
check "binary: escaped bytes in the list" \
    wait_for 'binary F---- ' 
check "binary: the list shows the bytes escaped" \
    wait_for '\x00\x01\x02\x03\xfa\xfb\xfc\xfd'
# The frame view: a readable time with its zone, the epoch beside it.
keys g j Enter
check "frame: binary frame open" wait_for "server -> client frame 1 of connection 1"
check "frame: local date, time and zone, then the epoch" \
    wait_re 'time 2026-11-2[67] [0-9]{2}:[0-9]{2}:[0-9]{2}\.554623 [A-Z+0-9-]+ \(epoch 1795707726\.554623000\)'
check "frame: binary bytes escaped" wait_for 'bytes (binary, escaped):'
check "frame: no text of a binary payload" sh -c "! tmux -L $SOCK \
    capture-pane -p -t b | grep -q 'text (escaped)'"
keys / fin Enter
check "frame: / finds the line" wait_last '/fin: line 6 of 17$'
keys n
check "frame: n wraps to the only match" wait_last '/fin: line 6 of 17 \(search wrapped\)'
# Tab: there are no panes, and it says so.
keys Tab
check "Tab: no panes" wait_last 'no panes'
# The help searches too.
keys ?
check "help: open" wait_for "wsautopsy browse: keys of the frame view"
keys / panes Enter
check "help: / finds the Tab line" wait_last '/panes: line [0-9]+ of'
keys Q
check "payload: exit 0" test "$(wait_exit)" = "EXIT=0"

# Random binary bytes: no byte decoded into a CJK or combining character.
"$WSAUTOPSY" analyze -q --separate -o "$TMP/d.db" "$SAMPLES/real/real-node-plain.pcap" \
    "$SAMPLES/real/real-1009-many.pcap"
start 160 40 "$TMP/d.db"
check "days: list" wait_last "^connections 1/"
check "days: the list dates its times" \
    wait_re '^ *2026-1[12]-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} '
keys G Enter
check "days: a connection of random bytes" wait_for 'binary'
check "days: binary previews are ASCII" sh -c "! tmux -L $SOCK capture-pane \
    -p -t b | grep ' binary ' | sed 's/…\$//' | LC_ALL=C grep -q '[^ -~]'"
# A database of several days dates its times.
check "days: times carry the date" wait_re '^. (->|<-) 2026-1[12]-[0-9]{2} [0-9:.]+ '
keys Q
check "days: exit 0" test "$(wait_exit)" = "EXIT=0"

finish

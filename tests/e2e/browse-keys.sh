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
"$WSAUTOPSY" analyze -q -o "$TMP/v.db" "$SAMPLES/viol/viol-bad-accept-node.pcap" \
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

finish

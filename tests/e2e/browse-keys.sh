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
keys Q
check "exit 0" test "$(wait_exit)" = "EXIT=0"

finish

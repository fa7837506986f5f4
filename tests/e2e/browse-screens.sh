#!/bin/sh
# wsautopsy browse at 80x24 and 200x60: which columns each view keeps,
# what is cut (with an ellipsis) and that nothing spills; then colours
# (tmux capture-pane -e) and the keys the status lines name.
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/browse-lib.sh"

# The README's database: unmasked-client 1002, deflate normal, 1009, rst.
check "analyze four samples" "$WSAUTOPSY" analyze -q -o "$TMP/i.db" \
    "$SAMPLES/real-1009-python.pcap" "$SAMPLES/real-node-deflate.pcap" \
    "$SAMPLES/viol-python-unmasked-client-frame.pcap" \
    "$SAMPLES/real-rst.pcap"

# ---- 80x24: low-value columns dropped, long text cut with an ellipsis.
start 80 24 "$TMP/i.db"
check "80: list" wait_last '^connections 1/4 \[all\] sort:time  \?:help q:quit$'
check "80: the capture name cut, the counts whole (no zeros)" wait_row 1 \
    '^viol-python-unmasked-[a-z-]*…  4 connections  1002:1 1009:1 1006:1 normal:1 *$'
check "80: E, frames and the server dropped" wait_row 2 \
    '^time +client +host/path +bytes cli/srv +verdict *$'
check "80: a row readable" wait_row 3 \
    '^15:40:59 127\.0\.0\.1:49890 +127\.0\.0\.1:18106/ +397 1002/1002 1002 *$'
check "80: list fits" fits 80 24 "connections 1/4"
keys j j Enter
check "80: connection" wait_last '^connection 1 frame 1/4  Enter:frame'
check "80: a finding's class, the preview cut" wait_re \
    '^\* -> 15:42:10\.557 +10 text +F---M +2097152  \[1009\] z+…$'
check "80: a short timeline leaves the verdict box whole" \
    wait_for "| remedy: keep messages to 1048576 bytes"
check "80: connection fits" fits 80 24 "connection 1 frame 1/4"
keys ] Enter
check "80: frame" wait_last '^frame client 1 of connection 1  lines 1-23/'
keys g
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26; do
	keys j
done
check "80: a whole hex line" wait_re \
    '^  000000  7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a  \|z{16}\|$'
check "80: frame fits" fits 80 24 "frame client 1 of connection 1"
keys ?
check "80: help" wait_for "Rules of the findings shown here:"
check "80: help fits" fits 80 24 "help for the frame"

# ---- 200x60: every column, the endpoints and previews at length.
tmux -L "$SOCK" resize-window -t b -x 200 -y 60
keys q q q g
check "200: list" wait_last \
    '^connections 1/4 \[all\] sort:time  Enter:open 1-9:class s:sort /:search  \?:help q:quit$'
check "200: the whole header" wait_row 1 \
    '^viol-python-unmasked-client-frame\.pcap \(of 4 captures\)  4 connections  1002:1 1007:0 1009:1 1006:1 handshake:0 normal:1 open:0 other:0 *$'
check "200: every column" wait_row 2 \
    '^time +client -> server +host/path +E frames  bytes cli/srv   verdict *$'
check "200: a row" wait_row 3 \
    '^15:40:59\.052 127\.0\.0\.1:49890 -> 127\.0\.0\.1:18106 +127\.0\.0\.1:18106/ +5 +397 1002/1002 1002 *$'
check "200: list fits" fits 200 60 "connections 1/4"
keys j j Enter
check "200: connection" wait_last '^connection 1 frame 1/4  Enter:frame'
check "200: microseconds, the rule, a long preview" wait_re \
    '^\* -> 15:42:10\.557817 +10 text +F---M +2097152  \[1009 message-too-big\] z{120,}'
check "200: connection fits" fits 200 60 "connection 1 frame 1/4"
keys ] Enter
check "200: frame" wait_last '^frame client 1 of connection 1  lines 1-59/'
check "200: frame fits" fits 200 60 "frame client 1 of connection 1"
keys Q
check "exit 0" test "$(wait_exit)" = "EXIT=0"

finish

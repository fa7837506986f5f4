#!/bin/sh
# wsautopsy browse at 80x24 and 200x60: which columns each view keeps,
# what is cut (with an ellipsis) and that nothing spills; then colours
# (tmux capture-pane -e) and the keys the status lines name.
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/browse-lib.sh"

# The README's database: unmasked-client 1002, deflate normal, 1009, rst.
check "analyze four samples" "$WSAUTOPSY" analyze -q --separate -o "$TMP/i.db" \
    "$SAMPLES/real/real-1009-python.pcap" "$SAMPLES/real/real-node-deflate.pcap" \
    "$SAMPLES/viol/viol-python-unmasked-client-frame.pcap" \
    "$SAMPLES/real/real-rst.pcap"

# ---- The README's three screens are today's, at 100x24 (trailing blanks
# trimmed, runs of empty rows as one).
shot() { screen | sed 's/ *$//' | cat -s >"$TMP/shot"; }
# same_as_readme NAME: the shot is README's block after <!-- output: NAME -->.
same_as_readme() {
	readme_block output "$1" >"$TMP/pasted"
	if diff -u "$TMP/pasted" "$TMP/shot" >&2; then return 0; fi
	return 1
}
start 100 24 "$TMP/i.db"
check "README: list" wait_last '^connections 1/4 '
shot
check "README: the list as shown" same_as_readme browse-list
keys 4 Enter ]
check "README: connection" wait_last '^connection 1 [a-z]+ frame [0-9]+ \(3/4\) '
shot
check "README: the connection as shown" same_as_readme browse-connection
keys Enter
check "README: frame" wait_last '^frame client 1 of connection 1 '
shot
check "README: the frame as shown" same_as_readme browse-frame
keys Q
check "README: exit 0" test "$(wait_exit)" = "EXIT=0"

# ---- 80x24: low-value columns dropped, long text cut with an ellipsis.
start 80 24 "$TMP/i.db"
check "80: list" wait_last '^connections 1/4 \[all\] sort:time  \?:help q:quit$'
check "80: the capture name cut, the counts whole (no zeros)" wait_row 1 \
    '^viol-python-unmasked-[a-z-]*…  4 connections  1002:1 1009:1 1006:2 normal:1 *$'
check "80: the timeline" wait_row 2 \
    '^findings per [0-9]+ [a-z]+ \|.*\| [0-9:.]+ [A-Z]'
check "80: E, frames and the server dropped" wait_row 3 \
    '^time +client +host/path +bytes cli/srv +verdict *$'
check "80: a row readable" wait_row 4 \
    '^15:40:59 127\.0\.0\.1:49890 +127\.0\.0\.1:18106/ +397 1002/1002 1002 *$'
check "80: list fits" fits 80 24 "connections 1/4"
keys j j Enter
check "80: connection" wait_last '^connection 1 client frame 0 \(1/4\)  '
check "80: a finding's class, the preview cut" wait_re \
    '^\* -> 15:42:10\.557 +10 text +F---M +2097152  \[1009\] z+…$'
check "80: a short timeline leaves the verdict box whole" \
    wait_for "| remedy: keep messages to 1048576 bytes"
check "80: connection fits" fits 80 24 "(1/4)"
keys ] Enter
check "80: frame" wait_last '^frame client 1 of connection 1  lines 1-23/'
keys g
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26; do
	keys j
done
check "80: a whole hex line" wait_re \
    '^  000000  7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a  \|z{16}\|$'
check "80: frame fits" fits 80 24 "frame client 1 of connection 1"
# A message too long for the line: where we are is cut, the message whole.
keys : 10 Enter
check "80: a long message whole" wait_last \
    '^frame client 1 of connection 1  l[a-z]*…  packet 10: client frame 1 of connection 1$'
check "80: status fits" fits 80 24 "packet 10: client frame 1"
keys ?
check "80: help" wait_for "Rules of the findings shown here:"
check "80: help fits" fits 80 24 "help for the frame"

# ---- 200x60: every column, the endpoints and previews at length.
tmux -L "$SOCK" resize-window -t b -x 200 -y 60
keys q q q g
check "200: list" wait_last \
    '^connections 1/4 \[all\] sort:time  Enter:open 1-9:class s:sort /:search \[\]:bucket  \?:help q:quit$'
check "200: the whole header" wait_row 1 \
    '^viol-python-unmasked-client-frame\.pcap \(of 4 captures\)  4 connections  1002:1 1007:0 1009:1 1006:2 handshake:0 normal:1 open:0 other:0 *$'
check "200: every column, the zone in the time's heading" wait_row 3 \
    '^time \([^)]+\) +client -> server +host/path +E frames  bytes cli/srv   verdict *$'
check "200: a row" wait_row 4 \
    '^15:40:59\.052 127\.0\.0\.1:49890 -> 127\.0\.0\.1:18106 +127\.0\.0\.1:18106/ +5 +397 1002/1002 1002 *$'
check "200: list fits" fits 200 60 "connections 1/4"
keys j j Enter
check "200: connection" wait_last '^connection 1 [a-z]+ frame [0-9]+ \(1/4\)  Enter:frame'
check "200: microseconds, the rule, a long preview" wait_re \
    '^\* -> 15:42:10\.557817 +10 text +F---M +2097152  \[1009 message-too-big\] z{120,}'
check "200: connection fits" fits 200 60 "(1/4)"
keys ] Enter
check "200: frame" wait_last '^frame client 1 of connection 1  lines 1-59/'
check "200: frame fits" fits 200 60 "frame client 1 of connection 1"
keys Q
check "exit 0" test "$(wait_exit)" = "EXIT=0"

# ---- Colours: the verdict classes, and none with NO_COLOR. ----
# Rows in time order: 1002 (conn 3), normal (2), 1009 (1), 1006 (4).
start 100 30 "$TMP/i.db"
check "colour: list" wait_last '^connections 1/4 '
check "colour: 1009 yellow" has_attr 127.0.0.1:54868 1009 33
check "colour: 1002 red" has_attr 127.0.0.1:49890 1002 31
check "colour: 1006 dim" has_attr 127.0.0.1:50988 1006 2
check "colour: normal plain" test "$(attrs_at 127.0.0.1:36392 normal)" = ""
check "colour: 1009 count yellow" has_attr "4 connections" 1009:1 33
keys j j Enter
check "colour: connection" wait_last '^connection 1 [a-z]+ frame [0-9]+ \(1/4\) '
check "colour: the 1009 frame yellow" \
    has_attr "[1009 message-too-big]" message-too-big 33
check "colour: the verdict box yellow" has_attr "+-- verdict 1009" close 33
keys Q
check "colour: exit 0" test "$(wait_exit)" = "EXIT=0"
BROWSE_ENV=NO_COLOR=1 start 100 30 "$TMP/i.db"
check "NO_COLOR: list" wait_last '^connections 1/4 '
check "NO_COLOR: no colour in the list" no_colour
check "NO_COLOR: 1009 underlined" has_attr 127.0.0.1:54868 1009 4
check "NO_COLOR: 1002 bold" has_attr 127.0.0.1:49890 1002 1
keys j j Enter
check "NO_COLOR: connection" wait_last '^connection 1 [a-z]+ frame [0-9]+ \(1/4\) '
check "NO_COLOR: no colour in the connection" no_colour
keys ] Enter
check "NO_COLOR: frame" wait_last '^frame client 1 of connection 1 '
check "NO_COLOR: no colour in the frame" no_colour
keys Q
check "NO_COLOR: exit 0" test "$(wait_exit)" = "EXIT=0"

# ---- Keys do what the status line says. ----
start 100 30 "$TMP/i.db"
check "keys: list" wait_last '^connections 1/4 \[all\] sort:time '
keys s
check "s: by class" wait_last '^connections 1/4 \[all\] sort:class '
check "s: 1002 first" wait_row 4 ' 1002 *$'
check "s: then 1009" wait_row 5 ' 1009 *$'
check "s: then 1006" wait_row 6 ' 1006 *$'
check "s: normal last" wait_row 7 ' normal *$'
keys s
check "s: by bytes" wait_last '^connections 1/4 \[all\] sort:bytes '
check "s: the largest first" wait_row 4 ' 250K +-/1009 +1009 *$'
check "s: the smallest last" wait_row 7 ' 397 1002/1002 1002 *$'
keys s
check "s: back to time" wait_last '^connections 1/4 \[all\] sort:time '
check "s: in time order" wait_row 4 '^15:40:59\.052 '
keys 4
check "4: only 1009" wait_last '^connections 1/1 \[1009\] '
check "4: the 1009 row" wait_row 4 ' 1009 *$'
check "4: nothing else" wait_row 5 '^$'
keys 2
check "2: only 1002" wait_last '^connections 1/1 \[1002\] '
check "2: the 1002 row" wait_row 4 ' 1002 *$'
keys 5
# 5 takes the connection whose verdict is 1006 and the 1002 one that also
# left a 1006 finding.
check "5: every connection with a 1006" wait_last '^connections 1/2 \[1006\] '
check "5: the 1006 row" wait_re ' 1006 *$'
keys 7
check "7: only normal" wait_row 4 ' normal *$'
keys 9
check "9: no other verdict" wait_last '^connections 0/0 \[other\] '
check "9: said" wait_for "no connection matches"
keys 1
check "1: all again" wait_last '^connections 1/4 \[all\] '
keys / 1800 Enter
check "/: the first match from here" \
    wait_last '^connections 2/4 \[all\] sort:time /1800 '
keys n
check "n: the next match" wait_last '^connections 3/4 .*/1800 '
keys n
check "n: wraps" wait_last '^connections 2/4 .*/1800 .*search wrapped'
keys N
check "N: wraps back" wait_last '^connections 3/4 .*/1800 .*search wrapped'
keys N
check "N: the previous match" wait_last '^connections 2/4 .*/1800 '
keys '&'
check "&: only the matches" wait_last '^connections 1/2 .*/1800 \(only\)'
check "&: the two rows" wait_row 5 '127\.0\.0\.1:54868'
keys '&'
check "&: all again" wait_last '^connections 1/4 \[all\] sort:time /1800  '
keys G
check "G: the last" wait_last '^connections 4/4 '
keys g
check "g: the first" wait_last '^connections 1/4 '
keys End
check "End: the last" wait_last '^connections 4/4 '
keys Home
check "Home: the first" wait_last '^connections 1/4 '
keys NPage
check "PgDn: a page on (the end)" wait_last '^connections 4/4 '
keys PPage
check "PgUp: a page back" wait_last '^connections 1/4 '
# ] and [ walk the findings of the 1002 connection: packets 11, 12, 15.
keys Enter
check "timeline" wait_last '^connection 3 [a-z]+ frame [0-9]+ \(1/5\) '
keys ]
check "]: the first finding" \
    wait_last '^connection 3 [a-z]+ frame [0-9]+ \(3/5\) .*1002 unmasked-client-frame'
keys ]
check "]: the next" wait_last '^connection 3 [a-z]+ frame [0-9]+ \(4/5\) '
keys ]
check "]: the last" wait_last '^connection 3 [a-z]+ frame [0-9]+ \(5/5\) .*1002 close'
keys ]
check "]: none later" wait_last 'no later frame with a finding'
keys [
check "[: the previous" wait_last '^connection 3 [a-z]+ frame [0-9]+ \(4/5\) '
keys [ [
check "[: none earlier" wait_last '^connection 3 [a-z]+ frame [0-9]+ \(3/5\) .*no earlier frame'
keys G
check "G: the last frame" wait_last '^connection 3 [a-z]+ frame [0-9]+ \(5/5\) '
keys g
check "g: the first frame" wait_last '^connection 3 [a-z]+ frame [0-9]+ \(1/5\) '
keys End
check "End: the last frame" wait_last '^connection 3 [a-z]+ frame [0-9]+ \(5/5\) '
keys Home
check "Home: the first frame" wait_last '^connection 3 [a-z]+ frame [0-9]+ \(1/5\) '
keys NPage
check "PgDn: the last frame" wait_last '^connection 3 [a-z]+ frame [0-9]+ \(5/5\) '
keys PPage
check "PgUp: the first frame" wait_last '^connection 3 [a-z]+ frame [0-9]+ \(1/5\) '
# A long frame view pages by the screen less one line.
keys q j j Enter ] Enter
check "frame" wait_last '^frame client 1 of connection 1  lines 1-29/[0-9]+ '
keys NPage
check "PgDn: a page on" wait_last '  lines 29-57/'
keys NPage
check "PgDn: another" wait_last '  lines 57-85/'
keys PPage
check "PgUp: a page back" wait_last '  lines 29-57/'
keys G
check "G: the end" wait_last '  lines [0-9]+-([0-9]+)/\1 '
keys g
check "g: the top" wait_last '  lines 1-29/'
keys End
check "End: the end" wait_last '  lines [0-9]+-([0-9]+)/\1 '
keys Home
check "Home: the top" wait_last '  lines 1-29/'
keys Q
check "keys: exit 0" test "$(wait_exit)" = "EXIT=0"

finish

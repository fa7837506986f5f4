#!/bin/sh
# replay on a terminal: a target that is not a loopback or private address
# is asked about. Anything but y refuses it before any connection, with the
# line that names --yes, and exit 2; y goes on to connect (192.0.2.1, a
# documentation address nothing answers, ends in a connection error, not
# the refusal). Off a terminal nothing is asked: replay.sh checks that.
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/browse-lib.sh"
py=$(sample real-1009-python.pcap)

# ask: replay towards 192.0.2.1 in a fresh tmux session; its exit status
# lands in $TMP/exit, and the pane stays to be read.
ask() {
	rm -f "$TMP/exit"
	tmux -L "$SOCK" kill-session -t b 2>/dev/null
	tmux -L "$SOCK" new-session -d -s b -x 150 -y 20 \
	    "sh -c '\"$WSAUTOPSY\" replay \"$py\" --connection 1 --to ws://192.0.2.1:9/ --timeout 2; echo EXIT=\$? >$TMP/exit; sleep 60'"
}
# A session that outlives the others keeps the server between questions.
tmux -L "$SOCK" -f /dev/null new-session -d -s keep -x 20 -y 5 "sleep 600"
question="192.0.2.1 (192.0.2.1) is not a loopback or private address: replay there? [y/N]"

ask
check "the question is asked on the terminal" wait_for "$question"
keys n Enter
wait_exit >/dev/null
eq "n: exit 2" "EXIT=2" "$(cat "$TMP/exit")"
check "n: refused, naming --yes" wait_for \
    "is not a loopback or private address: replay there only with --yes"

ask
check "asked again" wait_for "$question"
keys Enter
wait_exit >/dev/null
eq "no answer: exit 2" "EXIT=2" "$(cat "$TMP/exit")"
check "no answer: refused" wait_for "replay there only with --yes"

ask
check "asked again" wait_for "$question"
keys y Enter
wait_exit >/dev/null
eq "y: exit 2 (nothing answers there)" "EXIT=2" "$(cat "$TMP/exit")"
check "y: not refused" sh -c "! tmux -L '$SOCK' capture-pane -p -t b | grep -q 'only with --yes'"
check "y: it tried to connect" wait_re "cannot connect to 192\.0\.2\.1"
finish

#!/bin/sh
# wsautopsy browse under tmux: the words of the headers (one connection is
# singular; a label is shown only with something after it).
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/browse-lib.sh"

check "analyze one 1009 connection" "$WSAUTOPSY" analyze -q -o "$TMP/one.db" \
    "$SAMPLES/real/real-1009-python.pcap"
start 100 30 "$TMP/one.db"
check "one connection: singular" wait_row 1 '  1 connection  '
check "one connection: no plural" sh -c "! tmux -L $SOCK capture-pane -p \
    -t b | sed -n 1p | grep -qF '1 connections'"
keys Enter
check "the limit with its profiles" \
    wait_for 'inferred limit: 5 to 2097151 bytes; matching profiles:'
keys Q
check "exit 0" test "$(wait_exit)" = "EXIT=0"

# A limit no known profile matches (the profiles column empty, as the
# analysis stores it then): the limit alone, no empty label.
cp "$TMP/one.db" "$TMP/none.db"
check "no profile matches" sqlite3 "$TMP/none.db" \
    "UPDATE finding_t SET matching_profiles = NULL WHERE limit_min IS NOT NULL"
start 100 30 "$TMP/none.db"
check "list" wait_last '^connections 1/1 '
keys Enter
check "the limit alone" wait_re 'inferred limit: 5 to 2097151 bytes *$'
check "no empty profiles label" sh -c "! tmux -L $SOCK capture-pane -p \
    -t b | grep -qF 'matching profiles:'"
keys Q
check "exit 0" test "$(wait_exit)" = "EXIT=0"

finish

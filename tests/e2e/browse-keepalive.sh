#!/bin/sh
# The browser's connection view says what the database knows of pings,
# quiet time and tolerated violations: the pings line, the idle line, and
# the violation's mark naming who carried on.
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/browse-lib.sh"

check "analyze" "$WSAUTOPSY" analyze -q -o "$TMP/k.db" \
    "$SAMPLES/real/real-keepalive-python.pcap"
start 120 40 "$TMP/k.db"
check "list" wait_last '^connections 1/1 '
keys Enter
check "connection" wait_last '^connection 1 '
check "the pings line: three sent, two answered, one not" wait_re \
    '^pings: client pings 3, answered 2, unanswered 1, round trip 1\.0/1\.4/1\.8 ms$'
keys Q
check "exit 0" test "$(wait_exit)" = "EXIT=0"

check "analyze nginx" "$WSAUTOPSY" analyze -q -o "$TMP/n.db" \
    "$SAMPLES/real/real-nginx-idle-60s.pcap"
start 120 40 "$TMP/n.db"
check "nginx: list" wait_last '^connections 1/2 '
keys Enter
check "nginx: the idle line" wait_re \
    '^idle 60\.[01] s before the abnormal end \(60\.[01] s since the last data frame\)$'
check "nginx: the cause names the proxy" wait_for \
    "matches nginx proxy_read_timeout (default 60 s)"
keys Q
check "nginx: exit 0" test "$(wait_exit)" = "EXIT=0"

check "analyze tornado" "$WSAUTOPSY" analyze -q -o "$TMP/t.db" \
    "$SAMPLES/viol/viol-tornado-unmasked-client-frame.pcap"
start 120 40 "$TMP/t.db"
check "tornado: list" wait_last '^connections 1/1 '
keys Enter
check "tornado: the violation's mark says who tolerated it" wait_for \
    "unmasked-client-frame, tolerated by server"
keys Q
check "tornado: exit 0" test "$(wait_exit)" = "EXIT=0"
finish

#!/bin/sh
# The browser's connection view says what the database knows of pings,
# quiet time and tolerated violations: the pings line, the idle line, and
# the violation's mark naming who carried on.
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/browse-lib.sh"

# The first connection of a sample, in the browser: NAME SAMPLE LIST, the
# list's count line.
open_first() {
	check "$1: analyze" "$WSAUTOPSY" analyze -q -o "$TMP/$1.db" \
	    "$SAMPLES/$2.pcap"
	start 120 40 "$TMP/$1.db"
	check "$1: list" wait_last "^connections $3 "
	keys Enter
}

quit() {
	keys Q
	check "$1: exit 0" test "$(wait_exit)" = "EXIT=0"
}

open_first python real/real-keepalive-python 1/1
check "python: connection" wait_last '^connection 1 '
check "python: the pings line: three sent, two answered, one not" wait_re \
    '^pings: client pings 3, answered 2, unanswered 1, round trip 1\.0/1\.4/1\.8 ms$'
quit python

open_first nginx real/real-nginx-idle-60s 1/2
check "nginx: the idle line" wait_re \
    '^idle 60\.[01] s before the abnormal end \(60\.[01] s since the last data frame\)$'
check "nginx: the cause names the proxy" wait_for \
    "matches nginx proxy_read_timeout (default 60 s)"
quit nginx

open_first tornado viol/viol-tornado-unmasked-client-frame 1/1
check "tornado: the violation's mark says who tolerated it" wait_for \
    "unmasked-client-frame, tolerated by server"
quit tornado
finish

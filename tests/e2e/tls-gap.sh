#!/bin/sh
# TLS records lost in a capture gap: a capture finding at the gap, never
# a peer's fault; that direction is not decrypted past it (its sequence
# numbers are implicit), the other goes on.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
MANGLE=$TOOLS/pcap-mangle
[ -x "$MANGLE" ] || { echo "SKIP: pcap-mangle not built"; exit 77; }
T=$SAMPLES/tls-core
q() { sqlite3 -batch "$1" "$2"; }

# Packet 19 is the client's record after its first KeyUpdate.
"$MANGLE" "$T/tls13-keyupdate.pcap" "$TMP/gap.pcap" drop 19 2>/dev/null
"$WSAUTOPSY" analyze -q --keylog "$T/tls13-keyupdate.keys" -o "$TMP/g.db" "$TMP/gap.pcap"
eq "gap: a tls-gap finding on the client's stream, capture class" \
    "capture|tls-gap|client" \
    "$(q "$TMP/g.db" "SELECT class, rule, sender FROM findings WHERE rule = 'tls-gap'")"
check "gap: the finding says the rest is not decrypted" \
    test -n "$(q "$TMP/g.db" "SELECT 1 FROM findings WHERE rule = 'tls-gap' AND detail LIKE '%are not decrypted%'")"
eq "gap: the client's frames stop before it, the server's go on" "client|1
server|5" "$(q "$TMP/g.db" "SELECT direction, count(*) FROM frames GROUP BY 1")"
eq "gap: nothing blamed on a peer" "0" \
    "$(q "$TMP/g.db" "SELECT count(*) FROM findings WHERE kind = 'violation'")"
finish

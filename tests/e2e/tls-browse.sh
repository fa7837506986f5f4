#!/bin/sh
# browse CAPTURE --keylog FILE decrypts as analyze does, and the
# connection view shows the TLS of the connection, the frame view the
# record that held the frame.
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/browse-lib.sh"
T=$SAMPLES/tls-core

cp "$T/tls12-gcm-1002.pcap" "$TMP/c.pcap"
start 160 30 "$TMP/c.pcap" --keylog "$T/tls12-gcm-1002.keys"
check "browse with a key log: the connection, decrypted" \
    wait_re '^connections 1/1 '
keys Enter
check "connection view: its TLS" wait_for \
    "tls TLS 1.2  cipher: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384  SNI: localhost  decrypted with: $T/tls12-gcm-1002.keys"
check "connection view: the frames decrypted" wait_for "reserved-opcode"
keys Enter
check "frame view: the TLS record that held the frame" \
    wait_re "held by TLS record [0-9]+ of its direction"
keys q q q
wait_exit >/dev/null
finish

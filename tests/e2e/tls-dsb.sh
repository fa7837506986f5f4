#!/bin/sh
# Keys a pcapng capture carries in a Decryption Secrets Block (editcap
# --inject-secrets tls,FILE) decrypt it without --keylog; the key log
# named is the capture's block. Needs the block walker, src/pcapng-secrets.c.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
[ -f "${top_srcdir}/src/pcapng-secrets.h" ] || {
	echo "SKIP: no pcapng Decryption Secrets Block walker (src/pcapng-secrets.h) in this tree"
	exit 77
}
T=$SAMPLES/tls-core
cp "$T/tls13-chacha-dsb.pcapng" "$TMP/dsb.pcapng"
"$WSAUTOPSY" analyze -q -o "$TMP/d.db" "$TMP/dsb.pcapng"
eq "DSB: decrypted with the capture's own keys" \
    "1|$TMP/dsb.pcapng (decryption secrets block)|4" \
    "$(sqlite3 "$TMP/d.db" "SELECT tls_decrypted, tls_keylog, (SELECT count(*) FROM frames) FROM connections")"
"$WSAUTOPSY" analyze -q -o "$TMP/p.db" - <"$TMP/dsb.pcapng"
eq "DSB: standard input is read once, its blocks are not" "0" \
    "$(sqlite3 "$TMP/p.db" "SELECT tls_decrypted FROM connections")"
finish

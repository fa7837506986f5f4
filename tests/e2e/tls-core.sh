#!/bin/sh
# wss:// with a key log, on the tls-core samples (real TLS stacks on
# loopback, samples/tls-core/record-tls-core.sh): every decrypted frame
# and payload byte agrees with tshark's decryption of the same capture;
# closes and violations inside TLS name the packet of their frame; a key
# that does not fit and a missing key are told as they should be.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need python3
T=$SAMPLES/tls-core

q() { sqlite3 -batch "$1" "$2"; }

if command -v tshark >/dev/null 2>&1; then
	for keys in "$T"/*.keys; do
		cap=${keys%.keys}.pcap
		[ -f "$cap" ] || continue
		if python3 "$top_srcdir/tests/e2e/tls-frames.py" "$WSAUTOPSY" \
		    "$cap" "$keys" >"$TMP/out" 2>&1; then
			ok
		else
			bad "$(basename "$cap"): decryption differs from tshark's"
		fi
		cat "$TMP/out"
	done
else
	echo "tshark not installed: the comparison with its decryption skipped"
fi

# Every suite and both versions decrypt: frames on both sides.
for s in tls13-python tls13-keyupdate tls13-chacha tls12-gcm-1002 \
    tls12-chacha-1009 tls12-cbc-etm tls12-cbc-mte; do
	"$WSAUTOPSY" analyze -q --keylog "$T/$s.keys" -o "$TMP/$s.db" "$T/$s.pcap"
	eq "$s: client and server frames" "client|server" \
	    "$(q "$TMP/$s.db" "SELECT group_concat(d, '|') FROM (SELECT DISTINCT direction AS d FROM frames ORDER BY 1)")"
done
# Three KeyUpdates (the first asked the server for its own): every frame.
eq "keyupdate: frames after each update" "10" \
    "$(q "$TMP/tls13-keyupdate.db" "SELECT count(*) FROM frames")"
# Which TLS records held each frame, numbered per direction (tshark's
# tls.record.length per packet: the client's records 1-4 are the
# ClientHello, ChangeCipherSpec, Finished and the Upgrade request, the
# server's 1-9 its handshake, two tickets and the 101).
eq "keyupdate: the records of the first frames" "client|0|14|5
server|0|15|10
client|2|25|9
server|2|27|13" \
    "$(q "$TMP/tls13-keyupdate.db" "SELECT direction, frame_index, packets, tls_records FROM frames WHERE frame_index IN (0, 2) ORDER BY frame_index, direction")"
# A 1002 and a 1009 inside TLS name their frame's packet.
eq "1002 in TLS 1.2 GCM: the offending frame's packet" "reserved-opcode|client|17" \
    "$(q "$TMP/tls12-gcm-1002.db" "SELECT rule, sender, packet FROM findings WHERE kind = 'violation'")"
eq "1009 in TLS 1.2 ChaCha20: the close and its offending packet" "1009|server|17" \
    "$(q "$TMP/tls12-chacha-1009.db" "SELECT code, sender, offending_packet FROM findings WHERE kind = 'close' AND code = 1009")"
# Resumption: the second connection's master secret by its client random.
"$WSAUTOPSY" analyze -q --keylog "$T/tls12-resume.keys" -o "$TMP/r.db" "$T/tls12-resume.pcap"
eq "resumed session decrypted" "1|4
2|4" "$(q "$TMP/r.db" "SELECT connection_id, count(*) FROM frames GROUP BY 1")"

# TLS alerts are part of how a connection ended (tshark: close_notify at
# packets 15 and 16); a server that only stopped sent none.
"$WSAUTOPSY" analyze -q --keylog "$T/tls13-close-notify.keys" -o "$TMP/cn.db" "$T/tls13-close-notify.pcap"
eq "close_notify, then FIN: the abrupt end names the alert" \
    "client|18|after the TLS alert close_notify at packet 15 before the end; after server frame 0 (packet 13); idle 0.0 s before the FIN, 0.3 s since the last data frame
server|19|after the TLS alert close_notify at packet 16 before the end; after client frame 0 (packet 12); idle 0.0 s before the FIN, 0.3 s since the last data frame" \
    "$(q "$TMP/cn.db" "SELECT sender, packet, detail FROM findings WHERE rule = 'abrupt-fin' ORDER BY sender")"
"$WSAUTOPSY" analyze -q --keylog "$T/tls13-server-exit.keys" -o "$TMP/se.db" "$T/tls13-server-exit.pcap"
eq "a bare FIN inside TLS: no alert named" "abrupt-fin|server|after client frame 0 (packet 14); idle 1.2 s before the FIN, 1.2 s since the last data frame" \
    "$(q "$TMP/se.db" "SELECT rule, sender, detail FROM findings WHERE kind = 'abnormal'")"

# A fatal alert (samples/tls-core/tls12-fatal-alert: the client writes a
# record of random bytes, the Node https + ws server answers bad_record_mac,
# tshark: packet 16, then both ends close TCP): the server's abrupt end
# names the alert; the forged record is the capture's to say (it does not
# decrypt), never a WebSocket violation.
"$WSAUTOPSY" analyze -q --keylog "$T/tls12-fatal-alert.keys" -o "$TMP/fa.db" "$T/tls12-fatal-alert.pcap"
eq "tshark: the fatal alert at packet 16" "16	2	20" \
    "$(tshark -r "$T/tls12-fatal-alert.pcap" -o "tls.keylog_file:$T/tls12-fatal-alert.keys" \
    -Y tls.alert_message -T fields -e frame.number -e tls.alert_message.level \
    -e tls.alert_message.desc 2>/dev/null)"
eq "a fatal alert, then FIN: the abrupt end names it" \
    "server|19|after a fatal TLS alert bad_record_mac at packet 16 before the end (a TLS error, not a WebSocket close)" \
    "$(q "$TMP/fa.db" "SELECT sender, packet, substr(detail, 1, instr(detail, ';') - 1) FROM findings WHERE rule = 'abrupt-fin' AND detail LIKE '%alert%'")"
eq "the forged record: a capture finding, no violation" "capture|tls-decrypt-failed|client|15" \
    "$(q "$TMP/fa.db" "SELECT class, rule, sender, packet FROM findings WHERE class NOT IN ('1006')")"

# Keys that do not fit: the same client randoms, other secrets.
awk '/^#/ {print; next} {s = $3; c = substr(s, 1, 1); c = c == "0" ? "1" : "0"; print $1, $2, c substr(s, 2)}' \
    "$T/tls13-chacha.keys" >"$TMP/wrong.keys"
"$WSAUTOPSY" analyze -q --keylog "$TMP/wrong.keys" -o "$TMP/w.db" "$T/tls13-chacha.pcap"
eq "wrong key: a capture finding on each side, no frame" "capture|tls-decrypt-failed|2|0" \
    "$(q "$TMP/w.db" "SELECT class, rule, count(*), (SELECT count(*) FROM frames) FROM findings WHERE rule LIKE 'tls-%'")"
check "wrong key: the finding names its first encrypted packet" \
    test -n "$(q "$TMP/w.db" "SELECT 1 FROM findings WHERE rule = 'tls-decrypt-failed' AND packet > 0 AND detail LIKE '%does not decrypt%'")"

# Keys for one connection of two: the other is not a finding.
"$WSAUTOPSY" analyze -q --keylog "$T/tls-somekeys.keys" -o "$TMP/some.db" "$T/tls-somekeys.pcap"
eq "some keys: one connection decoded, no finding" "1|0" \
    "$(q "$TMP/some.db" "SELECT count(DISTINCT connection_id), (SELECT count(*) FROM findings WHERE class = 'capture') FROM frames")"

# Without a key: listed as TLS from the clear handshake, a state, not a
# finding; the summary and the report count it.
"$WSAUTOPSY" analyze -o "$TMP/nk.db" "$T/tls-somekeys.pcap" >"$TMP/sum"
eq "no keys: the connections as TLS" "TLS 1.3|TLS_AES_256_GCM_SHA384|localhost|0||fin
TLS 1.2|TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256|localhost|0||fin" \
    "$(q "$TMP/nk.db" "SELECT tls_version, tls_cipher, tls_sni, tls_decrypted, tls_keylog, tcp_end FROM connections ORDER BY connection_id")"
eq "no keys: no finding" "0" "$(q "$TMP/nk.db" "SELECT count(*) FROM findings")"
check "no keys: counted in the summary" grep -q "2 TLS connections without keys (--keylog FILE)" "$TMP/sum"
"$WSAUTOPSY" report "$TMP/nk.db" >"$TMP/rep"
check "no keys: counted in the report" grep -q "^  2 TLS connections without keys (--keylog FILE)" "$TMP/rep"
eq "some keys: the key log named on its connection" "2|1|$T/tls-somekeys.keys" \
    "$(q "$TMP/some.db" "SELECT connection_id, tls_decrypted, tls_keylog FROM connections WHERE tls_keylog IS NOT NULL")"
"$WSAUTOPSY" report "$TMP/w.db" >"$TMP/rep"
check "wrong key: the report's detail names TLS and the key log" \
    grep -q "^  tls        TLS 1.3 TLS_CHACHA20_POLY1305_SHA256, SNI localhost, not decrypted with the secrets of $TMP/wrong.keys" "$TMP/rep"

# Picked up after the handshake: TLS without a client random to find its
# keys by, listed and counted, not a finding.
"$WSAUTOPSY" analyze --keylog "$T/tls13-midstream.keys" -o "$TMP/mid.db" "$T/tls13-midstream.pcap" >"$TMP/sum"
eq "after the handshake: listed as TLS, not decrypted" "unknown|0||0" \
    "$(q "$TMP/mid.db" "SELECT tls_version, tls_decrypted, tls_keylog, (SELECT count(*) FROM findings) FROM connections")"
check "after the handshake: counted without keys" grep -q "1 TLS connection without keys" "$TMP/sum"

# ALPN h2 (curl and openssl s_server): HTTP/2, counted and named, not an
# HTTP/1.1 exchange gone wrong: from the clear ServerHello (TLS 1.2), from
# the decrypted EncryptedExtensions (TLS 1.3; the offer without keys).
"$WSAUTOPSY" analyze -o "$TMP/h2a.db" "$T/tls12-h2.pcap" >"$TMP/sum"
check "h2 in TLS 1.2: counted" grep -q "1 HTTP/2 (ALPN h2, not decoded)" "$TMP/sum"
"$WSAUTOPSY" analyze -o "$TMP/h2b.db" --keylog "$T/tls13-h2.keys" "$T/tls13-h2.pcap" >"$TMP/sum"
check "h2 in TLS 1.3: counted" grep -q "1 HTTP/2 (ALPN h2, not decoded)" "$TMP/sum"
eq "h2: the ALPN chosen, decrypted, no finding" "TLS 1.2|h2|0|0
TLS 1.3|h2|1|0" "$(q "$TMP/h2a.db" "SELECT tls_version, tls_alpn, tls_decrypted, (SELECT count(*) FROM findings) FROM connections"; q "$TMP/h2b.db" "SELECT tls_version, tls_alpn, tls_decrypted, (SELECT count(*) FROM findings) FROM connections")"
"$WSAUTOPSY" analyze -q -o "$TMP/h2c.db" "$T/tls13-h2.pcap"
eq "h2 in TLS 1.3 without keys: the client's offer" "h2,http/1.1" \
    "$(q "$TMP/h2c.db" "SELECT tls_alpn FROM connections")"
"$WSAUTOPSY" report "$TMP/h2a.db" >"$TMP/rep"
check "h2: named in the report" grep -q "^  1 HTTP/2 connection (ALPN h2), not decoded" "$TMP/rep"

# A key log that is not one: one line, and the analysis goes on.
printf 'hello\nworld\n' >"$TMP/not.keys"
"$WSAUTOPSY" analyze -q --keylog "$TMP/not.keys" -o "$TMP/n.db" "$T/tls13-chacha.pcap" 2>"$TMP/err"
eq "not a key log: one line" "1" "$(wc -l <"$TMP/err" | tr -d ' ')"
check "not a key log: said so" grep -q "not a TLS key log" "$TMP/err"
# A key log that cannot be read is a usage error.
"$WSAUTOPSY" analyze -q --keylog "$TMP/none.keys" -o "$TMP/n.db" "$T/tls13-chacha.pcap" 2>"$TMP/err"
eq "unreadable key log: usage error" "1" "$?"
# The options are recorded with the capture.
"$WSAUTOPSY" analyze -q --keylog "$T/tls13-chacha.keys" -o "$TMP/o.db" "$T/tls13-chacha.pcap"
check "captures.options names the key log" \
    test -n "$(q "$TMP/o.db" "SELECT 1 FROM captures WHERE options LIKE '--keylog ''%tls13-chacha.keys'''")"
finish

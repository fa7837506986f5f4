#!/bin/sh
# replay to a wss:// target: a real Python websockets server (max_size
# 1 MiB, as captured) behind TLS on loopback, with a self-signed
# certificate made here. real-1009-python reproduces with --insecure; the
# certificate is checked by default (self-signed: refused in one line;
# trusted through SSL_CERT_FILE: the host name decides); --keylog-out and
# --record keep a recording of TLS records that analyze (with the key log)
# finds the printed verdict in and tshark decrypts to the same close
# code. A server that does not speak TLS, or never answers, is an error
# in one line. Then a ws:// replay to [::1], recorded as IPv6, which analyze and
# tshark read alike.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need openssl
. "${top_srcdir}/tests/e2e/replay-lib.sh"

# A self-signed certificate for the name localhost only.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost -keyout "$TMP/key.pem" \
    -out "$TMP/cert.pem" 2>"$TMP/openssl.err"
eq "a certificate made" 0 $?

py=$(sample real-1009-python.pcap)
same="reproduced: server closed 1009 after client frame 1 (captured: \
closed 1009 after client frame 1)"
start wss wss 1048576 "$TMP/cert.pem" "$TMP/key.pem"

replay "$py" --connection 1 --to "wss://127.0.0.1:$port/" --insecure
eq "wss --insecure: reproduced" "0 $same" "$rc $out"

# Verified by default: a self-signed certificate is refused, one line.
replay "$py" --connection 1 --to "wss://127.0.0.1:$port/"
eq "self-signed: error" 2 "$rc"
eq "self-signed: said in one line" "wsautopsy: TLS handshake with \
127.0.0.1:$port failed: certificate verify failed: self-signed certificate" \
    "$(cat "$TMP/err")"
eq "self-signed: nothing on standard output" "" "$out"
# Trusted (SSL_CERT_FILE), the name is checked: localhost is the
# certificate's, the address 127.0.0.1 is not.
out=$(SSL_CERT_FILE=$TMP/cert.pem "$WSAUTOPSY" replay "$py" --connection 1 \
    --to "wss://localhost:$port/" </dev/null 2>"$TMP/err")
eq "trusted, its name: reproduced" "0 $same" "$? $out"
out=$(SSL_CERT_FILE=$TMP/cert.pem "$WSAUTOPSY" replay "$py" --connection 1 \
    --to "wss://127.0.0.1:$port/" </dev/null 2>"$TMP/err")
eq "trusted, another name: error" 2 $?
check "trusted, another name: said" grep -q "certificate verify failed: \
IP address mismatch" "$TMP/err"

# The options that need TLS, without it.
replay "$py" --connection 1 --to "ws://127.0.0.1:$port/" --insecure
eq "--insecure with ws://: usage error" 2 "$rc"

# --keylog-out and --record: the recording holds TLS records (the close
# code is nowhere in the clear), and decrypts to the verdict printed.
replay "$py" --connection 1 --to "wss://localhost:$port/" --insecure \
    --keylog-out "$TMP/replay.keys" --record "$TMP/rec.pcap"
eq "record: reproduced" "0 $same" "$rc $out"
check "record: the key log has the TLS 1.3 secrets" grep -q \
    "^CLIENT_TRAFFIC_SECRET_0 " "$TMP/replay.keys"
"$WSAUTOPSY" analyze -q -o "$TMP/nokeys.db" "$TMP/rec.pcap" 2>/dev/null
eq "record without the key log: no close read" 0 \
    "$(sqlite3 "$TMP/nokeys.db" "SELECT count(*) FROM findings WHERE
    kind = 'close'")"
"$WSAUTOPSY" analyze -q -o "$TMP/rec.db" --keylog "$TMP/replay.keys" \
    "$TMP/rec.pcap"
eq "record: analyze with the key log finds what replay printed" \
    "server|1009|1|client" \
    "$(sqlite3 "$TMP/rec.db" "SELECT sender, code, offending_frame_index,
    offending_sender FROM findings WHERE kind = 'close' AND NOT answered")"
if command -v tshark >/dev/null 2>&1; then
	tshark -r "$TMP/rec.pcap" -o "tls.keylog_file:$TMP/replay.keys" \
	    -T fields -e websocket.payload.close.status_code \
	    -Y 'websocket.opcode == 8 && ip.src == 127.0.0.1 && tcp.srcport == '"$port" \
	    >"$TMP/tshark.out" 2>"$TMP/tshark.err"
	eq "record: tshark reads it" 0 $?
	eq "record: tshark decrypts the server's 1009" 1009 \
	    "$(cat "$TMP/tshark.out")"
	eq "record: every TCP checksum good" 0 "$(tshark -r "$TMP/rec.pcap" \
	    -o tcp.check_checksum:TRUE -T fields -e tcp.checksum.status \
	    2>/dev/null | grep -vc '^1$')"
fi

# Not TLS at the other end: the plain websockets server, and one that
# waits for an HTTP head (the hostile one) and so never answers the
# ClientHello: one line each, the second at the timeout.
start plain ws 1048576
replay "$py" --connection 1 --to "wss://127.0.0.1:$port/" --insecure
eq "plain server: error" 2 "$rc"
eq "plain server: said in one line" "wsautopsy: TLS handshake with \
127.0.0.1:$port failed: wrong version number" "$(cat "$TMP/err")"
start silent hostile escapes
t0=$(date +%s)
replay "$py" --connection 1 --to "wss://127.0.0.1:$port/" --insecure \
    --timeout 2
t1=$(date +%s)
eq "silent server: error" 2 "$rc"
check "silent server: said" grep -q "TLS handshake with 127.0.0.1:$port \
failed: no handshake within the timeout" "$TMP/err"
check "silent server: ended by the timeout" test $((t1 - t0)) -le 4

# ws:// to [::1], recorded as IPv6.
if /usr/bin/python3 -c 'import socket
socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	start ws6 ws6 1048576
	replay "$py" --connection 1 --to "ws://[::1]:$port/" \
	    --record "$TMP/rec6.pcap"
	eq "IPv6: reproduced" "0 $same" "$rc $out"
	"$WSAUTOPSY" analyze -q -o "$TMP/rec6.db" "$TMP/rec6.pcap"
	eq "IPv6 record: analyze finds what replay printed" \
	    "server|1009|1|client|[::1]:$port" \
	    "$(sqlite3 "$TMP/rec6.db" "SELECT sender, code,
	    offending_frame_index, offending_sender, server FROM findings
	    WHERE kind = 'close' AND NOT answered")"
	if command -v tshark >/dev/null 2>&1; then
		eq "IPv6 record: tshark sees the server's 1009 from ::1" \
		    "::1 1009" "$(tshark -r "$TMP/rec6.pcap" -T fields \
		    -e ipv6.src -e websocket.payload.close.status_code \
		    -Y 'websocket.opcode == 8 && tcp.srcport == '"$port" \
		    -E separator=' ' 2>/dev/null)"
		eq "IPv6 record: every TCP checksum good" 0 \
		    "$(tshark -r "$TMP/rec6.pcap" -o tcp.check_checksum:TRUE \
		    -T fields -e tcp.checksum.status 2>/dev/null |
		    grep -vc '^1$')"
	fi
else
	echo "IPv6 parts skipped: ::1 cannot be bound here"
fi
finish

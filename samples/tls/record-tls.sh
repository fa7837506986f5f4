#!/bin/sh
# record-tls.sh: record the tls-* sample captures: real TLS stacks on
# loopback (openssl s_server/s_client from Debian's OpenSSL 3, Node https +
# ws 8 with --tls-keylog, Python websockets 10.4 and ssl with
# keylog_filename), each with its key log NAME.keys and NAME.truth written
# from tshark's decryption (samples/tls/tls-truth.py).
#
#   sudo samples/tls/record-tls.sh [SAMPLE...]
#
# With SAMPLE names only those are re-recorded (a derived sample needs its
# source). Needs root (a network namespace of its own), tcpdump, tshark,
# editcap, openssl, node/npm and /usr/bin/python3 with python3-websockets.
# Ports 18401-18430.
#
# The recording runs in a network namespace of its own whose loopback has
# an MTU of 1500 and no segmentation offload (gso_max_segs 1), so TCP
# segments are at most 1448 bytes as on a real link: a TLS record (up to
# 16 KiB) spans several segments, and a burst of small records shares one.
# The certificate is made afresh each time (the key logs, not the
# certificate, are what decryption needs).
set -eu
umask 022

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if [ -z "${TLS_NETNS:-}" ]; then
	ns=wsa-tls-$$
	ip netns add "$ns"
	trap 'ip netns del "$ns"' EXIT INT TERM
	ip netns exec "$ns" ip link set lo mtu 1500 up
	ip netns exec "$ns" ip link set dev lo gso_max_segs 1
	TLS_NETNS=$ns ip netns exec "$ns" "$0" "$@"
	exit $?
fi

only="$*"
. "$top/samples/record-lib.sh"

openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=localhost \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
cert=$tmp/cert.pem
key=$tmp/key.pem

capture_start() { # OUT PORT
	tcpdump -i lo -U --immediate-mode -B 131072 -w "$1" "tcp port $2" \
	    2>"$tmp/tcpdump.err" &
	tcpdump_pid=$!
	wait_for "$tmp/tcpdump.err" "listening on"
}

server_stop() {
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
	grep -a -E '^(ready|closed|error|CIPHER|KEYUPDATE|Reused|DONE)' \
	    "$tmp/server.log" | sed 's/^/  server: /' >&2 || true
}

# What the openssl peers type: lines, a KeyUpdate request ("K" at the
# start of a line, with KEYUPDATE=1) and 30000 bytes of one letter (several
# records, several segments each), then they wait for the end.
ossl_input() { # WHO DELAY
	sleep "$2"
	printf '%s says hello\n' "$1"
	sleep 0.3
	if [ "${KEYUPDATE:-0}" = 1 ]; then
		printf 'K\n'
		sleep 0.3
	fi
	head -c 30000 /dev/zero | tr '\0' "$(printf %.1s "$1")"
	printf '\n%s says goodbye\n' "$1"
	sleep "${3:-1}"
}

# ossl NAME PORT CONNECTIONS SERVER_OPTIONS -- CLIENT_OPTIONS
# openssl s_server and s_client; CONNECTIONS > 1 resumes the first
# connection's session in the next ones (-sess_out / -sess_in).
ossl() {
	name=$1 port=$2 conns=$3
	shift 3
	sopts= copts= side=s
	for a in "$@"; do
		if [ "$a" = -- ]; then side=c; continue; fi
		if [ $side = s ]; then sopts="$sopts $a"; else copts="$copts $a"; fi
	done
	echo "recording $name" >&2
	rm -f "$tmp/$name.keys" "$tmp/server.keys" "$tmp/sess"
	capture_start "$tmp/$name.pcap" "$port"
	: >"$tmp/server.log"
	# shellcheck disable=SC2086
	ossl_input server 1 $((conns * 3 + 2)) | openssl s_server -accept "$port" \
	    -cert "$cert" -key "$key" -keylogfile "$tmp/server.keys" \
	    -naccept "$conns" $sopts >"$tmp/server.log" 2>&1 &
	server_pid=$!
	wait_for "$tmp/server.log" ACCEPT
	i=1
	while [ $i -le "$conns" ]; do
		sess=
		[ "$conns" -gt 1 ] && { [ $i = 1 ] && sess="-sess_out $tmp/sess" || sess="-sess_in $tmp/sess"; }
		# shellcheck disable=SC2086
		ossl_input client 0.5 1.5 | timeout 20 openssl s_client \
		    -connect "127.0.0.1:$port" -servername localhost \
		    -keylogfile "$tmp/$name.keys" $sess $copts \
		    >"$tmp/client.log" 2>&1 || true
		grep -a -E '^(New|Reused),|Protocol *:|Cipher *:|KEYUPDATE' \
		    "$tmp/client.log" | sed 's/^/  client: /' >&2
		i=$((i + 1))
	done
	sleep 0.3
	server_stop
	capture_stop
	mv "$tmp/$name.pcap" "$here/$name.pcap"
	mv "$tmp/$name.keys" "$here/$name.keys"
}

# ws NAME PORT SERVER_ROLE CLIENT_ROLE [COUNT]: the Node https + ws server
# (tls-peer.js) and the Python client (tls-peer.py); the key log is the
# client's.
ws() {
	name=$1 port=$2 srole=$3 crole=$4
	shift 4
	echo "recording $name" >&2
	rm -f "$tmp/$name.keys" "$tmp/server.keys"
	capture_start "$tmp/$name.pcap" "$port"
	: >"$tmp/server.log"
	node --tls-keylog="$tmp/server.keys" "$here/tls-peer.js" "$srole" \
	    "$port" "$cert" "$key" >"$tmp/server.log" 2>&1 &
	server_pid=$!
	wait_for "$tmp/server.log" ready
	timeout 60 $PY "$here/tls-peer.py" "$crole" "$port" "$tmp/$name.keys" \
	    "$@" 2>&1 | sed 's/^/  client: /' >&2
	sleep 0.3
	server_stop
	capture_stop
	mv "$tmp/$name.pcap" "$here/$name.pcap"
	mv "$tmp/$name.keys" "$here/$name.keys"
}

# truth NAME COMMENT [tls-truth.py OPTIONS...]
truth() {
	name=$1
	shift
	$PY "$here/tls-truth.py" "$(capture_of "$name")" "$here/$name.keys" "$@" \
	    >"$here/$name.truth"
}

# suite NAME PORT CONNECTIONS 1.2|1.3 SUITE COMMENT [SERVER OPTIONS...]:
# the openssl peers on one protocol version and cipher suite.
suite() {
	name=$1 port=$2 conns=$3 ver=$4 cs=$5 comment=$6
	shift 6
	wanted "$name" || return 0
	if [ "$ver" = 1.3 ]; then
		set -- -tls1_3 -ciphersuites "$cs" "$@" -- -tls1_3 -ciphersuites "$cs"
	else
		set -- -tls1_2 -cipher "$cs" "$@" -- -tls1_2 -cipher "$cs"
	fi
	ossl "$name" "$port" "$conns" "$@"
	truth "$name" "openssl s_server and s_client, TLS $ver $cs; $comment"
}

each="a line and 30000 bytes each way"
suite tls13-aes128gcm 18401 1 1.3 TLS_AES_128_GCM_SHA256 "$each"
suite tls13-aes256gcm 18402 1 1.3 TLS_AES_256_GCM_SHA384 "$each"
suite tls13-chacha20 18403 1 1.3 TLS_CHACHA20_POLY1305_SHA256 "$each"
suite tls12-aes128gcm 18404 1 1.2 ECDHE-RSA-AES128-GCM-SHA256 \
    "extended master secret; $each"
suite tls12-chacha20 18405 1 1.2 ECDHE-RSA-CHACHA20-POLY1305 "$each"
suite tls12-cbc-sha256 18406 1 1.2 ECDHE-RSA-AES128-SHA256 \
    "CBC with encrypt-then-MAC; $each"
suite tls12-rsa-cbc 18407 1 1.2 AES128-SHA \
    "RSA key exchange, CBC with MAC-then-encrypt (the server refuses encrypt-then-MAC); $each" \
    -no_etm
KEYUPDATE=1 suite tls13-keyupdate 18408 1 1.3 TLS_AES_128_GCM_SHA256 \
    "after a line each way the client (s_client K) and then the server (s_server K) send a KeyUpdate that requests one back, and each is answered: the keys of each direction change twice; then 30000 bytes each way under the new keys"
KEYUPDATE=0
suite tls12-resume 18409 2 1.2 ECDHE-RSA-AES128-GCM-SHA256 \
    "two connections: the second resumes the first one's session (-sess_out, -sess_in: an abbreviated handshake with a session ticket)"
suite tls13-resume 18410 2 1.3 TLS_AES_256_GCM_SHA384 \
    "two connections: the second resumes the first one's session with a PSK (-sess_out, -sess_in)"

if wanted tls-ws-echo; then
	ws tls-ws-echo 18420 echo chat
	truth tls-ws-echo "python websockets 10.4 client (ssl keylog_filename) and node ws 8 https server (--tls-keylog), TLS 1.3; text, binary and JSON messages both ways (up to 90000 bytes, the server echoes), bursts of small messages from both; client closes 1000 done, server echoes"
fi

if wanted tls-ws-1009; then
	ws tls-ws-1009 18421 max64k big
	truth tls-ws-1009 "python websockets client and node ws 8 https server (maxPayload 65536), TLS 1.3; the first messages of tls-ws-echo, then a 100000-byte binary message: the server closes 1009 and the client echoes" \
	    --offending client message-too-big
fi

if wanted tls-ws-1002; then
	ws tls-ws-1002 18422 echo raw1002
	truth tls-ws-1002 "raw python ssl client and node ws 8 https server, TLS 1.3: the WebSocket handshake, a text frame (echoed), then a frame with reserved opcode 3; the server closes 1002" \
	    --offending client reserved-opcode
fi

if wanted tls-ws-partialkeys; then
	ws tls-ws-partialkeys 18423 echo many 3
	# Keep the secrets of the first and third connections only.
	second=$(awk '$1 == "CLIENT_TRAFFIC_SECRET_0" { n++; if (n == 2) print $2 }' \
	    "$here/tls-ws-partialkeys.keys")
	grep -v "$second" "$here/tls-ws-partialkeys.keys" >"$tmp/k"
	mv "$tmp/k" "$here/tls-ws-partialkeys.keys"
	truth tls-ws-partialkeys "three connections of tls-ws-echo's exchange one after the other; the key log holds the secrets of the first and the third only"
fi

if wanted tls-ws-wrongkeys; then
	ws tls-ws-wrongkeys 18424 echo chat
	# The same client randoms with the secrets of another recording.
	awk '/^#/ { if (NR != FNR) print; next }
	    NR == FNR { s[$1] = $3; next } $1 in s { $3 = s[$1] } { print }' \
	    "$here/tls-ws-echo.keys" "$here/tls-ws-wrongkeys.keys" >"$tmp/k"
	mv "$tmp/k" "$here/tls-ws-wrongkeys.keys"
	truth tls-ws-wrongkeys "tls-ws-echo's exchange; its key log names this capture's client random but holds the secrets of tls-ws-echo's connection: every record fails authentication"
fi

if wanted tls-ws-dsb; then
	ws tls-ws-dsb 18425 echo chat
	editcap -F pcapng --inject-secrets "tls,$here/tls-ws-dsb.keys" \
	    "$here/tls-ws-dsb.pcap" "$here/tls-ws-dsb.pcapng"
	rm "$here/tls-ws-dsb.pcap"
	truth tls-ws-dsb "tls-ws-echo's exchange, converted to pcapng by editcap --inject-secrets tls,tls-ws-dsb.keys: the key log is in a Decryption Secrets Block before the first packet" \
	    --no-keylog
fi

if wanted tls-ws-midstream; then
	# tls-ws-echo without its packets up to the 101 response: no TCP,
	# TLS or HTTP handshake.
	src=$here/tls-ws-echo.pcap
	n=$(tshark -r "$src" -o "tls.keylog_file:$here/tls-ws-echo.keys" \
	    -Y 'http.response.code == 101' -T fields -e frame.number 2>/dev/null | head -1)
	editcap -F pcap "$src" "$here/tls-ws-midstream.pcap" "1-$n"
	cp "$here/tls-ws-echo.keys" "$here/tls-ws-midstream.keys"
	truth tls-ws-midstream "tls-ws-echo without its first $n packets (up to the server's 101 response): no ClientHello, so no client random to find the keys by; tshark decrypts nothing" \
	    --server-port 18420
fi

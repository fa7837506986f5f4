#!/bin/sh
# record-tls-core.sh: record the tls-core samples, wss:// on loopback
# between Python websockets 10.4 (Debian) servers and clients and
# openssl s_client, each with the key log its client wrote (NAME.keys).
#
#   sudo samples/tls-core/record-tls-core.sh [SAMPLE...]
#
# With SAMPLE names only those are recorded again.
#
# Needs tcpdump, openssl, editcap, mergecap and /usr/bin/python3 with
# python3-websockets. Ports 18601-18620. tests/e2e/tls-core.sh checks
# every decrypted frame against tshark's.
set -eu
umask 022

here=$(cd "$(dirname "$0")" && pwd)
only="$*"
wanted() {
	[ -z "$only" ] && return 0
	for w in $only; do [ "$w" = "$1" ] && return 0; done
	return 1
}
PY=/usr/bin/python3
tmp=$(mktemp -d)
td= sv=
cleanup() {
	[ -n "$sv" ] && kill "$sv" 2>/dev/null || true
	[ -n "$td" ] && kill -INT "$td" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" \
    -out "$tmp/cert.pem" -days 3650 -subj /CN=localhost 2>/dev/null

start() { # NAME PORT SERVER-OPTIONS...
	name=$1 port=$2
	shift 2
	echo "recording $name" >&2
	tcpdump -i lo -U -w "$tmp/$name.pcap" "tcp port $port" 2>/dev/null &
	td=$!
	sleep 1
	$PY "$here/tls-peer.py" server "$port" "$tmp/cert.pem" "$tmp/key.pem" \
	    "$@" >"$tmp/server.log" 2>&1 &
	sv=$!
	sleep 1.5
	rm -f "$tmp/$name.keys"
}
stop() { # NAME
	sleep 0.3
	kill "$sv" 2>/dev/null || true
	wait "$sv" 2>/dev/null || true
	sv=
	sleep 0.3
	kill -INT "$td"
	wait "$td" 2>/dev/null || true
	td=
	mv "$tmp/$name.pcap" "$here/$1.pcap"
	[ -f "$tmp/$1.keys" ] && mv "$tmp/$1.keys" "$here/$1.keys"
	return 0
}
# sclient NAME PORT CASE S_CLIENT-OPTIONS...
sclient() {
	name=$1 port=$2 case=$3
	shift 3
	$PY "$here/tls-peer.py" feed "$case" 2>/dev/null | timeout 30 \
	    openssl s_client -connect "127.0.0.1:$port" -servername localhost \
	    -keylogfile "$tmp/$name.keys" "$@" >/dev/null 2>&1 || true
}

# Python client and server, TLS 1.3, AES-256-GCM (their choice).
if wanted tls13-python; then
	start tls13-python 18601 0
	$PY "$here/tls-peer.py" client 18601 "$tmp/tls13-python.keys" >/dev/null
	stop tls13-python
fi

# TLS 1.3 AES-128-GCM, three KeyUpdates (the first asks the server's).
if wanted tls13-keyupdate; then
	start tls13-keyupdate 18602 0
	sclient tls13-keyupdate 18602 keyupdate -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
	stop tls13-keyupdate
fi

if wanted tls13-chacha; then
	start tls13-chacha 18603 0
	sclient tls13-chacha 18603 plain -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256
	stop tls13-chacha
fi

# A reserved opcode inside TLS 1.2 AES-256-GCM: the server closes 1002.
if wanted tls12-gcm-1002; then
	start tls12-gcm-1002 18604 0
	sclient tls12-gcm-1002 18604 1002 -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
	stop tls12-gcm-1002
fi

# A 4000-byte message to a server taking 1024, TLS 1.2 ChaCha20: 1009.
if wanted tls12-chacha-1009; then
	start tls12-chacha-1009 18605 1024
	sclient tls12-chacha-1009 18605 1009 -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
	stop tls12-chacha-1009
fi

# CBC: encrypt-then-MAC (OpenSSL's default), then MAC-then-encrypt.
if wanted tls12-cbc-etm; then
	start tls12-cbc-etm 18606 0
	sclient tls12-cbc-etm 18606 plain -tls1_2 -cipher ECDHE-RSA-AES128-SHA
	stop tls12-cbc-etm
fi
if wanted tls12-cbc-mte; then
	start tls12-cbc-mte 18607 0 noetm
	sclient tls12-cbc-mte 18607 plain -tls1_2 -cipher AES256-SHA256
	stop tls12-cbc-mte
fi

# RSA key exchange, AES-128-GCM; then a resumed session (the second
# connection's master secret is found through its own client random).
if wanted tls12-resume; then
	start tls12-resume 18608 0
	sclient tls12-resume 18608 plain -tls1_2 -cipher AES128-GCM-SHA256 \
	    -sess_out "$tmp/sess"
	sclient tls12-resume 18608 plain -tls1_2 -cipher AES128-GCM-SHA256 \
	    -sess_in "$tmp/sess"
	stop tls12-resume
fi

# Two connections, keys for only the second.
if wanted tls-somekeys; then
	start tls-somekeys 18609 0
	sclient first 18609 plain -tls1_3
	sclient tls-somekeys 18609 plain -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
	stop tls-somekeys
fi

# The server process stopped mid-connection: TLS close_notify, then FIN,
# with no close frame.
if wanted tls13-server-exit; then
	start tls13-server-exit 18610 0
	( sleep 2; kill "$sv" ) &
	killer=$!
	sclient tls13-server-exit 18610 wait -tls1_3
	wait "$killer"
	stop tls13-server-exit
fi

# The client ends TLS (close_notify) and TCP with no close frame.
if wanted tls13-close-notify; then
	start tls13-close-notify 18611 0
	timeout 30 $PY "$here/tls-peer.py" unwrap 18611 "$tmp/tls13-close-notify.keys"
	stop tls13-close-notify
fi

# The client writes a record the server cannot authenticate: the Node
# https + ws server's OpenSSL sends a fatal alert (bad_record_mac), then
# both ends close TCP.
if wanted tls12-fatal-alert; then
	echo "recording tls12-fatal-alert" >&2
	tcpdump -i lo -U -w "$tmp/fa.pcap" "tcp port 18612" 2>/dev/null &
	td=$!
	sleep 1
	NODE_PATH="$here/../real/node/node_modules" node "$here/tls-node-server.js" \
	    18612 "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/server.log" 2>&1 &
	sv=$!
	sleep 1.5
	timeout 30 $PY "$here/tls-peer.py" badrecord 18612 "$tmp/tls12-fatal-alert.keys"
	name=fa
	stop tls12-fatal-alert
fi

# HTTP/2 (ALPN h2): curl to openssl s_server, TLS 1.2 (ALPN in the clear,
# no key log kept) and TLS 1.3 (ALPN in the encrypted extensions).
for v in 12 13; do
	wanted tls$v-h2 || continue
	echo "recording tls$v-h2" >&2
	name=h2
	tcpdump -i lo -U -w "$tmp/h2.pcap" "tcp port 186$v" 2>/dev/null &
	td=$!
	sleep 1
	openssl s_server -accept "186$v" -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
	    -alpn h2,http/1.1 -www >/dev/null 2>&1 &
	sv=$!
	sleep 1
	tv=--tlsv1.3
	[ $v = 12 ] && tv="--tlsv1.2 --tls-max 1.2"
	SSLKEYLOGFILE=$tmp/h2.keys timeout 10 curl -sk --http2 $tv \
	    "https://localhost:186$v/" -o /dev/null || true
	stop h2
	mv "$here/h2.pcap" "$here/tls$v-h2.pcap"
	if [ $v = 13 ]; then mv "$here/h2.keys" "$here/tls13-h2.keys"
	else rm -f "$here/h2.keys"; fi
done

# Picked up after the handshake: the first 14 packets dropped.
editcap -r "$here/tls13-keyupdate.pcap" "$here/tls13-midstream.pcap" 15-1000
cp "$here/tls13-keyupdate.keys" "$here/tls13-midstream.keys"

# The key log injected as a Decryption Secrets Block.
editcap --inject-secrets tls,"$here/tls13-chacha.keys" \
    "$here/tls13-chacha.pcap" "$here/tls13-chacha-dsb.pcapng"

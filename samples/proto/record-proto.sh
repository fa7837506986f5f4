#!/bin/sh
# record-proto.sh: record the proto-* sample captures, one sub-protocol
# each, from real libraries on loopback:
#
#   proto-socketio  npm socket.io + socket.io-client 4 (Engine.IO v4)
#   proto-stomp     npm @stomp/stompjs 7 against npm stomp-broker-js 1.3
#                   (a STOMP 1.1 broker library, embedded)
#   proto-graphql   npm graphql-ws 5 server and client, graphql 16
#   proto-jsonrpc   npm rpc-websockets 9 server and client
#   proto-mqtt      Debian mosquitto 2 (listener with protocol websockets)
#                   and the npm mqtt 5 client
#   proto-mqtt-split the same broker and client on Node's stream path, which
#                   splits a packet over several WebSocket messages
#
#   samples/proto/record-proto.sh [SAMPLE...]
#
# Needs root for tcpdump, node/npm (samples/proto/node, npm ci) and
# mosquitto.  Ports 18101-18106.  Each NAME.fields is written by the peers
# (proto-peer.js) from what each side was told to send: a line per
# message, "DIRECTION<TAB>ERE" that the message's `messages --proto`
# summary matches, in that direction's order (tests/e2e/subproto.sh).
set -eu
umask 022

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
only="$*"

. "$top/samples/record-lib.sh"

(cd "$here/node" && { npm ls >/dev/null 2>&1 ||
    npm ci --no-audit --no-fund --loglevel=error >/dev/null; })
export NODE_PATH="$here/node/node_modules"

capture_start() { # OUT FILTER
	tcpdump -i lo -U --immediate-mode -B 131072 -w "$1" "$2" 2>"$tmp/tcpdump.err" &
	tcpdump_pid=$!
	wait_for "$tmp/tcpdump.err" "listening on"
}

# record NAME PORT KIND: the peers of KIND on PORT, under tcpdump.
record() {
	name=$1 port=$2 kind=$3
	wanted "$name" || return 0
	echo "recording $name" >&2
	capture_start "$tmp/$name.pcap" "tcp port $port"
	timeout 60 node "$here/proto-peer.js" "$kind" "$port" "$tmp/$name.fields" 2>&1 |
		sed 's/^/  peer: /' >&2
	capture_stop
	cp "$tmp/$name.pcap" "$here/$name.pcap"
	{
		echo "# $name: written by record-proto.sh from what the peers were told to send"
		cat "$tmp/$name.fields"
	} >"$here/$name.fields"
}

record proto-socketio 18101 socketio
record proto-stomp 18102 stomp
record proto-graphql 18103 graphql
record proto-jsonrpc 18104 jsonrpc

if wanted proto-mqtt || wanted proto-mqtt-split; then
	# mosquitto 2.0.11 starts no websockets listener alone, nor one bound
	# to an address (its libwebsockets): a plain one on 18106 goes with it.
	cat >"$tmp/mosquitto.conf" <<EOF
listener 18106 127.0.0.1
listener 18105
protocol websockets
allow_anonymous true
persistence false
log_dest stderr
EOF
	: >"$tmp/server.log"
	mosquitto -c "$tmp/mosquitto.conf" >"$tmp/server.log" 2>&1 &
	server_pid=$!
	wait_for "$tmp/server.log" "running"
	record proto-mqtt 18105 mqtt
	record proto-mqtt-split 18105 mqtt-split
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
fi

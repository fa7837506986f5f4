#!/bin/bash
# Record the violation samples: a raw peer breaks one rule against a real
# WebSocket implementation (Node ws, python-websockets) on loopback.
# Regenerates samples/viol/viol-*.pcap and samples/viol/viol-*.truth; the
# Node ws peers use the package of samples/real/node.
#
# usage: samples/viol/record-violations.sh [NAME...]   (default: all; needs root
# for tcpdump, /usr/bin/python3 with python3-websockets and python3-tornado,
# node and npm, and for the gorilla samples Debian's golang-go and
# golang-github-gorilla-websocket-dev)
set -eu

cd "$(dirname "$0")"
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ ! -d ../real/node/node_modules/ws ]; then
	(cd ../real/node && npm install --no-audit --no-fund >/dev/null)
fi
WSVER=$(node -p 'require("../real/node/node_modules/ws/package.json").version')
PYVER=$($PY -c 'import websockets; print(websockets.__version__)')
NODE="node ws $WSVER"
PYTHON="python websockets $PYVER"
TORNADO="tornado $($PY -c 'import tornado; print(tornado.version)')"
# gorilla/websocket from Debian's package, built in GOPATH mode the first
# time a gorilla sample is recorded.
GORILLA=
gorilla_build() {
	[ -z "$GORILLA" ] || return 0
	GOVER=$(dpkg-query -W -f '${Version}' golang-github-gorilla-websocket-dev)
	GORILLA="gorilla/websocket ${GOVER%%-*}"
	GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$TMP/gocache \
	    go build -o "$TMP/gorilla-server" viol-gorilla-server.go
}

wait_file() {
	local i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "timeout waiting for $1" >&2
			exit 1
		fi
		sleep 0.1
	done
}

# record NAME PORT SERVER-CMD -- CLIENT-CMD
# The commands may use @READY@ (file the server writes when listening).
record() {
	local name=$1 port=$2 tdpid spid
	shift 2
	local scmd=() ccmd=()
	while [ "$1" != "--" ]; do
		scmd+=("${1//@READY@/$TMP/$name.ready}")
		shift
	done
	shift
	ccmd=("$@")
	rm -f "$TMP/$name.ready" "$TMP/$name.sent"
	# --immediate-mode: with the default TPACKET_V3 ring, packets in a
	# block that has not timed out yet are lost when tcpdump is stopped.
	tcpdump -i lo --immediate-mode -U -w "$name.pcap" "tcp port $port" \
	    2>"$TMP/$name.tcpdump" &
	tdpid=$!
	local i=0
	until grep -qs "listening on" "$TMP/$name.tcpdump"; do
		i=$((i + 1))
		[ $i -le 100 ] || { echo "tcpdump did not start" >&2; exit 1; }
		sleep 0.1
	done
	"${scmd[@]}" 2>"$TMP/$name.server" &
	spid=$!
	wait_file "$TMP/$name.ready"
	timeout 20 "${ccmd[@]}" 2>"$TMP/$name.client" || true
	sleep 0.3
	if kill -0 "$spid" 2>/dev/null; then
		kill "$spid" 2>/dev/null || true
	fi
	wait "$spid" 2>/dev/null || true
	kill -INT "$tdpid"
	wait "$tdpid" || true
	sed "s/^/  $name: /" "$TMP/$name.server" "$TMP/$name.client" >&2
}

# truth NAME PORT OFFENDER RULE KIND PEER WHAT
truth() {
	$PY viol-truth.py "$1.pcap" "$2" "$3" "$4" "$5" "$TMP/$1.sent" \
	    "$6" "$7" >"$1.truth"
}

# Client scenarios: scenario, rule, what the raw client sends.
SCENARIOS="
reserved-opcode|reserved-opcode|a frame with reserved opcode 3
rsv-bit-without-extension|rsv-bit-without-extension|a text frame with RSV2 set and no extension negotiated
unmasked-client-frame|unmasked-client-frame|an unmasked text frame
control-frame-too-long|control-frame-too-long|a ping with a 126-byte payload
fragmented-control-frame|fragmented-control-frame|a ping with FIN=0
unexpected-continuation|unexpected-continuation|a continuation frame with no message in progress
data-frame-during-fragmented-message|data-frame-during-fragmented-message|a new text frame while a fragmented text message is open
close-payload-one-byte|close-payload-one-byte|a close frame with a 1-byte payload
invalid-close-code|invalid-close-code|a close frame with code 1005
invalid-close-code-999|invalid-close-code|a close frame with code 999
invalid-utf8-text|invalid-utf8-text|a text message with invalid UTF-8
invalid-utf8-close-reason|invalid-utf8-close-reason|a close frame (1000) with an invalid UTF-8 reason
close-reason-too-long|control-frame-too-long|a close frame (1000) with a 200-byte reason
length-msb-set|length-msb-set|a text frame whose 64-bit length has the top bit set (0x8000000000000005)
misplaced-rsv1|misplaced-rsv1|a ping with RSV1 set (permessage-deflate negotiated)
non-minimal-length|non-minimal-length|a 5-byte text frame using the 16-bit length form
1009-continuation|message-too-big|a 40000-byte first fragment and a 40000-byte continuation frame
bomb|message-too-big|a 16 KB permessage-deflate binary message that inflates to 16 MiB of zeros
frame-after-close|frame-after-close|a text frame right after its close frame (1000)
"

# Server settings per scenario: node maxPayload, python max_size, deflate.
node_max() {
	case $1 in
	1009-continuation) echo 65536 ;;
	bomb) echo 1048576 ;;
	*) echo 104857600 ;;
	esac
}
python_max() {
	case $1 in
	1009-continuation) echo 65536 ;;
	*) echo default ;;
	esac
}
deflate() {
	case $1 in
	misplaced-rsv1|bomb) echo 1 ;;
	*) echo 0 ;;
	esac
}
limit_text() {
	case $1 in
	node:1009-continuation) echo " (maxPayload 65536)" ;;
	node:bomb) echo " (maxPayload 1 MiB, permessage-deflate)" ;;
	node:misplaced-rsv1) echo " (permessage-deflate)" ;;
	python:1009-continuation) echo " (max_size 65536)" ;;
	python:bomb) echo " (default max_size 1 MiB, permessage-deflate)" ;;
	python:misplaced-rsv1) echo " (permessage-deflate)" ;;
	esac
}

# The scenarios also recorded against gorilla: rules it answers with
# another code than Node ws and python-websockets do.
gorilla_scen() {
	case $1 in
	invalid-utf8-close-reason|reserved-opcode|length-msb-set) return 0 ;;
	*) return 1 ;;
	esac
}

wanted() {
	local n=$1
	shift 2
	[ $# -eq 0 ] && return 0
	for w in "$@"; do
		[ "$w" = "$n" ] && return 0
	done
	return 1
}

port=18100
while IFS='|' read -r scen rule what; do
	[ -n "$scen" ] || continue
	for impl in node python gorilla; do
		name=viol-$impl-$scen
		port=$((port + 1))
		wanted "$name" -- "$@" || continue
		if [ $impl = gorilla ]; then
			gorilla_scen "$scen" || continue
			gorilla_build
			peer="$GORILLA echo server"
			srv=("$TMP/gorilla-server" $port @READY@)
		elif [ $impl = node ]; then
			peer="$NODE echo server$(limit_text node:$scen)"
			srv=(node viol-node-server.js $port "$(node_max $scen)"
			    "$(deflate $scen)" @READY@)
		else
			peer="$PYTHON echo server$(limit_text python:$scen)"
			srv=($PY viol-python-server.py $port "$(python_max $scen)"
			    "$(deflate $scen)" @READY@)
		fi
		record $name $port "${srv[@]}" -- \
		    $PY viol-raw.py client $scen $port "$TMP/$name.sent"
		truth $name $port client "$rule" frame "$peer" "$what"
	done
done <<EOF
$SCENARIOS
EOF

# Tornado does not check masking and echoes any close code
# (../shared/limits.md): violations a stricter stack closes on, tolerated.
port=18250
for scen in unmasked-client-frame invalid-close-code-999; do
	name=viol-tornado-$scen
	port=$((port + 1))
	wanted "$name" -- "$@" || continue
	rule=$(echo "$SCENARIOS" | grep "^$scen|" | cut -d'|' -f2)
	what=$(echo "$SCENARIOS" | grep "^$scen|" | cut -d'|' -f3)
	record $name $port $PY viol-tornado-server.py $port @READY@ -- \
	    $PY viol-raw.py client $scen $port "$TMP/$name.sent"
	truth $name $port client "$rule" frame "$TORNADO echo server" "$what"
done

# Raw servers against real clients.
port=18200
for scen in masked-server bad-accept; do
	for impl in python node; do
		name=viol-$scen-$impl
		port=$((port + 1))
		wanted "$name" -- "$@" || continue
		if [ $impl = node ]; then
			peer="$NODE client"
			cli=(node viol-node-client.js $port)
		else
			peer="$PYTHON client"
			cli=($PY viol-python-client.py $port)
		fi
		record $name $port $PY viol-raw.py server $scen $port \
		    "$TMP/$name.sent" @READY@ -- "${cli[@]}"
		if [ $scen = masked-server ]; then
			truth $name $port server masked-server-frame frame \
			    "$peer" "a masked text frame"
		else
			truth $name $port server bad-accept-key handshake \
			    "$peer" "a 101 response with a wrong Sec-WebSocket-Accept"
		fi
	done
done

# A limit a later connection bounds: python-websockets (max_size 65536)
# refuses 70000 bytes on one connection and takes 60000 on the next. Two
# connections: the truth is written by hand from tshark's view (checked by
# samples-truth.sh), not by viol-truth.py.
name=viol-python-bounds-later
if wanted "$name" -- "$@"; then
	record $name 18300 $PY viol-python-server.py 18300 65536 0 @READY@ -- \
	    $PY viol-bounds-client.py 18300 70000 60000
	echo "$name: write $name.truth from tshark -r $name.pcap" >&2
fi

# The table lists every sample from its truth file.
{
	cat <<'HDR'
# Violation samples

A raw peer (samples/viol/viol-raw.py: plain sockets, correct handshake,
correct masking unless the rule is about masking) breaks one rule against a
real implementation on loopback; recorded by samples/viol/record-violations.sh
with tcpdump, ground truth (NAME.truth) written by samples/viol/viol-truth.py
from tshark's decoding of the capture.

Truth conventions beyond the common format: a close frame with no code (an
empty or 1-byte payload) has CODE `-`, so `1005` is only a 1005 sent on the
wire; REASON escapes backslash, tab and newline as `\\`, `\t`, `\n` and
bytes that are not UTF-8 as `\xNN`. `abnormal` is written for every side
whose first FIN/RST came without a close frame of its own and with no close
from the peer before it; `unanswered` when the peer had closed. `tolerated` replaces `offending` when
the real peer did not fail the connection (it echoed the raw peer's own close
or kept going until the raw peer closed with 1000). Packet numbers shift by
one or two between recordings (ACK timing); the truth always matches the
committed capture.

| file | what happened | peers |
|---|---|---|
HDR
	for t in viol-*.truth; do
		n=${t%.truth}
		what=$(head -1 "$t" | sed 's/^# //; s/|/\\|/g')
		case $n in
		viol-node-*) peers="raw client -> $NODE server" ;;
		viol-python-bounds-*) peers="$PYTHON client -> $PYTHON server" ;;
		viol-python-*) peers="raw client -> $PYTHON server" ;;
		viol-gorilla-*) peers="raw client -> $(sed -n \
		    '1s|.*; \(gorilla/websocket [^ ]*\) .*|\1|p' "$t") server" ;;
		viol-tornado-*) peers="raw client -> $TORNADO server" ;;
		*-node) peers="$NODE client -> raw server" ;;
		*-python) peers="$PYTHON client -> raw server" ;;
		esac
		echo "| $n.pcap | $what | $peers |"
	done
} >TABLE-violations.md

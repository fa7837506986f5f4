#!/bin/sh
# record-real.sh: record the real-* sample captures from real WebSocket peers
# on loopback (Python websockets 10.4 from Debian, Node ws 8) and derive the
# capture-damage variants with tests/tools/pcap-mangle.
#
#   sudo samples/real/record-real.sh [BUILDDIR] [SAMPLE...]
#
# BUILDDIR is a configured build tree holding tests/tools/pcap-mangle
# (default: ./build); it is built there if missing.  With SAMPLE names only
# those are re-recorded ('ring': samples/ring/).  Needs tcpdump, tshark,
# editcap, mergecap, node/npm and
# /usr/bin/python3 with python3-websockets.  Ports 18001-18021, 18031-18032.
#
# Every capture gets a NAME.truth written from tshark's view of the capture
# (samples/real/real-truth.py); each one is checked by hand against tshark before
# it is committed.
set -eu
umask 022

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
builddir=${1:-$top/build}
[ $# -gt 0 ] && shift
only="$*"

. "$top/samples/record-lib.sh"

mangle="$builddir/tests/tools/pcap-mangle"
if [ ! -x "$mangle" ]; then
	make -C "$builddir" tests/tools/pcap-mangle >/dev/null
fi

# capture_start OUT FILTER [TCPDUMP OPTIONS...]  (OUT may be a -G pattern)
capture_start() {
	out=$1 filter=$2
	shift 2
	tcpdump -i lo -U --immediate-mode -B 131072 "$@" -w "$out" "$filter" 2>"$tmp/tcpdump.err" &
	tcpdump_pid=$!
	wait_for "$tmp/tcpdump.err" "listening on"
}

# server_start python|node ROLE PORT [HOST]
server_start() {
	kind=$1
	shift
	: >"$tmp/server.log"
	if [ "$kind" = python ]; then
		$PY "$here/real-peer.py" server "$@" >"$tmp/server.log" 2>&1 &
	else
		node "$here/real-peer.js" server "$@" >"$tmp/server.log" 2>&1 &
	fi
	server_pid=$!
	wait_for "$tmp/server.log" ready
}

server_stop() {
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
	sed 's/^/  server: /' "$tmp/server.log" >&2
}

# client python|node ROLE PORT [HOST]
client() {
	kind=$1
	shift
	if [ "$kind" = python ]; then
		timeout 60 $PY "$here/real-peer.py" client "$@" 2>&1 | sed 's/^/  client: /' >&2
	else
		timeout 60 node "$here/real-peer.js" client "$@" 2>&1 | sed 's/^/  client: /' >&2
	fi
}

# session NAME PORT SERVERKIND SERVERROLE CLIENTKIND CLIENTROLE [HOST [TCPDUMP OPTIONS...]]
session() {
	name=$1 port=$2 sk=$3 sr=$4 ck=$5 cr=$6
	shift 6
	host=127.0.0.1
	if [ $# -gt 0 ]; then host=$1; shift; fi
	echo "recording $name" >&2
	capture_start "$tmp/$name.pcap" "tcp port $port" "$@"
	server_start "$sk" "$sr" "$port" "$host"
	client "$ck" "$cr" "$port" "$host"
	sleep 0.2
	server_stop
	capture_stop
	mv "$tmp/$name.pcap" "$here/$name.pcap"
}

# truth NAME COMMENT [real-truth.py OPTIONS...]
truth() {
	name=$1
	shift
	$PY "$here/real-truth.py" "$(capture_of "$name")" "$@" >"$here/$name.truth"
}

if wanted real-python-deflate; then
	session real-python-deflate 18001 python deflate python deflate
	truth real-python-deflate "python websockets client and server, permessage-deflate negotiated; text, JSON, binary both ways and a ping; client closes 1000, server echoes 1000"
fi

if wanted real-node-deflate; then
	session real-node-deflate 18002 node deflate node deflate
	truth real-node-deflate "node ws client and server, permessage-deflate with context takeover (threshold 0: every message compressed); text, JSON, binary both ways; client closes 1000, server echoes 1000"
fi

if wanted real-node-nocontext; then
	session real-node-nocontext 18003 node nocontext node nocontext
	truth real-node-nocontext "node ws client and server, permessage-deflate with server_no_context_takeover and client_no_context_takeover; text, JSON, binary both ways; client closes 1000, server echoes 1000"
fi

if wanted real-node-fragments; then
	session real-node-fragments 18004 python echo node fragments
	truth real-node-fragments "node ws client sends fragmented text and binary messages with pings between the fragments, then a compressed fragmented message (RSV1 on the first frame only) with a ping inside, to a python websockets echo server (deflate negotiated); client closes 1000"
fi

if wanted real-python-node; then
	session real-python-node 18005 node goaway python tonode
	truth real-python-node "python websockets client (offers permessage-deflate) to a node ws server (declines it: perMessageDeflate false); three messages, then the node server closes 1001 with a reason and the client echoes 1001"
fi

if wanted real-node-python; then
	session real-node-python 18006 python goaway node topython
	truth real-node-python "node ws client (no permessage-deflate offered) to a python websockets server; three messages, then the python server closes 1001 with a reason and the client echoes 1001"
fi

if wanted real-node-plain; then
	session real-node-plain 18007 node plain node plain
	truth real-node-plain "node ws client and server without compression; text, JSON, binary both ways; client closes 1000, server echoes 1000"
fi

if wanted real-node-nocode; then
	session real-node-nocode 18033 python echo node nocode
	truth real-node-nocode "node ws client sends one text message to a python websockets echo server, then calls close() with no code: a close frame with an empty payload (the receiver reports 1005); the server answers with an empty close frame too"
fi

if wanted real-large; then
	echo "recording real-large" >&2
	capture_start "$tmp/real-large.pcap" "tcp port 18008"
	server_start node large 18008
	client node large 18008
	client python large 18008
	sleep 0.2
	server_stop
	capture_stop
	mv "$tmp/real-large.pcap" "$here/real-large.pcap"
	truth real-large "node ws server without compression: a node ws client sends one 4000000-byte binary message and gets one 3000000-byte text message back, closes 1000; then a python websockets client (max_size=None, compression=None) sends one 2000000-byte binary message, gets a short text, closes 1000"
fi

if wanted real-1009-python; then
	session real-1009-python 18009 python echo node big2m
	truth real-1009-python "python websockets 10.4 server (default max_size 1 MiB) reads the header of a 2 MiB text frame from the node ws client and closes 1009 with an empty reason (10.4 puts no reason on the wire; over size limit is only logged), then half-closes (FIN); the client, stuck sending the frame into a zero window, never sends a close frame or FIN; the server's RST comes when its process is stopped" \
	    --offending client message-too-big
fi

if wanted real-1009-node; then
	session real-1009-node 18010 node max64k python big200k
	truth real-1009-node "node ws 8 server (maxPayload 65536) reads the header of a 200000-byte text frame from the python websockets client (max_size=None) and closes 1009 with an empty reason before the payload has arrived; the client finishes sending the frame, then echoes close 1009; server FIN" \
	    --offending client message-too-big
fi

if wanted real-1009-fragments; then
	session real-1009-fragments 18020 node max64k python frag1009
	truth real-1009-fragments "python websockets client sends 5 and 60000 bytes (node ws 8 server, maxPayload 65536, echoes both), then 80000 bytes as fragments of 40000, 40000 and the empty final frame websockets always ends a fragmented message with; the server refuses at the second fragment (80000 > 65536) and closes 1009 after the empty frame has been sent" \
	    --offending client message-too-big --limit 65536
fi

if wanted real-1009-many; then
	session real-1009-many 18021 node max64kdeflate python many1009
	truth real-1009-many "24 python websockets clients at once to one node ws 8 server (maxPayload 65536, permessage-deflate threshold 0, echoes), 30% of them with permessage-deflate; random binary messages, half of them between 50000 and 65400 bytes, are echoed; six clients then send random bytes just over 65536 (compressed on deflate connections, so larger on the wire than inflated) and the server closes 1009" \
	    --offending client message-too-big --limit 65536
fi

if wanted real-cooked-v1; then
	session real-cooked-v1 18011 python echo python small 127.0.0.1 -i any -y LINUX_SLL
	truth real-cooked-v1 "Linux cooked capture v1 (tcpdump -i any -y LINUX_SLL); python websockets client and echo server, two messages, client closes 1000"
fi

if wanted real-cooked-v2; then
	session real-cooked-v2 18012 python echo python small 127.0.0.1 -i any -y LINUX_SLL2
	truth real-cooked-v2 "Linux cooked capture v2 (tcpdump -i any -y LINUX_SLL2); python websockets client and echo server, two messages, client closes 1000"
fi

if wanted real-ipv6; then
	session real-ipv6 18013 python echo python small ::1
	truth real-ipv6 "IPv6 over ::1; python websockets client and echo server, two messages, client closes 1000"
fi

if wanted real-ns; then
	session real-ns 18014 python echo python small 127.0.0.1 --time-stamp-precision=nano
	truth real-ns "pcap with nanosecond timestamps (magic a1b23c4d); python websockets client and echo server, two messages, client closes 1000"
fi

if wanted real-pcapng; then
	echo "recording real-pcapng" >&2
	port=18015
	dumpcap -q -i lo -B 128 -f "tcp port $port" -w "$tmp/real-pcapng.pcapng" \
	    2>"$tmp/tcpdump.err" &
	tcpdump_pid=$!
	wait_for "$tmp/tcpdump.err" "apturing on"
	server_start python echo $port
	client python small $port
	sleep 0.2
	server_stop
	capture_stop
	mv "$tmp/real-pcapng.pcapng" "$here/real-pcapng.pcapng"
	chmod 644 "$here/real-pcapng.pcapng"
	truth real-pcapng "pcapng recorded by dumpcap; python websockets client and echo server, two messages, client closes 1000"
fi

if wanted real-rst; then
	session real-rst 18016 python echo python rst
	truth real-rst "python websockets client exchanges two messages with a python echo server, then resets the connection (SO_LINGER {1,0} and close): RST, no close frame from either side"
fi

if wanted real-refused; then
	session real-refused 18017 python refuse python refuse
	truth real-refused "python websockets server refuses the upgrade with HTTP 403 (process_request); no WebSocket frames" \
	    --handshake server handshake-refused
fi

if wanted real-python-fragments; then
	session real-python-fragments 18018 node echo python fragments
	truth real-python-fragments "python websockets client (permessage-deflate negotiated, every data frame compressed, RSV1 on the first frame of each message) sends a text message in three fragments with a ping between each two, a binary message in two fragments with a ping between them, and a text message in three fragments back to back; websockets ends each with an empty FIN continuation; a node ws echo server (threshold 0) echoes each whole; client closes 1000"
fi

if wanted real-python-nocontext; then
	session real-python-nocontext 18019 python nocontext python nocontext
	truth real-python-nocontext "python websockets client and server, permessage-deflate with server_no_context_takeover and client_no_context_takeover (window bits 15); text, JSON twice, binary both ways, a ping; client closes 1000 done, server echoes 1000"
fi

# Capture-damage variants of the uncompressed node session.
plain=$here/real-node-plain.pcap
if wanted real-midstream; then
	# Cut every packet up to and including the 101 response: the capture
	# starts with the first WebSocket frame.
	n=$(tshark -r "$plain" -Y 'http.response.code == 101' -T fields -e frame.number 2>/dev/null | head -1)
	"$mangle" "$plain" "$here/real-midstream.pcap" cut "$n"
	truth real-midstream "real-node-plain without its first $n packets (TCP and WebSocket handshakes gone): the capture starts mid-stream with the client ACK of the 101, then the server first frame; client closes 1000, server echoes 1000" \
	    --no-handshake 18007
fi

if wanted real-gap; then
	# Drop the client's third data frame (the 300-byte binary message).
	n=$(tshark -r "$plain" -Y 'websocket.opcode == 2 && websocket.payload_length_ext_16 == 300' \
	    -T fields -e frame.number 2>/dev/null | head -1)
	"$mangle" "$plain" "$here/real-gap.pcap" drop "$n"
	truth real-gap "real-node-plain with packet $n (the client's 300-byte binary frame) removed: capture loss in the client stream, the server's echo of it is still present; client closes 1000, server echoes 1000"
fi

if wanted real-snaplen; then
	"$mangle" "$plain" "$here/real-snaplen.pcap" snaplen 120
	truth real-snaplen "real-node-plain truncated to snaplen 120: every packet longer than 120 bytes lost its tail (payload gaps); the close frames are short enough to survive"
fi

# A ring of capture files as tcpdump writes it (-G 1: a new file every
# second, named by its time; -Z root keeps the right to create the next
# ones) in samples/ring/: a node ws client and server without compression,
# then a node ws client sending 2 MiB to a python websockets server that
# closes 1009 and is stopped 1.5 s later, so that connection crosses files.
# ring.truth is tshark's view of the ring merged by mergecap: its packet
# numbers are those of that merge (tests/e2e/capture-set.sh merges again).
if wanted ring; then
	echo "recording ring" >&2
	ring=$(cd "$here/../ring" && pwd)
	capture_start "$tmp/ring_%H%M%S.pcap" "tcp portrange 18031-18032" \
	    -G 1 -Z root
	server_start node plain 18031
	client node plain 18031
	sleep 0.2
	server_stop
	sleep 1
	server_start python echo 18032
	client node big2m 18032
	sleep 1.5
	server_stop
	capture_stop
	rm -f "$ring"/ring_*.pcap
	mv "$tmp"/ring_*.pcap "$ring/"
	mergecap -w "$tmp/ring-merged.pcap" "$ring"/ring_*.pcap
	$PY "$here/real-truth.py" "$tmp/ring-merged.pcap" "tcpdump -G 1 ring over loopback: node ws client and server without compression (port 18031), then a node ws client sends a 2 MiB text message to a python websockets 10.4 server (max_size 1 MiB) that closes 1009 (port 18032); packet numbers of the ring merged by mergecap" \
	    --offending client message-too-big >"$ring/ring.truth"
fi

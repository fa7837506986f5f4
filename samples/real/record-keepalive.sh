#!/bin/sh
# record-keepalive.sh: record the keepalive and proxy idle-timeout samples on
# loopback with tcpdump (root; /usr/bin/python3 with python3-websockets;
# nginx for the idle ones, needed only to record).
#
#   sudo samples/real/record-keepalive.sh [SAMPLE...]
#
# real-keepalive-python: a python-websockets client (ping_interval 1 s,
# ping_timeout 2 s) whose server process is stopped (SIGSTOP) after two
# answered pings, then killed.
# real-nginx-idle-5s, real-nginx-idle-60s: a python-websockets client and
# echo server through nginx (proxy_read_timeout 5 s, and the default 60 s);
# after one message neither side sends anything and nginx closes both
# connections.  Ports 18401-18405.  Each NAME.truth is written from tshark's
# view by real-truth.py (as for record-real.sh), with the line describing it.
set -eu
umask 022

here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
only="$*"
tmp=$(mktemp -d)
tcpdump_pid=
cleanup() {
	[ -n "$tcpdump_pid" ] && kill -INT "$tcpdump_pid" 2>/dev/null || true
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

wanted() {
	[ -z "$only" ] && return 0
	for w in $only; do [ "$w" = "$1" ] && return 0; done
	return 1
}

wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "timeout waiting for $1" >&2; exit 1; }
		sleep 0.1
	done
}

# truth NAME COMMENT
truth() {
	$PY "$here/real-truth.py" "$here/$1.pcap" "$2" >"$here/$1.truth"
}

# capture NAME FILTER: starts tcpdump on lo into NAME.pcap
capture() {
	tcpdump -i lo --immediate-mode -U -w "$here/$1.pcap" "$2" \
	    2>"$tmp/$1.tcpdump" &
	tcpdump_pid=$!
	i=0
	until grep -qs "listening on" "$tmp/$1.tcpdump"; do
		i=$((i + 1))
		[ $i -le 100 ] || { echo "tcpdump did not start" >&2; exit 1; }
		sleep 0.1
	done
}

stop_capture() {
	sleep 0.5
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" || true
	tcpdump_pid=
}

if wanted real-keepalive-python; then
	capture real-keepalive-python "tcp port 18401"
	rm -f "$tmp/ready"
	$PY "$here/keepalive-peer.py" server 18401 "$tmp/ready" &
	spid=$!
	wait_file "$tmp/ready"
	$PY "$here/keepalive-peer.py" keepalive 18401 "$spid" || true
	sleep 0.5
	kill -KILL "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	stop_capture
	truth real-keepalive-python "python-websockets client pinging every second (ping_timeout 2 s) and echo server; the server process is stopped after two answered pings: the third ping is never answered; the client closes 1011 \"keepalive ping timeout\", never answered, then FIN; the server is killed: RST"
fi

# idle NAME LISTEN UPSTREAM TIMEOUT_LINE WAIT
idle() {
	cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { }
http {
	access_log off;
	server {
		listen 127.0.0.1:$2;
		location / {
			proxy_pass http://127.0.0.1:$3;
			proxy_http_version 1.1;
			proxy_set_header Upgrade \$http_upgrade;
			proxy_set_header Connection "upgrade";
			$4
		}
	}
}
CONF
	capture "$1" "tcp port $2 or tcp port $3"
	rm -f "$tmp/ready"
	$PY "$here/keepalive-peer.py" server "$3" "$tmp/ready" &
	spid=$!
	wait_file "$tmp/ready"
	nginx -p "$tmp" -c "$tmp/nginx.conf"
	wait_file "$tmp/nginx.pid"
	$PY "$here/keepalive-peer.py" idle "$2" "$5" || true
	kill "$(cat "$tmp/nginx.pid")"
	rm -f "$tmp/nginx.pid"
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	stop_capture
}

if wanted real-nginx-idle-5s; then
	idle real-nginx-idle-5s 18402 18403 "proxy_read_timeout 5s;" 15
	truth real-nginx-idle-5s "client and echo server through nginx (proxy_read_timeout 5s): two connections; after 5 s of silence nginx sends FIN on both with no close frame and each python peer answers with FIN"
fi
if wanted real-nginx-idle-60s; then
	idle real-nginx-idle-60s 18404 18405 "" 75
	truth real-nginx-idle-60s "client and echo server through nginx with its default proxy_read_timeout (60 s): two connections; after 60 s of silence nginx sends FIN on both with no close frame and each python peer answers with FIN"
fi

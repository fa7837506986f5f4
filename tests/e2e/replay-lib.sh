# Shared by the replay tests (sourced after lib.sh): the servers of
# replay-peer.py, killed at the end, and a replay's line and status.
/usr/bin/python3 -c 'import websockets' 2>/dev/null ||
    { echo "SKIP: python3-websockets not installed (Debian package)"; exit 77; }
PEER=$top_srcdir/tests/e2e/replay-peer.py
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

# start NAME ARGS...: a replay-peer.py server; its port in $port.
start() {
	name=$1
	shift
	/usr/bin/python3 "$PEER" "$@" "$TMP/$name.port" 2>"$TMP/$name.err" &
	pids="$pids $!"
	i=0
	while [ ! -s "$TMP/$name.port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	port=$(cat "$TMP/$name.port" 2>/dev/null)
}

# A port nothing listens on, now.
free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# replay ARGS...: the line in $out, the status in $rc, stderr in $TMP/err.
replay() {
	out=$("$WSAUTOPSY" replay "$@" </dev/null 2>"$TMP/err")
	rc=$?
}

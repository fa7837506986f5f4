# record-lib.sh: what the recording scripts share (sourced by
# samples/real/record-real.sh and samples/tls/record-tls.sh, which set
# top, the source tree, and only, the sample names asked for, first): a
# temporary directory removed on exit with the peers and tcpdump still
# running, the pinned Node ws, and the helpers below.

PY=/usr/bin/python3
tmp=$(mktemp -d)
tcpdump_pid=
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
	[ -n "$tcpdump_pid" ] && kill -INT "$tcpdump_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# The pinned ws from package-lock.json, unless it is installed already.
(cd "$top/samples/real/node" && { npm ls ws >/dev/null 2>&1 ||
    npm ci --no-audit --no-fund --loglevel=error >/dev/null; })
export NODE_PATH="$top/samples/real/node/node_modules"

# wanted NAME: NAME is to be recorded (every sample when none was named).
wanted() {
	[ -z "$only" ] && return 0
	for w in $only; do [ "$w" = "$1" ] && return 0; done
	return 1
}

wait_for() { # FILE PATTERN
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "timeout waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1; }
		sleep 0.1
	done
}

# capture_of NAME: the recorded capture NAME.pcap or NAME.pcapng in $here.
capture_of() {
	if [ -f "$here/$1.pcap" ]; then echo "$here/$1.pcap"; else echo "$here/$1.pcapng"; fi
}

capture_stop() {
	sleep 0.3
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" || true
	tcpdump_pid=
	grep -E "captured|dropped" "$tmp/tcpdump.err" | sed 's/^/  capture: /' >&2
}

#!/bin/sh
# Pings, idle time and tolerated violations on real captures: the stored
# columns and findings, with tshark's view of the same packets as the
# oracle (ping and pong times, the last payload byte before a FIN).
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need tshark
need editcap
need python3

DB=$TMP/k.db
q() { sqlite3 "$DB" "$1"; }
an() {
	rm -f "$DB"
	"$WSAUTOPSY" analyze -q --strict -o "$DB" "$(sample "$1")" ||
		bad "$1: analyze failed"
}
# tshark's round trips (ms) of the pings a pcap's port-PORT side answers.
rtts() {
	tshark -r "$1" -Y "websocket.opcode == 9 || websocket.opcode == 10" \
	    -T fields -e frame.time_epoch -e websocket.opcode \
	    -e websocket.payload.ping -e websocket.payload.pong 2>/dev/null |
	python3 -c '
import sys
wait, out = {}, []
for line in sys.stdin:
    t, op, ping, pong = (line.rstrip("\n").split("\t") + ["", ""])[:4]
    if op == "9":
        wait[ping] = float(t)
    elif pong in wait:
        out.append((float(t) - wait.pop(pong)) * 1000)
out.sort()
n = len(out)
med = out[n // 2] if n % 2 else (out[n // 2 - 1] + out[n // 2]) / 2
print("%d|%.4f|%.4f|%.4f" % (n, out[0], med, out[-1]))'
}
# near DESCRIPTION WANT GOT: "n|a|b|c" alike, the times within 2 us.
near() {
	if python3 -c '
import sys
a, b = (x.split("|") for x in sys.argv[1:3])
sys.exit(not (len(a) == len(b) == 4 and a[0] == b[0] and
    all(abs(float(x) - float(y)) < 0.002 for x, y in zip(a[1:], b[1:]))))
' "$2" "$3"; then ok; else bad "$1: expected '$2', got '$3'"; fi
}

# A stopped server: three pings, two answered, the third never.
an real-keepalive-python.pcap
eq "keepalive: client pings, answers, unanswered; server none" \
    "3|2|1|0|0" "$(q "SELECT pings_client, ping_answers_client,
    pings_unanswered_client, pings_server, pings_unanswered_server
    FROM connections")"
near "keepalive: round trips as tshark times them" \
    "$(rtts "$(sample real-keepalive-python.pcap)")" \
    "$(q "SELECT ping_answers_client, printf('%.4f|%.4f|%.4f',
    ping_rtt_min_client, ping_rtt_median_client, ping_rtt_max_client)
    FROM connections")"
eq "keepalive: the silent server's unanswered-ping at the third ping" \
    "abnormal|keepalive|server|17" "$(q "SELECT kind, class, sender, packet
    FROM findings WHERE rule = 'unanswered-ping'")"
eq "keepalive: the client's 1011 after it; the verdict stays 1006" \
    "1011|keepalive ping timeout|1006" "$(q "SELECT f.code, f.reason,
    c.verdict FROM findings f JOIN connections c USING (connection_id)
    WHERE f.kind = 'close'")"
eq "keepalive: no idle time without an abrupt end" "" \
    "$(q "SELECT idle_before_end FROM connections")"

NO_COLOR=1 "$WSAUTOPSY" report "$DB" >"$TMP/r.txt"
check "keepalive: the report's pings section" grep -qx \
    "    client 3 sent, 2 answered, 1 unanswered, round trip min/median/max 1.0/1.4/1.8 ms" \
    "$TMP/r.txt"
check "keepalive: the incident's pings line" grep -q \
    "^  pings      client 3 sent, 2 answered, 1 unanswered, round trip" \
    "$TMP/r.txt"

# The same capture as a ring of files: the detail names the first
# unanswered ping as the finding's packet column does, file:number.
mkdir "$TMP/ring"
editcap -c 6 "$(sample real-keepalive-python.pcap)" "$TMP/ring/part.pcap" \
    >/dev/null 2>&1
rm -f "$DB"
"$WSAUTOPSY" analyze -q -o "$DB" "$TMP"/ring/part_*.pcap
P=$(q "SELECT packet FROM findings WHERE rule = 'unanswered-ping'")
check "ring: the unanswered ping in a file after the first" \
    test "${P#part_00002_}" != "$P"
eq "ring: the detail's packet is the finding's" "$P" \
    "$(q "SELECT detail FROM findings WHERE rule = 'unanswered-ping'" |
    sed -n 's/.*the first at packet \([^;]*\);.*/\1/p')"

# Answered pings only: no finding, round trips as tshark's.
an real-python-deflate.pcap
eq "deflate: one ping, answered" "1|1|0" "$(q "SELECT pings_client,
    ping_answers_client, pings_unanswered_client FROM connections")"
near "deflate: its round trip" "$(rtts "$(sample real-python-deflate.pcap)")" \
    "$(q "SELECT ping_answers_client, printf('%.4f|%.4f|%.4f',
    ping_rtt_min_client, ping_rtt_median_client, ping_rtt_max_client)
    FROM connections")"
eq "deflate: no unanswered-ping" "0" "$(q "SELECT count(*) FROM findings
    WHERE rule = 'unanswered-ping'")"

# nginx cut both connections 5 s after the last payload byte: the idle time
# is tshark's (first FIN minus the last segment with a payload).
an real-nginx-idle-5s.pcap
for port in 18402 18403; do
	want=$(tshark -r "$(sample real-nginx-idle-5s.pcap)" \
	    -Y "tcp.port == $port && (tcp.len > 0 || tcp.flags.fin == 1)" \
	    -T fields -e frame.time_epoch -e tcp.flags.fin 2>/dev/null |
	    awk '$2 == 0 { last = $1 } $2 == 1 && !done { printf "%.3f",
	    $1 - last; done = 1 }')
	eq "nginx 5 s, port $port: idle before the end" "$want" \
	    "$(q "SELECT printf('%.3f', idle_before_end) FROM connections
	    WHERE server LIKE '%:$port'")"
done
eq "nginx 5 s: 5 s is no default, the rule's own cause stays" \
    "4|0" "$(q "SELECT count(*), sum(cause LIKE 'idle%') FROM findings
    WHERE rule = 'abrupt-fin'")"
check "nginx 5 s: the detail says the idle time" \
    test "$(q "SELECT count(*) FROM findings WHERE rule = 'abrupt-fin'
    AND detail LIKE '%idle 5.0 s before the FIN%'")" = 4

# The default 60 s: the cause names nginx and the ALB, the remedy pings.
an real-nginx-idle-60s.pcap
eq "nginx 60 s: idle about 60 s on both connections" "2" \
    "$(q "SELECT count(*) FROM connections WHERE idle_before_end
    BETWEEN 60.0 AND 60.1")"
M="matches nginx proxy_read_timeout (default 60 s) and AWS ALB idle"
M="$M timeout (default 60 s)"
eq "nginx 60 s: every abrupt end matched to the defaults" "4|4|4" \
    "$(q "SELECT count(*), sum(cause LIKE 'idle 60._ s before the FIN: $M'),
    sum(remedy LIKE 'send pings more often than every 60 s%')
    FROM findings WHERE rule = 'abrupt-fin'")"
NO_COLOR=1 "$WSAUTOPSY" report "$DB" >"$TMP/r.txt"
check "nginx 60 s: the report gives the cause" \
    grep -q "cause      idle 60.. s before the FIN: matches nginx" "$TMP/r.txt"

# Tornado carries on after an unmasked client frame; Node ws closes 1002.
an viol-tornado-unmasked-client-frame.pcap
eq "tornado: tolerated by the server, named" \
    "server|tornado" "$(q "SELECT tolerated_by, tolerated_stack FROM
    findings WHERE rule = 'unmasked-client-frame'")"
T="; tolerated by the server (tornado): a stricter stack closes 1002 here"
check "tornado: the explanation says so" test "$(q "SELECT count(*) FROM
    findings WHERE explanation LIKE '%$T'")" = 1
check "tornado: its stack evidence says so" test "$(q "SELECT count(*)
    FROM connections WHERE server_stack_evidence LIKE
    '%tolerated the peer''s unmasked-client-frame%'")" = 1
NO_COLOR=1 "$WSAUTOPSY" report "$DB" >"$TMP/r.txt"
check "tornado: the report says who tolerated it" grep -q \
    "tolerated  by the server (tornado): it carried on" "$TMP/r.txt"
an viol-node-unmasked-client-frame.pcap
eq "node ws: failed the connection, not tolerated" "|0" \
    "$(q "SELECT tolerated_by, explanation LIKE '%tolerat%' FROM findings
    WHERE rule = 'unmasked-client-frame'")"

# The capture ends right after the violation: whether it was tolerated is
# not known (not tolerated).
tshark -r "$(sample viol-tornado-unmasked-client-frame.pcap)" \
    -Y "frame.number <= 11" -w "$TMP/cut.pcap" 2>/dev/null
rm -f "$DB"
"$WSAUTOPSY" analyze -q -o "$DB" "$TMP/cut.pcap"
T="whether the server tolerated it is not known"
eq "cut after the violation: not tolerated, not known" "|1" \
    "$(q "SELECT tolerated_by, explanation LIKE '%$T%' FROM findings
    WHERE rule = 'unmasked-client-frame'")"
finish

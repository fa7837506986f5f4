#!/bin/sh
# wsautopsy analyze into a database: the public views have the documented
# columns (wsautopsy-db(5)) and hold the rows the samples' peers sent.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3

PLAIN=$SAMPLES/real/real-node-plain.pcap
N1009=$SAMPLES/real/real-1009-node.pcap
P1009=$SAMPLES/real/real-1009-python.pcap
DB=$TMP/all.db

# q DB SQL: one query, its rows as sqlite3 prints them ('|' between columns).
q() { sqlite3 -batch "$1" "$2"; }
# eq DESCRIPTION EXPECTED ACTUAL
eq() {
	if [ "$2" = "$3" ]; then ok; else
		bad "$1: expected '$2', got '$3'"; fi
}
cols() { q "$1" "SELECT group_concat(name, ',') FROM pragma_table_info('$2')"; }
# prefix DESCRIPTION EXPECTED ACTUAL: ACTUAL begins with EXPECTED (views may
# grow columns after the documented ones, never before).
prefix() {
	case "$3" in
	"$2"|"$2",*) ok ;;
	*) bad "$1: expected columns to begin '$2', got '$3'" ;;
	esac
}

"$WSAUTOPSY" analyze -q --separate -o "$DB" "$PLAIN" "$N1009" "$P1009" 2>"$TMP/err"
check "analyze three samples: exit 0" test $? -eq 0
check "analyze -q: nothing on stderr" test ! -s "$TMP/err"

# The interface: exact names, in this order, first.
FINDINGS=capture,connection_id,client,server,kind,class,code,sender,rule,packet,frame_index,time,explanation,offending_packet,offending_frame_index,offending_sender,offending_rule,limit_min,limit_max,matching_profiles
prefix "findings columns" "$FINDINGS" "$(cols "$DB" findings)"
prefix "closes columns" "$FINDINGS" "$(cols "$DB" closes)"
prefix "frames columns" \
	connection_id,direction,frame_index,packet,last_packet,time,fin,rsv,opcode,masked,payload_length,close_code \
	"$(cols "$DB" frames)"
prefix "connections columns" \
	connection_id,capture,client,server,first_time,last_time,host,path,subprotocol,extensions,frames,bytes,close_client,close_server,verdict,ended_by \
	"$(cols "$DB" connections)"
prefix "messages columns" connection_id,direction,message_id,opcode \
	"$(cols "$DB" messages)"
prefix "captures columns" capture_id,capture,path,sha256,size \
	"$(cols "$DB" captures)"

eq "user_version" 8 "$(q "$DB" 'PRAGMA user_version')"
eq "application_id" 1465074005 "$(q "$DB" 'PRAGMA application_id')"
eq "journal_mode" wal "$(q "$DB" 'PRAGMA journal_mode')"
eq "integrity_check" ok "$(q "$DB" 'PRAGMA integrity_check')"
eq "foreign_key_check" "" "$(q "$DB" 'PRAGMA foreign_key_check')"

# captures: one complete row per file, with the file's size and SHA-256.
eq "captures" "real-node-plain.pcap|1|26
real-1009-node.pcap|1|21
real-1009-python.pcap|1|23" \
	"$(q "$DB" 'SELECT capture, complete, packets FROM captures ORDER BY capture_id')"
if command -v sha256sum >/dev/null 2>&1; then
	eq "captures.sha256" "$(sha256sum <"$PLAIN" | cut -d' ' -f1)" \
	    "$(q "$DB" "SELECT sha256 FROM captures WHERE capture = 'real-node-plain.pcap'")"
fi
eq "captures.size" "$(wc -c <"$PLAIN" | tr -d ' ')" \
	"$(q "$DB" "SELECT size FROM captures WHERE capture = 'real-node-plain.pcap'")"

# frames of real-node-plain, as tshark dissects them (packet = first header
# byte; every frame sits in one packet here, so last_packet is the same).
PLAIN_ID=$(q "$DB" "SELECT connection_id FROM connections WHERE capture = 'real-node-plain.pcap'")
eq "real-node-plain: one connection" 1 "$(echo "$PLAIN_ID" | wc -l | tr -d ' ')"
eq "real-node-plain frames" "8|8|server|0|1|0|1|0|50|
10|10|server|1|1|0|2|0|8|
12|12|client|0|1|0|1|1|26|
13|13|server|2|1|0|1|0|26|
14|14|client|1|1|0|1|1|60|
15|15|server|3|1|0|1|0|60|
16|16|client|2|1|0|2|1|300|
17|17|server|4|1|0|2|0|300|
18|18|client|3|1|0|1|1|60|
19|19|server|5|1|0|1|0|60|
20|20|client|4|1|0|2|1|400|
21|21|server|6|1|0|2|0|400|
22|22|client|5|1|0|8|1|5|1000
23|23|server|7|1|0|8|0|5|1000" \
	"$(q "$DB" "SELECT packet, last_packet, direction, frame_index, fin, rsv, opcode, masked, payload_length, close_code FROM frames WHERE connection_id = $PLAIN_ID ORDER BY packet, offset")"
if command -v tshark >/dev/null 2>&1; then
	tshark -r "$PLAIN" -d tcp.port==18007,http -Y websocket -T fields \
	    -E occurrence=a -E aggregator=, -e frame.number -e websocket.opcode \
	    -e websocket.mask -e websocket.payload_length 2>/dev/null |
	    tr '\t' '|' >"$TMP/tshark"
	q "$DB" "SELECT packet, opcode, masked, CASE WHEN payload_length < 126 THEN payload_length WHEN payload_length < 65536 THEN 126 ELSE 127 END FROM frames WHERE connection_id = $PLAIN_ID ORDER BY packet" >"$TMP/ours"
	check "real-node-plain: frames equal tshark's" cmp -s "$TMP/tshark" "$TMP/ours"
	tshark -r "$PLAIN" -d tcp.port==18007,http -Y 'websocket.opcode == 1' \
	    -T fields -e websocket.payload.text 2>/dev/null >"$TMP/tshark-text"
	q "$DB" "SELECT CAST(payload_prefix AS TEXT) FROM frames WHERE connection_id = $PLAIN_ID AND opcode = 1 ORDER BY packet" >"$TMP/ours-text"
	check "real-node-plain: stored text payloads equal tshark's" \
	    cmp -s "$TMP/tshark-text" "$TMP/ours-text"
fi
eq "real-node-plain messages" "client|6|851
server|8|909" \
	"$(q "$DB" "SELECT direction, count(*), sum(wire_size) FROM messages WHERE connection_id = $PLAIN_ID GROUP BY direction ORDER BY direction")"

# connections: the 1009 sample (node ws server, maxPayload 64K, closes 1009
# on the header of a 200000-byte frame; the python client echoes 1009).
eq "real-1009-node connection" \
	"real-1009-node.pcap|127.0.0.1:36210|127.0.0.1:18010|127.0.0.1:18010|/|||5|1009|1009|1009|server" \
	"$(q "$DB" "SELECT capture, client, server, host, path, subprotocol, extensions, frames, close_client, close_server, verdict, ended_by FROM connections WHERE capture = 'real-1009-node.pcap'")"
eq "real-1009-python connection" \
	"127.0.0.1:54868|127.0.0.1:18009||1009|1009|server|rst" \
	"$(q "$DB" "SELECT client, server, close_client, close_server, verdict, ended_by, tcp_end FROM connections WHERE capture = 'real-1009-python.pcap'")"
eq "real-node-plain connection" "127.0.0.1:40620|127.0.0.1:18007|1000|1000|normal|client|14" \
	"$(q "$DB" "SELECT client, server, close_client, close_server, verdict, ended_by, frames FROM connections WHERE connection_id = $PLAIN_ID")"
# findings: the 1009 close names the frame that crossed the limit.
eq "real-1009-node: 1009 close" "close|1009|1009|server|15|1|10|1|client|message-too-big|5|199999" \
	"$(q "$DB" "SELECT kind, class, code, sender, packet, frame_index, offending_packet, offending_frame_index, offending_sender, offending_rule, limit_min, limit_max FROM findings WHERE capture = 'real-1009-node.pcap' AND kind = 'close' AND answered = 0")"

# Re-analysing a file replaces its rows: same counts, ids still unique.
counts() {
	q "$1" "SELECT (SELECT count(*) FROM captures), (SELECT count(*) FROM connections), (SELECT count(DISTINCT connection_id) FROM connections), (SELECT count(*) FROM frames), (SELECT count(*) FROM messages), (SELECT count(*) FROM findings)"
}
before=$(counts "$DB")
eq "counts" "3|3|3|23|23|6" "$before"
"$WSAUTOPSY" analyze -q -o "$DB" "$N1009"
check "re-analyse: exit 0" test $? -eq 0
eq "re-analyse: same counts" "$before" "$(counts "$DB")"
eq "re-analyse: one row for the file" 1 \
	"$(q "$DB" "SELECT count(*) FROM captures WHERE capture = 'real-1009-node.pcap'")"
eq "re-analyse: no orphan frames" 0 \
	"$(q "$DB" 'SELECT count(*) FROM frames WHERE connection_id NOT IN (SELECT connection_id FROM connections)')"
eq "re-analyse: integrity" ok "$(q "$DB" 'PRAGMA integrity_check')"
eq "re-analyse: foreign keys" "" "$(q "$DB" 'PRAGMA foreign_key_check')"
# A second capture adds its rows.
"$WSAUTOPSY" analyze -q -o "$DB" "$SAMPLES/real/real-rst.pcap"
eq "second capture adds rows" "4|4|4|27|27|7" "$(counts "$DB")"

# The default database: the first capture's name with .db, beside it.
cp "$PLAIN" "$TMP/default.pcap"
"$WSAUTOPSY" analyze -q --separate "$TMP/default.pcap" "$SAMPLES/real/real-rst.pcap"
check "default name: exit 0" test $? -eq 0
check "default name: default.db" test -f "$TMP/default.db"
eq "default name: both captures" "default.pcap
real-rst.pcap" "$(q "$TMP/default.db" 'SELECT capture FROM captures ORDER BY capture_id')"

# Payload prefixes: 4K by default, none with 0, everything with 'all'.
pay() { q "$1" 'SELECT group_concat(coalesce(length(payload_prefix), -1)) FROM (SELECT payload_prefix FROM frames ORDER BY packet, offset)'; }
"$WSAUTOPSY" analyze -q -o "$TMP/cap-default.db" "$N1009"
eq "payload cap 4K (frames)" "5,5,4096,2,2" "$(pay "$TMP/cap-default.db")"
"$WSAUTOPSY" analyze -q --payload-cap 0 -o "$TMP/cap0.db" "$N1009"
eq "payload cap 0 (frames)" "-1,-1,-1,-1,-1" "$(pay "$TMP/cap0.db")"
eq "payload cap 0 (messages)" 0 \
	"$(q "$TMP/cap0.db" 'SELECT count(payload_prefix) FROM messages')"
"$WSAUTOPSY" analyze -q --payload-cap all -o "$TMP/capall.db" "$N1009"
eq "payload cap all (frames)" "5,5,200000,2,2" "$(pay "$TMP/capall.db")"
eq "payload cap all (messages)" "5,5,200000,2,2" \
	"$(q "$TMP/capall.db" 'SELECT group_concat(length(payload_prefix)) FROM (SELECT payload_prefix FROM messages ORDER BY first_packet)')"
# The 200000 bytes are the client frame's payload unmasked: all 'y'.
eq "payload cap all: unmasked bytes" 1 \
	"$(q "$TMP/capall.db" "SELECT count(*) FROM frames WHERE payload_length = 200000 AND masked = 1 AND length(CAST(payload_prefix AS TEXT)) = 200000 AND NOT CAST(payload_prefix AS TEXT) GLOB '*[^y]*'")"

# Size limits make message-too-big findings; --profile sets them.
"$WSAUTOPSY" analyze -q --max-message 100 -o "$TMP/mm.db" "$PLAIN"
eq "--max-message 100" "client|16|2
client|20|4
server|17|4
server|21|6" \
	"$(q "$TMP/mm.db" "SELECT sender, packet, frame_index FROM findings WHERE rule = 'message-too-big' AND kind = 'violation' ORDER BY sender, packet")"
eq "--max-message 100: the remedy names the limit" \
    "keep messages to 100 bytes" \
    "$(q "$TMP/mm.db" "SELECT DISTINCT substr(remedy, 1, 26) FROM findings WHERE rule = 'message-too-big' AND kind = 'violation'")"
"$WSAUTOPSY" analyze -q --max-message 1K -o "$TMP/mm1k.db" "$PLAIN"
eq "--max-message 1K: none" 0 \
	"$(q "$TMP/mm1k.db" "SELECT count(*) FROM findings WHERE rule = 'message-too-big'")"
"$WSAUTOPSY" analyze -q --profile tomcat -o "$TMP/tomcat.db" "$N1009"
eq "--profile tomcat (8K)" "violation|1009|client|message-too-big|10|1" \
	"$(q "$TMP/tomcat.db" "SELECT kind, code, sender, rule, packet, frame_index FROM findings WHERE kind = 'violation'")"
"$WSAUTOPSY" analyze -q --profile node-ws -o "$TMP/nodews.db" "$N1009"
eq "--profile node-ws (100M): none" 0 \
	"$(q "$TMP/nodews.db" "SELECT count(*) FROM findings WHERE kind = 'violation'")"
"$WSAUTOPSY" analyze --profile list >"$TMP/profiles"
check "--profile list: exit 0" test $? -eq 0
for p in node-ws python-websockets tomcat netty jetty; do
	check "--profile list names $p" grep -q "^$p " "$TMP/profiles"
done
grep -q '^python-websockets .* 1048576 ' "$TMP/profiles"
check "--profile list: python-websockets max_size 1 MiB" test $? -eq 0
"$WSAUTOPSY" analyze -q --profile nosuch -o "$TMP/nosuch.db" "$N1009" 2>"$TMP/err"
check "--profile nosuch: usage error" test $? -eq 1
check "--profile nosuch: no database made" test ! -e "$TMP/nosuch.db"

# -f keeps the file's packet numbers: with a filter that keeps the
# WebSocket port, and with one that also drops every packet without PSH.
fr() { q "$1" 'SELECT group_concat(packet || ":" || direction || ":" || opcode) FROM (SELECT * FROM frames ORDER BY packet, offset)'; }
"$WSAUTOPSY" analyze -q -o "$TMP/nof.db" "$PLAIN"
"$WSAUTOPSY" analyze -q -f 'tcp port 18007' -o "$TMP/f.db" "$PLAIN"
check "-f port: exit 0" test $? -eq 0
eq "-f port: same frames and packet numbers" "$(fr "$TMP/nof.db")" "$(fr "$TMP/f.db")"
"$WSAUTOPSY" analyze -q -f 'tcp port 18007 and tcp[13] & 8 != 0' -o "$TMP/fpsh.db" "$PLAIN"
eq "-f PSH only: same packet numbers" "$(fr "$TMP/nof.db")" "$(fr "$TMP/fpsh.db")"
"$WSAUTOPSY" analyze -q -f 'tcp port 1' -o "$TMP/fnone.db" "$PLAIN"
eq "-f other port: no frames" 0 "$(q "$TMP/fnone.db" 'SELECT count(*) FROM frames')"
"$WSAUTOPSY" analyze -q -f 'tcp port' -o "$TMP/fbad.db" "$PLAIN" 2>"$TMP/err"
check "-f bad expression: non-zero exit" test $? -ne 0
eq "-f bad expression: one line" 1 "$(wc -l <"$TMP/err" | tr -d ' ')"

# A capture on standard input (the usage names it: -o is then required).
cat "$PLAIN" | "$WSAUTOPSY" analyze -q -o "$TMP/stdin.db" - 2>"$TMP/err"
eq "capture on standard input: exit 0" 0 "$?"
eq "capture on standard input: frames" "$(fr "$TMP/nof.db")" \
	"$(fr "$TMP/stdin.db" 2>/dev/null)"
# An abnormal end names the FIN or RST packet (issue: "for abnormal ends
# the FIN/RST packet"): the python server's 1009 close (packet 15) is never
# answered; the connection ends with the RST in packet 23.
eq "close-unanswered: packet of the RST" "23|rst" \
	"$(q "$DB" "SELECT f.packet, c.tcp_end FROM findings f JOIN connections c USING (connection_id) WHERE f.rule = 'close-unanswered' AND f.capture = 'real-1009-python.pcap'")"

# Without -q and with stderr not a terminal: no progress line, a summary.
"$WSAUTOPSY" analyze -o "$TMP/sum.db" "$PLAIN" >"$TMP/out" 2>"$TMP/err"
check "no progress line when stderr is not a terminal" test ! -s "$TMP/err"
check "summary names the counts" grep -q '26 packets, 1 TCP connection, 1 WebSocket, 14 frames' "$TMP/out"
finish

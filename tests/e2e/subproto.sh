#!/bin/sh
# Sub-protocol decoding (messages --proto) on real recordings
# (samples/proto, record-proto.sh): Socket.IO, STOMP, graphql-ws,
# JSON-RPC (rpc-websockets) and MQTT (mosquitto; in mqtt-split the npm
# client splits every packet over several messages). Each NAME.fields holds
# what the peers were told to send, a line per message: the summary of
# that direction's messages must match the lines in order. The ids the
# libraries chose must pair up (an ack and its event, a SUBACK and its
# SUBSCRIBE, a result and its call). Crafted captures (hostile-gen subproto): packets that
# break their sub-protocol get notes, and change nothing in the findings
# or the report.
. "${top_srcdir}/tests/e2e/lib.sh"
need jq
need sqlite3
GEN=$TOOLS/hostile-gen
[ -x "$GEN" ] || { echo "SKIP: hostile-gen not built"; exit 77; }

# summaries DB DIR: the proto summaries of DIR's messages, in wire order.
summaries() {
	"$WSAUTOPSY" messages --proto -f jsonl --dir "$2" "$1" |
		jq -r 'select(.proto != null) | .proto'
}

# fields_match NAME DB: every line of NAME.fields matches the next
# summaries of its direction, in order (other messages may come between).
fields_match() {
	f=$(sample "$1.fields")
	for dir in client server; do
		summaries "$2" "$dir" >"$TMP/$1.$dir"
		grep -v '^#' "$f" | awk -F'\t' -v d="$dir" '$1 == d { print $2 }' \
		    >"$TMP/$1.$dir.want"
		awk -v sumfile="$TMP/$1.$dir" '
			BEGIN { while ((getline l < sumfile) > 0) s[++n] = l }
			{
				while (i < n && s[i + 1] !~ $0) i++
				if (i >= n) { print "no message matches " $0; exit 1 }
				i++
			}' "$TMP/$1.$dir.want" >"$TMP/$1.$dir.err" ||
			bad "$1 $dir: $(cat "$TMP/$1.$dir.err")"
		ok
	done
	want=$(grep -vc '^#' "$f")
	check "$1: the fields file has lines" test "$want" -gt 3
}

for p in socketio stomp graphql jsonrpc mqtt mqtt-split; do
	name=proto-$p
	"$WSAUTOPSY" analyze -q -o "$TMP/$p.db" "$(sample "$name.pcap")"
	check "$name: analyze exit 0" test $? -eq 0
	fields_match "$name" "$TMP/$p.db"
	eq "$name: no sub-protocol note on real traffic" "0" \
	    "$("$WSAUTOPSY" messages --proto -f jsonl "$TMP/$p.db" |
	    jq -s '[.[] | select(.proto_note != null)] | length')"
done

# The ids the libraries picked pair up.
ids() { # DB DIR ERE-with-a-group-of-digits: the ids, one a line
	summaries "$1" "$2" | sed -En "s/$3/\\1/p"
}
eq "socket.io: each ack answers its event's ack id" \
    "$(ids "$TMP/socketio.db" client '^socket\.io event .* ack ([0-9]+).*')" \
    "$(ids "$TMP/socketio.db" server '^socket\.io ack ([0-9]+).*')"
eq "json-rpc: each response carries its call's id" \
    "$(ids "$TMP/jsonrpc.db" client '^json-rpc call .* id ([0-9]+)$')" \
    "$(summaries "$TMP/jsonrpc.db" server |
    sed -En 's/^json-rpc (result|error -?[0-9]+) id ([0-9]+)$/\2/p')"
eq "mqtt: SUBACK answers SUBSCRIBE's id" \
    "$(ids "$TMP/mqtt.db" client '^mqtt SUBSCRIBE id ([0-9]+) .*')" \
    "$(ids "$TMP/mqtt.db" server '^mqtt SUBACK id ([0-9]+)$')"
# A packet split over messages is read once, where it ends: every other
# message of the split client says it goes on, none is a packet of its own.
split=$(sample proto-mqtt-split.fields)
eq "mqtt-split: a reading per packet the client sent" \
    "$(grep -c '^client' "$split")" \
    "$(summaries "$TMP/mqtt-split.db" client | grep -vc ' (partial)$')"
check "mqtt-split: the client's packets span messages" \
    test "$(summaries "$TMP/mqtt-split.db" client | wc -l)" -gt 30
eq "mqtt-split: each PUBACK answers its PUBLISH's id (client to server)" \
    "$(ids "$TMP/mqtt-split.db" client '^mqtt PUBLISH .* id ([0-9]+) .*')" \
    "$(ids "$TMP/mqtt-split.db" server '^mqtt PUBACK id ([0-9]+)$')"
eq "mqtt-split: each PUBACK answers its PUBLISH's id (server to client)" \
    "$(ids "$TMP/mqtt-split.db" server '^mqtt PUBLISH .* id ([0-9]+)$')" \
    "$(ids "$TMP/mqtt-split.db" client '^mqtt PUBACK id ([0-9]+) .*')"
# Asked from the middle of the connection (--since the big PUBLISH's
# last message), the reading is the same as in wire order.
big=$("$WSAUTOPSY" messages --proto -f jsonl --dir client \
    "$TMP/mqtt-split.db" | jq -c 'select(.proto != null and
    (.proto | test("split/big")))')
check "mqtt-split: the big PUBLISH is read whole" test -n "$big"
since=$(printf '%s' "$big" | jq -r .time)
eq "mqtt-split: a reading from mid-connection" \
    "$(printf '%s' "$big" | jq -r .proto)" \
    "$("$WSAUTOPSY" messages --proto -f jsonl --dir client --since "$since" \
    "$TMP/mqtt-split.db" | jq -r 'select(.message_id == '"$(printf '%s' \
    "$big" | jq .message_id)"') | .proto')"
sub=$(ids "$TMP/graphql.db" client '^graphql-transport-ws subscribe id ([^ ]+) .*')
eq "graphql: next and complete carry the subscription's id" "3 $sub" \
    "$(summaries "$TMP/graphql.db" server | sed -En \
    's/^graphql-transport-ws (next|complete) id ([^ ]+)$/\2/p' | uniq -c |
    awk '{ print $1, $2 }')"
eq "stomp: the MESSAGE names the SUBSCRIBE's id" "sub-0" \
    "$(summaries "$TMP/stomp.db" server |
    sed -En 's/^stomp MESSAGE .* subscription:([^ ]+).*/\1/p')"

# The text and CSV formats carry the same summary; without --proto the
# output has no trace of it.
"$WSAUTOPSY" messages --proto "$TMP/socketio.db" >"$TMP/text"
check "text: a proto: line" grep -q '^  proto: socket\.io event "order:update" ack [0-9]* ns /admin$' "$TMP/text"
"$WSAUTOPSY" messages --proto -f csv "$TMP/stomp.db" >"$TMP/csv"
check "csv: proto columns last in the header" \
    grep -q 'payload_text,proto,proto_note' "$TMP/csv"
check "csv: a STOMP SEND row" grep -q ',stomp SEND /queue/orders content-length:12,' "$TMP/csv"
"$WSAUTOPSY" messages -f jsonl "$TMP/mqtt.db" >"$TMP/plain"
eq "no --proto: no proto key" "0" "$(jq -s '[.[] | select(has("proto"))] |
    length' "$TMP/plain")"
check "no --proto: no proto line" sh -c "! \"$WSAUTOPSY\" messages \
    \"$TMP/mqtt.db\" | grep -q 'proto:'"

# README's --proto example, run as written on a copy of its sample.
readme_block recipe messages-proto >"$TMP/recipe.sh"
readme_block output messages-proto >"$TMP/want"
check "README has the --proto example and its output" test -s \
    "$TMP/recipe.sh" -a -s "$TMP/want"
mkdir -p "$TMP/readme/samples/proto"
cp "$(sample proto-socketio.pcap)" "$TMP/readme/samples/proto/"
bindir=$(cd "$(dirname "$WSAUTOPSY")" && pwd)
(cd "$TMP/readme" && PATH=$bindir:$PATH && sh "$TMP/recipe.sh") \
    >"$TMP/got" 2>&1
if diff -u "$TMP/want" "$TMP/got" >&2; then ok; else
	bad "README's --proto example prints something else"
fi

# Packets that break their sub-protocol: notes, and nothing else changes.
mkdir "$TMP/clean" "$TMP/broken"
"$GEN" subproto clean >"$TMP/clean/sp.pcap"
"$GEN" subproto broken >"$TMP/broken/sp.pcap"
for k in clean broken; do
	"$WSAUTOPSY" analyze -q -o "$TMP/$k/sp.db" "$TMP/$k/sp.pcap"
	check "$k: analyze exit 0" test $? -eq 0
done
"$WSAUTOPSY" messages --proto -f jsonl "$TMP/broken/sp.db" |
	jq -r 'select(.proto_note != null) | .proto_note' >"$TMP/notes"
eq "broken: a note for each broken packet" 'engine.io: open packet without a sid
engine.io: unknown packet type "9"
socket.io: unknown packet type "7"
stomp: frame without NUL terminator
mqtt: PUBLISH with qos 3
graphql-transport-ws: unknown message type "subscribe!"
json-rpc: both result and error' "$(cat "$TMP/notes")"
eq "clean: no note" "0" "$("$WSAUTOPSY" messages --proto -f jsonl \
    "$TMP/clean/sp.db" | jq -s '[.[] | select(.proto_note != null)] | length')"
# finding_id is the order findings reached the database, which the
# threads of -j decide: the findings are compared in packet order.
fq="SELECT connection_id, kind, rule, sender, code, packet FROM findings
    ORDER BY packet, connection_id, kind, sender"
eq "broken: the findings of the clean capture" \
    "$(sqlite3 -batch "$TMP/clean/sp.db" "$fq")" \
    "$(sqlite3 -batch "$TMP/broken/sp.db" "$fq")"
eq "broken: the connections' verdicts of the clean capture" \
    "$(sqlite3 -batch "$TMP/clean/sp.db" "SELECT verdict FROM connections")" \
    "$(sqlite3 -batch "$TMP/broken/sp.db" "SELECT verdict FROM connections")"
# The report names the capture by its hash: the bytes differ, the rest not.
for k in clean broken; do
	(cd "$TMP/$k" && "$WSAUTOPSY" report sp.db) | grep -v '^  sha256 ' \
	    >"$TMP/$k.report"
done
check "report: the same, word for word, but the capture's hash" \
    cmp "$TMP/clean.report" "$TMP/broken.report"
finish

#!/bin/sh
# replay DB records each replay in the database's replays view, against a
# real server on loopback (Python websockets, max_size 1 MiB, the limit
# real-1009-python's server had): every column of the row read back with
# sqlite3 is what replay printed and exited with; an error is a row too;
# the rows analyze stored are left as they were; header values are not
# kept; --all records one row per connection; merge carries the rows of a
# shard, linked to the merged connection; a database of a capture set
# (editcap -c 8) replays from another directory, its files found beside
# it, as the set's files and their directory replay themselves.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need editcap
/usr/bin/python3 -c 'import websockets' 2>/dev/null ||
    { echo "SKIP: python3-websockets not installed (Debian package)"; exit 77; }
. "${top_srcdir}/tests/e2e/replay-lib.sh"
W=$WSAUTOPSY
q() { sqlite3 "$1" "$2"; }
# The rows analyze wrote, as one text.
stored() {
	sqlite3 "$1" "SELECT * FROM capture_t; SELECT * FROM connection_t;
	    SELECT * FROM frame_t; SELECT * FROM message_t;
	    SELECT * FROM finding_t" | cksum
}

cp "$(sample real-1009-python.pcap)" "$TMP/cap.pcap"
"$W" analyze -q -o "$TMP/cap.db" "$TMP/cap.pcap"
before=$(stored "$TMP/cap.db")
start py1m ws 1048576
url="ws://127.0.0.1:$port/"
replay "$TMP/cap.db" --connection 1 --to "$url" --speed 4 \
    --header 'Authorization: Bearer s3cret' --record "$TMP/rec.pcap"
eq "replayed: reproduced" 0 "$rc"
eq "one row" 1 "$(q "$TMP/cap.db" "SELECT count(*) FROM replays")"
row() { q "$TMP/cap.db" "SELECT $1 FROM replays ORDER BY replay_id DESC LIMIT 1"; }
eq "capture" "$(q "$TMP/cap.db" "SELECT capture FROM captures")" \
    "$(row capture)"
eq "connection" "$(q "$TMP/cap.db" "SELECT connection_id FROM connections
    WHERE conn_no = 1")" "$(row connection_id)"
eq "conn_no" 1 "$(row conn_no)"
eq "target" "$url" "$(row target)"
eq "outcome: the line's first words" "${out%%:*}" "$(row outcome)"
eq "exit status" "$rc" "$(row exit_status)"
eq "line: as printed" "$out" "$(row line)"
captured=${out##*(captured: }
eq "captured: as the line says it" "${captured%)}" "$(row captured)"
eq "no error" "" "$(row error)"
eq "recording" "$TMP/rec.pcap" "$(row recording)"
check "recording written" test -s "$TMP/rec.pcap"
eq "options" "--speed 4 --rate 1000 --timeout 60 --header 'Authorization'" \
    "$(row options)"
check "started: when" test "$(row "started_at >= (SELECT analyzed_at
    FROM captures) AND started_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")" = 1
check "the header's value is not kept" test -z "$(q "$TMP/cap.db" \
    "SELECT 1 FROM replay_t WHERE options LIKE '%s3cret%'")"
eq "what analyze stored: unchanged" "$before" "$(stored "$TMP/cap.db")"

# An error: a port nothing listens on.
bad="ws://127.0.0.1:$(free_port)/"
replay "$TMP/cap.db" --connection 1 --to "$bad"
eq "refused port: exit 2" 2 "$rc"
eq "error: a second row" 2 "$(q "$TMP/cap.db" "SELECT count(*) FROM replays")"
eq "error: outcome, status, no line" "error|2||$bad" \
    "$(row "outcome || '|' || exit_status || '|' || coalesce(line, '') ||
    '|' || target")"
why=$(row error)
check "error: the reason said on stderr ($why)" grep -qF "$why" "$TMP/err"
check "error: a reason" test -n "$why"
eq "error: what the capture did" "${captured%)}" "$(row captured)"
eq "error: what analyze stored, unchanged" "$before" "$(stored "$TMP/cap.db")"

# A replay of the capture file itself is not recorded anywhere.
replay "$TMP/cap.pcap" --connection 1 --to "$url"
eq "capture file: replayed" 0 "$rc"
eq "capture file: no row" 2 "$(q "$TMP/cap.db" "SELECT count(*) FROM replays")"

# --all through the database: a row per connection replayed.
"$W" replay "$TMP/cap.db" --all --to "$url" >"$TMP/all.out" 2>"$TMP/err"
eq "--all: reproduced" 0 $?
eq "--all: one more row" 3 "$(q "$TMP/cap.db" "SELECT count(*) FROM replays")"
eq "--all: the row of the line printed" "$(sed -n 2p "$TMP/all.out")" \
    "$(row "printf('%-10d %s', conn_no, line)")"
"$W" analyze -q --separate -o "$TMP/two.db" "$TMP/cap.pcap" \
    "$(sample viol-masked-server-python.pcap)"
"$W" replay "$TMP/two.db" --all --to "$url" >/dev/null 2>"$TMP/err"
eq "--all, two captures: error" 2 $?
check "--all, two captures: said" grep -q "2 captures" "$TMP/err"

# merge: the shard's rows, linked to the merged connection.
"$W" analyze -q --shard 1/2 -o "$TMP/s1.db" "$TMP/cap.pcap"
"$W" analyze -q --shard 2/2 -o "$TMP/s2.db" "$TMP/cap.pcap"
for s in s1 s2; do
	[ "$(q "$TMP/$s.db" "SELECT count(*) FROM connections WHERE
	    conn_no = 1")" = 1 ] && shard=$s
done
replay "$TMP/$shard.db" --connection 1 --to "$url"
eq "shard: reproduced" 0 "$rc"
"$W" merge -o "$TMP/all.db" "$TMP/s1.db" "$TMP/s2.db" 2>"$TMP/merr"
eq "merged" 0 $?
eq "merge: the row carried" "1|$out|$rc" \
    "$(q "$TMP/all.db" "SELECT count(*), line, exit_status FROM replays")"
eq "merge: linked to the merged connection" \
    "$(q "$TMP/all.db" "SELECT connection_id FROM connections WHERE
    conn_no = 1")" "$(q "$TMP/all.db" "SELECT connection_id FROM replays")"
# A capture set: the database names its files (relative: analyze ran
# beside them), found from another directory beside the database.
mkdir "$TMP/set"
editcap -c 8 "$TMP/cap.pcap" "$TMP/set/part.pcap"
(cd "$TMP/set" && "$W" analyze -q -o set.db part_*.pcap)
eq "set: analysed as one capture of 3 files" "1|3" "$(q "$TMP/set/set.db" \
    "SELECT count(*), (SELECT count(*) FROM capture_file_t) FROM capture_t")"
replay "$TMP/cap.pcap" --connection 1 --to "$url"
whole=${out##*(captured: }
replay "$TMP/set/set.db" --connection 1 --to "$url"
eq "set database, from another directory: reproduced" 0 "$rc"
eq "set database: what the capture did, as the one file says" "$whole" \
    "${out##*(captured: }"
eq "set database: recorded" "1|0" "$(q "$TMP/set/set.db" "SELECT count(*),
    exit_status FROM replays")"
replay "$TMP/set"/part_*.pcap --connection 1 --to "$url"
eq "set files: reproduced" "0|$whole" "$rc|${out##*(captured: }"
replay "$TMP/set" --connection 1 --to "$url"
eq "set directory (the database in it left out): reproduced" \
    "0|$whole" "$rc|${out##*(captured: }"
replay "$TMP/set/set.db" "$TMP/set/part_00000"*.pcap --connection 1 \
    --to "$url"
eq "a database with capture files: usage error" 2 "$rc"
last=$(ls "$TMP/set"/part_*.pcap | tail -n 1)
printf x >>"$last"
replay "$TMP/set/set.db" --connection 1 --to "$url"
eq "set database, a file changed: refused" 2 "$rc"
check "set database, a file changed: named" grep -qF \
    "${last##*/}: changed since it was analysed" "$TMP/err"
finish

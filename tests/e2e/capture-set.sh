#!/bin/sh
# Capture sets: the files of a ring are one timeline. Real recordings are
# cut with editcap (-c: N packets a file, -r: ranges that overlap) and
# split by direction with tshark; mergecap merges a set into one file, the
# oracle for what the set must give; tshark reads each named packet back
# from its file.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need editcap
need mergecap
need tshark

P1009=$(sample real-1009-python.pcap)

q() { sqlite3 -batch "$1" "$2"; }
# time_of FILE N: the timestamp of packet N of FILE, as tshark reads it.
time_of() {
	tshark -r "$1" -Y "frame.number == $2" -T fields \
	    -e frame.time_epoch 2>/dev/null
}
# findings DB: what a finding is, whatever names its packets.
findings() {
	q "$1" "SELECT class, code, sender, rule, offending_rule, time_text,
	    limit_min, limit_max FROM findings ORDER BY time_text, class"
}
# same_packet DIR NAME ORIGINAL N: NAME (file:number) is packet N of
# ORIGINAL, by their timestamps.
same_packet() {
	f=${2%:*}
	n=${2##*:}
	eq "$2 is packet $4 of the original" "$(time_of "$3" "$4")" \
	    "$(time_of "$1/$f" "$n")"
}

# One file: the reference.
"$WSAUTOPSY" analyze -q -o "$TMP/one.db" "$P1009"
eq "one file: plain packet numbers" "15|10" \
    "$(q "$TMP/one.db" "SELECT packet, offending_packet FROM findings
    WHERE class = '1009'")"
eq "one file: files = 1, no spans" "1|0" \
    "$(q "$TMP/one.db" "SELECT files, (SELECT count(*) FROM capture_span_t)
    FROM captures")"

# A ring of 4 packets a file, given in shuffled order.
mkdir "$TMP/ring"
editcap -c 4 "$P1009" "$TMP/ring/part.pcap" >/dev/null 2>&1
check "editcap made 6 parts" test "$(ls "$TMP/ring" | wc -l)" -eq 6
set -- "$TMP"/ring/part_*.pcap
"$WSAUTOPSY" analyze -o "$TMP/set.db" "$4" "$1" "$6" "$3" "$5" "$2" \
    >"$TMP/out" 2>"$TMP/err"
eq "set: exit 0" 0 $?
check "set: nothing on stderr" test ! -s "$TMP/err"
check "set: the summary says how the files were taken" grep -q \
    "^part_00000_[0-9]*\.pcap\.\.part_00005_[0-9]*\.pcap: 6 files read as one capture set (15:42:10 - 15:42:10 UTC), 23 packets" \
    "$TMP/out"
eq "set: the findings of the one file" "$(findings "$TMP/one.db")" \
    "$(findings "$TMP/set.db")"
off=$(q "$TMP/set.db" "SELECT offending_packet FROM findings
    WHERE class = '1009'")
pkt=$(q "$TMP/set.db" "SELECT packet FROM findings WHERE class = '1009'")
case $off in
part_00002_*.pcap:2) ok ;;
*) bad "offending packet 10 is part_00002:2, got $off" ;;
esac
same_packet "$TMP/ring" "$off" "$P1009" 10
same_packet "$TMP/ring" "$pkt" "$P1009" 15
# The single file analysed into the set's database: its packets stay
# plain numbers beside the set's file:number.
cp "$TMP/set.db" "$TMP/mixed.db"
"$WSAUTOPSY" analyze -q -o "$TMP/mixed.db" "$P1009"
eq "mixed database: the set's packets by file, the single file's plain" \
    "$pkt|$off
15|10" "$(q "$TMP/mixed.db" "SELECT packet || '|' || offending_packet
    FROM findings WHERE class = '1009' ORDER BY capture_id")"
"$WSAUTOPSY" report "$TMP/set.db" >"$TMP/report"
check "report: the offending frame named by its file" grep -q \
    "offending  client frame 1, packet $off," "$TMP/report"
check "report: the detail names it the same way" grep -q \
    "client frame 1 (packet $off) brought" "$TMP/report"
"$WSAUTOPSY" report --format jsonl "$TMP/set.db" >"$TMP/jsonl"
check "jsonl: the packet as file:number" grep -q \
    "\"offending_packet\":\"$off\"" "$TMP/jsonl"
eq "frames view: tshark finds each frame's time at its file:number" \
    "$(q "$TMP/one.db" "SELECT time_text FROM frames ORDER BY time_text")" \
    "$(for p in $(q "$TMP/set.db" "SELECT packet FROM frames
    ORDER BY time_text"); do time_of "$TMP/ring/${p%:*}" "${p##*:}"; done)"
# The messages view names first and last packets the same way: by
# tshark's times, the set's file:number is the single file's packet.
eq "messages view: each message's first and last packet, by tshark" \
    "$(q "$TMP/one.db" "SELECT first_packet, last_packet FROM messages
    ORDER BY time_text, direction" | while IFS='|' read -r a b; do
	printf '%s %s\n' "$(time_of "$P1009" "$a")" "$(time_of "$P1009" "$b")"
    done)" \
    "$(q "$TMP/set.db" "SELECT first_packet, last_packet FROM messages
    ORDER BY time_text, direction" | while IFS='|' read -r a b; do
	printf '%s %s\n' "$(time_of "$TMP/ring/${a%:*}" "${a##*:}")" \
	    "$(time_of "$TMP/ring/${b%:*}" "${b##*:}")"; done)"
eq "capture_files: six files in time order, each its SHA-256" \
    "$(cd "$TMP/ring" && for f in part_*.pcap; do
	printf '%s|%s|4\n' "$f" "$(sha256sum "$f" | cut -c1-64)"; done |
	sed '$s/|4$/|3/')" \
    "$(q "$TMP/set.db" "SELECT file, sha256, packets FROM capture_files
    ORDER BY file_index")"
eq "the set's identity: the hash of its files' hashes" \
    "$(cd "$TMP/ring" && for f in part_*.pcap; do sha256sum "$f" |
	cut -c1-64; done | sha256sum | cut -c1-64)" \
    "$(q "$TMP/set.db" "SELECT sha256 FROM captures")"
"$WSAUTOPSY" analyze -q -o "$TMP/set.db" "$TMP"/ring/part_*.pcap
eq "the same set again replaces it" "1|2" \
    "$(q "$TMP/set.db" "SELECT count(*), sum(findings) FROM captures")"

# A directory is the set of its capture files; the database goes beside it.
echo "not a capture" >"$TMP/ring/notes.txt"
"$WSAUTOPSY" analyze -q "$TMP/ring/" 2>"$TMP/err"
eq "directory: exit 0" 0 $?
check "directory: ring.db beside it" test -f "$TMP/ring.db"
eq "directory: named by it, the findings of the one file" \
    "ring|$(findings "$TMP/one.db")" \
    "$(q "$TMP/ring.db" "SELECT capture FROM captures")|$(findings \
    "$TMP/ring.db")"
rm "$TMP/ring/notes.txt"

# --separate: each file its own capture, as before sets.
"$WSAUTOPSY" analyze -q --separate -o "$TMP/sep.db" "$TMP"/ring/part_*.pcap
eq "--separate: six captures, no 1009 (the connection is cut)" "6|0" \
    "$(q "$TMP/sep.db" "SELECT count(*), (SELECT count(*) FROM findings
    WHERE class = '1009') FROM captures")"
"$WSAUTOPSY" analyze --help >"$TMP/help"
check "--help lists --separate" grep -q -- "--separate" "$TMP/help"

# Files that overlap in time: each direction in its own file, merged by
# timestamp, give what mergecap's merge of them gives.
tshark -r "$P1009" -Y "tcp.srcport == 18009" -w "$TMP/srv.pcap" 2>/dev/null
tshark -r "$P1009" -Y "tcp.dstport == 18009" -w "$TMP/cli.pcap" 2>/dev/null
mergecap -w "$TMP/merged.pcap" "$TMP/srv.pcap" "$TMP/cli.pcap"
"$WSAUTOPSY" analyze -q -o "$TMP/merged.db" "$TMP/merged.pcap"
"$WSAUTOPSY" analyze -q -o "$TMP/dirs.db" "$TMP/srv.pcap" "$TMP/cli.pcap"
eq "interleaved files: mergecap's findings" "$(findings "$TMP/merged.db")" \
    "$(findings "$TMP/dirs.db")"
eq "interleaved files: the same frames" \
    "$(q "$TMP/merged.db" "SELECT direction, frame_index, time_text,
    payload_length FROM frames ORDER BY time_text")" \
    "$(q "$TMP/dirs.db" "SELECT direction, frame_index, time_text,
    payload_length FROM frames ORDER BY time_text")"
# Each finding's packet, read by tshark in its file, is the packet
# mergecap's file has at the number the merged analysis names.
for t in $(q "$TMP/dirs.db" "SELECT time_text FROM findings"); do
	p=$(q "$TMP/dirs.db" "SELECT packet FROM findings
	    WHERE time_text = '$t' LIMIT 1")
	n=$(q "$TMP/merged.db" "SELECT packet FROM findings
	    WHERE time_text = '$t' LIMIT 1")
	eq "$p: packet $n of mergecap's file" "$(time_of "$TMP/merged.pcap" \
	    "$n")" "$(time_of "$TMP/${p%:*}" "${p##*:}")"
done
eq "interleaved files: no duplicates" 0 \
    "$(q "$TMP/dirs.db" "SELECT duplicates FROM captures")"

# Overlapping copies of the same packets (1-15 and 10-23): the six read
# twice are duplicates, not retransmissions.
editcap -r "$P1009" "$TMP/a.pcap" 1-15 >/dev/null 2>&1
editcap -r "$P1009" "$TMP/b.pcap" 10-23 >/dev/null 2>&1
"$WSAUTOPSY" analyze -o "$TMP/dup.db" "$TMP/b.pcap" "$TMP/a.pcap" \
    >"$TMP/out"
eq "copies: the findings of the one file" "$(findings "$TMP/one.db")" \
    "$(findings "$TMP/dup.db")"
eq "copies: 6 duplicates, 29 records, no conflicts or resends" "6|29|0|0" \
    "$(q "$TMP/dup.db" "SELECT duplicates, packets, conflicts, unchecked
    FROM captures")"
eq "copies: the same frames as the one file" \
    "$(q "$TMP/one.db" "SELECT direction, frame_index, time_text FROM
    frames ORDER BY time_text")" \
    "$(q "$TMP/dup.db" "SELECT direction, frame_index, time_text FROM
    frames ORDER BY time_text")"
check "copies: the summary counts them" grep -q \
    "6 duplicate packets dropped" "$TMP/out"
"$WSAUTOPSY" analyze --summary-json -o "$TMP/dupj.db" "$TMP/a.pcap" \
    "$TMP/b.pcap" >"$TMP/json"
eq "copies: --summary-json says files and duplicates" "2 6" \
    "$(python3 -c 'import json, sys
d = json.loads(sys.stdin.readline())
print(d["files"], d["duplicates"])' <"$TMP/json")"

# A ring that lost a middle file: gaps, never violations.
mkdir "$TMP/lost"
cp "$TMP"/ring/part_*.pcap "$TMP/lost/"
rm "$TMP"/lost/part_00001_*.pcap
"$WSAUTOPSY" analyze -q -o "$TMP/lost.db" "$TMP/lost"
eq "lost file: exit 0" 0 $?
eq "lost file: capture gaps, no violation" "0" \
    "$(q "$TMP/lost.db" "SELECT count(*) FROM findings
    WHERE kind = 'violation'")"
check "lost file: the connection has capture-gap findings" test \
    "$(q "$TMP/lost.db" "SELECT count(*) FROM findings
    WHERE rule = 'capture-gap'")" -gt 0
eq "lost file: the later files still give the 1009" 1 \
    "$(q "$TMP/lost.db" "SELECT count(*) FROM findings
    WHERE class = '1009' AND kind = 'close'")"

# A file cut mid-record ends that file, not the set; a file that is not a
# capture is one line and the rest goes on; the exit status says so.
mkdir "$TMP/cut"
cp "$TMP"/ring/part_*.pcap "$TMP/cut/"
f=$(ls "$TMP"/cut/part_00001_*.pcap)
head -c $(($(stat -c %s "$f") - 20)) "$f" >"$TMP/x" && mv "$TMP/x" "$f"
echo "not a capture" >"$TMP/cut/junk.pcap"
"$WSAUTOPSY" analyze -q -o "$TMP/cut.db" "$TMP"/cut/*.pcap 2>"$TMP/err"
eq "cut file: exit 2" 2 $?
eq "cut file: one line for each bad file" 2 "$(wc -l <"$TMP/err")"
check "cut file: junk.pcap named" grep -q "junk.pcap: not a pcap" "$TMP/err"
check "cut file: the cut one named" grep -q "part_00001_.*damaged" \
    "$TMP/err"
eq "cut file: the 1009 of a later file is found" 1 \
    "$(q "$TMP/cut.db" "SELECT count(*) FROM findings
    WHERE class = '1009' AND kind = 'close'")"
eq "cut file: incomplete, the file's error kept" "0|1" \
    "$(q "$TMP/cut.db" "SELECT complete, (SELECT count(*) FROM
    capture_files WHERE error LIKE '%damaged%') FROM captures")"

# A real ring (samples/ring, tcpdump -G 1): its truth is tshark's view of
# the ring merged by mergecap, by packet number there; each finding named
# file:number must be that packet, by the time tshark reads in each.
RING=$SAMPLES/ring
mergecap -w "$TMP/ring-merged.pcap" "$RING"/ring_*.pcap
"$WSAUTOPSY" analyze -o "$TMP/rs.db" "$RING" >"$TMP/out" 2>"$TMP/err"
eq "ring: exit 0" 0 $?
nring=$(ls "$RING"/ring_*.pcap | wc -l)
check "ring: $nring files, one set" grep -q \
    "ring: $nring files read as one capture set" "$TMP/out"
eq "ring: files with packets in time order, as their names (%H%M%S) say" \
    "$(cd "$RING" && for f in ring_*.pcap; do
	[ "$(stat -c %s "$f")" -gt 24 ] && echo "$f"; done)" \
    "$(q "$TMP/rs.db" "SELECT file FROM capture_files WHERE packets > 0
    ORDER BY file_index")"
eq "ring: a file without packets (tcpdump's first) comes last" 0 \
    "$(q "$TMP/rs.db" "SELECT packets FROM capture_files
    ORDER BY file_index DESC LIMIT 1")"
grep -v '^#' "$RING/ring.truth" >"$TMP/ring.truth"
while IFS='	' read -r what who code n _; do
	case $what in
	close) sql="SELECT packet FROM findings WHERE kind = 'close' AND
	    sender = '$who' AND code = $code" ;;
	offending) sql="SELECT offending_packet FROM findings WHERE
	    class = '1009' AND offending_rule = '$code'" ;;
	unanswered) sql="SELECT packet FROM findings WHERE
	    rule = 'close-unanswered' AND sender = '$who'" ;;
	*) continue ;;
	esac
	p=$(q "$TMP/rs.db" "$sql")
	eq "ring: $what $who (merged packet $n) at $p" \
	    "$(time_of "$TMP/ring-merged.pcap" "$n")" \
	    "$(time_of "$RING/${p%:*}" "${p##*:}")"
	echo "$p" >>"$TMP/ring-named"
done <"$TMP/ring.truth"
check "ring: the findings lie in several files" test \
    "$(cut -d: -f1 "$TMP/ring-named" | sort -u | wc -l)" -ge 3
eq "ring: the 1009 connection starts in one file, ends in another" 1 \
    "$(q "$TMP/rs.db" "SELECT substr(first_packet, 1, instr(first_packet,
    ':')) <> substr(end_packet, 1, instr(end_packet, ':')) FROM connections
    WHERE verdict = '1009'")"

# Standard input cannot be one file of a set.
"$WSAUTOPSY" analyze -q -o "$TMP/in.db" - "$P1009" </dev/null 2>"$TMP/err"
eq "stdin in a set: usage error" 1 $?

finish

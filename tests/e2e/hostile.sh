#!/bin/sh
# Hostile captures: each is read without a crash, a signal or a hang
# (timeout 120 s), within a stated peak RSS, and the caps that triggered
# are reported in the analyze summary and in the captures view.
#
# HOSTILE_TINY_N sets the number of one-byte segments of the tiny case
# (default 10000000, about 700 MB of pcap).
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
GEN=$TOOLS/hostile-gen
[ -x "$GEN" ] || { echo "SKIP: hostile-gen not built"; exit 77; }
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time not installed"; exit 77; }
TINY_N=${HOSTILE_TINY_N:-10000000}
MiB=1024

# Under AddressSanitizer the shadow memory and the quarantine add to every
# figure: the bounds are then loosened (3x plus 512 MiB), and no address
# space limit is set.
san=0
grep -q __asan_init "$WSAUTOPSY" 2>/dev/null && san=1

# run NAME ARGS...: wsautopsy ARGS under /usr/bin/time and timeout 120.
# Sets rc, rss (peak KiB) and secs; output in $TMP/NAME.out, .err. Outside
# sanitizer builds the address space is limited to 4 GiB so that a
# regression fails instead of exhausting the machine.
run() {
	name=$1
	shift
	(
		[ "$san" -eq 0 ] && ulimit -v 4194304
		exec /usr/bin/time -f '%M %e' -o "$TMP/$name.time" \
		    timeout 120 "$WSAUTOPSY" "$@"
	) >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	set -- $(tail -n 1 "$TMP/$name.time")
	rss=${1:-0}
	secs=${2:-0}
	echo "$name: exit $rc, peak RSS $rss KiB, $secs s"
}

# expect_rc WANT: the last run exited WANT, never by a signal or timeout.
expect_rc() {
	if [ "$rc" -eq 124 ]; then
		bad "$name: timed out after 120 s"
	elif [ "$rc" -ge 128 ]; then
		bad "$name: killed by signal $((rc - 128))"; cat "$TMP/$name.err" >&2
	elif [ "$rc" -ne "$1" ]; then
		bad "$name: exit status $rc, expected $1"
		head -c 2000 "$TMP/$name.err" >&2
	else
		ok
	fi
}

# under KIB WHAT: the last run's peak RSS stayed under KIB.
under() {
	lim=$1
	[ "$san" -eq 1 ] && lim=$((lim * 3 + 512 * MiB))
	if [ "$rss" -gt 0 ] && [ "$rss" -lt "$lim" ]; then
		ok
	else
		bad "$name: peak RSS $rss KiB, bound $lim KiB ($2)"
	fi
}

# sql DB QUERY: one value.
sql() { sqlite3 "$1" "$2"; }

# same WHAT GOT WANT
same() {
	if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi
}

gen() { "$GEN" "$@"; }

# Baseline: a small capture, to which the bounds below add.
gen cut-header 13 >"$TMP/base.pcap"
run base analyze -q -o "$TMP/base.db" "$TMP/base.pcap"
expect_rc 0
under $((32 * MiB)) "a 7-packet capture"
base=$rss

# ---- Frame headers. ----

# Claimed lengths of 2^63-1 and with the top bit set, each followed by
# 4 MiB: the payload is streamed, the top bit is a violation.
gen huge-length >"$TMP/huge.pcap"
run huge analyze -q --max-frame 1M -o "$TMP/huge.db" "$TMP/huge.pcap"
expect_rc 0
under $((base + 16 * MiB)) "4 MiB under a 2^63-1 byte frame"
same "huge: the 2^63-1 frame, cut by the capture's end" \
	"$(sql "$TMP/huge.db" "SELECT payload_length, truncated FROM frames
	    WHERE connection_id = 1 AND frame_index = 1")" \
	"9223372036854775807|1"
same "huge: frame-too-big names the claimed length" \
	"$(sql "$TMP/huge.db" "SELECT detail FROM findings
	    WHERE rule = 'frame-too-big'")" \
	"frame payload 9223372036854775807 > 1048576"
same "huge: length-msb-set on the second connection" \
	"$(sql "$TMP/huge.db" "SELECT connection_id, frame_index, detail
	    FROM findings WHERE rule = 'length-msb-set'")" \
	"2|1|64-bit length 0x8000000000000010 has the top bit set"

# The capture ends K bytes into a 14-byte header, for every K: the frame
# before it is stored, the partial header is not a frame.
k=0
while [ "$k" -le 13 ]; do
	gen cut-header "$k" >"$TMP/cut$k.pcap"
	run "cut-header-$k" analyze -q -o "$TMP/cut$k.db" "$TMP/cut$k.pcap"
	expect_rc 0
	under $((base + 8 * MiB)) "a 7-packet capture"
	same "cut-header $k: frames stored" \
		"$(sql "$TMP/cut$k.db" "SELECT group_concat(frame_index || ':' ||
		    payload_length) FROM frames")" "0:5"
	same "cut-header $k: the connection, open at the end" \
		"$(sql "$TMP/cut$k.db" "SELECT websocket, tcp_end
		    FROM connections")" "1|open"
	k=$((k + 1))
done

# ---- Decompression bomb: 4 GiB of zeros in about 4 MiB on the wire. ----

gen bomb 4G >"$TMP/bomb.pcap" 2>/dev/null
run bomb analyze --max-message 1M -o "$TMP/bomb.db" "$TMP/bomb.pcap"
expect_rc 0
under $((100 * MiB)) "inflation stops at --max-message 1M"
same "bomb: message-too-big names the limit" \
	"$(sql "$TMP/bomb.db" "SELECT sender, detail FROM findings
	    WHERE rule = 'message-too-big'")" \
	"client|inflated message exceeds 1048576 bytes"
same "bomb: the message stopped inflating just past the limit" \
	"$(sql "$TMP/bomb.db" "SELECT decoded_size <= 1048576 + 65536,
	    too_big FROM messages WHERE opcode = 2")" "1|1"
# With no --max-message, inflation stops at --max-inflate (256M): a cap
# hit, said in the summary, the captures view and the message.
run bomb-default analyze -o "$TMP/bomb3.db" "$TMP/bomb.pcap"
expect_rc 0
under $((100 * MiB)) "inflation stops at the default --max-inflate"
check "bomb, default: the summary reports the inflate cap" \
	grep -q 'caps hit: .*, inflate 1\.' "$TMP/bomb-default.out"
same "bomb, default: stopped just past 256M, marked, counted" \
	"$(sql "$TMP/bomb3.db" "SELECT m.decoded_size, m.inflate_capped,
	    m.too_big, c.cap_inflate FROM messages m, captures c
	    WHERE m.opcode = 2")" "268435457|1|0|1"
# --payload-cap all keeps at most 64M of it, and memory stays bounded.
run bomb-capall analyze -q --payload-cap all -o "$TMP/bomb4.db" \
	"$TMP/bomb.pcap"
expect_rc 0
under $((64 * 4 * MiB)) "--payload-cap all on a bomb"
same "bomb, --payload-cap all: 64M of it kept" \
	"$(sql "$TMP/bomb4.db" "SELECT length(payload_prefix),
	    payload_prefix = zeroblob(67108864) FROM messages
	    WHERE opcode = 2")" "67108864|1"
# --max-inflate 0: the whole message is inflated, streamed, not held.
run bomb-nolimit analyze -q --max-inflate 0 -o "$TMP/bomb2.db" \
	"$TMP/bomb.pcap"
expect_rc 0
under $((100 * MiB)) "4 GiB inflated with --max-inflate 0"
same "bomb, no limit: inflated size counted" \
	"$(sql "$TMP/bomb2.db" "SELECT decoded_size, inflate_capped,
	    cap_inflate FROM messages, captures WHERE opcode = 2")" \
	"4294967296|0|0"
rm -f "$TMP/bomb.pcap"

# ---- A gap, then a long run of zero bytes: the search for the next frame
# header is linear. 64 MiB from the server (where 00 00 reads as an empty
# continuation, each the start of the next) took 50 s before; at least
# 16 MiB/s is asked (about 350 MiB/s here), with and without ACKs that
# declare the hole lost at once. ----

for acks in 0 1; do
	gen zeros 64M "$acks" server >"$TMP/zeros.pcap"
	run "zeros-ack$acks" analyze -q -o "$TMP/zeros$acks.db" "$TMP/zeros.pcap"
	expect_rc 0
	under $((64 * MiB)) "64 MiB of zeros after a gap (acks $acks)"
	check "zeros-ack$acks: 64 MiB searched in $secs s (4 s at most)" \
	    awk -v s="$secs" 'BEGIN { exit !(s <= 4) }'
	same "zeros-ack$acks: the gap is said, nothing made up of zeros" \
	    "$(sql "$TMP/zeros$acks.db" "SELECT gaps, (SELECT count(*) FROM
	        frames WHERE direction = 'server') FROM captures")" "1|1"
done
rm -f "$TMP/zeros.pcap"

# ---- Header values longer than kept: cut, and the cut is said. ----

gen long-head 3000 >"$TMP/long.pcap"
run long-head analyze -q -o "$TMP/long.db" "$TMP/long.pcap"
expect_rc 0
same "long head: the cut values are named" \
	"$(sql "$TMP/long.db" "SELECT headers_cut, length(path),
	    length(server_header) FROM connections")" \
	"request user-agent,target; response server|2047|255"
"$WSAUTOPSY" report "$TMP/long.db" >"$TMP/long.report" 2>&1
check "long head: the report says which values were cut" grep -q \
	'^  cut        request user-agent,target; response server: longer' \
	"$TMP/long.report"
# The User-Agent starts with the four characters \x1b: doubled backslash.
same "long head: a backslash from the wire reads doubled" \
	"$(sql "$TMP/long.db" "SELECT substr(user_agent, 1, 8)
	    FROM connections")" '\\x1buuu'


# ---- Out-of-order segments behind a hole that never fills. ----

# 100,000 segments of 1460 bytes: the per-direction cap (4 MiB) gives the
# hole up as a gap, again and again.
gen ooo 100000 >"$TMP/ooo.pcap"
run ooo analyze -o "$TMP/ooo.db" "$TMP/ooo.pcap"
expect_rc 0
under $((base + 4 * MiB + 16 * MiB)) "--ooo-per-dir 4M"
check "ooo: the summary reports the per-direction cap" \
	grep -Eq 'caps hit: .*out-of-order per direction [1-9]' "$TMP/ooo.out"
same "ooo: the captures view counts the cap" \
	"$(sql "$TMP/ooo.db" "SELECT cap_ooo_dir > 0, cap_ooo_total,
	    peak_ooo_bytes <= 4194304 FROM captures")" "1|0|1"
rm -f "$TMP/ooo.pcap"

# Three connections holding 3.9 MiB each against --ooo-total 8M.
gen ooo 2700 1460 3 >"$TMP/ooot.pcap"
run ooo-total analyze --ooo-total 8M -o "$TMP/ooot.db" "$TMP/ooot.pcap"
expect_rc 0
under $((base + 8 * MiB + 16 * MiB)) "--ooo-total 8M"
check "ooo-total: the summary reports the total cap" \
	grep -Eq 'caps hit: .*total [1-9]' "$TMP/ooo-total.out"
same "ooo-total: the captures view counts it" \
	"$(sql "$TMP/ooot.db" "SELECT cap_ooo_total > 0,
	    peak_ooo_bytes <= 8388608 FROM captures")" "1|1"

# One-byte segments: 20,000 are held within the byte cap.
gen ooo 20000 1 >"$TMP/ooo1.pcap"
run ooo-1byte analyze -q -o "$TMP/ooo1.db" "$TMP/ooo1.pcap"
expect_rc 0
under $((base + 16 * MiB)) "20,000 one-byte segments held"
# 1,000,000 of them, in order behind the hole: appended in constant time
# (a list walk made this quadratic once), each costing its record too
# against --ooo-per-dir.
gen ooo 1000000 1 >"$TMP/ooo1m.pcap"
run ooo-1byte-1m analyze -q -o "$TMP/ooo1m.db" "$TMP/ooo1m.pcap"
expect_rc 0
under $((base + 4 * MiB + 16 * MiB)) "--ooo-per-dir 4M"
rm -f "$TMP/ooo1m.pcap"

# ---- One connection, 10 million one-byte segments. ----

gen tiny "$TINY_N" >"$TMP/tiny.pcap"
run tiny analyze -q -o "$TMP/tiny.db" "$TMP/tiny.pcap"
expect_rc 0
# The store's page cache (64 MiB) is the only thing that grows.
under $((base + 64 * MiB + 16 * MiB)) "$TINY_N one-byte segments"
frames=$(( (TINY_N + 130) / 131 ))
same "tiny: every frame decoded, then the close handshake" \
	"$(sql "$TMP/tiny.db" "SELECT count(*), sum(opcode = 1 AND
	    decoded_size = 125), sum(opcode = 8) FROM messages")" \
	"$((frames + 2))|$frames|2"
same "tiny: no violation, no gap" \
	"$(sql "$TMP/tiny.db" "SELECT count(*) FROM findings
	    WHERE kind != 'close'")" "0"
rm -f "$TMP/tiny.pcap" "$TMP/tiny.db"

# ---- One connection, 300,000 pings the server never answers. ----

# The same capture with text frames instead of pings is the baseline: the
# store's page cache and indexes grow with the frames alike; sixteen pings
# wait per side and the rest are counted, so pings add next to nothing.
gen pings 300000 text >"$TMP/pings.pcap"
run texts analyze -q -o "$TMP/pings.db" "$TMP/pings.pcap"
expect_rc 0
texts=$rss
rm -f "$TMP/pings.db"
gen pings 300000 >"$TMP/pings.pcap"
run pings analyze -q -o "$TMP/pings.db" "$TMP/pings.pcap"
expect_rc 0
under $((texts + 4 * MiB)) "300000 unanswered pings, against as many texts"
same "pings: counted, none answered, all but the 16 waiting (pending) unanswered" \
	"$(sql "$TMP/pings.db" "SELECT pings_client, ping_answers_client,
	    pings_unanswered_client, ping_rtt_min_client IS NULL
	    FROM connections")" "300000|0|299984|1"
same "pings: one unanswered-ping finding on the server" \
	"$(sql "$TMP/pings.db" "SELECT count(*), min(sender), min(class)
	    FROM findings WHERE rule = 'unanswered-ping'")" "1|server|keepalive"
rm -f "$TMP/pings.pcap" "$TMP/pings.db"

# ---- 1,000,000 connections: a SYN and the start of an HTTP request. ----

gen syn-flood 1000000 >"$TMP/syn.pcap"
run syn-20k analyze --max-flows 20000 -o "$TMP/syn.db" "$TMP/syn.pcap"
expect_rc 0
under $((1024 * MiB)) "--max-flows 20000"
check "syn-flood: the summary reports the flow cap" \
	grep -q 'caps hit: flows 980000,' "$TMP/syn-20k.out"
same "syn-flood: the captures view counts it" \
	"$(sql "$TMP/syn.db" "SELECT connections, cap_flows, peak_live
	    FROM captures")" "1000000|980000|20000"
# Each connection that got only the start of a request costs about 7 KiB
# (TCP and session state, the HTTP head being parsed): the default cap of
# 100,000 live connections bounds the flood.
run syn-100k analyze --max-flows 100000 -o "$TMP/syn1.db" \
    "$TMP/syn.pcap"
expect_rc 0
under $((1024 * MiB)) "--max-flows 100000"
run syn-default analyze -o "$TMP/syn2.db" "$TMP/syn.pcap"
expect_rc 0
under $((1024 * MiB)) "default caps (--max-flows 100000)"
rm -f "$TMP/syn.pcap"

# ---- Corrupt files: one line naming the file, exit 2, what was read kept. ----

# Hostile TLS: a record claiming 65535 bytes (more than 2^14+2048), a
# ClientHello that never ends (2^24-1 bytes claimed, 64 MiB of handshake
# records sent): one finding each, bounded memory.
for kind in record-length endless-hello; do
	gen tls "$kind" 64M >"$TMP/tls-$kind.pcap"
	run "tls-$kind" analyze -q -o "$TMP/tls-$kind.db" "$TMP/tls-$kind.pcap"
	expect_rc 0
	under $((base + 16 * MiB)) "hostile TLS"
	same "tls $kind: one tls-malformed finding" \
		"$(sql "$TMP/tls-$kind.db" "SELECT group_concat(rule) FROM
		    findings")" "tls-malformed"
done
# Thousands of key log lines past the cap: one line, bounded memory.
awk 'BEGIN { for (i = 0; i < 250000; i++) printf "CLIENT_RANDOM %064x " \
    "%096d\n", i, 0 }' >"$TMP/big.keys"
run big-keylog analyze -q --keylog "$TMP/big.keys" -o "$TMP/bk.db" \
    "$TMP/tls-record-length.pcap"
expect_rc 0
under $((base + 96 * MiB)) "a key log past its cap"
same "big key log: one line about the cap" "$(cat "$TMP/big-keylog.err")" \
	"wsautopsy: $TMP/big.keys: 150000 lines not kept: the key log holds at most 100000 client randoms"

for kind in bad-magic huge-record truncated pcapng-huge pcapng-short \
    pcapng-mismatch; do
	f=$TMP/corrupt-$kind.pcap
	gen corrupt "$kind" >"$f"
	run "corrupt-$kind" analyze -q -o "$TMP/c-$kind.db" "$f"
	expect_rc 2
	under $((base + 8 * MiB)) "a small damaged file"
	if [ "$(wc -l <"$TMP/corrupt-$kind.err")" -ne 1 ] ||
	    ! grep -q "corrupt-$kind.pcap: " "$TMP/corrupt-$kind.err"; then
		bad "corrupt $kind: expected one line naming the file, got:"
		cat "$TMP/corrupt-$kind.err" >&2
	else
		ok
	fi
	[ "$kind" = bad-magic ] && continue
	check "corrupt $kind: the error says where it stopped" \
		grep -q 'damaged after packet 14' "$TMP/corrupt-$kind.err"
	same "corrupt $kind: capture row incomplete, with the error" \
		"$(sql "$TMP/c-$kind.db" "SELECT complete, packets,
		    error LIKE '%damaged after packet 14%' FROM captures")" \
		"0|14|1"
	same "corrupt $kind: the connection read before is kept" \
		"$(sql "$TMP/c-$kind.db" "SELECT count(*), sum(frames),
		    max(close_client) FROM connections")" "1|6|1000"
done
check "bad magic: said so" \
	grep -q 'not a pcap or pcapng' "$TMP/corrupt-bad-magic.err"

# A Decryption Secrets Block whose secrets length is larger than its block,
# before a sound conversation: no crash, no large allocation, at most one
# line, and the packets after it are analyzed.
gen corrupt pcapng-dsb >"$TMP/dsb.pcapng"
run dsb analyze -q -o "$TMP/dsb.db" "$TMP/dsb.pcapng"
case $rc in
0 | 2) ok ;;
*) bad "dsb: exit status $rc"; cat "$TMP/dsb.err" >&2 ;;
esac
under $((base + 8 * MiB)) "a secrets block announcing 2 GiB"
check "dsb: at most one line of error" test "$(wc -l <"$TMP/dsb.err")" -le 1
same "dsb: the conversation after the block is read" \
	"$(sql "$TMP/dsb.db" "SELECT count(*), sum(frames), max(close_client)
	    FROM connections")" "1|6|1000"

# ---- Sub-protocol payloads built to hurt the decoder (hostile-gen
# subproto hostile): escapes in names, 200 kB of nesting, 20000 STOMP
# headers, endless MQTT lengths, one of 256 MiB across messages (a note,
# not followed). messages --proto reads them in bounded
# time and memory and shows no raw control byte. ----

gen subproto hostile >"$TMP/subproto.pcap"
run subproto-analyze analyze -q -o "$TMP/subproto.db" "$TMP/subproto.pcap"
expect_rc 0
for f in text jsonl csv; do
	run subproto-$f messages --proto -f $f "$TMP/subproto.db"
	expect_rc 0
	under $((base + 16 * MiB)) "messages --proto -f $f on hostile payloads"
	check "subproto $f: no raw ESC or BEL in the output" sh -c \
	    "! tr -d '\n\r\t' <'$TMP/subproto-$f.out' | LC_ALL=C grep -q '[[:cntrl:]]'"
done
same "subproto: every message decoded, escaped" \
	"$(grep -c '^  proto: ' "$TMP/subproto-text.out")" 13
same "subproto: an MQTT length across messages is capped, then read afresh" \
	"$(grep -A8 '^  proto: mqtt PUBLISH (continued from message 2)' \
	"$TMP/subproto-text.out" | grep '^  proto' | head -3)" \
	"  proto: mqtt PUBLISH (continued from message 2) (partial)
  proto note: mqtt: packet of 268435460 bytes goes on past 67108864 more: not followed
  proto: mqtt PINGREQ"
check "subproto: an event name's ESC shown as \\x1b" \
	grep -q '^  proto: socket\.io event "\\x1b\[2J' "$TMP/subproto-text.out"

# ---- The same files as one capture set: each bad one named once, the rest
# read; the set overlapping itself (every packet twice) costs no memory. ----

cp "$TMP/base.pcap" "$TMP/base2.pcap"
run corrupt-set analyze -q -o "$TMP/cset.db" "$TMP"/corrupt-*.pcap \
    "$TMP/base.pcap" "$TMP/base2.pcap"
expect_rc 2
under $((100 * MiB)) "a set of damaged files, one file twice"
same "corrupt set: one line per bad file" \
	"$(wc -l <"$TMP/corrupt-set.err")" 6
same "corrupt set: 6 files read, bad-magic left out, each damage kept" \
	"$(sql "$TMP/cset.db" "SELECT count(*), sum(error IS NOT NULL)
	    FROM capture_files")" "7|5"
check "corrupt set: the copy's packets are duplicates" test \
	"$(sql "$TMP/cset.db" "SELECT duplicates FROM captures")" -ge \
	"$(sql "$TMP/base.db" "SELECT tcp_packets FROM captures")"

finish

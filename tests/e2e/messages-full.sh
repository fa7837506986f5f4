#!/bin/sh
# wsautopsy messages --full: whole payloads read back from the capture
# (tests/e2e/messages.sh compares them with tshark's on every sample):
#  - the 2 MiB message real-1009-python's server refused (incomplete: the
#    capture holds 255986 of its bytes, which tshark shows no message for)
#    equals the client's TCP stream as tshark follows it, unmasked with
#    the frame's mask key; --grep searches the whole payload;
#  - a capture set (editcap -c) gives the payloads of the single file;
#  - a capture with one byte changed, or one byte shorter, is refused in
#    one line, exit 2, nothing on standard output; so is a TLS capture
#    whose key log is gone; a capture analysed by a relative path is
#    found beside the database when read from another directory;
#  - a version 6 database (tests/db) is read from the start of its
#    captures, said on standard error, with the payloads of a new one;
#  - on bench/make-capture traffic, pcap and pcapng, the last connection
#    is read from its checkpoint: the TCP packets read (under
#    WSAUTOPSY_DEBUG_REREAD) are a small part of the capture, and the
#    payloads equal those read from the start; analyze -j 2 keeps the
#    same checkpoints as -j 1; offsets that point between records fail
#    in one line.
. "${top_srcdir}/tests/e2e/lib.sh"
need python3
need sqlite3
need tshark
need editcap

W=$WSAUTOPSY
# connection_id, direction, message_id, size, stored, cut, payload: one a line.
payloads() {
	python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    print(m["direction"], m["message_id"], m["size"], m["stored"], m["cut"],
          m["payload"])
'
}

# reread DB ID OUT: connection ID's whole payloads into OUT; $read the
# TCP packets the re-read went through (WSAUTOPSY_DEBUG_REREAD).
reread() {
	WSAUTOPSY_DEBUG_REREAD=1 "$W" messages --full -f jsonl -i "$2" "$1" \
	    2>"$TMP/err" | payloads >"$3"
	read=$(sed -n 's/^full-payload: \([0-9]*\) TCP packets read.*/\1/p' \
	    "$TMP/err")
}

# 1. The 2 MiB message, against tshark's TCP stream.
cp "$SAMPLES/real/real-1009-python.pcap" "$TMP/p.pcap"
"$W" analyze -q -o "$TMP/p.db" "$TMP/p.pcap"
"$W" messages --full -f jsonl -i 1 --dir client "$TMP/p.db" >"$TMP/j"
check "--full on real-1009-python" test $? -eq 0
tshark -n -r "$TMP/p.pcap" -q -z follow,tcp,raw,0 >"$TMP/follow" 2>/dev/null
sqlite3 "$TMP/p.db" "SELECT \"offset\", header_length, mask_key FROM frames
    WHERE connection_id = 1 AND direction = 'client' AND message_id = 1" \
    >"$TMP/frame"
python3 - "$TMP/j" "$TMP/follow" "$TMP/frame" <<'EOF'
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
m = [x for x in msgs if x["message_id"] == 1][0]
ours = m["payload"].encode()
# tshark's raw follow: node 0 (the client, whose SYN opens it) in hex
# lines, node 1's indented by a tab; headers and lines of '=' around.
hexdigits = set("0123456789abcdef")
client = b"".join(bytes.fromhex(l) for l in open(sys.argv[2]).read().split("\n")
                  if l and set(l) <= hexdigits)
off, hlen, mask = (int(v) for v in open(sys.argv[3]).read().split("|"))
key = mask.to_bytes(4, "big")
wire = client[off + hlen:]
theirs = bytes(b ^ key[i % 4] for i, b in enumerate(wire))
ok = (m["size"] == 255986 and m["incomplete"] and not m["cut"] and
      len(ours) == m["size"] and theirs[:len(ours)] == ours and
      len(theirs) == len(ours))
print("2 MiB message: %d bytes ours, %d from tshark's stream, equal: %s" % (
    len(ours), len(theirs), theirs[:len(ours)] == ours))
sys.exit(0 if ok else 1)
EOF
check "the incomplete 2 MiB message is the client's stream, unmasked" \
    test $? -eq 0
"$W" messages -f jsonl -i 1 --dir client "$TMP/p.db" | payloads >"$TMP/pre"
check "without --full: its first 4096 bytes, cut" grep -q '^client 1 255986 4096 True ' \
    "$TMP/pre"
"$W" messages --grep 'z{5000}' "$TMP/p.db" >"$TMP/out"
eq "--grep 'z{5000}' within the prefix: nothing" 0 \
    "$(grep -c '^== ' "$TMP/out")"
grep -q '^# 1 message did not match within the stored prefix.*--full' \
    "$TMP/out"
check "... and the line offers --full" test $? -eq 0
"$W" messages --full --grep 'z{5000}' "$TMP/p.db" >"$TMP/out"
eq "--full --grep 'z{5000}': the 2 MiB message" 1 \
    "$(grep -c '^== connection 1 .* client message 1: .*, text, 255986 bytes' "$TMP/out")"
check "--full --grep: no 'beyond' line" test "$(grep -c '^#' "$TMP/out")" -eq 0
"$W" messages --full --max-payload 1000 --grep 'z{5000}' "$TMP/p.db" \
    >"$TMP/out"
grep -q '^# 1 message did not match within the --max-payload bytes read' \
    "$TMP/out"
check "--max-payload 1000: cut, could match beyond" test $? -eq 0
"$W" messages --full --max-payload 1000 -f jsonl -i 1 --dir client \
    "$TMP/p.db" | payloads | grep -q '^client 1 255986 1000 True '
check "--max-payload 1000: 1000 bytes, cut" test $? -eq 0
"$W" messages --full --max-payload 0 "$TMP/p.db" >/dev/null 2>&1
eq "--max-payload 0: usage error" 1 $?

# 2. A capture set gives what the single file gives.
for s in real-1009-many real-large; do
	mkdir "$TMP/ring-$s"
	editcap -c 40 "$SAMPLES/real/$s.pcap" "$TMP/ring-$s/ring.pcap"
	"$W" analyze -q -o "$TMP/ring-$s.db" "$TMP/ring-$s"/*.pcap
	"$W" analyze -q -o "$TMP/one-$s.db" "$SAMPLES/real/$s.pcap"
	n=$(sqlite3 "$TMP/ring-$s.db" "SELECT files FROM captures")
	check "$s: a set of several files ($n)" test "$n" -gt 1
	"$W" messages --full -f jsonl "$TMP/ring-$s.db" | payloads \
	    >"$TMP/ring.out"
	"$W" messages --full -f jsonl "$TMP/one-$s.db" | payloads \
	    >"$TMP/one.out"
	check "$s: the set's whole payloads are the file's" cmp -s \
	    "$TMP/ring.out" "$TMP/one.out"
	check "$s: none cut" test "$(grep -c ' True ' "$TMP/one.out")" -eq 0
done

# 3. A changed capture is refused.
cp "$SAMPLES/real/real-large.pcap" "$TMP/l.pcap"
"$W" analyze -q -o "$TMP/l.db" "$TMP/l.pcap"
size=$(wc -c <"$TMP/l.pcap")
# A payload byte half way: the file still reads as a capture.
printf '\377' | dd of="$TMP/l.pcap" bs=1 seek=$((size / 2)) conv=notrunc \
    2>/dev/null
"$W" messages --full "$TMP/l.db" >"$TMP/out" 2>"$TMP/err"
eq "one byte changed: exit 2" 2 $?
check "one byte changed: nothing on stdout" test ! -s "$TMP/out"
eq "one byte changed: one line" 1 "$(wc -l <"$TMP/err")"
grep -q "l.pcap: changed since it was analysed (its SHA-256" "$TMP/err"
check "one byte changed: the line names the file and why" test $? -eq 0
"$W" messages "$TMP/l.db" >"$TMP/out" 2>"$TMP/err"
check "without --full the database alone still reads" test $? -eq 0 -a -s \
    "$TMP/out"
cp "$SAMPLES/real/real-large.pcap" "$TMP/l.pcap"
truncate -s -1 "$TMP/l.pcap"
"$W" messages --full "$TMP/l.db" >"$TMP/out" 2>"$TMP/err"
eq "one byte shorter: exit 2" 2 $?
check "one byte shorter: nothing on stdout" test ! -s "$TMP/out"
grep -q "l.pcap: changed since it was analysed ($size bytes then" "$TMP/err"
check "one byte shorter: the sizes said" test $? -eq 0
rm "$TMP/l.pcap"
"$W" messages --full "$TMP/l.db" >"$TMP/out" 2>"$TMP/err"
eq "gone: exit 2" 2 $?
grep -q "l.pcap: cannot read the capture analysed" "$TMP/err"
check "gone: said" test $? -eq 0
# A relative path, analyze run beside the capture: read from another
# directory, the capture is found beside the database.
mkdir "$TMP/rel" "$TMP/elsewhere"
cp "$SAMPLES/real/real-1009-python.pcap" "$TMP/rel/r.pcap"
(cd "$TMP/rel" && "$W" analyze -q -o r.db r.pcap)
eq "relative: stored as given" r.pcap \
    "$(sqlite3 "$TMP/rel/r.db" "SELECT path FROM captures")"
(cd "$TMP/elsewhere" && "$W" messages --full -f jsonl ../rel/r.db) |
    payloads >"$TMP/rel.out"
"$W" messages --full -f jsonl "$TMP/p.db" | payloads >"$TMP/p.out"
check "relative: read from another directory, found beside the database" \
    cmp -s "$TMP/p.out" "$TMP/rel.out"
# A TLS capture without the key log it was analysed with.
cp "$SAMPLES/tls/tls-ws-echo.pcap" "$SAMPLES/tls/tls-ws-echo.keys" "$TMP/"
"$W" analyze -q --keylog "$TMP/tls-ws-echo.keys" -o "$TMP/t.db" \
    "$TMP/tls-ws-echo.pcap"
"$W" messages --full -f jsonl "$TMP/t.db" | payloads >"$TMP/tls.out"
check "TLS: payloads read back with the key log" test -s "$TMP/tls.out"
rm "$TMP/tls-ws-echo.keys"
"$W" messages --full "$TMP/t.db" >"$TMP/out" 2>"$TMP/err"
eq "TLS, key log gone: exit 2" 2 $?
grep -q "tls-ws-echo.keys: the key log the capture was analysed with cannot be read" \
    "$TMP/err"
check "TLS, key log gone: one line says so" test $? -eq 0 -a \
    "$(wc -l <"$TMP/err")" -eq 1

# 4. A version 6 database: its captures (paths from the top of the source
# tree) read from their start.
cp "$top_srcdir/tests/db/v6-f2c31d7.db" "$TMP/v6.db"
(cd "$top_srcdir" && "$W" messages --full -f jsonl "$TMP/v6.db") \
    >"$TMP/v6.j" 2>"$TMP/err"
check "v6 database: --full reads" test $? -eq 0
eq "v6 database: said once per capture" 3 \
    "$(grep -c 'keeps no packet offsets for it .*reading the capture from its start' "$TMP/err")"
(cd "$top_srcdir" && "$W" analyze -q --separate -o "$TMP/v7.db" \
    samples/real/real-1009-python.pcap samples/viol/viol-masked-server-python.pcap \
    samples/viol/viol-node-invalid-close-code.pcap &&
    "$W" messages --full -f jsonl "$TMP/v7.db") >"$TMP/v7.j" 2>"$TMP/err"
check "a new database of the same captures says nothing" test ! -s "$TMP/err"
payloads <"$TMP/v6.j" >"$TMP/v6.out"
payloads <"$TMP/v7.j" >"$TMP/v7.out"
check "v6 database: the payloads of a new one" cmp -s "$TMP/v6.out" \
    "$TMP/v7.out"
grep -q '^client 1 255986 255986 False ' "$TMP/v6.out"
check "v6 database: the 2 MiB message whole" test $? -eq 0

# 5. The seek: the last connection of bench traffic, pcap and pcapng.
MC=${top_builddir}/bench/make-capture
if [ -x "$MC" ]; then
	"$MC" -s 1 -o "$TMP/b.pcap" 20M >/dev/null 2>&1
	editcap -F pcapng "$TMP/b.pcap" "$TMP/b.pcapng"
	for f in b.pcap b.pcapng; do
		"$W" analyze -q -o "$TMP/$f.db" "$TMP/$f"
		total=$(sqlite3 "$TMP/$f.db" "SELECT tcp_packets FROM captures")
		rows=$(sqlite3 "$TMP/$f.db" "SELECT count(*) FROM packet_index")
		eq "$f: one checkpoint per 1024 records" \
		    "$(sqlite3 "$TMP/$f.db" "SELECT (packets + 1023) / 1024 FROM captures")" \
		    "$rows"
		id=$(sqlite3 "$TMP/$f.db" "SELECT connection_id FROM connection_t
		    WHERE websocket = 1 ORDER BY first_packet DESC LIMIT 1")
		reread "$TMP/$f.db" "$id" "$TMP/seek.out"
		echo "$f: the last connection read back from $read of $total TCP packets"
		check "$f: a small part of the capture read ($read of $total)" \
		    test "${read:-$total}" -lt $((total / 10))
		check "$f: messages read back" test -s "$TMP/seek.out"
		# The same from the start: a copy without checkpoints.
		cp "$TMP/$f.db" "$TMP/$f-noidx.db"
		sqlite3 "$TMP/$f-noidx.db" "DELETE FROM packet_index_t"
		reread "$TMP/$f-noidx.db" "$id" "$TMP/start.out"
		check "$f: without checkpoints, read from the start ($read)" \
		    test "${read:-0}" -gt $((total / 2))
		check "$f: the same payloads from the checkpoint and the start" \
		    cmp -s "$TMP/seek.out" "$TMP/start.out"
	done
	# Offsets that are not records' (a database edited by hand): the
	# re-read fails in one line, it does not crash or hang.
	cp "$TMP/b.pcap.db" "$TMP/bogus.db"
	sqlite3 "$TMP/bogus.db" "UPDATE packet_index_t SET file_offset =
	    file_offset + 7"
	"$W" messages --full -i "$id" "$TMP/bogus.db" >"$TMP/out" 2>"$TMP/err"
	eq "offsets off by 7: exit 2" 2 $?
	grep -q 'b.pcap: capture damaged after packet' "$TMP/err"
	check "offsets off by 7: said in one line" test $? -eq 0 -a \
	    "$(wc -l <"$TMP/err")" -eq 1
	"$W" analyze -q -j 2 -o "$TMP/j2.db" "$TMP/b.pcap"
	q='SELECT file_index, packet, t_sec, t_nsec, file_offset FROM packet_index_t'
	check "-j 2 keeps the checkpoints -j 1 keeps" test \
	    "$(sqlite3 "$TMP/j2.db" "$q")" = "$(sqlite3 "$TMP/b.pcap.db" "$q")"
	# A set of the bench traffic: the last connection from a late file.
	mkdir "$TMP/bring"
	editcap -c 5000 "$TMP/b.pcap" "$TMP/bring/ring.pcap"
	"$W" analyze -q -o "$TMP/bring.db" "$TMP/bring"/*.pcap
	id=$(sqlite3 "$TMP/bring.db" "SELECT connection_id FROM connection_t
	    WHERE websocket = 1 ORDER BY first_packet DESC LIMIT 1")
	reread "$TMP/bring.db" "$id" "$TMP/ring.out"
	check "set: a small part read ($read)" test "${read:-$total}" -lt \
	    $((total / 10))
	check "set: the payloads of the single file" cmp -s "$TMP/ring.out" \
	    "$TMP/seek.out"
else
	echo "make-capture not built: the seek is not checked"
fi

finish

#!/bin/sh
# The options a database recorded for a capture, read back with analyze's
# own parser by messages --full, export and replay DB, and the check of
# the capture file they share:
#  - options text another tool wrote (unknown, malformed, overlong, with
#    terminal escapes) is refused in one escaped line, exit 2, nothing on
#    standard output; a text analyze would accept, spaced otherwise, reads;
#  - a file of the recorded size not written since the analysis is not
#    hashed: changed bytes with a newer time are refused, changed bytes
#    given an old time back (touch -d) are read without --verify and
#    refused with it;
#  - replay DB decodes as analyze did: a TLS capture analysed with
#    --keylog replays through its database without one, the line of the
#    capture replayed with it; a key log gone is one line, exit 2.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3
need python3

W=$WSAUTOPSY
cp "$(sample real-1009-python.pcap)" "$TMP/m.pcap"
"$W" analyze -q -o "$TMP/m.db" "$TMP/m.pcap"

# full DB ARGS...: messages --full; status in $rc, stdout and stderr in
# $TMP/out and $TMP/err.
full() {
	"$W" messages --full -f jsonl "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# 1. Stored options another tool wrote.
set_opts() {
	echo "UPDATE capture_t SET options = CAST(x'$1' AS TEXT)" |
	    sqlite3 "$TMP/m.db"
}
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
long=$(python3 -c 'print("--strict " * 8000, end="")')
esc=$(printf '\033]0;x\007--ws-port 1')
for opts in "--bogus" "--ws-port 99999" "'unterminated" "-f" "--help" \
    "--profile list" "--max" "--max-frame lots" "--keylog" "$esc" \
    "$long"; do
	set_opts "$(hex "$opts")"
	full "$TMP/m.db"
	name=$(printf '%.30s' "$opts" | tr -d '\033\007')
	eq "stored '$name': exit 2" 2 "$rc"
	eq "stored '$name': one line" 1 "$(wc -l <"$TMP/err")"
	check "stored '$name': nothing printed" test ! -s "$TMP/out"
	check "stored '$name': escaped" test -z "$(tr -d '\n -~' <"$TMP/err")"
	check "stored '$name': says which" grep -q \
	    "the options it was analysed with \(do not read back\|are .* bytes long\)" \
	    "$TMP/err"
done
set_opts "$(hex "--ws-port 0x")"
"$W" export --dir "$TMP/x0" "$TMP/m.db" 2>"$TMP/err"
eq "export, bad port: exit 2" 2 $?
check "export, bad port: said" grep -q "bad port '0x'" "$TMP/err"
set_opts "$(hex "  --strict   --max-frame 1K  -f  'tcp port 8765' ")"
full "$TMP/m.db"
eq "spaced otherwise: read" 0 "$rc"
check "spaced otherwise: messages" test -s "$TMP/out"
set_opts ""
full "$TMP/m.db"
eq "none recorded: read" 0 "$rc"
cp "$TMP/out" "$TMP/good.out"

# 2. The capture file: size and time, the hash with --verify.
full "$TMP/m.db" --verify
eq "unchanged, --verify: read" 0 "$rc"
check "unchanged, --verify: the same payloads" cmp -s "$TMP/out" \
    "$TMP/good.out"
python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(200000); b = f.read(1); f.seek(200000)
f.write(bytes([b[0] ^ 0xff])); f.close()' "$TMP/m.pcap"
touch -d "@$(( $(date +%s) + 5 ))" "$TMP/m.pcap"
full "$TMP/m.db"
eq "changed, newer: refused" 2 "$rc"
check "changed, newer: the hash says" grep -q "SHA-256 is not the one recorded" \
    "$TMP/err"
touch -d 2001-01-01 "$TMP/m.pcap"
full "$TMP/m.db"
eq "changed, an old time back: read without --verify" 0 "$rc"
full "$TMP/m.db" --verify
eq "changed, an old time back, --verify: refused" 2 "$rc"
eq "changed, --verify: one line" 1 "$(wc -l <"$TMP/err")"
"$W" export --verify --dir "$TMP/x1" "$TMP/m.db" 2>"$TMP/err"
eq "export --verify: refused" 2 $?
"$W" export --dir "$TMP/x2" "$TMP/m.db" 2>"$TMP/err"
eq "export without --verify: written" 0 $?
"$W" messages --verify "$TMP/m.db" >/dev/null 2>"$TMP/err"
eq "--verify without --full: usage" 1 $?

# 3. replay DB with the options analyze was given.
if ! /usr/bin/python3 -c 'import websockets' 2>/dev/null; then
	echo "SKIP part: python3-websockets not installed (Debian package)"
	finish
fi
. "${top_srcdir}/tests/e2e/replay-lib.sh"
cp "$SAMPLES/tls/tls-ws-1009.pcap" "$SAMPLES/tls/tls-ws-1009.keys" "$TMP/"
"$W" analyze -q --keylog "$TMP/tls-ws-1009.keys" -o "$TMP/t.db" \
    "$TMP/tls-ws-1009.pcap"
start s64k ws 65536
replay "$TMP/tls-ws-1009.pcap" --keylog "$TMP/tls-ws-1009.keys" \
    --connection 1 --to "ws://127.0.0.1:$port/"
want="$rc $out"
check "TLS capture with its key log: replayed" test "$rc" -ne 2
replay "$TMP/t.db" --connection 1 --to "ws://127.0.0.1:$port/"
eq "TLS database, no --keylog: the stored one used" "$want" "$rc $out"
replay "$TMP/t.db" --verify --connection 1 --to "ws://127.0.0.1:$port/"
eq "TLS database, --verify: the same" "$want" "$rc $out"
mv "$TMP/tls-ws-1009.keys" "$TMP/gone.keys"
replay "$TMP/t.db" --connection 1 --to "ws://127.0.0.1:$port/"
eq "key log gone: exit 2" 2 "$rc"
check "key log gone: one line" grep -q \
    "tls-ws-1009.keys: the key log the capture was analysed with cannot be read" \
    "$TMP/err"
sqlite3 "$TMP/t.db" "UPDATE capture_t SET options = '--no-such'"
replay "$TMP/t.db" --connection 1 --to "ws://127.0.0.1:$port/"
eq "replay, unknown stored option: exit 2" 2 "$rc"
eq "replay, unknown stored option: one line" 1 "$(wc -l <"$TMP/err")"
finish

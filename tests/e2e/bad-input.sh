#!/bin/sh
# Bad input: one clear line on stderr naming the file, a non-zero exit, no
# crash.
. "${top_srcdir}/tests/e2e/lib.sh"

# expect_error NAME FILE PATTERN
expect_error() {
	"$WSAUTOPSY" streams "$2" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ]; then
		bad "$1: exit status $rc"
		return
	fi
	if [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
		bad "$1: expected one line on stderr, got:"; cat "$TMP/err" >&2
		return
	fi
	if ! grep -q -- "$2" "$TMP/err" || ! grep -Eq "$3" "$TMP/err"; then
		bad "$1: message lacks the file or '$3':"; cat "$TMP/err" >&2
		return
	fi
	ok
}

expect_error "missing file" "$TMP/nope.pcap" "no such file"
: >"$TMP/empty.pcap"
expect_error "empty file" "$TMP/empty.pcap" "empty"
printf 'hello, this is text\n' >"$TMP/text.pcap"
expect_error "text file" "$TMP/text.pcap" "not a pcap or pcapng"
mkdir "$TMP/dir.pcap"
expect_error "directory" "$TMP/dir.pcap" "directory"

# A pcap cut in the middle of a record: what was read is listed, then the
# error names where it stopped.
cap=$SAMPLES/real/real-node-plain.pcap
[ -f "$cap" ] || cap=$SAMPLES/real/real-node-deflate.pcap
size=$(wc -c <"$cap")
head -c $((size - 7)) "$cap" >"$TMP/cut.pcap"
expect_error "truncated record" "$TMP/cut.pcap" "damaged after packet [0-9]+"
check "truncated: connections read before the damage are listed" \
	grep -q '^1 ' "$TMP/out"

# An unsupported link type (DLT_IEEE802_11 = 105): a valid pcap header.
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\151\000\000\000' >"$TMP/wifi.pcap"
expect_error "unsupported link type" "$TMP/wifi.pcap" "unsupported link type"

# A record claiming 4 GiB: libpcap refuses it; so do we, cleanly.
{ head -c 24 "$cap"; printf '\000\000\000\000\000\000\000\000\377\377\377\377\377\377\377\377'; } >"$TMP/huge.pcap"
expect_error "4 GiB record" "$TMP/huge.pcap" "damaged after packet 0"

# Usage errors exit 1.
"$WSAUTOPSY" streams >/dev/null 2>&1
check "no capture: usage, exit 1" test $? -eq 1
"$WSAUTOPSY" nosuchcommand >/dev/null 2>&1
check "unknown command: exit 1" test $? -eq 1
"$WSAUTOPSY" streams --help | grep -q -- '--dump'
check "--help documents --dump" test $? -eq 0
"$WSAUTOPSY" --version | grep -Eq '^wsautopsy [0-9]'
check "--version" test $? -eq 0
finish

#!/bin/sh
# The size-limit profiles: --profile list and wsautopsy(1)'s PROFILES say
# the same numbers and reactions, an unverified reaction is said as such,
# and each profile's limit applies to real captures.
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3

LARGE=$SAMPLES/real/real-large.pcap      # messages of 4000000, 3000000, 2000000
N1009=$SAMPLES/real/real-1009-node.pcap  # one 200000-byte frame
man1=$top_builddir/man/wsautopsy.1

"$WSAUTOPSY" analyze --profile list >"$TMP/list" ||
	bad "--profile list failed"

# expect NAME MAX_FRAME MAX_MESSAGE ON_EXCESS: a row of --profile list.
expect() {
	if awk -v n="$1" -v f="$2" -v m="$3" -v e="$4" \
	    '$1 == n && $2 == f && $3 == m && $4 == e { found = 1 }
	    END { exit !found }' "$TMP/list"; then
		ok
	else
		bad "--profile list: no row '$*'"
	fi
}
# The numbers and reactions of ../shared/limits.md.
expect firefox 0 2147483647 1009
expect signalr 0 32768 unverified
expect kong 0 1048576 unverified
expect kong-upstream 0 16777216 unverified
expect cloudflare 0 33554432 1009
expect cloudflare-old 0 1048576 1009
expect azure-webpubsub 0 1048576 unverified
expect apisix 65535 0 unverified
expect uwebsockets 0 16384 drop
expect python-websockets 0 1048576 1009

# Every row is in the manual's PROFILES with the same numbers and reaction.
if [ -f "$man1" ]; then
	sed -n '/^\.SH PROFILES/,/^\.SH /p' "$man1" | sed 's/\\-/-/g' \
	    >"$TMP/man"
	tail -n +2 "$TMP/list" | while read -r name frame msg excess _; do
		case $excess in
		1009|1002) words="close $excess" ;;
		drop) words="a TCP drop" ;;
		unverified) words="unverified" ;;
		*) words="?" ;;
		esac
		if awk -v n="$name" -v w="frame limit $frame, message limit $msg, on excess $words" \
		    'prev == ".B " n && index($0, w) { found = 1 } { prev = $0 }
		    END { exit !found }' "$TMP/man"; then
			echo ok
		else
			echo "bad wsautopsy(1) PROFILES: $name is not '$words' with $frame/$msg"
		fi
	done >"$TMP/mancheck"
	while read -r res rest; do
		if [ "$res" = ok ]; then ok; else bad "$rest"; fi
	done <"$TMP/mancheck"
	n=$(grep -c '^\.B ' "$TMP/man")
	rows=$(($(wc -l <"$TMP/list") - 1))
	check "wsautopsy(1) PROFILES has every profile ($n of $rows)" \
	    test "$n" -eq "$rows"
fi

# on_real PROFILE CAPTURE EXPECTED: the violations the profile's limits make.
on_real() {
	rm -f "$TMP/p.db"
	"$WSAUTOPSY" analyze -q --profile "$1" -o "$TMP/p.db" "$2" ||
		{ bad "--profile $1: analyze failed"; return; }
	got=$(sqlite3 "$TMP/p.db" "SELECT group_concat(sender || ' ' ||
	    rule || ' ' || packet, ', ') FROM (SELECT * FROM findings WHERE
	    kind = 'violation' ORDER BY packet)")
	if [ "$got" = "$3" ]; then
		ok
	else
		bad "--profile $1 on $(basename "$2"): '$got', expected '$3'"
	fi
}
on_real firefox "$LARGE" ""
on_real cloudflare "$LARGE" ""
on_real kong-upstream "$LARGE" ""
on_real cloudflare-old "$LARGE" "client message-too-big 8, server message-too-big 153, client message-too-big 278"
on_real kong "$LARGE" "client message-too-big 8, server message-too-big 153, client message-too-big 278"
on_real apisix "$LARGE" "client frame-too-big 8, server frame-too-big 153, client frame-too-big 278"
on_real signalr "$N1009" "client message-too-big 10"
finish

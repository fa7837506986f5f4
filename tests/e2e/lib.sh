# Shared helpers for the end-to-end tests (sourced, not run).
set -u
: "${WSAUTOPSY:?run through make check}"
: "${SAMPLES:?run through make check}"
TOOLS=${top_builddir}/tests/tools
TMP=$(mktemp -d -p "${TMPDIR:-/tmp}")
trap 'rm -rf "$TMP"' EXIT
fails=0
checks=0

ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }
# eq DESCRIPTION WANT GOT: the two strings are the same.
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: expected '$2', got '$3'"; fi; }
# check DESCRIPTION COMMAND...: the command must succeed.
check() { d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "SKIP: $1 not installed"; exit 77; }; }
# sample FILE: a bundled sample by file name; real-peer recordings are in
# $SAMPLES/real, sub-protocol recordings in $SAMPLES/proto, TLS recordings in $SAMPLES/tls, violation recordings in
# $SAMPLES/viol.
sample() {
	case $1 in
	real-*) echo "$SAMPLES/real/$1" ;;
	proto-*) echo "$SAMPLES/proto/$1" ;;
	tls-* | tls1[23]-*) echo "$SAMPLES/tls/$1" ;;
	*) echo "$SAMPLES/viol/$1" ;;
	esac
}
# readme_block recipe|output NAME: README.md's fenced block after
# "<!-- recipe: NAME -->" (the commands) or "<!-- output: NAME -->".
readme_block() {
	awk -v m="<!-- $1: $2 -->" '$0 == m { on = 1; next }
	    on && /^```/ { if (in_block) exit; in_block = 1; next }
	    in_block { print }' "$top_srcdir/README.md"
}
# capture_of TRUTH: the capture beside a .truth file (.pcap or .pcapng).
capture_of() {
	if [ -f "${1%.truth}.pcap" ]; then echo "${1%.truth}.pcap"; else echo "${1%.truth}.pcapng"; fi
}
# tls_keylog NAME: analyze's key log option for a TLS sample (none for
# tls-ws-dsb, whose key log is in the capture).
tls_keylog() {
	[ "$1" = tls-ws-dsb ] || echo "--keylog $SAMPLES/tls/$1.keys"
}
# readme_example ID: README's example ID (the blocks after <!-- recipe: ID -->
# and <!-- output: ID -->), run as written with jq in a directory holding a
# copy of samples/real/real-1009-python.pcap analysed, prints its output.
readme_example() {
	for part in recipe output; do
		readme_block "$part" "$1" >"$TMP/$part.$1"
	done
	check "README has the $1 example and its output" test -s \
	    "$TMP/recipe.$1" -a -s "$TMP/output.$1"
	if ! command -v jq >/dev/null 2>&1; then
		echo "jq not installed (./quickstart check installs it):" \
		    "README example $1 skipped"
		return
	fi
	mkdir -p "$TMP/readme-$1/samples/real"
	cp "$SAMPLES/real/real-1009-python.pcap" "$TMP/readme-$1/samples/real/"
	bindir=$(cd "$(dirname "$WSAUTOPSY")" && pwd)
	(cd "$TMP/readme-$1" && PATH=$bindir:$PATH &&
	    wsautopsy analyze -q samples/real/real-1009-python.pcap &&
	    sh "$TMP/recipe.$1") >"$TMP/got.$1" 2>&1
	if diff -u "$TMP/output.$1" "$TMP/got.$1" >&2; then ok; else
		bad "README's $1 example prints something else"
	fi
}
finish() {
	echo "$checks checks, $fails failed"
	[ "$fails" -eq 0 ] && [ "$checks" -gt 0 ]
	exit $?
}

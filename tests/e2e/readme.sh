#!/bin/sh
# The report pasted in README.md is what wsautopsy prints today.
. "${top_srcdir}/tests/e2e/lib.sh"
README=${top_srcdir}/README.md
# The timeline draws Unicode blocks, as a UTF-8 terminal shows them.
LC_ALL=$(locale -a 2>/dev/null | grep -iE '^(c|en_us)\.utf-?8$' | head -n 1)
[ -n "$LC_ALL" ] || { echo "SKIP: no UTF-8 locale"; exit 77; }
export LC_ALL
mkdir -p "$TMP/samples/real"
cp "$SAMPLES/real/real-1009-python.pcap" "$TMP/samples/real/"
(cd "$TMP" && "$WSAUTOPSY" analyze -q samples/real/real-1009-python.pcap &&
    "$WSAUTOPSY" report samples/real/real-1009-python.db) >"$TMP/real"
check "analyze and report the README's sample" test -s "$TMP/real"
# The block after "The report (...)", up to its closing fence.
awk '/^The report \(`wsautopsy report samples\/real\/real-1009-python.db`/ { on = 1; next }
    on && /^```$/ { if (in_block) exit; in_block = 1; next }
    in_block { print }' "$README" >"$TMP/pasted"
check "README has the report block" test -s "$TMP/pasted"
if diff -u "$TMP/pasted" "$TMP/real" >"$TMP/diff"; then ok; else
	bad "README's report differs from the real one:"; cat "$TMP/diff" >&2
fi
finish

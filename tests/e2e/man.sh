#!/bin/sh
# The manual is lint-clean and complete: every option printed by --help of
# every subcommand, and every rule id, appears in wsautopsy(1).
. "${top_srcdir}/tests/e2e/lib.sh"
need mandoc

man1=$top_builddir/man/wsautopsy.1
man5=$top_srcdir/man/wsautopsy-db.5
for m in "$man1" "$man5"; do
	out=$(mandoc -Tlint -Wwarning "$m" 2>&1)
	if [ -z "$out" ]; then ok; else bad "$(basename "$m"): $out"; fi
done

# Options as the man page shows them: \-\-name, with roff's escapes.
mandoc -Tascii "$man1" | col -b >"$TMP/man.txt"
for cmd in analyze streams report browse rules; do
	"$WSAUTOPSY" "$cmd" --help >"$TMP/help" || bad "$cmd --help failed"
	for opt in $(grep -oE -- '(^|[ ,])--?[a-zA-Z][-a-zA-Z0-9]*' "$TMP/help" |
	    tr -d ' ,' | sort -u); do
		# As a whole word: -f must not pass on the strength of --filter.
		if grep -Eq -- "(^|[^-a-zA-Z0-9])$opt([^-a-zA-Z0-9]|\$)" \
		    "$TMP/man.txt"; then
			ok
		else
			bad "wsautopsy $cmd option $opt is not in wsautopsy(1)"
		fi
	done
	grep -q "^ *$cmd" "$TMP/man.txt"
	check "wsautopsy(1) has a section for $cmd" test $? -eq 0
done
for id in $("$WSAUTOPSY" rules | grep -E '^[a-z0-9-]+$'); do
	grep -q -- "$id" "$TMP/man.txt" || bad "rule $id is not in wsautopsy(1)"
	ok
done
# Every column of every public view is described in wsautopsy-db(5) (an
# .It Sy line naming it, alone or in a comma list).
if command -v sqlite3 >/dev/null 2>&1; then
	"$WSAUTOPSY" analyze -q -o "$TMP/v.db" "$SAMPLES/real-1009-python.pcap"
	for v in findings closes frames messages connections captures; do
		for col in $(sqlite3 -batch "$TMP/v.db" "SELECT name FROM pragma_table_info('$v')"); do
			if grep -Eq "^\.It Sy ([a-z_0-9]+ , )*$col( ,|\$)" "$man5"; then
				ok
			else
				bad "wsautopsy-db(5) does not describe $v.$col"
			fi
		done
	done
fi

finish

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
	"$WSAUTOPSY" analyze -q -o "$TMP/v.db" "$SAMPLES/real/real-1009-python.pcap"
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

# The EXAMPLES of wsautopsy(1) run as printed, on the bundled samples,
# and the queries of wsautopsy-db(5) run on a database of all samples.
if command -v sqlite3 >/dev/null 2>&1; then
	mkdir -p "$TMP/ex/bin" "$TMP/ex/samples/real"
	ln -s "$WSAUTOPSY" "$TMP/ex/bin/wsautopsy"
	cp "$SAMPLES"/real/real-1009-python.pcap "$SAMPLES"/real/real-node-plain.pcap \
	    "$TMP/ex/samples/real/"
	sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$top_srcdir/man/wsautopsy.1.in" |
	    awk '/^\.nf/ { on = 1; cmd = ""; next }
		/^\.fi/ { on = 0; print cmd; next }
		on { sub(/\\e$/, ""); cmd = cmd $0 " " }' |
	    sed -e 's/\\-/-/g' -e "s|/tmp/flows|$TMP/ex/flows|" >"$TMP/ex/cmds"
	n=0
	while IFS= read -r cmd; do
		n=$((n + 1))
		if (cd "$TMP/ex" && PATH="$TMP/ex/bin:$PATH" sh -c "$cmd") \
		    >"$TMP/ex/out" 2>&1; then
			ok
		else
			bad "wsautopsy(1) example fails: $cmd"; cat "$TMP/ex/out" >&2
		fi
	done <"$TMP/ex/cmds"
	check "wsautopsy(1) has examples ($n)" test "$n" -ge 3
	"$WSAUTOPSY" analyze -q -o "$TMP/all.db" "$SAMPLES"/*/*.pcap 2>/dev/null
	sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$man5" |
	    awk '/^\.Bd/ { on = 1; q = ""; next }
		/^\.Ed/ { on = 0; print q; next }
		on { q = q $0 " " }' >"$TMP/queries"
	n=0
	while IFS= read -r sql; do
		n=$((n + 1))
		if out=$(sqlite3 -batch "$TMP/all.db" "$sql" 2>&1) &&
		    [ -n "$out" ]; then
			ok
		else
			bad "wsautopsy-db(5) query $n fails or finds nothing: $out"
		fi
	done <"$TMP/queries"
	check "wsautopsy-db(5) has the five questions ($n)" test "$n" -ge 5
fi

finish

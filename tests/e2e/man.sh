#!/bin/sh
# The manual is lint-clean and complete: each subcommand's section of
# wsautopsy(1) names exactly the options its --help prints, which it accepts,
# and every rule id appears.
. "${top_srcdir}/tests/e2e/lib.sh"
need mandoc

man1=$top_builddir/man/wsautopsy.1
man5=$top_srcdir/man/wsautopsy-db.5
for m in "$man1" "$man5"; do
	out=$(mandoc -Tlint -Wwarning "$m" 2>&1)
	if [ -z "$out" ]; then ok; else bad "$(basename "$m"): $out"; fi
done

# Each command's options, as its --help lists them (the option lines only:
# "  -o, --output DB  ..." or "      --temp  ..."), as words.
help_options() {
	grep -E '^  (-[a-zA-Z], |    )--[a-z]' "$1" |
	    awk '{ for (i = 1; i <= NF && $i ~ /^--?[a-zA-Z]/; i++) {
		sub(/,$/, "", $i); print $i } }' | sort -u
}
# Options named in a command's section of wsautopsy(1), as words.
man_options() {
	awk -v c="   $1" '$0 == c { on = 1; next }
	    on && (/^   [a-z]/ || /^[A-Z]/) { exit } on' "$TMP/man.txt" |
	    grep -oE -- '(^|[][ ,(])--?[a-zA-Z][-a-zA-Z0-9]*' |
	    sed 's/^[][ ,(]//' | sort -u
}

# The option lists come from the command table: the man page's source has
# a marker per command and no hand-written option entry under COMMANDS.
mandoc -Tascii "$man1" | col -bx >"$TMP/man.txt"
in1=$top_srcdir/man/wsautopsy.1.in
cmds=$("$WSAUTOPSY" --help | awk '/^commands:/ { on = 1; next }
    on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')
check "wsautopsy --help lists commands" test -n "$cmds"
hand=$(awk '/^\.SH / { on = ($0 == ".SH COMMANDS"); next }
    on && tp && /^\.B[IR]? \\-/ { print } { tp = on && /^\.TP/ }' "$in1")
check "no hand-written option list in wsautopsy.1.in: $hand" test -z "$hand"
for cmd in $cmds; do
	grep -qx "@OPTIONS_$cmd@" "$in1"
	check "wsautopsy.1.in has @OPTIONS_$cmd@" test $? -eq 0
	"$WSAUTOPSY" "$cmd" --help >"$TMP/help" || bad "$cmd --help failed"
	"$WSAUTOPSY" help "$cmd" | cmp -s - "$TMP/help"
	check "help $cmd is $cmd --help" test $? -eq 0
	help_options "$TMP/help" >"$TMP/h.opts"
	man_options "$cmd" >"$TMP/m.opts"
	check "wsautopsy(1) has a section for $cmd" test -s "$TMP/m.opts"
	# Both ways: an option missing from the page or from --help is drift.
	for opt in $(comm -23 "$TMP/h.opts" "$TMP/m.opts"); do
		bad "wsautopsy $cmd option $opt is not in its section of wsautopsy(1)"
	done
	for opt in $(comm -13 "$TMP/h.opts" "$TMP/m.opts"); do
		bad "wsautopsy(1) names $opt under $cmd, which $cmd --help lacks"
	done
	ok
	# Every option --help shows is accepted (given a value if it shows one).
	grep -E '^  (-[a-zA-Z], |    )--[a-z]' "$TMP/help" |
	    awk '{ sub(/,$/, "", $1); v = ($2 ~ /^--/) ? $3 : $2
		val = (v ~ /^[A-Z]/) ? " x" : ""
		print $1 val; if ($2 ~ /^--/) print $2 val }' >"$TMP/forms"
	while read -r opt val; do
		# shellcheck disable=SC2086
		if "$WSAUTOPSY" "$cmd" "$opt" ${val:+"$val"} --help \
		    >/dev/null 2>"$TMP/err" && [ ! -s "$TMP/err" ]; then
			ok
		else
			bad "wsautopsy $cmd does not accept $opt: $(cat "$TMP/err")"
		fi
	done <"$TMP/forms"
	# A usage error is one line naming the command and its --help.
	# replay's 1 says "not reproduced": its usage errors are 2.
	want=1
	[ "$cmd" = replay ] && want=2
	"$WSAUTOPSY" "$cmd" --no-such-option >/dev/null 2>"$TMP/err"
	check "$cmd --no-such-option: exit $want" test $? -eq "$want"
	check "$cmd --no-such-option: one line" test "$(wc -l <"$TMP/err")" -eq 1
	grep -qx "wsautopsy $cmd: unknown option '--no-such-option' (try 'wsautopsy $cmd --help')" "$TMP/err"
	check "$cmd --no-such-option: says what and where to look" test $? -eq 0
done
check "no marker left in wsautopsy(1)" test -z "$(grep -n '@[A-Za-z_]*@' "$man1")"
for id in $("$WSAUTOPSY" rules | grep -E '^[a-z0-9-]+$'); do
	grep -q -- "$id" "$TMP/man.txt" || bad "rule $id is not in wsautopsy(1)"
	ok
done
# A remedy's number is filled in per connection; the table and the page
# name it N, never a printf placeholder. rules lists every profile.
"$WSAUTOPSY" rules >"$TMP/rules.txt"
check "rules prints no format placeholder" test -z "$(grep -n '%[a-z]' "$TMP/rules.txt")"
check "wsautopsy(1) holds no format placeholder" test -z "$(grep -n '%[a-z]' "$man1")"
"$WSAUTOPSY" analyze --profile list | awk 'NR > 1 { print $1 }' | sort -u >"$TMP/p.list"
check "analyze --profile list names profiles" test -s "$TMP/p.list"
for p in $(cat "$TMP/p.list"); do
	grep -qx -- "$p" "$TMP/rules.txt" || bad "rules does not list profile $p"
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
	mkdir -p "$TMP/ex/bin" "$TMP/ex/samples/real" "$TMP/ex/samples/tls-core"
	cp "$SAMPLES"/tls-core/tls13-python.pcap "$SAMPLES"/tls-core/tls13-python.keys \
	    "$TMP/ex/samples/tls-core/"
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
	"$WSAUTOPSY" analyze -q --separate -o "$TMP/all.db" "$SAMPLES"/*/*.pcap 2>/dev/null
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

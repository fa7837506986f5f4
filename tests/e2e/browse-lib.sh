# Shared by the browser's tmux tests (sourced after lib.sh): a browser in
# a private tmux server, keys in, screen text out, every wait polled.
need tmux

# The browser draws UTF-8 (an ellipsis, escaped text): run it, tmux and
# wc -L in a UTF-8 locale whatever the caller's is.
UTF8=$(locale -a 2>/dev/null | grep -iE '^(c|en_us)\.utf-?8$' | head -n 1)
[ -n "$UTF8" ] || { echo "SKIP: no UTF-8 locale"; exit 77; }
LC_ALL=$UTF8
export LC_ALL

SOCK=wsa-test-$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
unset NO_COLOR TMUX
# Waits are generous under the sanitizers, which run several times slower.
W=5
nm "$WSAUTOPSY" 2>/dev/null | grep -q __asan_init && W=20

screen() { tmux -L "$SOCK" capture-pane -p -t b; }
# The screen with its attributes as SGR sequences (colour, bold, reverse).
screen_e() { tmux -L "$SOCK" capture-pane -p -e -t b; }
keys() { tmux -L "$SOCK" send-keys -t b "$@"; }
# poll SECONDS WHAT CMD...: until CMD succeeds on the screen text (its
# standard input); else the screen goes to stderr.
poll() {
	t=$1 what=$2
	shift 2
	n=0
	while [ "$n" -lt "$((t * 20))" ]; do
		screen | "$@" && return 0
		sleep 0.05
		n=$((n + 1))
	done
	echo "--- screen while waiting for $what:" >&2
	screen >&2
	return 1
}
row_re() { sed -n "$1p" | grep -Eq -- "$2"; }
# wait_for TEXT [SECONDS]: until the screen shows TEXT (fixed string).
wait_for() { poll "${2:-$W}" "'$1'" grep -qF -- "$1"; }
# wait_re ERE [SECONDS]: until a line of the screen matches ERE.
wait_re() { poll "${2:-$W}" "/$1/" grep -Eq -- "$1"; }
# wait_last ERE [SECONDS]: until the status line (last row) matches ERE.
wait_last() { poll "${2:-$W}" "/$1/ on the last row" row_re '$' "$1"; }
# wait_row N ERE: until row N (from 1) of the screen matches ERE.
wait_row() { poll "$W" "/$2/ on row $1" row_re "$1" "$2"; }
# start W H ARGS...: the browser in a fresh session; EXIT= lands in
# $TMP/exit. BROWSE_ENV, when set, is put before the command (NO_COLOR=1).
start() {
	w=$1 h=$2
	shift 2
	rm -f "$TMP/exit"
	tmux -L "$SOCK" kill-server 2>/dev/null
	tmux -L "$SOCK" -f /dev/null new-session -d -s b -x "$w" -y "$h" \
	    "sh -c '${BROWSE_ENV:-} \"$WSAUTOPSY\" browse $* 2>$TMP/stderr; echo EXIT=\$? > $TMP/exit'"
}
wait_exit() {
	n=0
	while [ ! -s "$TMP/exit" ] && [ "$n" -lt "$((W * 20))" ]; do
		sleep 0.05
		n=$((n + 1))
	done
	cat "$TMP/exit" 2>/dev/null
}
# fits W H STATUS: no line wider than W columns (wc -L counts columns, so
# an ellipsis is one), H rows, and STATUS on the last row.
fits() {
	n=0
	while [ "$n" -lt "$((W * 20))" ]; do
		screen >"$TMP/fits"
		[ "$(wc -L <"$TMP/fits")" -le "$1" ] &&
		    [ "$(wc -l <"$TMP/fits")" -eq "$2" ] &&
		    tail -n 1 "$TMP/fits" | grep -qF -- "$3" && return 0
		sleep 0.05
		n=$((n + 1))
	done
	cat "$TMP/fits" >&2
	return 1
}
# attrs_at MARKER WORD: the SGR attributes in effect where WORD (its last
# occurrence) is drawn on the first row holding MARKER, as numbers: "1 33"
# is bold yellow; nothing for plain text (pane-attrs.py).
attrs_at() {
	screen_e >"$TMP/pane_e"
	python3 "${top_srcdir}/tests/e2e/pane-attrs.py" "$TMP/pane_e" "$1" "$2"
}
# has_attr MARKER WORD ATTR: attrs_at says ATTR (e.g. 33 or 1).
has_attr() {
	a=$(attrs_at "$1" "$2") || return 1
	case " $a " in *" $3 "*) return 0 ;; esac
	echo "'$2' on the row of '$1' has attributes '$a', not $3" >&2
	return 1
}
# no_colour: capture-pane -e sets no colour anywhere (NO_COLOR).
no_colour() {
	screen_e | python3 -c '
import re, sys
for m in re.finditer("\x1b\\[([0-9;]*)m", sys.stdin.read()):
    for p in m.group(1).split(";"):
        if p and (30 <= int(p) <= 38 or 40 <= int(p) <= 48 or
                  90 <= int(p) <= 107):
            sys.exit("colour SGR %s" % p)
'
}
# title_untouched WORD: the pane's title does not hold WORD (no escape
# sequence from the data set it).
title_untouched() {
	! tmux -L "$SOCK" display -p -t b '#{pane_title}' | grep -q -- "$1"
}
# no_raw_escapes: only tmux's own SGR sequences are on the screen, no other
# escape.
no_raw_escapes() {
	tmux -L "$SOCK" capture-pane -p -e -t b | sed 's/\x1b\[[0-9;]*m//g' \
	    >"$TMP/raw"
	! LC_ALL=C grep -q "$(printf '\033')" "$TMP/raw"
}

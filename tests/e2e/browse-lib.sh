# Shared by the browser's tmux tests (sourced after lib.sh): a browser in
# a private tmux server, keys in, screen text out, every wait polled.
need tmux

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

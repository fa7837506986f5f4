#!/usr/bin/env python3
"""The SGR attributes of a tmux pane (capture-pane -p -e) cell by cell.

usage: pane-attrs.py PANE MARKER [WORD]

On the first row whose text holds MARKER: with WORD, the attributes where
WORD (its last occurrence) is drawn, as numbers ("1 33" is bold yellow;
nothing for plain text); without, one line per cell: the character, a tab,
its attributes. tmux carries attributes from one row to the next, so the
whole pane is read.
"""
import re
import sys

text = open(sys.argv[1], "rb").read().decode("utf-8")
marker = sys.argv[2]
word = sys.argv[3] if len(sys.argv) > 3 else None
state = {}


def apply(params):
    for p in (params.split(";") if params else ["0"]):
        n = int(p or 0)
        if n == 0:
            state.clear()
        elif n == 22:
            state.pop(1, None)
            state.pop(2, None)
        elif n in (24, 27):
            state.pop(n - 20, None)
        elif n in (1, 2, 4, 7):
            state[n] = True
        elif 30 <= n <= 37 or 90 <= n <= 97:
            state["fg"] = n
        elif n == 39:
            state.pop("fg", None)
        elif 40 <= n <= 47 or 100 <= n <= 107:
            state["bg"] = n
        elif n == 49:
            state.pop("bg", None)


for line in text.split("\n"):
    plain, attrs = "", []
    for m in re.finditer("\x1b\\[([0-9;]*)m|(.)", line):
        if m.group(2) is None:
            apply(m.group(1))
        else:
            plain += m.group(2)
            attrs.append(" ".join(sorted(
                str(v) if k in ("fg", "bg") else str(k)
                for k, v in state.items())))
    if marker in plain:
        if word is None:
            for c, a in zip(plain, attrs):
                print("%s\t%s" % (c, a))
            sys.exit(0)
        i = plain.rfind(word)
        if i < 0:
            sys.exit("no %r on the row of %r" % (word, marker))
        print(attrs[i])
        sys.exit(0)
sys.exit("no row holds %r" % marker)

#!/usr/bin/env python3
"""Check a wsautopsy database against a sample's .truth file, both ways.

usage: check-truth.py DB CAPTURE_NAME TRUTH
Each truth line must be matched by a row of the public `findings` view, and
each row must be matched by a truth line: a finding nobody expected fails
as surely as an expected one that is missing.
  close       SENDER CODE PACKET [REASON]  a close finding; CODE "-" when
                                           the frame carried no code (an
                                           empty or 1-byte payload); 1005
                                           only when 1005 was on the wire
  offending   SENDER RULE PACKET   a close or abnormal end whose offending
                                   frame is that one, with exactly that
                                   offending rule;
                                   the frame's own violation finding of
                                   RULE, when there is one, is expected too
  abnormal    SENDER fin|rst PACKET  abrupt-fin / abrupt-reset by SENDER
  unanswered  SENDER fin|rst|- PACKET  close-unanswered: SENDER never
                                   answered the peer's close; PACKET is
                                   SENDER's FIN or RST, else the packet that
                                   ended the connection ("-": the capture's
                                   last)
  handshake   SENDER RULE PACKET   a handshake finding
  tolerated   SENDER RULE PACKET   a violation its receiver carried on
                                   after (tolerated_by names the receiver);
                                   a violation an offending line names
                                   must not be tolerated
  violation   SENDER RULE PACKET   a violation whose receiver's reaction
                                   the capture does not show (neither
                                   tolerated nor named by a close)
  keepalive   SENDER RULE PACKET   a keepalive finding (unanswered-ping:
                                   SENDER never answered the ping there)
  capture     SENDER RULE PACKET   a capture limit (capture-gap, -truncated)
A close or abnormal end that names an offending rule must be matched by an
offending line as well. A NAME.known file beside the truth may list truth lines (their
first four fields) that wsautopsy deliberately does not match, each with
the reason as a fifth field; they are printed as "known" and not counted.
Prints one line per truth line (ok / MISSING) and per unexpected finding
(EXTRA); exits 1 when any is missing or extra."""
import sqlite3
import sys

ABNORMAL = {"fin": "abrupt-fin", "rst": "abrupt-reset"}


def load_known(truth):
    known = {}
    try:
        for line in open(truth[:-len(".truth")] + ".known", encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                k = line.rstrip("\n").split("\t")
                known["\t".join(k[:4])] = k[4] if len(k) > 4 else ""
    except FileNotFoundError:
        pass
    return known


def matches(f, r):
    """Does truth line f (split on tabs) stand for finding row r?"""
    what, sender = f[0], f[1]
    kind, rsender, code, rule, pkt = r["kind"], r["sender"], r["code"], \
        r["rule"], r["packet"]
    if what == "close":
        # An empty code is a close frame without one: 1005, as the
        # receiver reports it (wsautopsy-db(5)).
        want = None if f[2] == "-" else 1005 if f[2] == "" else int(f[2])
        got = None if code in (None, -1) else code
        return kind == "close" and rsender == sender and \
            pkt == int(f[3]) and got == want
    if what == "abnormal":
        return kind == "abnormal" and rsender == sender and \
            rule == ABNORMAL[f[2]] and pkt == int(f[3])
    if what == "unanswered":
        return kind == "abnormal" and rsender == sender and \
            rule == "close-unanswered" and pkt == int(f[3])
    kinds = {"handshake": "handshake", "tolerated": "violation",
             "capture": "capture", "offending": "violation",
             "keepalive": "abnormal", "violation": "violation"}
    if what == "tolerated" and r["tolerated_by"] != \
            ("server" if sender == "client" else "client"):
        return False
    if what in ("offending", "violation") and r["tolerated_by"] is not None:
        return False
    return kind == kinds[what] and rsender == sender and rule == f[2] and \
        pkt == int(f[3])


def names_offending(f, r):
    return f[0] == "offending" and r["kind"] in ("close", "abnormal") and \
        r["offending_sender"] == f[1] and r["offending_rule"] == f[2] and \
        r["offending_packet"] == int(f[3])


def main():
    db, cap, truth = sys.argv[1:4]
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = con.execute(
        "SELECT kind, sender, code, rule, packet, offending_sender, "
        "offending_packet, offending_rule, tolerated_by FROM findings "
        "WHERE capture = ? "
        "ORDER BY packet", (cap,)).fetchall()
    known = load_known(truth)
    bad = 0
    used = set()        # rows a truth line stands for
    offended = set()    # close rows whose offending frame a line names
    for line in open(truth, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        key = "\t".join(f[:4])
        if key in known:
            print("known    %s: %s" % (key, known[key]))
            continue
        if f[0] not in ("close", "offending", "abnormal", "unanswered",
                        "handshake", "tolerated", "capture",
                        "keepalive", "violation") or len(f) < 4:
            print("%s: unknown truth line: %s" % (truth, line.strip()))
            bad += 1
            continue
        hit = [i for i, r in enumerate(rows) if matches(f, r)]
        if f[0] == "offending":
            named = [i for i, r in enumerate(rows) if names_offending(f, r)]
            offended.update(named)
            used.update(hit)
            hit = named
        elif hit:
            # One line, one finding: a second identical one is extra.
            free = [i for i in hit if i not in used]
            hit = free[:1]
            used.update(hit)
        if hit:
            print("ok       %s" % key)
        else:
            bad += 1
            print("MISSING  %s" % key)
    for i, r in enumerate(rows):
        if i not in used:
            bad += 1
            print("EXTRA    %s" % (tuple(r),))
        elif r["kind"] in ("close", "abnormal") and r["offending_rule"] \
                and i not in offended:
            bad += 1
            print("EXTRA    offending %s %s %s named by %s" % (
                r["offending_sender"], r["offending_rule"],
                r["offending_packet"], tuple(r)))
    if bad:
        print("findings of %s:" % cap)
        for r in rows:
            print("         %s" % (tuple(r),))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Check a wsautopsy database against a sample's .truth file.

usage: check-truth.py DB CAPTURE_NAME TRUTH
Each truth line must be matched by a row of the public `findings` view:
  close     SENDER CODE PACKET [REASON]  a close finding (code 1005 = empty)
  offending SENDER RULE PACKET           a close names that frame, and the
                                         rule as its offending rule or as a
                                         violation of that frame
  abnormal  SENDER fin|rst PACKET        an abnormal end by SENDER there
  handshake SENDER RULE PACKET           a handshake finding
  tolerated SENDER RULE PACKET           a violation no close followed
A NAME.known file beside the truth may list truth lines (their first four
fields) that wsautopsy deliberately does not match, each with the reason
as a fifth field; they are printed as "known" and not counted.
Prints one line per truth line (ok / MISSING with what was found); exits 1
when any is missing."""
import sqlite3
import sys


def main():
    db, cap, truth = sys.argv[1:4]
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT kind, sender, code, rule, packet, offending_sender, "
        "offending_packet, offending_rule FROM findings WHERE capture = ?",
        (cap,)).fetchall()
    missing = 0
    known = {}
    try:
        for line in open(truth[:-len(".truth")] + ".known", encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                k = line.rstrip("\n").split("\t")
                known["\t".join(k[:4])] = k[4] if len(k) > 4 else ""
    except FileNotFoundError:
        pass
    for line in open(truth, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        what, sender = f[0], f[1]
        if "\t".join(f[:4]) in known:
            print("known    %s: %s" % ("\t".join(f[:4]),
                                       known["\t".join(f[:4])]))
            continue
        if what == "close":
            # The truth writes an empty close as 1005, as tshark shows it.
            code = None if f[2] == "-" else int(f[2])
            pkt = int(f[3])
            hit = [r for r in rows if r[0] == "close" and r[1] == sender and
                   r[4] == pkt and (r[2] == code or
                                    (code in (None, 1005) and
                                     r[2] in (None, -1)))]
        elif what == "offending":
            rule, pkt = f[2], int(f[3])
            viol = any(r[0] == "violation" and r[1] == sender and
                       r[3] == rule and r[4] == pkt for r in rows)
            hit = [r for r in rows if r[0] == "close" and
                   r[5] == sender and r[6] == pkt and
                   (r[7] == rule or viol)]
        elif what == "abnormal":
            kinds = {"fin": ("abrupt-fin", "close-unanswered"),
                     "rst": ("abrupt-reset", "close-unanswered")}[f[2]]
            pkt = int(f[3])
            hit = [r for r in rows if r[0] == "abnormal" and r[1] == sender
                   and r[3] in kinds and r[4] == pkt]
        elif what == "handshake":
            rule, pkt = f[2], int(f[3])
            hit = [r for r in rows if r[0] == "handshake" and r[1] == sender
                   and r[3] == rule and r[4] == pkt]
        elif what == "tolerated":
            rule, pkt = f[2], int(f[3])
            hit = [r for r in rows if r[0] == "violation" and r[1] == sender
                   and r[3] == rule and r[4] == pkt]
        else:
            print("%s: unknown truth line: %s" % (truth, line.strip()))
            missing += 1
            continue
        if hit:
            print("ok       %s" % "\t".join(f[:4]))
        else:
            missing += 1
            print("MISSING  %s" % "\t".join(f[:4]))
    if missing:
        print("findings of %s:" % cap)
        for r in rows:
            print("         %s" % (r,))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())

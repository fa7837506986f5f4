#!/usr/bin/env python3
"""The three formats of `wsautopsy messages` say the same bytes.

usage: messages-formats.py TEXT JSONL CSV

Every JSON line parses (python's json module); every CSV row parses
(python's csv module, RFC 4180) under the header row; message for
message, in the same order, the payload bytes of the JSON line (text, or
hex) equal the CSV row's payload_hex and what the text format shows: a
text message's escaped line read back (a backslash doubled, \\x with two
hex digits a byte, \\t \\n \\r, \\u with four hex digits and \\U with
eight a code point) or a hex dump's bytes.
Prints one line per disagreement and a count; exits 1 on any.
"""
import csv
import json
import re
import sys

HEADER = re.compile(r"^== connection (\d+) \(.*\) (client|server) message "
                    r"(\d+): ")


def unescape(s):
    out, i = bytearray(), 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        n = s[i + 1]
        if n == "\\":
            out += b"\\"
            i += 2
        elif n in "tnr":
            out += {"t": b"\t", "n": b"\n", "r": b"\r"}[n]
            i += 2
        elif n == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif n == "u":
            out += chr(int(s[i + 2:i + 6], 16)).encode("utf-8")
            i += 6
        elif n == "U":
            out += chr(int(s[i + 2:i + 10], 16)).encode("utf-8")
            i += 10
        else:
            raise ValueError("unknown escape \\%s" % n)
    return bytes(out)


def text_blocks(path):
    blocks = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = HEADER.match(line)
            if m:
                blocks.append({"key": (int(m.group(1)), m.group(2),
                                       int(m.group(3))),
                               "text": " text, " in line, "lines": []})
            elif line.startswith("  ") and blocks:
                blocks[-1]["lines"].append(line[2:])
    return blocks


def shown(block):
    if block["text"]:
        return unescape("".join(block["lines"]))
    data = bytearray()
    for line in block["lines"]:
        # "00000000: 6869 0a00  hi.." (xxd): the hex before two spaces.
        hexpart = line.split(": ", 1)[1][:40]
        data += bytes.fromhex(hexpart.replace(" ", ""))
    return bytes(data)


def main():
    text, jsonl, csvpath = sys.argv[1:4]
    bad = 0
    records = []
    with open(jsonl, "rb") as f:
        for n, line in enumerate(f, 1):
            try:
                records.append(json.loads(line))
            except ValueError as e:
                bad += 1
                print("jsonl line %d does not parse: %s" % (n, e))
    with open(csvpath, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    blocks = text_blocks(text)
    if not (len(records) == len(rows) == len(blocks)):
        print("counts differ: jsonl %d, csv %d, text %d" % (
            len(records), len(rows), len(blocks)))
        return 1
    for r, row, block in zip(records, rows, blocks):
        want = (r["payload"].encode("utf-8") if r["encoding"] == "text"
                else bytes.fromhex(r["payload"] or ""))
        key = (r["connection_id"], r["direction"], r["message_id"])
        if block["key"] != key:
            bad += 1
            print("order differs: text %s, jsonl %s" % (block["key"], key))
            continue
        if row["payload_hex"] != want.hex() or \
                (row["connection_id"], row["direction"],
                 row["message_id"]) != tuple(map(str, key)):
            bad += 1
            print("csv row of %s differs from jsonl" % (key,))
        got = shown(block)
        if got != want:
            bad += 1
            print("text of %s shows %r, jsonl %r" % (key, got[:40],
                                                     want[:40]))
    print("%d messages in three formats, %d disagree" % (len(records), bad))
    return 1 if bad or not records else 0


if __name__ == "__main__":
    sys.exit(main())

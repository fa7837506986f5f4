#!/usr/bin/env python3
"""`wsautopsy export` says the same messages as `wsautopsy messages`.

usage: export-check.py HAR JSONL [DIR]

HAR is an export of some connections, JSONL the `messages --format jsonl`
lines of the same connections, DIR (optional) their `export --dir`.
Python's json module reads the HAR back. For every connection, in order:
its data messages (text, binary) are _webSocketMessages and its control
messages _wsautopsyControlMessages, message for message in the same order,
with the same direction (send: client), time (the same number), opcode,
message_id and bytes (data as text, or base64 where _wsautopsyEncoding
says so); a message the database holds only the start of is marked
_wsautopsyTruncated with its size, no other. The entry's fields HAR 1.2
requires have their types. In DIR (a subdirectory connection-ID each when
there are several connections), the files are NNNN-DIRECTION-TYPE.EXT in
wire order, NNNN from 1, EXT json / txt / bin, each holding the message's
bytes, and TRUNCATED lists exactly the cut ones.
Prints one line per disagreement and a count; exits 1 on any.
"""
import base64
import json
import os
import re
import sys

bad = []


def fail(msg):
    bad.append(msg)
    print(msg)


def jsonl_payload(m):
    if m["encoding"] == "text":
        return m["payload"].encode("utf-8")
    return bytes.fromhex(m["payload"])


def har_payload(h):
    if h.get("_wsautopsyEncoding") == "base64":
        return base64.b64decode(h["data"], validate=True)
    return h["data"].encode("utf-8")


def ext_of(m, data):
    if m["type"] != "text":
        return "bin"
    try:
        json.loads(data.decode("utf-8"), parse_constant=lambda c: 1 / 0)
        return "json" if b"\0" not in data else "txt"
    except (ValueError, ZeroDivisionError):
        return "txt"


def check_entry(e, msgs):
    cid = e["_wsautopsyConnection"]["connection_id"]
    where = "connection %d" % cid
    if e.get("_resourceType") != "websocket":
        fail("%s: _resourceType %r" % (where, e.get("_resourceType")))
    if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$",
                    e["startedDateTime"]):
        fail("%s: startedDateTime %r" % (where, e["startedDateTime"]))
    if not re.match(r"^wss?://", e["request"]["url"]):
        fail("%s: url %r" % (where, e["request"]["url"]))
    for side in ("request", "response"):
        for h in e[side]["headers"]:
            if not (isinstance(h["name"], str) and
                    isinstance(h["value"], str) and h["value"]):
                fail("%s: %s header %r" % (where, side, h))
    lists = (("_webSocketMessages", ("text", "binary")),
             ("_wsautopsyControlMessages", None))
    for key, types in lists:
        want = [m for m in msgs if (m["type"] in ("text", "binary")) ==
                (types is not None)]
        got = e[key]
        if len(got) != len(want):
            fail("%s: %s has %d messages, messages says %d" %
                 (where, key, len(got), len(want)))
            continue
        for i, (h, m) in enumerate(zip(got, want)):
            what = "%s: %s[%d]" % (where, key, i)
            if h["type"] != ("send" if m["direction"] == "client"
                             else "receive"):
                fail("%s: type %s for a %s message" %
                     (what, h["type"], m["direction"]))
            if h["time"] != m["epoch"] or not isinstance(h["time"], float):
                fail("%s: time %r, messages says %r" %
                     (what, h["time"], m["epoch"]))
            if h["opcode"] != m["opcode"]:
                fail("%s: opcode %r, messages says %r" %
                     (what, h["opcode"], m["opcode"]))
            if h["_wsautopsyMessageId"] != m["message_id"]:
                fail("%s: message_id %r, messages says %r" %
                     (what, h["_wsautopsyMessageId"], m["message_id"]))
            if har_payload(h) != jsonl_payload(m):
                fail("%s: data differs from the messages payload" % what)
            if m["type"] == "binary" or key != "_webSocketMessages":
                if h.get("_wsautopsyEncoding") != "base64":
                    fail("%s: not base64" % what)
            if bool(h.get("_wsautopsyTruncated")) != m["cut"]:
                fail("%s: _wsautopsyTruncated %r, cut %r" %
                     (what, h.get("_wsautopsyTruncated"), m["cut"]))
            if m["cut"] and h.get("_wsautopsySize") != m["size"]:
                fail("%s: _wsautopsySize %r, size %r" %
                     (what, h.get("_wsautopsySize"), m["size"]))


def check_dir(top, msgs):
    want, cut = [], []
    for n, m in enumerate(msgs, 1):
        data = jsonl_payload(m)
        name = "%04d-%s-%s.%s" % (n, m["direction"], m["type"],
                                  ext_of(m, data))
        want.append(name)
        path = os.path.join(top, name)
        if not os.path.isfile(path):
            fail("%s: missing" % path)
            continue
        with open(path, "rb") as f:
            if f.read() != data:
                fail("%s: bytes differ from the messages payload" % path)
        if m["cut"]:
            cut.append("%s\t%d\t%d" % (name, m["stored"], m["size"]))
    files = sorted(f for f in os.listdir(top) if f != "TRUNCATED" and
                   not f.startswith("connection-"))
    if files != want:
        fail("%s: files %s, expected %s" % (top, files[:6], want[:6]))
    return cut


def main():
    har_path, jsonl_path = sys.argv[1:3]
    top = sys.argv[3] if len(sys.argv) > 3 else None
    with open(har_path, encoding="utf-8") as f:
        har = json.load(f)
    by_conn = {}
    with open(jsonl_path, encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            by_conn.setdefault(m["connection_id"], []).append(m)
    log = har["log"]
    if log["version"] != "1.2" or log["creator"]["name"] != "wsautopsy":
        fail("log: version %r, creator %r" % (log["version"],
                                               log["creator"]))
    entries = log["entries"]
    ids = [e["_wsautopsyConnection"]["connection_id"] for e in entries]
    if sorted(ids) != sorted(by_conn):
        fail("entries for connections %s, messages has %s" %
             (ids, sorted(by_conn)))
    count = 0
    for e in entries:
        msgs = by_conn.get(e["_wsautopsyConnection"]["connection_id"], [])
        check_entry(e, msgs)
        count += len(msgs)
    if top is not None:
        several = len(by_conn) > 1
        cut = []
        for cid, msgs in sorted(by_conn.items()):
            sub = "connection-%d" % cid if several else ""
            cut += [os.path.join(sub, c) if sub else c
                    for c in check_dir(os.path.join(top, sub), msgs)]
        listed = []
        if os.path.exists(os.path.join(top, "TRUNCATED")):
            with open(os.path.join(top, "TRUNCATED")) as f:
                listed = f.read().splitlines()
        if sorted(listed) != sorted(cut):
            fail("TRUNCATED lists %s, expected %s" % (listed, cut))
    print("%d messages in %d connections, %d disagreements" %
          (count, len(entries), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

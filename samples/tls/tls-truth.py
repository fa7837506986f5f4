#!/usr/bin/python3
# tls-truth.py: write the .truth lines of a TLS capture from tshark's
# decryption of it.
#
#   tls-truth.py CAPTURE KEYS COMMENT [--offending SENDER RULE]
#                [--no-keylog] [--server-port PORT]
#
# KEYS is given to tshark as tls.keylog_file (--no-keylog: not given;
# tshark reads the capture's Decryption Secrets Blocks itself). Prints
# "# COMMENT", then one block per TCP connection, in the order of their
# first packets:
#   conn CLIENT SERVER VERSION SUITE SNI ALPN STATE
#       the clear handshake (ClientHello, ServerHello; "-" for what is
#       not there) and what decryption gave: decrypted (tshark decrypted
#       its records), nokeys (the key log has nothing for its client
#       random), failed (it has, and tshark decrypted nothing: the
#       secrets do not fit), nohandshake (no ClientHello in the capture)
#   bytes CLIENT SENDER LENGTH SHA256
#       the application data of one direction as tshark decrypts it
#       (follow,tls,raw), when there is any
#   alert CLIENT SENDER LEVEL DESCRIPTION PACKET
#       a TLS alert tshark decrypted (level 1 warning, 2 fatal)
# then in packet order the WebSocket frames tshark's dissector finds in
# the decrypted bytes and the findings they imply:
#   frame CLIENT SENDER PACKET FIRST FIN OPCODE MASK LENGTH CODE
#       CLIENT names the connection; PACKET is tshark's frame.number (where the frame's last byte was
#       decrypted: the last packet of the record holding it); FIRST is the
#       first packet of the record holding the frame's first header byte;
#       CODE is the close code or "-"
#   close SENDER CODE FIRST REASON
#   offending SENDER RULE FIRST   (--offending) the largest data frame of
#                                 SENDER, or with a reserved-opcode rule
#                                 the frame of a reserved opcode
#   abnormal|unanswered SENDER fin|rst PACKET   as in real-truth.py: a
#       side of a WebSocket connection that ended TCP with no close frame
# The frames tshark names are checked against the decrypted bytes parsed
# here (boundaries, opcodes, lengths): the script stops when they differ.
# SENDER is client or server, the client the side that sent the SYN (or
# masked frames, or with --server-port the side not on PORT). PACKET
# numbers are Wireshark's.

import argparse
import hashlib
import subprocess
import sys


def tshark(cap, keys, *args):
	cmd = ["tshark", "-r", cap]
	if keys:
		cmd += ["-o", "tls.keylog_file:" + keys]
	return subprocess.run(cmd + list(args), check=True, text=True,
	    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout


FIELDS = ["frame.number", "tcp.stream", "tcp.srcport", "tcp.dstport",
    "tcp.seq", "tcp.len", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin",
    "tcp.flags.reset", "tcp.payload", "tls.record.content_type",
    "tls.record.length", "tls.alert_message.level", "tls.alert_message.desc",
    "websocket.fin", "websocket.opcode", "websocket.mask",
    "websocket.payload_length", "websocket.payload_length_ext_16",
    "websocket.payload_length_ext_64", "websocket.payload.close.status_code"]


def packets(cap, keys):
	args = ["-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
	    "-E", "aggregator=,", "-Y", "tcp"]
	for f in FIELDS:
		args += ["-e", f]
	out = []
	for line in tshark(cap, keys, *args).splitlines():
		cols = line.split("|")
		d = dict(zip(FIELDS, cols))
		d["lists"] = {f: (d[f].split(",") if d[f] else []) for f in FIELDS}
		out.append(d)
	return out


def is_true(v):
	return v in ("1", "True")


def hello_info(cap, keys):
	"""stream -> dict of the clear handshake."""
	info = {}
	ch = tshark(cap, keys, "-Y", "tls.handshake.type == 1", "-T", "fields",
	    "-E", "separator=|", "-e", "tcp.stream", "-e", "tls.handshake.random",
	    "-e", "tls.handshake.extensions_server_name",
	    "-e", "tls.handshake.extensions_alpn_str")
	for line in ch.splitlines():
		s, rnd, sni, alpn = line.split("|")
		rnd = rnd.split(",")[0].replace(":", "")
		info.setdefault(s, {"random": rnd, "sni": sni or "-",
		    "alpn": alpn or "-", "version": "-", "suite": "-"})
	sh = tshark(cap, keys, "-Y", "tls.handshake.type == 2", "-T", "fields",
	    "-E", "separator=|", "-e", "tcp.stream",
	    "-e", "tls.handshake.extensions.supported_version",
	    "-e", "tls.handshake.version", "-e", "tls.handshake.ciphersuite")
	for line in sh.splitlines():
		s, sv, v, suite = line.split("|")
		if s not in info:
			continue
		ver = (sv or v).split(",")[0]
		info[s]["version"] = {"0x0304": "1.3", "0x0303": "1.2",
		    "0x0302": "1.1", "0x0301": "1.0"}.get(ver, ver)
		info[s]["suite"] = "0x%04x" % int(suite.split(",")[0], 0)
	return info


def follow(cap, keys, stream, server_port):
	"""(client bytes, server bytes, client chunks, server chunks)."""
	out = tshark(cap, keys, "-q", "-z", "follow,tls,raw,%s" % stream)
	node0 = None
	chunks = {"a": [], "b": []}
	for line in out.splitlines():
		if line.startswith("Node 0: "):
			node0 = line[8:].rsplit(":", 1)[-1]
			continue
		body = line.strip()
		if not body or not all(c in "0123456789abcdef" for c in body):
			continue
		chunks["b" if line.startswith("\t") else "a"].append(
		    bytes.fromhex(body))
	if not chunks["a"] and not chunks["b"]:
		return b"", b"", [], []
	if node0 is None or node0 == "":
		sys.exit("tls-truth: stream %s: tshark names no node 0" % stream)
	a_is_server = node0 == str(server_port)
	srv = chunks["a"] if a_is_server else chunks["b"]
	cli = chunks["b"] if a_is_server else chunks["a"]
	return b"".join(cli), b"".join(srv), cli, srv


def tcp_map(pkts, stream, port):
	"""The direction's bytes and, for each byte offset, its packet."""
	segs = {}
	for p in pkts:
		if p["tcp.stream"] != stream or p["tcp.srcport"] != port:
			continue
		n = int(p["tcp.len"] or 0)
		if n == 0 or not p["tcp.payload"]:
			continue
		seq = int(p["tcp.seq"])
		segs.setdefault(seq, (int(p["frame.number"]),
		    bytes.fromhex(p["tcp.payload"].replace(":", ""))))
	data = bytearray()
	owner = []
	base = min(segs) if segs else 0
	for seq in sorted(segs):
		num, payload = segs[seq]
		off = seq - base
		if off > len(data):
			break		# a hole: nothing after it is mapped
		fresh = payload[len(data) - off:]
		data += fresh
		owner += [num] * len(fresh)
	return bytes(data), owner


def records(data):
	"""(start, end) of each TLS record in a direction's bytes."""
	out = []
	i = 0
	while i + 5 <= len(data):
		n = int.from_bytes(data[i + 3:i + 5], "big")
		if i + 5 + n > len(data):
			break
		out.append((i, i + 5 + n))
		i += 5 + n
	return out


def ws_frames(plain):
	"""(offset, fin, opcode, mask, length, code) of each whole frame after
	the HTTP head."""
	head = plain.find(b"\r\n\r\n")
	if head < 0:
		return []
	i = head + 4
	out = []
	while i + 2 <= len(plain):
		b0, b1 = plain[i], plain[i + 1]
		n, j = b1 & 0x7f, i + 2
		if n == 126:
			n, j = int.from_bytes(plain[j:j + 2], "big"), j + 2
		elif n == 127:
			n, j = int.from_bytes(plain[j:j + 8], "big"), j + 8
		mask = None
		if b1 & 0x80:
			mask, j = plain[j:j + 4], j + 4
		if j + n > len(plain):
			break
		payload = plain[j:j + n]
		if mask:
			payload = bytes(c ^ mask[k % 4] for k, c in enumerate(payload))
		code = "-"
		if b0 & 0x0f == 8 and n >= 2:
			code = str(int.from_bytes(payload[:2], "big"))
		out.append((i, j + n, b0 >> 7, b0 & 0x0f, 1 if mask else 0, n,
		    code, payload[2:].decode("utf-8", "replace") if code != "-"
		    else ""))
		i = j + n
	return out


def tshark_frames(pkts, stream, port):
	"""(packet, fin, opcode, mask, length, code) as tshark shows them."""
	out = []
	for p in pkts:
		if p["tcp.stream"] != stream or p["tcp.srcport"] != port:
			continue
		L = p["lists"]
		e16, e64, codes = L["websocket.payload_length_ext_16"], \
		    L["websocket.payload_length_ext_64"], \
		    L["websocket.payload.close.status_code"]
		i16 = i64 = ic = 0
		for k in range(len(L["websocket.opcode"])):
			n = int(L["websocket.payload_length"][k])
			if n == 126:
				n = int(e16[i16]); i16 += 1
			elif n == 127:
				n = int(e64[i64]); i64 += 1
			op = int(L["websocket.opcode"][k], 0)
			code = "-"
			if op == 8 and n >= 2 and ic < len(codes):
				code = codes[ic]; ic += 1
			out.append((int(p["frame.number"]),
			    int(is_true(L["websocket.fin"][k])), op,
			    int(is_true(L["websocket.mask"][k])), n, code))
	return out


def app_records(pkts, stream, port, recs):
	"""The records that carry application data, by tshark's (decrypted)
	content types, checked against the records parsed here."""
	types, lens = [], []
	for p in pkts:
		if p["tcp.stream"] != stream or p["tcp.srcport"] != port:
			continue
		types += p["lists"]["tls.record.content_type"]
		lens += p["lists"]["tls.record.length"]
	if len(types) != len(recs) or \
	    [int(n) + 5 for n in lens] != [e - s for s, e in recs]:
		sys.exit("tls-truth: stream %s port %s: tshark's %d records are "
		    "not the %d parsed here" % (stream, port, len(types), len(recs)))
	return [r for r, t in zip(recs, types) if t == "23"]


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("capture")
	ap.add_argument("keys")
	ap.add_argument("comment")
	ap.add_argument("--offending", nargs=2, metavar=("SENDER", "RULE"))
	ap.add_argument("--no-keylog", action="store_true")
	ap.add_argument("--server-port", metavar="PORT",
	    help="the server's port (a capture without the TCP handshake)")
	args = ap.parse_args()
	keys = None if args.no_keylog else args.keys
	secrets = set()
	for line in open(args.keys, encoding="utf-8"):
		f = line.split()
		if len(f) == 3 and not line.startswith("#"):
			secrets.add(f[1].lower())

	pkts = packets(args.capture, keys)
	hello = hello_info(args.capture, keys)
	order, ends, server, client = [], [], {}, {}
	for p in pkts:
		s = p["tcp.stream"]
		if s not in order:
			order.append(s)
			# Without a SYN, the side that sends the ClientHello or
			# masked frames is the client; else the first sender.
			server[s] = p["tcp.dstport"]
			client[s] = p["tcp.srcport"]
		if is_true(p["tcp.flags.syn"]) and not is_true(p["tcp.flags.ack"]):
			server[s], client[s] = p["tcp.dstport"], p["tcp.srcport"]
		if is_true(p["tcp.flags.reset"]):
			ends.append((int(p["frame.number"]), s, p["tcp.srcport"], "rst"))
		elif is_true(p["tcp.flags.fin"]):
			ends.append((int(p["frame.number"]), s, p["tcp.srcport"], "fin"))
	for p in pkts:
		s = p["tcp.stream"]
		if p["lists"]["websocket.mask"] and \
		    is_true(p["lists"]["websocket.mask"][0]) and \
		    not any(q["tcp.stream"] == s and is_true(q["tcp.flags.syn"])
		    for q in pkts):
			server[s], client[s] = p["tcp.dstport"], p["tcp.srcport"]
	# No SYN, no ClientHello, no masked frame: the end on the lower port
	# is the server (clients take ephemeral ports), as wsautopsy takes it.
	for s in order:
		if s not in hello and int(client[s]) < int(server[s]) and \
		    not any(q["tcp.stream"] == s and (is_true(q["tcp.flags.syn"])
		    or (q["lists"]["websocket.mask"] and
		    is_true(q["lists"]["websocket.mask"][0]))) for q in pkts):
			server[s], client[s] = client[s], server[s]
	for s in order:
		if args.server_port and client[s] == args.server_port:
			server[s], client[s] = client[s], server[s]

	blocks, lines = [], []
	for s in order:
		cname = "127.0.0.1:%s" % client[s]
		sname = "127.0.0.1:%s" % server[s]
		h = hello.get(s)
		cb, sb, cchunks, schunks = follow(args.capture, keys, s, server[s])
		if h is None:
			state = "nohandshake"
			h = {"version": "-", "suite": "-", "sni": "-", "alpn": "-"}
		elif cb or sb:
			state = "decrypted"
		elif h["random"] in secrets:
			state = "failed"
		else:
			state = "nokeys"
		blocks.append("conn\t%s\t%s\t%s\t%s\t%s\t%s\t%s" % (cname, sname,
		    h["version"], h["suite"], h["sni"], h["alpn"], state))
		for who, b in (("client", cb), ("server", sb)):
			if b:
				blocks.append("bytes\t%s\t%s\t%d\t%s" % (cname, who,
				    len(b), hashlib.sha256(b).hexdigest()))
		for p in pkts:
			if p["tcp.stream"] != s:
				continue
			L = p["lists"]
			for lv, desc in zip(L["tls.alert_message.level"],
			    L["tls.alert_message.desc"]):
				who = "client" if p["tcp.srcport"] == client[s] else "server"
				blocks.append("alert\t%s\t%s\t%s\t%s\t%s" % (cname, who,
				    lv, desc, p["frame.number"]))
		if state != "decrypted":
			continue

		closed = {}
		best = None
		ws_seen = False
		for who, port, chunks in (("client", client[s], cchunks),
		    ("server", server[s], schunks)):
			data, owner = tcp_map(pkts, s, port)
			recs = app_records(pkts, s, port, records(data))
			if len(recs) != len(chunks) or any(e - st - 5 < len(c)
			    for (st, e), c in zip(recs, chunks)):
				sys.exit("tls-truth: stream %s %s: %d application data "
				    "records, %d decrypted chunks" % (s, who,
				    len(recs), len(chunks)))
			# Plaintext offset -> (first packet, last packet) of
			# its record.
			spans = []
			for (st, e), c in zip(recs, chunks):
				spans += [(owner[st], owner[e - 1])] * len(c)
			plain = b"".join(chunks)
			mine = ws_frames(plain)
			theirs = tshark_frames(pkts, s, port)
			ws_seen = ws_seen or bool(theirs)
			got = [(spans[e - 1][1], fin, op, m, n, code)
			    for st, e, fin, op, m, n, code, _ in mine]
			if got[:len(theirs)] != theirs:
				sys.exit("tls-truth: stream %s %s: tshark's frames %s "
				    "are not the ones parsed here %s" % (s, who,
				    theirs, got))
			for (st, e, fin, op, m, n, code, reason), t in \
			    zip(mine, theirs):
				first = spans[st][0]
				lines.append((t[0], len(lines), "frame\t%s\t%s\t%d\t%d"
				    "\t%d\t%d\t%d\t%d\t%s" % (cname, who, t[0], first,
				    fin, op, m, n, code)))
				if op == 8:
					lines.append((first, len(lines), "close\t%s\t%s\t%d\t%s" % (
					    who, code, first, reason)))
					closed[who] = first
				if args.offending and who == args.offending[0]:
					if args.offending[1] == "reserved-opcode":
						if op in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15) \
						    and best is None:
							best = (n, first)
					elif op in (0, 1, 2) and (best is None or
					    n > best[0]):
						best = (n, first)
		if best is not None:
			lines.append((best[1], 0, "offending\t%s\t%s\t%d" % (
			    args.offending[0], args.offending[1], best[1])))
		if not ws_seen:
			continue
		mine_ends = [(n, port, k) for n, st, port, k in ends if st == s]
		for who, port in (("client", client[s]), ("server", server[s])):
			if who in closed:
				continue
			own = [(n, k) for n, pt, k in mine_ends if pt == port]
			peer = "server" if who == "client" else "client"
			if own:
				n, k = own[0]
			elif peer in closed and mine_ends:
				n, k = mine_ends[-1][0], mine_ends[-1][2]
			else:
				continue
			lines.append((n, 0, "%s\t%s\t%s\t%d" % (
			    "unanswered" if peer in closed else "abnormal", who,
			    k, n)))

	print("# " + args.comment)
	for b in blocks:
		print(b)
	for _, _, text in sorted(lines, key=lambda t: t[:2]):
		print(text)


if __name__ == "__main__":
	main()
